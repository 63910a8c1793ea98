"""NeuralEstimator: the one base class every sknn estimator derives from.

It owns the parameters every network shares, input validation, seeding, devices,
the ``fit`` / ``partial_fit`` / predict skeleton and the fitted attributes. An
estimator subclass adds its own constructor parameters and says how to build its
``nn.Module`` (:meth:`NeuralEstimator._build_module`) and, for images or
sequences, how a validated array becomes the network's input layout
(:meth:`NeuralEstimator._to_network_layout`). The classifier and regressor glue
below adds target encoding, the loss and the public predict methods.
"""

import copy
import numbers
import re
import warnings
import weakref

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
from sklearn.model_selection import train_test_split
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.validation import check_is_fitted

from . import _engine, _progress
from ._progress import FitFeedbackMixin
from ._validation import (
    Interval,
    StrOptions,
    check_common_parameters,
    encode_classification_target,
    validate_features,
    validate_regression_target,
    validate_sample_weight,
)
from .modules import losses

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
        Improvement below which an epoch counts as "no change".
    verbose : int, default=0
        1 prints one line per epoch: losses, validation score and seconds. 2 also
        draws a tqdm progress bar (epoch, batches, losses) when the output is a
        terminal or a notebook (see :class:`~sknn.TqdmProgressBar`).
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
    n_iter_no_change : int, default=10
        Epochs without an improvement of at least ``tol`` before stopping.
    max_fun : int, default=15000
        For "lbfgs", the most loss evaluations per iteration's line search
        (capped at 25).
    device : {"cpu", "cuda", "mps", "auto"} or str, default="cpu"
        Where to train. "auto" picks CUDA, then MPS, then the CPU. The fitted
        ``module_`` stays on this device; a pickled model loads on a machine
        without it (on the CPU).
    precision : {"float32", "bfloat16", "float16"}, default="float32"
        Mixed precision: "bfloat16" and "float16" run the forward passes (fit and
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

FITTED_ATTRIBUTES_DOC = """\
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame seen during fit.
    n_iter_ : int
        Epochs run (accumulated over ``warm_start`` fits and ``partial_fit`` calls).
    t_ : int
        Training rows processed, summed over epochs.
    loss_curve_ : list of float
        Training loss per epoch (with the L2 term, as in scikit-learn).
    best_loss_ : float or None
        Lowest training loss; None with ``early_stopping``.
    validation_scores_ : list of float or None
        Validation score per epoch with ``early_stopping``.
    best_validation_score_ : float or None
        Best validation score with ``early_stopping``.
    history_ : list of dict
        One record per epoch: losses, validation score, duration in seconds.
    module_ : torch.nn.Module
        The trained network."""


def fill_doc(cls=None, **defaults):
    """Put the shared parameter and attribute sections into a class docstring.

    Use as ``@fill_doc``, or as ``@fill_doc(batch_size="32")`` when an estimator
    changes a common parameter's default (the documented default follows).
    """
    if cls is None:
        return lambda klass: fill_doc(klass, **defaults)
    common = COMMON_PARAMETERS_DOC
    for name, value in defaults.items():
        common = re.sub(rf"(\n    {name} : [^\n]*default=)[^\n]*", rf"\g<1>{value}", common)
    cls.__doc__ = (
        cls.__doc__.replace("    {common_parameters}", common)
        .replace("    {class_weight}", CLASS_WEIGHT_DOC)
        .replace("    {fitted_attributes}", FITTED_ATTRIBUTES_DOC)
    )
    return cls


def _positive_int_tuple(value):
    return isinstance(value, (tuple, list)) and all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) and v > 0 for v in value
    )


_PARAM_NAMES = weakref.WeakKeyDictionary()  # estimator class -> its parameter names


class NeuralEstimator(FitFeedbackMixin, BaseEstimator):
    """Base class of all sknn estimators (not used directly).

    Subclasses declare their constructor parameters explicitly, as scikit-learn
    requires, and implement :meth:`_build_module`. Progress feedback
    (``verbose=2``, scikit-learn's ``set_callbacks``) comes from
    :class:`~sknn._progress.FitFeedbackMixin`.
    """

    _parameter_constraints = {
        "solver": [StrOptions({"adam", "adamw", "sgd", "lbfgs"})],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "l1": [Interval(numbers.Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(numbers.Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither")],
        "power_t": [Interval(numbers.Real, 0, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(numbers.Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "beta_1": [Interval(numbers.Real, 0, 1, closed="left")],
        "beta_2": [Interval(numbers.Real, 0, 1, closed="left")],
        "epsilon": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_fun": [Interval(numbers.Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "precision": [StrOptions(set(_engine.PRECISIONS))],
        "callbacks": [list, tuple, None],
    }

    @classmethod
    def _get_param_names(cls):
        # scikit-learn inspects the constructor's signature on every get_params(),
        # which each fit (parameter validation) and each clone() call; a class's
        # signature does not change, so it is read once.
        names = _PARAM_NAMES.get(cls)
        if names is None:
            names = _PARAM_NAMES[cls] = tuple(super()._get_param_names())
        return list(names)

    # What the input may look like; image and sequence estimators widen these.
    _allow_nd = False
    _accept_sparse = True
    _allow_nan = False  # e.g. NaN padding marks the end of shorter sequences

    # ------------------------------------------------------------------ hooks
    def _build_module(self, n_features, n_outputs):
        """Return a freshly initialised ``nn.Module`` for this input and output width."""
        raise NotImplementedError

    def _to_network_layout(self, X, reset):
        """Turn a validated array into the network's input layout.

        Returns ``(X, n_features)`` where ``n_features`` is what
        :meth:`_build_module` receives. ``reset`` is True when fitting from scratch.
        The default is a flat table.
        """
        return X, X.shape[1]

    def _net_class(self):
        """The skorch net that trains this estimator's module (None: the engine's default).

        A network type whose training step is not one forward / backward pass (a
        GAN's alternating critic and generator updates) returns its ``SknnNet``
        subclass here.
        """
        return None

    # False for networks whose training loss says nothing about convergence (a
    # GAN's): they then run all ``max_iter`` epochs unless ``early_stopping`` is on,
    # and do not warn that the loss "hasn't converged".
    _loss_stops_training = True

    def _extra_callbacks(self):
        """skorch callbacks the estimator itself needs (for example gradient clipping).

        They run before the user's ``callbacks``.
        """
        return []

    # --------------------------------------------------------------- fitting
    def fit(self, X, y=None, sample_weight=None):
        """Train the network on (X, y).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-row weights; the loss is their weighted mean.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    def _fit(self, X, y, *, sample_weight=None, incremental, classes=None):
        self._validate_params()
        check_common_parameters(self)  # device, callbacks
        if incremental and self.solver == "lbfgs":
            raise ValueError("partial_fit needs solver 'adam', 'adamw' or 'sgd', not 'lbfgs'.")
        if self.precision == "float16" and self.solver == "lbfgs":
            raise ValueError(
                "precision='float16' needs a loss scaler, which solver='lbfgs' cannot use; "
                "use precision='bfloat16' or another solver."
            )
        if self.precision == "float16" and _engine.resolve_device(self.device).type == "cpu":
            warnings.warn(
                "precision='float16' on the CPU is slower than float32 (CPUs lack fast "
                "float16 kernels: 40 x slower for a small CNN, measured); it is meant for "
                "GPUs. On a CPU, precision='bfloat16' is the fast one.",
                UserWarning,
                stacklevel=_engine.user_stacklevel(),
            )
        with _progress.callback_scope(self):
            feedback = self._start_fit_feedback(X, y, sample_weight,
                                                epochs=1 if incremental else self.max_iter)
            # Train a shallow copy and commit it only when everything succeeded, so a
            # failed (re)fit leaves a fitted estimator exactly as it was.
            staged = copy.copy(self)
            staged._fit_staged(X, y, sample_weight, incremental=incremental, classes=classes,
                               feedback=feedback.callbacks(staged))
            self.__dict__.clear()
            self.__dict__.update(staged.__dict__)
            feedback.end()
        return self

    def _is_continuation(self, incremental):
        fitted = hasattr(self, "module_")
        return fitted and (incremental or self.warm_start)

    def _fit_staged(self, X, y, sample_weight, *, incremental, classes, feedback=()):
        resume = self._is_continuation(incremental)
        if incremental and not resume:
            self._check_first_partial_fit(classes)
        X, y = self._validate_training_data(X, y, reset=not resume)
        target, n_outputs = self._encode_target(y, classes=classes, reset=not resume)
        weights = validate_sample_weight(sample_weight, X, self._class_weights(target))
        X, n_inputs = self._to_network_layout(X, reset=not resume)
        device = _engine.resolve_device(self.device)
        n_samples = X.shape[0]
        batch_size = self._effective_batch_size(n_samples)
        state = copy.deepcopy(self._convergence) if resume else _engine.ConvergenceState()
        seed = (_engine.draw_seed(self.random_state) + state.n_iter) % _engine._INT32_MAX
        early_stopping = self.early_stopping and not incremental

        train_idx, valid_idx = self._split(n_samples, target, seed, early_stopping)
        train_data = self._data(X, target, weights, train_idx, device)
        valid_data = None if valid_idx is None else self._data(X, target, weights, valid_idx,
                                                                device)
        spec = _engine.OptimizerSpec(
            solver=self.solver, learning_rate_init=self.learning_rate_init, alpha=self.alpha,
            batch_size=batch_size, momentum=self.momentum,
            nesterovs_momentum=self.nesterovs_momentum, beta_1=self.beta_1,
            beta_2=self.beta_2, epsilon=self.epsilon, max_fun=self.max_fun,
        )
        rules = _engine.StopRules(
            tol=self.tol, n_iter_no_change=self.n_iter_no_change, early_stopping=early_stopping,
            learning_rate=self.learning_rate if self.solver == "sgd" else "constant",
            learning_rate_init=self.learning_rate_init, power_t=self.power_t,
            check_convergence=not incremental and (early_stopping or self._loss_stops_training),
        )
        with _engine.seeded(seed, device):
            if resume:
                module = copy.deepcopy(self.module_).to(device)
                optimizer_state = self._optimizer_state
            else:
                module = self._build_module(n_inputs, n_outputs).to(device)
                optimizer_state = None
            result = self._train_module(
                module, train_data, valid_data, spec=spec, rules=rules, state=state,
                epochs=1 if incremental else self.max_iter, device=device, seed=seed,
                callbacks=[*self._extra_callbacks(), *(self.callbacks or ()), *feedback],
                optimizer_state=optimizer_state,
            )
        self.module_ = result.module
        # The optimizer's state is kept only when a later call can resume from it.
        keep_optimizer = incremental or self.warm_start
        self._optimizer_state = _to_cpu(result.optimizer_state) if keep_optimizer else None
        self._convergence = state
        self._set_fitted_attributes(state, early_stopping)
        if not incremental and not result.converged and rules.check_convergence:
            _engine.warn_not_converged(self, self.max_iter)

    def _train_module(self, module, train_data, valid_data, **kwargs):
        """Train ``module`` through the engine; returns the engine's ``FitResult``.

        A hook for estimators that train in phases or train part of the network on
        precomputed inputs (the transfer estimators); ``kwargs`` are
        :func:`sknn._engine.train`'s ``spec``, ``rules``, ``state``, ``epochs``,
        ``device``, ``seed``, ``callbacks`` and ``optimizer_state``.
        """
        return _engine.train(
            module, self._criterion(), train_data, valid_data, shuffle=self.shuffle,
            l1=self.l1, score_fn=self._score_function(), verbose=self.verbose,
            net_cls=self._net_class(), precision=self.precision, **kwargs,
        )

    def _validate_training_data(self, X, y, reset):
        return validate_features(
            self, X, y, reset=reset, allow_nd=self._allow_nd,
            accept_sparse=self._accept_sparse, allow_nan=self._allow_nan, multi_output=True,
        )

    def _check_first_partial_fit(self, classes):
        """Classifiers require ``classes`` on the first ``partial_fit`` call."""

    def _effective_batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples and self.solver != "lbfgs":
            warnings.warn(
                f"Got batch_size={self.batch_size} larger than the {n_samples} training "
                "rows; it is clipped.",
                UserWarning,
                stacklevel=_engine.user_stacklevel(),
            )
        return min(self.batch_size, n_samples)

    def _split(self, n_samples, target, seed, early_stopping):
        if not early_stopping:
            return None, None
        stratify = target if self._stratify_split(target) else None
        train_idx, valid_idx = train_test_split(
            np.arange(n_samples), test_size=self.validation_fraction,
            random_state=seed, stratify=stratify,
        )
        return np.sort(train_idx), np.sort(valid_idx)

    def _stratify_split(self, target):
        return False

    @staticmethod
    def _data(X, target, weights, index, device):
        if index is not None:
            X = X[index]
            target = None if target is None else target[index]
            weights = None if weights is None else weights[index]
        return _engine.InMemoryData(X, target, weights, device=device)

    def _set_fitted_attributes(self, state, early_stopping):
        self.n_iter_ = state.n_iter
        self.t_ = state.samples_seen
        self.loss_curve_ = list(state.loss_curve)
        self.history_ = list(state.history)
        if early_stopping:
            self.best_loss_ = None
            self.validation_scores_ = list(state.validation_scores)
            self.best_validation_score_ = state.best_validation_score
        else:
            self.best_loss_ = float(state.best_loss) if state.loss_curve else None
            self.validation_scores_ = None
            self.best_validation_score_ = None

    # ------------------------------------------------------------ prediction
    def _device(self):
        return next(self.module_.parameters()).device

    def _network_input(self, X):
        """Validate X for a fitted estimator and return it as engine data."""
        X = validate_features(self, X, reset=False, allow_nd=self._allow_nd,
                              accept_sparse=self._accept_sparse, allow_nan=self._allow_nan)
        X, _ = self._to_network_layout(X, reset=False)
        return _engine.InMemoryData(X, device=self._device())

    def _forward(self, X, fn=None):
        """Raw network outputs (or ``fn``'s) for X, as a CPU tensor.

        Public methods call ``check_is_fitted`` before this.
        """
        return _engine.predict_batches(self.module_, self._network_input(X), fn,
                                       precision=self.precision)

    # ------------------------------------------------------------- pickling
    def __getstate__(self):
        state = super().__getstate__()
        if "module_" in state and self._device().type != "cpu":
            state["module_"] = copy.deepcopy(self.module_).cpu()
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        module = state.get("module_")
        if module is not None and self.device != "cpu":
            try:
                module.to(_engine.resolve_device(self.device))
            except ValueError:
                pass  # fitted on a GPU, loaded without one: stay on the CPU

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self._accept_sparse
        tags.non_deterministic = False
        return tags


def _to_cpu(obj):
    """Move every tensor inside nested dicts / lists to the CPU."""
    if isinstance(obj, torch.Tensor):
        return obj.cpu()
    if isinstance(obj, dict):
        return {k: _to_cpu(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_cpu(v) for v in obj)
    return obj


class FeaturesMixin(TransformerMixin):
    """``transform`` = the learned representation (the module's ``features``).

    Gives ``get_feature_names_out`` (``<classname>0``, ``<classname>1``, ...) and,
    through scikit-learn's ``set_output``, pandas output.
    """

    def transform(self, X):
        """Return the learned features of X: the last hidden representation.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame}
            Input in the layout used for ``fit``.

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out)
        """
        check_is_fitted(self)
        return self._forward(X, self.module_.features).numpy()

    def get_feature_names_out(self, input_features=None):
        """Names of the ``transform`` output columns.

        Parameters
        ----------
        input_features : ignored
            Present for scikit-learn's API.

        Returns
        -------
        names : ndarray of str
        """
        check_is_fitted(self)
        prefix = type(self).__name__.lower()
        return np.asarray([f"{prefix}{i}" for i in range(self.module_.n_features_out)],
                          dtype=object)

    def fit_transform(self, X, y=None, **fit_params):
        """Fit, then return ``transform(X)``.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame}
        y : array-like or None
        **fit_params : dict
            Passed to ``fit`` (``sample_weight``).

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out)
        """
        return self.fit(X, y, **fit_params).transform(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


class NeuralClassifierMixin(ClassifierMixin):
    """Target encoding, loss and predictions shared by the classifiers."""

    _parameter_constraints = {
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def _encode_target(self, y, classes, reset):
        known = None if reset else self.classes_
        if reset and classes is not None:
            known = np.unique(np.asarray(classes))
            if len(known) < 2:
                raise ValueError("classes must list at least 2 classes.")
        codes, classes_, kind = encode_classification_target(y, known)
        if reset:
            self.classes_ = classes_
            self._target_kind = kind
        elif kind != self._target_kind and "multilabel-indicator" in (kind, self._target_kind):
            raise ValueError(f"y is {kind} but the estimator was fitted on {self._target_kind}.")
        n_outputs = 1 if self._target_kind == "binary" else len(self.classes_)
        return codes, n_outputs

    def _check_first_partial_fit(self, classes):
        if classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")

    def _class_weights(self, target):
        if self.class_weight is None:
            return None
        if target.ndim == 2:
            raise ValueError("class_weight is not supported for multilabel targets.")
        class_weight = self.class_weight
        if isinstance(class_weight, dict):
            unknown = set(class_weight) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight has labels {sorted(map(str, unknown))} that are not in "
                    f"classes_ {self.classes_.tolist()}."
                )
            class_weight = {
                int(np.searchsorted(self.classes_, k)): v for k, v in class_weight.items()
            }
        return compute_sample_weight(class_weight, target)

    def _stratify_split(self, target):
        return target.ndim == 1

    def _criterion(self):
        return {
            "binary": losses.BinaryCrossEntropy,
            "multiclass": losses.CrossEntropy,
            "multilabel-indicator": losses.MultilabelCrossEntropy,
        }[self._target_kind]()

    def _score_function(self):
        return losses.accuracy_score

    def _proba_from_scores(self, scores):
        if self._target_kind == "multiclass":
            return torch.softmax(scores, 1)
        positive = torch.sigmoid(scores)
        if self._target_kind == "multilabel-indicator":
            return positive
        return torch.cat([1 - positive, positive], 1)

    def _labels_from_scores(self, scores):
        if self._target_kind == "multilabel-indicator":
            return (scores > 0).numpy().astype(int)
        if scores.shape[1] == 1:
            codes = (scores[:, 0] > 0).long()
        else:
            codes = scores.argmax(1)
        return self.classes_[codes.numpy()]

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame}

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels) for multilabel
        """
        check_is_fitted(self)
        return self._labels_from_scores(self._forward(X))

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame}

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns ordered as ``classes_``.
        """
        check_is_fitted(self)
        return self._proba_from_scores(self._forward(X).double()).numpy()

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame}

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        return np.log(self.predict_proba(X))

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One pass over (X, y), continuing from the current network.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame}
        y : array-like of shape (n_samples,)
        classes : array-like, default=None
            All the classes; required on the first call.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True, classes=classes)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class NeuralRegressorMixin(RegressorMixin):
    """Target handling, loss and ``predict`` shared by the regressors."""

    _poisson = False

    def _encode_target(self, y, classes, reset):
        target, was_1d = validate_regression_target(y, poisson=self._poisson)
        if reset:
            self._y_was_1d = was_1d
            self.n_outputs_ = target.shape[1]
        elif target.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {target.shape[1]} outputs but the estimator was fitted with "
                f"{self.n_outputs_}."
            )
        return target, self.n_outputs_

    def _class_weights(self, target):
        return None

    def _criterion(self):
        return losses.PoissonDeviance() if self._poisson else losses.HalfSquaredError()

    def _score_function(self):
        return losses.exp_r2_score if self._poisson else losses.r2_score

    def _validate_training_data(self, X, y, reset):
        return validate_features(
            self, X, y, reset=reset, allow_nd=self._allow_nd,
            accept_sparse=self._accept_sparse, allow_nan=self._allow_nan, multi_output=True,
            y_numeric=True,
        )

    def predict(self, X):
        """Predict targets.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame}

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        check_is_fitted(self)
        out = self._forward(X).double()
        if self._poisson:
            out = torch.exp(out)
        out = out.numpy()
        return out[:, 0] if self._y_was_1d else out

    def partial_fit(self, X, y, sample_weight=None):
        """One pass over (X, y), continuing from the current network.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame}
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


__all__ = [
    "NeuralEstimator",
    "NeuralClassifierMixin",
    "NeuralRegressorMixin",
    "FeaturesMixin",
    "fill_doc",
    "store_parameters",
    "_positive_int_tuple",
]


def store_parameters(estimator, init_locals):
    """Set every constructor argument as an attribute of the same name, unchanged.

    Called as ``store_parameters(self, locals())`` first thing in ``__init__``; that
    is all an ``__init__`` may do under scikit-learn's conventions.
    """
    for name, value in init_locals.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)
