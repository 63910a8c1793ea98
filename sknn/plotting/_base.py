"""Helpers shared by the displays: matplotlib on demand, the grid of inset axes, and
finding the sknn estimator inside a Pipeline, a search or a TransformedTargetRegressor."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

_HIGHLIGHT = "tab:red"
_REAL, _SYNTHETIC = "tab:blue", "tab:orange"


def _pyplot(caller):
    """Import matplotlib's pyplot, or say clearly how to get it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller} needs matplotlib. Install it with `pip install matplotlib` "
            "(or `pip install sknn[plot]`)."
        ) from exc
    return plt


def _figure_and_axes(ax, caller, figsize=None):
    plt = _pyplot(caller)
    if ax is None:
        figure, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax.figure, ax


# Wrappers nest a few levels at most; the bound only guards against a cycle.
_MAX_WRAPPERS = 10


def _final_estimator(estimator):
    """The estimator at the end of a chain of wrappers: one rule for every display.

    A Pipeline gives its last step, a fitted search (GridSearchCV and friends) its
    ``best_estimator_``, a TransformedTargetRegressor its fitted ``regressor_`` (its
    ``regressor`` before fit); this repeats until no rule applies.
    """
    for _ in range(_MAX_WRAPPERS):
        if hasattr(estimator, "steps"):
            estimator = estimator.steps[-1][1]
        elif hasattr(estimator, "best_estimator_"):
            estimator = estimator.best_estimator_
        elif hasattr(estimator, "regressor_"):
            estimator = estimator.regressor_
        elif getattr(estimator, "regressor", None) is not None:
            estimator = estimator.regressor
        else:
            break
    return estimator


def _inner_estimator(estimator, attribute):
    """The final estimator (see :func:`_final_estimator`), which must hold ``attribute``."""
    inner = _final_estimator(estimator)
    if hasattr(inner, attribute):
        return inner
    check_is_fitted(estimator)
    raise ValueError(
        f"{type(estimator).__name__} has no {attribute}: pass a fitted sknn estimator "
        "(or a Pipeline, search or TransformedTargetRegressor that ends with one)."
    )


def _final_param(estimator, name):
    """A constructor parameter of the final estimator (``image_shape``, ...), or None."""
    inner = _final_estimator(estimator)
    return inner.get_params().get(name) if hasattr(inner, "get_params") else None


def _grid_axes(bounding_ax, n, n_cols, gap=0.12):
    """Lay out ``n`` inset axes in a grid inside ``bounding_ax``; return them."""
    n_cols = max(1, min(n_cols, n))
    n_rows = -(-n // n_cols)
    width, height = 1 / n_cols, 1 / n_rows
    axes = []
    for i in range(n):
        row, col = divmod(i, n_cols)
        axes.append(bounding_ax.inset_axes([
            col * width + gap * width / 2, 1 - (row + 1) * height + gap * height / 2,
            width * (1 - gap), height * (1 - gap),
        ]))
    return np.asarray(axes, dtype=object)
