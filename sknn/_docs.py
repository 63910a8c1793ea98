"""Shared docstring sections of the estimators: the common parameters, the fitted
attributes, and :func:`fill_doc`, which puts them into a class docstring.

Split from :mod:`sknn.base`; the estimators import them from there.
"""

import re
import textwrap

__all__ = [
    "CATEGORICAL_FEATURES_DOC",
    "CLASS_WEIGHT_DOC",
    "COMMON_PARAMETERS_DOC",
    "FITTED_ATTRIBUTES_DOC",
    "SCALE_TARGET_DOC",
    "fill_doc",
    "parameter_entries",
]

COMMON_PARAMETERS_DOC = """\
    solver : {"adam", "adamw", "sgd", "lbfgs"}, default="adam"
        The optimizer. "lbfgs" works on the whole training set at once (one epoch is
        one L-BFGS iteration) and suits small data, as in scikit-learn.
    alpha : float, default=1e-4
        Strength of the L2 penalty on the weights (not the biases), scaled as in
        scikit-learn: ``0.5 * alpha * ||W||^2 / batch_size`` per batch. With
        ``solver="adamw"`` it is AdamW's decoupled weight decay instead.
    l1 : float, default=0.0
        Strength of the L1 penalty on the weights, scaled like ``alpha``.
    batch_size : int or "auto", default="auto"
        Rows per mini-batch; "auto" is ``min(200, n_samples)``.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Learning-rate schedule for ``solver="sgd"``, with scikit-learn's meaning.
    learning_rate_init : float, default=1e-3
        Initial learning rate (not used by "lbfgs").
    power_t : float, default=0.5
        Exponent of the "invscaling" schedule.
    max_iter : int, default=200
        Number of epochs (passes over the training data); for "lbfgs", iterations.
    shuffle : bool, default=True
        Whether to shuffle the rows every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds everything random in a fit: initial weights, batch order, dropout and
        the validation split. An int gives bit-identical models on the same
        machine. The caller's global torch random state is left untouched.
    tol : float, default=1e-4
        Improvement below which an epoch counts as "no change". For "lbfgs", as in
        scikit-learn, scipy's gradient tolerance ``gtol``: L-BFGS-B stops when the
        largest gradient component falls below it.
    verbose : int, default=0
        1 prints one line per epoch (the MLPs print scikit-learn's "Iteration N,
        loss = ..." lines, the other estimators a table of losses, validation score
        and seconds). 2 also draws a tqdm progress bar (epoch, batches, losses)
        when the output is a terminal or a notebook (see
        :class:`~sknn.TqdmProgressBar`).
    warm_start : bool, default=False
        Reuse the fitted network (and optimizer state) as the starting point of the
        next ``fit``.
    momentum : float, default=0.9
        Momentum for "sgd".
    nesterovs_momentum : bool, default=True
        Nesterov momentum for "sgd" (when ``momentum > 0``).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training rows (stratified for
        classifiers), stop when its score stops improving, and restore the best
        weights.
    validation_fraction : float, default=0.1
        Share of the rows held out when ``early_stopping`` is on.
    beta_1, beta_2 : float, default=0.9, 0.999
        Adam's moment decay rates.
    epsilon : float, default=1e-8
        Adam's numerical-stability constant.
    n_iter_no_change : int or np.inf, default=10
        Epochs without an improvement of at least ``tol`` before stopping;
        ``np.inf`` never stops early. Not used by "lbfgs" (see ``tol``).
    max_fun : int, default=15000
        For "lbfgs", the most loss evaluations of the whole fit, as in
        scikit-learn; reaching it ends the fit with a ``ConvergenceWarning``.
    device : {"cpu", "cuda", "mps", "auto"} or str, default="cpu"
        Where to train. "auto" picks CUDA, then MPS, then the CPU. The fitted
        ``module_`` stays on this device; a pickled model loads on a machine
        without it (on the CPU).
    precision : {"float32", "float64", "bfloat16", "float16"}, default="float32"
        "float64" trains and predicts in double precision (parameters, data and
        outputs in float64; slower, for results that must match a float64
        reference). Mixed precision: "bfloat16" and "float16" run the forward passes (fit and
        predict) under ``torch.autocast``, matrix products and convolutions in that
        dtype, while the weights, the losses and the returned arrays stay float32.
        "float16" also scales the loss (``torch.amp.GradScaler``) and does not
        work with "lbfgs". Faster on GPUs and on CPUs with bfloat16 units for large
        layers; predictions differ from float32 ones in the third significant
        digit.
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks (``skorch.callbacks.LRScheduler``, ``Checkpoint``,
        ``ProgressBar``, ...), copied for each fit."""

CLASS_WEIGHT_DOC = """\
    class_weight : dict, "balanced" or None, default=None
        Weights for classes, multiplied into ``sample_weight``; "balanced" weighs
        classes inversely to their frequency, as in scikit-learn."""

CATEGORICAL_FEATURES_DOC = """\
    categorical_features : "from_dtype", None, list of str or int, or bool mask, \
default="from_dtype"
        Which columns of a DataFrame are categorical, with HistGradientBoosting's
        meaning: "from_dtype" takes pandas category, string / object and bool
        columns; a list names columns (or indexes them); a boolean mask has one
        entry per column; None takes every column as numeric. A table with a
        categorical, string, bool or nullable column is encoded inside (see
        :class:`~sknn.layouts.TableLayout`): numeric columns are robustly scaled,
        missing numbers get an indicator, categories are learned as embeddings
        (one-hot up to 10 codes), unknown categories at predict map to a reserved
        code. Numeric input goes to the network as it is (scale it first, as for
        scikit-learn's MLP), unless this names columns."""

SCALE_TARGET_DOC = """\
    scale_target : bool, default=True
        Standardise the target (each output to mean 0, standard deviation 1) for
        the squared-error loss, and map predictions back: a target around 22 or
        1e4 then trains as well as one around 1. ``loss_curve_`` and
        ``best_loss_`` are in the standardised units. False trains on the raw
        target, as scikit-learn's MLPRegressor does. Not used with
        ``loss="poisson"``."""

FITTED_ATTRIBUTES_DOC = """\
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame seen during fit.
    n_iter_ : int
        Epochs run by the last ``fit`` (1 after a ``partial_fit`` call), as in
        scikit-learn; ``loss_curve_`` and ``t_`` keep accumulating over
        ``warm_start`` fits and ``partial_fit`` calls.
    t_ : int
        Training rows processed, summed over epochs.
    loss_curve_ : list of float
        Training loss per epoch (with the L2 term, as in scikit-learn).
    loss_ : float
        The last epoch's training loss (``loss_curve_[-1]``).
    best_loss_ : float or None
        Lowest training loss; None with ``early_stopping``.
    validation_scores_ : list of float or None
        Validation score per epoch with ``early_stopping``.
    best_validation_score_ : float or None
        Best validation score with ``early_stopping``.
    history_ : list of dict
        One record per epoch: losses, validation score, duration in seconds.
    module_ : torch.nn.Module
        The trained network.
    input_layout_ : InputLayout
        How X becomes the network's input (see :mod:`sknn.layouts`): the shapes
        fitted, and for a DataFrame the categorical columns and their categories
        (``input_layout_.categorical_columns_``, ``input_layout_.categories_``)."""


def parameter_entries(doc):
    """Split a numpydoc parameter section (as ``COMMON_PARAMETERS_DOC``) into entries.

    Parameters
    ----------
    doc : str

    Returns
    -------
    entries : dict
        Each entry's name as written (``"beta_1, beta_2"`` for a shared entry) mapped
        to its text (the ``name : type`` line and the description), in order.
    """
    blocks = re.split(r"\n(?=    \S)", doc.strip("\n"))
    return {block.strip().split(" : ")[0]: block for block in blocks}


def fill_doc(cls=None, *, notes=None, **defaults):
    """Put the shared parameter and attribute sections into a class docstring.

    Use as ``@fill_doc``, or as ``@fill_doc(batch_size="32")`` when an estimator
    changes a common parameter's default (the documented default follows), with
    ``notes={"max_iter": "..."}`` to add a sentence to a shared entry. A name that
    is not a shared entry raises, so a stale change cannot pass silently.
    """
    if cls is None:
        return lambda klass: fill_doc(klass, notes=notes, **defaults)
    common = COMMON_PARAMETERS_DOC
    for name, value in defaults.items():
        common, found = re.subn(rf"(\n    {name} : [^\n]*default=)[^\n]*",
                                rf"\g<1>{value}", common)
        if not found:
            raise ValueError(f"fill_doc: no shared parameter {name!r} to change")
    for name, note in (notes or {}).items():
        entry = re.search(rf"\n    {name} : [^\n]*(\n        [^\n]*)*", common)
        if entry is None:
            raise ValueError(f"fill_doc: no shared parameter {name!r} to annotate")
        text = textwrap.fill(note, 88, initial_indent=" " * 8, subsequent_indent=" " * 8)
        common = common[:entry.end()] + "\n" + text + common[entry.end():]
    cls.__doc__ = (
        cls.__doc__.replace("    {common_parameters}", common)
        .replace("    {class_weight}", CLASS_WEIGHT_DOC)
        .replace("    {scale_target}", SCALE_TARGET_DOC)
        .replace("    {categorical_features}", CATEGORICAL_FEATURES_DOC)
        .replace("    {fitted_attributes}", FITTED_ATTRIBUTES_DOC)
    )
    return cls
