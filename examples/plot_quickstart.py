"""
Quick start: a neural network in a scikit-learn grid search
===========================================================

A DataFrame with string labels goes through a ``Pipeline`` (scaling, then
:class:`sknn.MLPClassifier`), tuned by ``GridSearchCV`` with two jobs, and scored
on held-out rows next to scikit-learn's own MLP.
"""

import os
import warnings

import pandas as pd
from sklearn.datasets import load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLP
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier

QUICK = os.environ.get("SKNN_EXAMPLE_QUICK") == "1"
EPOCHS = 30 if QUICK else 200
warnings.simplefilter("ignore", ConvergenceWarning)

# %%
# A DataFrame and string labels, as they come from a CSV file.
wine = load_wine(as_frame=True)
frame = wine.data
labels = pd.Series(wine.target_names[wine.target], name="cultivar")
X_train, X_test, y_train, y_test = train_test_split(
    frame, labels, test_size=0.25, stratify=labels, random_state=0
)

# %%
# The network is one step of a Pipeline; the grid search tunes its parameters by name.
pipe = make_pipeline(StandardScaler(), MLPClassifier(max_iter=EPOCHS, random_state=0))
grid = {
    "mlpclassifier__hidden_layer_sizes": [(32,), (64, 32)],
    "mlpclassifier__alpha": [1e-4, 1e-2],
}
search = GridSearchCV(pipe, grid, cv=3 if QUICK else 5, n_jobs=2).fit(X_train, y_train)
print("best parameters:", search.best_params_)
print(f"cross-validated accuracy: {search.best_score_:.3f}")
print(f"sknn test accuracy:       {search.score(X_test, y_test):.3f}")

reference = make_pipeline(StandardScaler(), SklearnMLP(max_iter=EPOCHS, random_state=0))
print(f"sklearn test accuracy:    {reference.fit(X_train, y_train).score(X_test, y_test):.3f}")

# %%
# Probabilities come back with columns in ``classes_`` order, as in scikit-learn.
proba = search.predict_proba(X_test.head(3))
print(pd.DataFrame(proba, columns=search.classes_).round(3))
