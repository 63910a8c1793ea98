"""
Transfer learning on a table: a model of one population moved to another
=========================================================================

A network that predicts a penguin's body mass from its bill, flipper and sex is
trained on two species, Adelie and Chinstrap (214 birds). The third species,
Gentoo, is heavier and built differently: the source model used as it is misses
its scale. With only a few labelled Gentoo birds, :class:`sknn.TransferRegressor`
keeps the source network's hidden layers, frozen or fine-tuned, and trains a new
output layer; the same network trained from scratch on the Gentoo rows, a ridge
regression and the source model as it is are scored on the same held-out birds,
and the learning curves are drawn with :class:`sknn.plotting.TransferCurveDisplay`.
"""

import os
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from palmerpenguins import load_penguins
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPRegressor, TransferRegressor
from sknn.plotting import TransferCurveDisplay

QUICK = os.environ.get("SKNN_EXAMPLE_QUICK") == "1"
SIZES = (10, 50) if QUICK else (5, 10, 20, 50, 80)
REPEATS = 1 if QUICK else 5
warnings.simplefilter("ignore", ConvergenceWarning)

# %%
# The measurements, and body mass in kilograms (a target of unit scale).
penguins = load_penguins().dropna()
X = penguins[["bill_length_mm", "bill_depth_mm", "flipper_length_mm"]].assign(
    male=(penguins["sex"] == "male").astype(float))
y = penguins["body_mass_g"] / 1000
gentoo = (penguins["species"] == "Gentoo").to_numpy()
X_source, y_source = X[~gentoo], y[~gentoo]
X_target, y_target = X[gentoo], y[gentoo]
print(f"source: {len(X_source)} Adelie and Chinstrap, mean mass {y_source.mean():.2f} kg")
print(f"target: {len(X_target)} Gentoo, mean mass {y_target.mean():.2f} kg")


def mass_model(seed=0):
    """Scaling and a network with two hidden layers, in one Pipeline."""
    return make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(64, 32),
                                                        learning_rate_init=0.01,
                                                        random_state=seed))


# %%
# The source model, fitted on the two source species. A fitted Pipeline is a valid
# base: the transfer model reuses its scaler (fitted on the source) and its network.
source = mass_model().fit(X_source, y_source)

# %%
# The learning curves: for each number of labelled Gentoo birds, draw that many
# (the rest is the test set) and fit every method on them.
methods = {
    "transfer (frozen)": lambda seed: TransferRegressor(source, random_state=seed),
    "transfer (fine-tuned)": lambda seed: TransferRegressor(source, freeze=False,
                                                            random_state=seed),
    "same network from scratch": mass_model,
    "RidgeCV": lambda seed: make_pipeline(StandardScaler(),
                                          RidgeCV(alphas=np.logspace(-3, 3, 13))),
}
rows = []
for n in SIZES:
    for repeat in range(REPEATS):
        order = np.random.default_rng(repeat).permutation(len(X_target))
        train, test = order[:n], order[n:]
        X_train, y_train = X_target.iloc[train], y_target.iloc[train]
        X_test, y_test = X_target.iloc[test], y_target.iloc[test]
        rows.append({"method": "source as it is", "n_labelled": n, "repeat": repeat,
                     "score": source.score(X_test, y_test)})
        for name, make in methods.items():
            model = make(repeat).fit(X_train, y_train)
            rows.append({"method": name, "n_labelled": n, "repeat": repeat,
                         "score": model.score(X_test, y_test)})
results = pd.DataFrame(rows)
table = results.pivot_table(index="method", columns="n_labelled", values="score")
print("R2 on the held-out Gentoo birds (mean over draws):")
print(table.round(3).to_string())

# %%
# Transfer is what makes the network usable with a few dozen rows: trained from
# scratch on them it is far worse, and the source model as it is is biased for the
# heavier species. Here the relation is nearly linear, so a ridge regression on
# the same rows does as well: transfer wins against the network, not against
# every model.
display = TransferCurveDisplay.from_results(results, score_name="R2 on held-out Gentoo")
display.ax_.set_ylim(-1, 1)
display.ax_.set_title("Body mass of Gentoo penguins from a model of two other species")

# %%
# ``transform`` returns the source network's features of the target rows (its
# last hidden layer), here as a DataFrame.
model = TransferRegressor(source, random_state=0).fit(X_target.iloc[:50],
                                                      y_target.iloc[:50])
features = model.set_output(transform="pandas").transform(X_target.iloc[50:53])
print(features.iloc[:, :4].round(3))
plt.show()
