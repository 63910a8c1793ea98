"""NeuralEstimator: the one base class every sknn estimator derives from.

It owns the parameters every network shares, input validation, seeding, devices,
the ``fit`` / ``partial_fit`` / predict skeleton and the fitted attributes. An
estimator subclass adds its own constructor parameters and the hooks of the
contract (CONTRIBUTING.md): its task (:mod:`sknn._tasks`), its input layout
(:mod:`sknn.layouts`) and how to build its ``nn.Module``. The classifier and
regressor glue below picks the task and adds the public predict methods. The
shared docstring sections live in :mod:`sknn._docs`.
"""

import copy
import dataclasses
import functools
import numbers
import warnings
import weakref

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
from sklearn.model_selection import train_test_split
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from . import _engine, _progress
from ._docs import COMMON_PARAMETERS_DOC, fill_doc, parameter_entries
from ._progress import FitFeedbackMixin
from ._schedules import CosineDecay
from ._tasks import ClassificationTask, RegressionTask
from ._validation import (
    Interval,
    Options,
    StrOptions,
    architecture,
    check_architecture_unchanged,
    check_common_parameters,
    check_validation_size,
    validate_sample_weight,
)
from .layouts import TableLayout

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
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left"),
                             Options(numbers.Real, {np.inf})],
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

    # ------------------------------------------------------------------ hooks
    # The whole contract between this base class and an estimator: each hook is
    # declared here once, with its default; CONTRIBUTING.md has the table.
    def _make_task(self):
        """Return the :class:`~sknn._tasks.Task` of this estimator, built from its
        parameters (target encoding, loss, validation score, class weights).

        Called at the start of every fit; the classifier and regressor mixins
        provide it.
        """
        raise NotImplementedError

    def _make_input_layout(self):
        """Return an unfitted :class:`~sknn.layouts.InputLayout` built from the
        estimator's parameters: how rows of X become the network's input.

        Called when fitting from scratch; a continued fit keeps ``input_layout_``.
        The default is a table of numbers (dense or sparse).
        """
        return TableLayout()

    def _check_architecture(self):
        """Raise a ``ValueError`` for architecture parameters that cannot work
        (layer sizes, shapes), before any data is looked at. Default: nothing."""

    def _build_module(self, layout, n_outputs):
        """Return a freshly initialised ``nn.Module``.

        Parameters
        ----------
        layout : InputLayout
            The fitted input layout (``n_features_``, ``input_shape_``).
        n_outputs : int
            Width of the output layer, from the task.
        """
        raise NotImplementedError

    # The parameters the network is built from: a continued fit (warm_start,
    # partial_fit) after a change of one of them is refused
    # (sknn._validation.check_architecture_unchanged).
    _architecture_params = ()

    # What ``verbose`` prints per epoch: skorch's table ("table") or scikit-learn's
    # "Iteration N, loss = ..." lines ("sklearn").
    _log_style = "table"

    def _extra_callbacks(self):
        """skorch callbacks the estimator itself needs (for example gradient clipping).

        They run before the user's ``callbacks``.
        """
        return []

    def _effective_batch_size(self, n_samples):
        """Rows per mini-batch for ``n_samples`` training rows ("auto": at most 200)."""
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

    def _train_module(self, module, train_data, valid_data, *, new_module, task, **kwargs):
        """Train ``module`` through the engine; returns the engine's ``FitResult``.

        A hook for estimators that train in phases or train part of the network on
        precomputed inputs (the transfer estimators), or change the stopping rules
        (the CNN's augmentation). ``new_module`` is True when ``module`` was just
        built (not a continued fit); ``task`` is this fit's task; ``kwargs`` are
        :func:`sknn._engine.train`'s keyword arguments (``criterion``, ``spec``,
        ``rules``, ``state``, ...).
        """
        return _engine.train(module, train_data, valid_data, **kwargs)

    # max_iter="auto" for the time-series networks: epochs from the training values
    # (samples x steps), between bounds; set by the estimators that offer it.
    _AUTO_EPOCH_WORK = None
    _AUTO_EPOCHS = None

    def _auto_epochs(self, shape):
        """Epochs of ``max_iter="auto"`` for training data of ``shape`` (samples first,
        time steps last): ``_AUTO_EPOCH_WORK / (samples x steps)``, clipped to
        ``_AUTO_EPOCHS``, so that every fit gets about the same work."""
        low, high = self._AUTO_EPOCHS
        return int(min(high, max(low, round(self._AUTO_EPOCH_WORK / (shape[0] * shape[-1])))))

    @staticmethod
    def _fixed_budget(rules, epochs, engine_kwargs, *, floor=0.01):
        """Stopping rules and engine arguments for a fixed budget of ``epochs`` epochs.

        For ``_train_module`` overrides (the time-series networks, the MLPs on mixed
        tables): the learning rate decays along a cosine from ``learning_rate_init``
        to ``floor`` times it, and the training loss stops nothing
        (``early_stopping`` still watches its validation split). A budget run to its
        end is the plan, so it is no ``ConvergenceWarning``; a divergence still warns.

        Returns
        -------
        rules : StoppingRules
        engine_kwargs : dict
            ``engine_kwargs`` with the schedule first among the callbacks.
        """
        schedule = CosineDecay(engine_kwargs["spec"].learning_rate_init, epochs, floor=floor)
        engine_kwargs = {**engine_kwargs, "callbacks": [schedule, *engine_kwargs["callbacks"]]}
        if not rules.early_stopping:
            rules = dataclasses.replace(rules, check_convergence=False)
        return rules, engine_kwargs

    def _after_training(self):
        """Finish a fit with the trained ``module_`` (a GAN calibrates its samples).

        Runs at the end of every fit, after the fitted attributes are set, on the
        staged copy (an error leaves a fitted estimator as it was). Does nothing here.
        """

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
        self._check_architecture()
        check_architecture_unchanged(self, self._is_continuation(incremental))
        if incremental and self.solver == "lbfgs":
            raise ValueError("partial_fit needs solver 'adam', 'adamw' or 'sgd', not 'lbfgs'.")
        if incremental and self.early_stopping:
            # scikit-learn's rule and wording: one pass has no epochs to stop between.
            raise ValueError("partial_fit does not support early_stopping=True")
        if self.precision == "float16" and self.solver == "lbfgs":
            raise ValueError(
                "precision='float16' needs a loss scaler, which solver='lbfgs' cannot use; "
                "use precision='bfloat16' or another solver."
            )
        if self.precision == "float64" and _engine.resolve_device(self.device).type == "mps":
            raise ValueError("precision='float64' needs device='cpu' or 'cuda': MPS has no "
                             "float64 kernels.")
        if self.precision == "float16" and _engine.resolve_device(self.device).type == "cpu":
            warnings.warn(
                "precision='float16' on the CPU is much slower than float32 (CPUs lack "
                "fast float16 kernels); it is meant for GPUs. On a CPU, "
                "precision='bfloat16' is the fast one.",
                UserWarning,
                stacklevel=_engine.user_stacklevel(),
            )
        with _progress.callback_scope(self):
            # max_iter="auto" is resolved from the validated data (in _train_module).
            epochs = 1 if incremental else None if self.max_iter == "auto" else self.max_iter
            feedback = self._start_fit_feedback(X, y, sample_weight, epochs=epochs)
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
        task = self._make_task()
        if incremental and not resume:
            task.check_first_partial_fit(classes)
        layout = self.input_layout_ if resume else self._make_input_layout()
        X, y = self._check_training_input(layout, task, X, y, reset=not resume)
        if resume:
            task.check_continued(self._task, y, classes, incremental)
        target, n_outputs = task.encode(X, y, classes=classes,
                                        previous=self._task if resume else None)
        # The staged copy is fitted as far as it goes (classes_, the layout), so that
        # callbacks can score it during training.
        if hasattr(self, "_task"):  # a refit may no longer have what the last fit had
            for name in self._task.fitted_attributes():
                self.__dict__.pop(name, None)
        self._task = task
        self.__dict__.update(task.fitted_attributes())
        if not resume:
            self.input_layout_ = layout.fit(X)
        X = layout.network_input(X)
        weights = validate_sample_weight(sample_weight, X, task.sample_weights(target))
        device = _engine.resolve_device(self.device)
        n_samples = X.shape[0]
        batch_size = self._effective_batch_size(n_samples)
        state = copy.deepcopy(self._convergence) if resume else _engine.ConvergenceState()
        first_epoch = len(state.history)
        state.fit_start = state.n_iter
        seed = (_engine.draw_seed(self.random_state) + state.n_iter) % _engine._INT32_MAX
        early_stopping = self.early_stopping and not incremental

        train_idx, valid_idx = self._split(n_samples, target, seed, early_stopping,
                                           task.stratify(target) if early_stopping else False)
        as_data = functools.partial(self._data, X, target, weights, device=device,
                                    target_is_input=task.target_is_input,
                                    dtype=_engine.parameter_dtype(self.precision))
        train_data = as_data(train_idx)
        valid_data = None if valid_idx is None else as_data(valid_idx)
        spec = _engine.OptimizerSpec(
            batch_size=batch_size,
            **{name: getattr(self, name) for name in _engine.OptimizerSpec.parameter_names()
               if hasattr(self, name)},
        )
        rules = _engine.StopRules(
            tol=self.tol, n_iter_no_change=self.n_iter_no_change, early_stopping=early_stopping,
            learning_rate=self.learning_rate if self.solver == "sgd" else "constant",
            learning_rate_init=self.learning_rate_init, power_t=self.power_t,
            check_convergence=not incremental and (early_stopping or task.loss_stops_training),
        )
        with _engine.seeded(seed, device):
            if resume:
                module = copy.deepcopy(self.module_).to(device)
                optimizer_state = self._optimizer_state
            else:
                module = self._build_module(layout, n_outputs).to(device)
                self._architecture_ = architecture(self)  # what a warm start must keep
                optimizer_state = None
            result = self._train_module(
                module, train_data, valid_data, new_module=not resume, task=task,
                criterion=task.criterion(), score_fn=task.score_function(),
                net_cls=task.net_class(), shuffle=self.shuffle, l1=self.l1,
                verbose=self.verbose, precision=self.precision, log_style=self._log_style,
                spec=spec, rules=rules, state=state,
                epochs=1 if incremental else self.max_iter, device=device,
                seed=seed, callbacks=[*self._extra_callbacks(), *(self.callbacks or ()),
                                      *feedback],
                optimizer_state=optimizer_state,
            )
        self.module_ = result.module
        # The optimizer's state is kept only when a later call can resume from it.
        keep_optimizer = incremental or self.warm_start
        self._optimizer_state = _to_cpu(result.optimizer_state) if keep_optimizer else None
        self._convergence = state
        self._set_fitted_attributes(state, early_stopping)
        self._after_training()
        if not incremental and not result.converged and rules.check_convergence:
            # The epochs this fit ran: max_iter="auto" is resolved by the estimator.
            _engine.warn_not_converged(self, len(state.history) - first_epoch,
                                       result.message)
        if not incremental and task.loss_stops_training:
            losses = [record["train_loss"] for record in state.history[first_epoch:]]
            _engine.warn_if_not_learned(self, losses, task.chance_loss(target, weights))

    def _check_training_input(self, layout, task, X, y, reset):
        """Validate the training data through the layout, y as the task wants it."""
        if task.target_is_input:  # y is ignored, as in scikit-learn's PCA
            return layout.check_input(self, X, reset=reset), None
        return layout.check_input(self, X, y, reset=reset, multi_output=True,
                                  **task.target_validation)

    def _split(self, n_samples, target, seed, early_stopping, stratify):
        if not early_stopping:
            return None, None
        train_idx, valid_idx = train_test_split(
            np.arange(n_samples), test_size=self.validation_fraction,
            random_state=seed, stratify=target if stratify else None,
        )
        check_validation_size(len(valid_idx))
        return np.sort(train_idx), np.sort(valid_idx)

    @staticmethod
    def _data(X, target, weights, index, *, device, target_is_input, dtype):
        if index is not None:
            X = X[index]
            target = None if target is None else target[index]
            weights = None if weights is None else weights[index]
        return _engine.InMemoryData(X, target, weights, device=device,
                                    target_is_input=target_is_input, dtype=dtype)

    def _set_fitted_attributes(self, state, early_stopping):
        self.n_iter_ = state.n_iter - state.fit_start
        self.t_ = state.samples_seen
        self.loss_curve_ = list(state.loss_curve)
        self.loss_ = float(state.loss_curve[-1]) if state.loss_curve else None
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
        return _engine.module_device(self.module_)

    def _network_input(self, X):
        """Validate X for a fitted estimator and return it in the network's layout."""
        layout = self.input_layout_
        return layout.network_input(layout.check_input(self, X, reset=False))

    def _forward(self, X, fn=None):
        """Raw network outputs (or ``fn``'s) for X, as a CPU tensor.

        Public methods call :func:`check_fitted` before this.
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
        tags.input_tags.sparse = self._make_input_layout().accept_sparse
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
        check_fitted(self)
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
        check_fitted(self)
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


def _normalises_series(estimator):
    """True when each row is z-normalised as a series (the time-series networks): a
    row of two unrelated features then keeps only their order, so scikit-learn's toy
    tables score poorly by design (the ``poor_score`` tag)."""
    return getattr(estimator._make_input_layout(), "normalize", None) == "univariate"


def _has_stochastic_solver(estimator):
    """``partial_fit`` exists only for the mini-batch solvers, as in scikit-learn."""
    if getattr(estimator, "solver", None) == "lbfgs":
        raise AttributeError(
            "partial_fit is only available for stochastic optimizers. lbfgs is not "
            "stochastic."
        )
    return True


class NeuralClassifierMixin(ClassifierMixin):
    """The classifiers' task (:class:`~sknn._tasks.ClassificationTask`) and their
    public predict methods."""

    _parameter_constraints = {
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def _make_task(self):
        return ClassificationTask(self.class_weight, estimator_name=type(self).__name__)

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame}

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels) for multilabel
        """
        check_fitted(self)
        return self._task.labels(self._forward(X))

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
        check_fitted(self)
        return self._task.probabilities(self._forward(X).double()).numpy()

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame}

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        check_fitted(self)
        return np.log(self.predict_proba(X))

    @available_if(_has_stochastic_solver)
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
        tags.classifier_tags.poor_score = _normalises_series(self)
        return tags


class NeuralRegressorMixin(RegressorMixin):
    """The regressors' task (:class:`~sknn._tasks.RegressionTask`) and ``predict``."""

    _parameter_constraints = {
        "scale_target": ["boolean"],
    }

    def _make_task(self):
        # Regressors with a ``loss`` parameter train a log link for "poisson".
        return RegressionTask(poisson=getattr(self, "loss", None) == "poisson",
                              scale=self.scale_target)

    def predict(self, X):
        """Predict targets.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame}

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        check_fitted(self)
        return self._task.predictions(self._forward(X))

    @available_if(_has_stochastic_solver)
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
        tags.regressor_tags.poor_score = _normalises_series(self)
        return tags


__all__ = [
    "COMMON_PARAMETERS_DOC",
    "NeuralEstimator",
    "NeuralClassifierMixin",
    "NeuralRegressorMixin",
    "FeaturesMixin",
    "fill_doc",
    "parameter_entries",
    "store_parameters",
    "check_fitted",
]


def check_fitted(estimator):
    """scikit-learn's ``check_is_fitted`` (a ``NotFittedError`` before anything is
    touched), without its generic attribute scan when the network is there."""
    if "module_" not in estimator.__dict__:
        check_is_fitted(estimator, "module_")


def store_parameters(estimator, init_locals):
    """Set every constructor argument as an attribute of the same name, unchanged.

    Called as ``store_parameters(self, locals())`` first thing in ``__init__``; that
    is all an ``__init__`` may do under scikit-learn's conventions.
    """
    for name, value in init_locals.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)
