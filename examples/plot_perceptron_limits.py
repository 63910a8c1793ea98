"""
The perceptron and its limits
=============================

A single layer of neurons draws one hyperplane per class: it classifies linearly
separable data well (breast cancer) and fails on data that no line separates
(two interleaved half-moons, or XOR). One hidden layer fixes that.
"""

import os
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Perceptron
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier, PerceptronClassifier

QUICK = os.environ.get("SKNN_EXAMPLE_QUICK") == "1"
EPOCHS = 20 if QUICK else 100
warnings.simplefilter("ignore", ConvergenceWarning)

# %%
# Linearly separable enough: breast cancer, against scikit-learn's Perceptron.
X, y = load_breast_cancer(return_X_y=True)
for name, model in [("sknn PerceptronClassifier", PerceptronClassifier(max_iter=EPOCHS,
                                                                       random_state=0)),
                    ("sklearn Perceptron", Perceptron(max_iter=EPOCHS, random_state=0))]:
    scores = cross_val_score(make_pipeline(StandardScaler(), model), X, y, cv=5)
    print(f"{name:28s} accuracy {scores.mean():.3f}")

# %%
# Not linearly separable: the perceptron's boundary is a straight line.
X, y = make_moons(n_samples=400, noise=0.15, random_state=0)
models = {
    "PerceptronClassifier": PerceptronClassifier(max_iter=EPOCHS, random_state=0),
    "MLPClassifier (32 hidden)": MLPClassifier(hidden_layer_sizes=(32,),
                                               learning_rate_init=0.01,
                                               max_iter=300, random_state=0),
}
grid = np.stack(np.meshgrid(np.linspace(-1.5, 2.5, 200), np.linspace(-1, 1.5, 200)), -1)
fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharey=True)
for ax, (name, model) in zip(axes, models.items()):
    model.fit(X, y)
    zz = model.predict_proba(grid.reshape(-1, 2))[:, 1].reshape(grid.shape[:2])
    ax.contourf(grid[..., 0], grid[..., 1], zz, levels=20, cmap="RdBu", alpha=0.6)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu", edgecolor="k", s=12)
    ax.set_title(f"{name}\naccuracy {model.score(X, y):.2f}")
    print(f"moons, {name}: {model.score(X, y):.3f}")
fig.tight_layout()
plt.show()
