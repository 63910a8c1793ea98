"""Experiments that return data for a display to draw.

:func:`transfer_curve` is to :class:`~sknn.plotting.TransferCurveDisplay` what
scikit-learn's :func:`~sklearn.model_selection.learning_curve` is to
:class:`~sklearn.model_selection.LearningCurveDisplay`: it fits and scores, the
display only draws.
"""

import numbers

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.utils import check_random_state

__all__ = ["transfer_curve"]


def _counts_per_class(estimators, per_class):
    """``per_class``, or by default whether the first estimator is a classifier."""
    if not estimators:
        raise ValueError("estimators must name at least one estimator.")
    if per_class is None:
        return is_classifier(next(iter(estimators.values())))
    return bool(per_class)


def _check_sizes(n_labelled, n_repeats):
    sizes = list(n_labelled)
    if not sizes or not all(isinstance(n, numbers.Integral) and not isinstance(n, bool)
                            and n >= 1 for n in sizes):
        raise ValueError(
            f"n_labelled must be a non-empty sequence of positive integers; got {n_labelled!r}."
        )
    if not isinstance(n_repeats, numbers.Integral) or isinstance(n_repeats, bool) \
            or n_repeats < 1:
        raise ValueError(f"n_repeats must be a positive integer; got {n_repeats!r}.")
    return sizes


def transfer_curve(estimators, X, y, X_test, y_test, *, n_labelled=(1, 2, 5, 10, 20),
                   per_class=None, n_repeats=3, scoring=None, random_state=0):
    """Test scores of estimators fitted on growing labelled subsets.

    For every ``n`` in ``n_labelled`` and every repeat, ``n`` rows per class (or
    ``n`` rows in all) are drawn without replacement from ``(X, y)`` (all the rows of
    a class that has fewer); each estimator is cloned, fitted on them and scored on
    ``(X_test, y_test)``. All estimators see the same rows. Made to compare transfer
    learning (:class:`~sknn.TransferClassifier`, frozen or fine-tuned) with training
    from scratch as labelled data grows; works for any estimators.

    Parameters
    ----------
    estimators : dict of str to estimator
        For example ``{"transfer": TransferClassifier(base=cnn),
        "scratch": CNNClassifier()}``. They are cloned, never fitted in place.
    X : array-like or DataFrame of shape (n_samples, ...)
        The pool of rows that can be labelled.
    y : array-like of shape (n_samples,)
        Their targets.
    X_test : array-like or DataFrame
        Held-out rows for the score.
    y_test : array-like
        Their targets.
    n_labelled : sequence of int, default=(1, 2, 5, 10, 20)
        Numbers of labelled rows (per class with ``per_class``), each at least 1.
    per_class : bool, default=None
        Count rows per class; True when the first estimator is a classifier.
    n_repeats : int, default=3
        Draws per size.
    scoring : str or callable, default=None
        scikit-learn scoring; each estimator's ``score`` when None.
    random_state : int, RandomState instance or None, default=0
        Draws the labelled subsets.

    Returns
    -------
    results : DataFrame
        One row per (size, repeat, estimator), in that order, with columns
        ``method`` (the key in ``estimators``), ``n_labelled``, ``repeat`` and
        ``score``: what :meth:`TransferCurveDisplay.from_results
        <sknn.plotting.TransferCurveDisplay.from_results>` draws.

    See Also
    --------
    sknn.plotting.TransferCurveDisplay : Draws these results.
    sklearn.model_selection.learning_curve : Score against the training-set size.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.dummy import DummyClassifier
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sknn.model_selection import transfer_curve
    >>> X, y = load_iris(return_X_y=True)
    >>> results = transfer_curve(
    ...     {"logistic": LogisticRegression(), "prior": DummyClassifier()},
    ...     X[::2], y[::2], X[1::2], y[1::2], n_labelled=(2, 10), n_repeats=2)
    >>> results.shape, list(results.columns)
    ((8, 4), ['method', 'n_labelled', 'repeat', 'score'])
    >>> mean = results.groupby(["method", "n_labelled"])["score"].mean()
    >>> bool(mean["logistic", 10] > 0.8 > mean["prior", 10])
    True
    """
    per_class = _counts_per_class(estimators, per_class)
    sizes = _check_sizes(n_labelled, n_repeats)
    y_array = np.asarray(y)
    rng = check_random_state(random_state)
    rows = []
    for n in sizes:
        for repeat in range(n_repeats):
            if per_class:
                index = np.concatenate([
                    rng.choice(np.flatnonzero(y_array == label),
                               min(n, int(np.sum(y_array == label))), replace=False)
                    for label in np.unique(y_array)])
            else:
                index = rng.choice(len(y_array), min(n, len(y_array)), replace=False)
            X_part = X.iloc[index] if hasattr(X, "iloc") else np.asarray(X)[index]
            y_part = y.iloc[index] if hasattr(y, "iloc") else y_array[index]
            for name, estimator in estimators.items():
                fitted = clone(estimator).fit(X_part, y_part)
                scorer = check_scoring(fitted, scoring=scoring)
                rows.append({"method": name, "n_labelled": n, "repeat": repeat,
                             "score": float(scorer(fitted, X_test, y_test))})
    return pd.DataFrame(rows, columns=["method", "n_labelled", "repeat", "score"])
