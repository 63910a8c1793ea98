"""
Forecasting sunspots with an LSTM
=================================

The yearly sunspot numbers (1700-2008, shipped with statsmodels) are cut into
windows of the past ten years with :func:`sknn.preprocessing.make_windows`; an
:class:`sknn.LSTMRegressor` learns to forecast the next year. On the last 60 years,
held out, it is compared with the persistence forecast (next year = this year) and
a ridge regression on the same window, and its forecast is plotted against the
truth. A grid search with ``TimeSeriesSplit`` picks the recurrent cell.
"""

import os
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import statsmodels.api as sm
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from sknn import LSTMRegressor
from sknn.preprocessing import make_windows

QUICK = os.environ.get("SKNN_EXAMPLE_QUICK") == "1"
EPOCHS = 10 if QUICK else 40
warnings.simplefilter("ignore", ConvergenceWarning)

# %%
# The series, indexed by year. Neural networks want values of unit scale: the
# series is standardised with the statistics of the training years only.
data = sm.datasets.sunspots.load_pandas().data
series = pd.Series(data["SUNACTIVITY"].to_numpy(), index=data["YEAR"].astype(int),
                   name="sunspots")
n_test = 60
mean, std = series.iloc[:-n_test].mean(), series.iloc[:-n_test].std()
scaled = (series - mean) / std

# %%
# Windows of ten years (about one solar cycle) and the year after each. ``X`` and
# ``y`` are indexed by the year being forecast.
X, y = make_windows(scaled, window=10, horizon=1)
X_train, X_test, y_train, y_test = X.iloc[:-n_test], X.iloc[-n_test:], y.iloc[:-n_test], \
    y.iloc[-n_test:]
print(X_train.iloc[-2:, -4:].round(2))

# %%
# The LSTM, and the two references on the same windows.
lstm = LSTMRegressor(hidden_size=32, batch_size=32, learning_rate_init=1e-2, max_iter=EPOCHS,
                     random_state=0).fit(X_train, y_train)
ridge = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(X_train, y_train)

truth = y_test * std + mean
forecasts = {
    "persistence": X_test["sunspots_t"] * std + mean,
    "ridge": pd.Series(ridge.predict(X_test), index=y_test.index) * std + mean,
    "LSTM": pd.Series(lstm.predict(X_test), index=y_test.index) * std + mean,
}
for name, forecast in forecasts.items():
    print(f"{name:12s} RMSE {np.sqrt(((forecast - truth) ** 2).mean()):6.2f} sunspots")

# %%
# Forecast against truth on the held-out years.
fig, ax = plt.subplots(figsize=(9, 4))
ax.plot(series.index[-n_test - 40:], series.iloc[-n_test - 40:], color="0.6",
        label="observed")
ax.plot(truth.index, forecasts["LSTM"], label="LSTM, one year ahead")
ax.plot(truth.index, forecasts["ridge"], linestyle="--", label="ridge, one year ahead")
ax.axvline(truth.index[0] - 0.5, color="k", linewidth=0.8)
ax.set(xlabel="year", ylabel="sunspot number", title="Yearly sunspots: held-out forecasts")
ax.legend()
fig.tight_layout()

# %%
# Time-ordered cross-validation: each fold trains on the past and scores on the
# years that follow. The search refits the best cell on all the training years.
search = GridSearchCV(
    LSTMRegressor(hidden_size=32, batch_size=32, learning_rate_init=1e-2, max_iter=EPOCHS,
                  random_state=0),
    {"cell": ["lstm", "gru"]}, cv=TimeSeriesSplit(n_splits=3),
    scoring="neg_root_mean_squared_error",
).fit(X_train, y_train)
print("best cell:", search.best_params_["cell"])
rmse = np.sqrt(((search.predict(X_test) * std + mean - truth) ** 2).mean())
print(f"held-out RMSE of the tuned model: {rmse:.2f}")
plt.show()
