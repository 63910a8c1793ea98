"""
Regression with an MLP: diabetes progression
============================================

:class:`sknn.MLPRegressor` is a drop-in replacement for scikit-learn's
``MLPRegressor``: same parameters, same ``loss_curve_``. Here both learn the
diabetes data set in a Pipeline; early stopping holds out 10% of the training rows
and restores the best weights.
"""

import os
import warnings

import matplotlib.pyplot as plt
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPRegressor

QUICK = os.environ.get("SKNN_EXAMPLE_QUICK") == "1"
EPOCHS = 40 if QUICK else 300
warnings.simplefilter("ignore", ConvergenceWarning)

X, y = load_diabetes(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)


def model(regressor):
    # Scale the inputs, and the target too: networks train best on unit-scale numbers.
    return TransformedTargetRegressor(make_pipeline(StandardScaler(), regressor),
                                      transformer=StandardScaler())


params = dict(hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=EPOCHS,
              early_stopping=True, n_iter_no_change=20, random_state=0)
ours = model(MLPRegressor(dropout=0.1, **params)).fit(X_train, y_train)
theirs = model(SklearnMLPRegressor(**params)).fit(X_train, y_train)
print(f"sknn MLPRegressor    test R2 {ours.score(X_test, y_test):.3f}")
print(f"sklearn MLPRegressor test R2 {theirs.score(X_test, y_test):.3f}")

# %%
# The fitted network keeps scikit-learn's attributes, plus a per-epoch history.
net = ours.regressor_[-1]
print(f"epochs run: {net.n_iter_}, best validation R2: {net.best_validation_score_:.3f}")
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
ax1.plot(net.loss_curve_, label="training loss")
ax1.plot([h["valid_loss"] for h in net.history_], label="validation loss")
ax1.set_xlabel("epoch")
ax1.legend()
ax2.scatter(y_test, ours.predict(X_test), s=10)
ax2.plot([y.min(), y.max()], [y.min(), y.max()], "k--")
ax2.set_xlabel("true progression")
ax2.set_ylabel("predicted")
fig.tight_layout()
plt.show()
