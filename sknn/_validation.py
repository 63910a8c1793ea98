"""Input coercion shared by every estimator.

Everything that turns user data (ndarray, DataFrame, sparse matrix, labels of any
type) into arrays the engine can batch lives here, so that the estimators differ only
in how they reshape a validated 2-D table (images, sequences).
"""

import numbers

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils._param_validation import (  # noqa: F401 (re-export)
    Interval,
    Options,
    StrOptions,
)
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import _check_sample_weight, column_or_1d, validate_data

__all__ = [
    "Interval",
    "Options",
    "StrOptions",
    "check_continued_classes",
    "check_validation_size",
    "check_architecture_unchanged",
    "check_callbacks",
    "check_common_parameters",
    "check_float32_range",
    "check_frame_columns",
    "check_network_size",
    "check_non_numeric_columns",
    "float_dtype",
    "validate_features",
    "validate_sample_weight",
    "encode_classification_target",
    "validate_regression_target",
    "check_layer_sizes",
    "is_int",
]


def check_non_numeric_columns(X):
    """Raise a helpful error when a DataFrame carries non-numeric columns.

    scikit-learn's own message ("could not convert string to float") does not say
    which column is the problem or what to do about it.
    """
    if not isinstance(X, pd.DataFrame):
        return
    bad = [
        str(name)
        for name, dtype in X.dtypes.items()
        if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))
    ]
    if bad:
        raise ValueError(
            f"X has non-numeric columns {bad}; neural networks need numbers. Encode them "
            "first, for example with sklearn.compose.ColumnTransformer and a OneHotEncoder "
            "in a Pipeline in front of the estimator."
        )


# The networks compute in float32: larger magnitudes become infinity on conversion.
FLOAT32_MAX = float(np.finfo(np.float32).max)

# The largest network sknn builds: 10**9 float32 parameters are 4 GB of weights, and
# as much again for each of Adam's two moment buffers. Larger sizes are typing errors.
MAX_PARAMETERS = 10**9


def check_float32_range(array, name="X", hint=None):
    """Refuse values that float32, in which the networks compute, cannot hold.

    Float64 input beyond float32's range (about 3.4e38) would become infinity when
    converted, and the network's outputs NaN. Only float64 arrays need a look (a
    float32 array cannot hold such values, and infinity is refused by the
    finiteness check before this one); the cost is one pass over the values.

    Parameters
    ----------
    array : ndarray or sparse matrix
        Validated (numeric) values; NaN is ignored.
    name : str, default="X"
        What the message calls the values.
    hint : str or None
        The fix to suggest; None suggests scaling the features.
    """
    if getattr(array, "dtype", None) != np.float64:
        return
    values = array.data if sp.issparse(array) else array
    if values.size == 0:
        return
    largest = np.abs(values).max()
    if largest != largest:  # NaN, allowed as padding or missing values by some estimators
        largest = np.nanmax(np.abs(values)) if not np.isnan(values).all() else 0.0
    if largest > FLOAT32_MAX:
        if hint is None:
            hint = ("scale the features first, for example with a StandardScaler in a "
                    "Pipeline in front of the estimator")
        raise ValueError(
            f"{name} has values up to {largest:.3g} in absolute value, which overflow "
            f"float32 (largest {FLOAT32_MAX:.3g}), the precision the network computes in; "
            f"{hint}."
        )


def check_frame_columns(X):
    """Refuse a DataFrame without columns (what a column selection can leave)."""
    if isinstance(X, pd.DataFrame) and X.shape[1] == 0:
        raise ValueError(
            f"X is a DataFrame with 0 columns (shape {X.shape}); the network needs at least "
            "one feature column. Check the column selection in front of the estimator."
        )


def validate_features(
    estimator, X, y="no_validation", *, reset, allow_nd=False, accept_sparse=True,
    allow_nan=False, check_range=True, **kw
):
    """Validate X (and y) with scikit-learn's ``validate_data`` and the library's rules.

    Parameters
    ----------
    estimator : estimator instance
        Receives ``n_features_in_`` / ``feature_names_in_`` when ``reset`` is True.
    X : array-like, DataFrame or sparse matrix
        The input.
    y : array-like or "no_validation"
        The target, checked for length and finiteness together with X.
    reset : bool
        True in ``fit``, False in ``predict`` and friends.
    allow_nd : bool, default=False
        Accept 3-D / 4-D arrays (images, sequences).
    accept_sparse : bool, default=True
        Accept scipy sparse input (kept sparse, as CSR).
    allow_nan : bool, default=False
        Let NaN through (infinity is still rejected).
    check_range : bool, default=True
        Refuse float64 values beyond float32's range (:func:`check_float32_range`),
        unless the estimator computes in ``precision="float64"``.
    **kw : dict
        Further keyword arguments for ``validate_data``.

    Returns
    -------
    X : ndarray of float32 / float64, or CSR matrix
    y : ndarray, only when y was given
    """
    check_non_numeric_columns(X)
    check_frame_columns(X)
    if isinstance(y, str) and y == "no_validation":
        kw.pop("multi_output", None)
    out = validate_data(
        estimator,
        X,
        y,
        reset=reset,
        accept_sparse="csr" if accept_sparse else False,
        dtype=(np.float32, np.float64),
        allow_nd=allow_nd,
        ensure_all_finite="allow-nan" if allow_nan else True,
        **kw,
    )
    X = out[0] if isinstance(out, tuple) else out
    if check_range and getattr(estimator, "precision", None) != "float64":
        check_float32_range(X)
    if sp.issparse(X):
        X.sort_indices()
    return out


def validate_sample_weight(sample_weight, X, class_weights=None):
    """Combine ``sample_weight`` and per-row class weights, or return None.

    None means "all rows weigh the same", which lets the engine skip the weighted
    reduction entirely.
    """
    n_samples = X.shape[0]
    if sample_weight is not None:
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        if np.any(sample_weight < 0):
            raise ValueError(
                f"sample_weight has negative values (smallest {sample_weight.min():g}); "
                "weights must be >= 0 (0 leaves a row out of the loss)."
            )
        check_float32_range(sample_weight, "sample_weight",
                            "divide the weights by a common factor")
    if class_weights is not None:
        if np.any(class_weights < 0):
            raise ValueError(
                "class_weight gives some classes a negative weight; class weights must be "
                ">= 0 (0 leaves a class out of the loss)."
            )
        check_float32_range(class_weights, "class_weight",
                            "divide the class weights by a common factor")
        sample_weight = class_weights if sample_weight is None else sample_weight * class_weights
    if sample_weight is None:
        return None
    if sample_weight.shape != (n_samples,):  # pragma: no cover - guarded by _check_sample_weight
        raise ValueError("sample_weight must have one value per row of X.")
    if np.all(sample_weight == 0):
        raise ValueError("sample_weight is zero for every row; there is nothing to learn from.")
    return sample_weight


def encode_classification_target(y, classes=None, *, allow_single_class=False):
    """Encode labels of any type as integers (or an indicator matrix).

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_labels)
        Labels: numbers, strings, booleans, pandas categories, or a multilabel
        indicator matrix.
    classes : ndarray or None
        The classes seen before (``partial_fit``, ``warm_start``); None learns them.
    allow_single_class : bool, default=False
        Accept a y with a single class (coded 0, kind "binary") instead of raising.

    Returns
    -------
    codes : ndarray
        ``int64`` codes of shape (n_samples,) for binary / multiclass targets,
        ``float32`` indicators of shape (n_samples, n_labels) for multilabel ones.
    classes : ndarray
        The classes, sorted as scikit-learn sorts them.
    kind : {"binary", "multiclass", "multilabel-indicator"}
    """
    if isinstance(y, pd.Series) and isinstance(y.dtype, pd.CategoricalDtype):
        y = np.asarray(y.astype(object))
    y_arr = np.asarray(y)
    if y_arr.ndim == 2 and y_arr.shape[1] == 1:
        y_arr = column_or_1d(y_arr, warn=True)
    if y_arr.ndim == 1 and y_arr.dtype.kind in "iu":
        # Integer labels: binary or multiclass by their count, as type_of_target
        # decides, without its costly checks (a fifth of a small fit's overhead).
        kind = "multiclass"
    else:
        kind = type_of_target(y_arr, input_name="y")
    if kind == "multilabel-indicator":
        indicator = np.asarray(y_arr, dtype=np.float32)
        if classes is not None and len(classes) != indicator.shape[1]:
            raise ValueError(
                f"y has {indicator.shape[1]} labels but the estimator was fitted with "
                f"{len(classes)}."
            )
        return indicator, np.arange(indicator.shape[1]), kind
    if kind not in ("binary", "multiclass"):
        # scikit-learn's check_classification_targets wording, without a second
        # (costly) type_of_target pass.
        raise ValueError(
            f"Unknown label type: {kind}. Maybe you are trying to fit a classifier, which "
            "expects discrete classes on a regression target with continuous values."
        )
    if y_arr.dtype == object:
        # Mixed str / number labels cannot be sorted; scikit-learn rejects them too.
        types = {type(v) for v in y_arr}
        if len(types) > 1 and any(issubclass(t, str) for t in types):
            raise ValueError(
                "y mixes strings and numbers; use one label type, as scikit-learn requires."
            )
    if classes is None:
        classes, codes = np.unique(y_arr, return_inverse=True)
        if len(classes) == 1 and allow_single_class:
            return codes.astype(np.int64, copy=False), classes, "binary"
        if len(classes) < 2:
            raise ValueError(
                f"y has only one class ({classes[0]!r}); a classifier needs at least 2 "
                "classes in the training data."
            )
        codes = codes.astype(np.int64, copy=False)
    else:
        unseen = np.setdiff1d(np.unique(y_arr), classes)
        if len(unseen):
            raise ValueError(
                f"y contains labels {unseen.tolist()} that are not in classes "
                f"{classes.tolist()}."
            )
        codes = np.searchsorted(classes, y_arr).astype(np.int64)
    kind = "binary" if len(classes) == 2 else "multiclass"
    return codes, classes, kind


def check_continued_classes(fitted_classes, y, *, classes=None, warm_start_refit):
    """Check the labels of a continued fit against the fitted ``classes_``.

    scikit-learn's rules and wording: a ``warm_start`` refit needs y to have exactly
    the fitted classes; a later ``partial_fit`` may pass ``classes`` only unchanged.
    Unseen labels in a ``partial_fit`` batch are reported by the target encoding.

    Parameters
    ----------
    fitted_classes : ndarray
        The estimator's ``classes_``.
    y : array-like
        The new labels.
    classes : array-like or None
        ``partial_fit``'s ``classes`` argument.
    warm_start_refit : bool
        True for ``fit`` with ``warm_start=True``, False for ``partial_fit``.
    """
    if warm_start_refit:
        labels = np.unique(np.asarray(y))
        if set(labels.tolist()) != set(fitted_classes.tolist()):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in the "
                f"previous call to fit. Previously got {fitted_classes}, `y` has {labels}"
            )
    elif classes is not None and not np.array_equal(np.unique(np.asarray(classes)),
                                                    fitted_classes):
        raise ValueError(
            f"`classes={classes!r}` is not the same as on last call to partial_fit, "
            f"was: {fitted_classes!r}"
        )


def check_validation_size(n_valid):
    """Refuse an early-stopping split that leaves fewer than 2 validation rows."""
    if n_valid < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' or the size "
            f"of your dataset (early_stopping held out {n_valid} row(s))."
        )


def validate_regression_target(y, *, poisson=False):
    """Return y as a float 2-D array, and whether it was 1-D.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    poisson : bool
        Require non-negative targets (Poisson deviance).
    """
    y = np.asarray(y)
    if y.dtype.kind not in "biuf":
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"y must be numeric for a regressor; got dtype {y.dtype}.") from exc
    was_1d = y.ndim == 1
    y2 = y.reshape(-1, 1) if was_1d else y
    if y2.ndim != 2:
        raise ValueError(f"y must be 1-D or 2-D; got shape {y.shape}.")
    if not np.all(np.isfinite(y2)):
        raise ValueError("Input y contains NaN or infinity.")
    check_float32_range(y2, "y",
                        "scale the target first, for example with "
                        "sklearn.compose.TransformedTargetRegressor and a StandardScaler")
    if poisson and np.any(y2 < 0):
        raise ValueError("loss='poisson' needs non-negative y; some values are negative.")
    return y2.astype(np.float32), was_1d


def check_layer_sizes(value, name, *, allow_empty=True):
    """Return layer widths as a tuple of positive integers, or raise a ``ValueError``.

    Parameters
    ----------
    value : int or sequence of int
        One width, or one per layer.
    name : str
        The parameter's name, for the message.
    allow_empty : bool, default=True
        Accept no layer at all (an empty sequence).

    Returns
    -------
    sizes : tuple of int
    """
    try:
        sizes = (value,) if is_int(value) else tuple(value)
    except TypeError:
        sizes = None
    if sizes is None or not all(is_int(v) and v > 0 for v in sizes) or (
            not sizes and not allow_empty):
        what = "zero or more" if allow_empty else "one or more"
        raise ValueError(f"{name} must be {what} positive integers; got {value!r}.")
    return sizes


def float_dtype(X):
    """The floating dtype scikit-learn's validation keeps for X: float32 for float32
    arrays, sparse matrices and all-float32 DataFrames, else float64."""
    if isinstance(X, pd.DataFrame):
        dtypes = set(X.dtypes)
        return np.float32 if dtypes == {np.dtype(np.float32)} else np.float64
    dtype = getattr(X, "dtype", None)
    return np.float32 if dtype == np.float32 else np.float64
def check_common_parameters(estimator):
    """Checks of shared parameters that scikit-learn's constraints cannot express.

    Run at the start of every fit, after ``_validate_params``: ``device`` must name
    a device this machine has, and ``callbacks`` must hold skorch callbacks.
    """
    from ._engine import resolve_device

    resolve_device(estimator.device)
    check_callbacks(estimator.callbacks)


def check_callbacks(callbacks):
    """Check the ``callbacks`` parameter: skorch callbacks, or ``(name, callback)`` pairs.

    skorch's own error for anything else is an ``AttributeError`` from inside the
    fit; this one names the parameter and comes before anything changes.
    """
    from skorch.callbacks import Callback

    def is_callback(obj):
        return isinstance(obj, Callback) or (isinstance(obj, type)
                                             and issubclass(obj, Callback))

    for i, item in enumerate(callbacks or ()):
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            item = item[1]
        if not is_callback(item):
            raise ValueError(
                f"callbacks[{i}] is {item!r} ({type(item).__name__}); callbacks must be a "
                "list of skorch callbacks (instances of skorch.callbacks.Callback, such as "
                "LRScheduler or Checkpoint) or (name, callback) pairs."
            )


def _canonical(value):
    """A comparable form of a parameter value: lists and arrays become tuples."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(_canonical(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _canonical(v)) for k, v in value.items()))
    return value


def architecture(estimator):
    """The values of the parameters an estimator's network is built from.

    An estimator lists them in ``_architecture_params``; its ``_build_module``
    stores this as ``_architecture_`` next to the network it builds.
    """
    names = getattr(estimator, "_architecture_params", ())
    return {name: _canonical(getattr(estimator, name)) for name in names}


def check_architecture_unchanged(estimator, resume):
    """Refuse to continue training a network built from other parameter values.

    ``warm_start`` and ``partial_fit`` keep training the fitted network; when a
    parameter it was built from changed since (``set_params``), the old network
    would be kept silently while ``get_params()`` reports the new value.

    Parameters
    ----------
    estimator : NeuralEstimator
    resume : bool
        Whether this fit continues from the fitted network.
    """
    built = estimator.__dict__.get("_architecture_")
    if not resume or built is None:
        return
    now = architecture(estimator)
    changed = [name for name in built if name in now and now[name] != built[name]]
    if changed:
        details = ", ".join(f"{name}={getattr(estimator, name)!r} (the network was built with "
                            f"{built[name]!r})" for name in changed)
        raise ValueError(
            f"A continued fit (warm_start=True or partial_fit) trains the fitted network, but "
            f"{details} changed since it was built. Set warm_start=False and call fit to "
            "build a new network from the new parameters, or set them back."
        )


def check_network_size(widths, parameters, extra=0):
    """Refuse a network of more than ``MAX_PARAMETERS`` weights before it is allocated.

    Parameters
    ----------
    widths : sequence of int
        Widths of consecutive fully connected layers, input and output included.
    parameters : str
        The parameter(s) that set the widths, as the message should name them.
    extra : int, default=0
        Weights of other parts of the network (convolutions, recurrent cells).
    """
    widths = [int(w) for w in widths]
    total = int(extra) + sum((a + 1) * b for a, b in zip(widths[:-1], widths[1:]))
    if total > MAX_PARAMETERS:
        raise ValueError(
            f"{parameters} gives a network of about {total:.3g} parameters "
            f"({4 * total / 1e9:.3g} GB of float32 weights), more than the {MAX_PARAMETERS:.0e} "
            "sknn builds; use smaller layers."
        )


def is_int(value):
    """True for Python and numpy integers, but not for booleans."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
