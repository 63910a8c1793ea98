"""Transfer learning: TransferClassifier and TransferRegressor.

Start from a network trained on one task, cut it where its learned features end,
put a new head on top, and train on a small data set of a new task. It works best
when the two tasks share the kind of input (the same measurements of another
population, images of other classes, text of another topic).

The base comes in three forms:

- a fitted sknn estimator (or a fitted ``Pipeline`` ending in one): its network is
  cut at ``feature_layer`` and its input handling (the Pipeline's preprocessing,
  ``image_shape``, ``sequence_shape``, the validation of X) is reused, so X is given
  exactly as the source estimator took it;
- a ``torch.nn.Module`` that maps a batch to a 2-D feature batch (a pretrained
  model from the torch ecosystem behind a short adapter); X is passed to it as a
  float tensor of X's shape;
- a path to a TorchScript file or a ``torch.save`` file of a module (or of a
  fitted sknn estimator).
"""

import copy
import dataclasses
import numbers
import os
import zipfile

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import _check_y, check_consistent_length, check_is_fitted
from torch import nn

from . import _engine
from ._tasks import ClassificationTask
from ._validation import Interval, StrOptions, check_layer_sizes, check_network_size
from .base import (
    FeaturesMixin,
    NeuralClassifierMixin,
    NeuralEstimator,
    NeuralRegressorMixin,
    fill_doc,
    store_parameters,
)
from .layouts import InputLayout
from .modules.mlp import ACTIVATIONS
from .modules.transfer import FeatureExtractor, TransferNet

__all__ = ["TransferClassifier", "TransferRegressor"]

TRANSFER_PARAMETERS_DOC = """\
    base : fitted sknn estimator, Pipeline, torch.nn.Module, str or path-like
        The trained network to start from.

        - A fitted sknn estimator (``MLPRegressor``, ``CNNClassifier``,
          ``LSTMClassifier``, ``AutoEncoder``, another transfer estimator, ...) or a
          fitted ``Pipeline`` whose last step is one: its network without the output
          layer (see ``feature_layer``) extracts the features, and X goes through
          the source's own input handling (the Pipeline's preprocessing,
          ``image_shape``, ``sequence_shape``, its validation), so X must have the
          layout the source was fitted on.
        - A ``torch.nn.Module`` mapping a batch (a float32 tensor of X's shape) to a
          2-D feature batch ``(n_samples, n_features)``. A network from
          :mod:`sknn.modules` is cut at its ``features`` like its estimator.
        - A path to a TorchScript file (``torch.jit.save``) or to a ``torch.save``
          file of a whole module or of a fitted sknn estimator. ``torch.save``
          files are unpickled, which runs code: load only files you trust. Give a
          TorchScript model as a path rather than as a loaded module: a loaded
          ``ScriptModule`` cannot be pickled, and the parameter is part of the
          estimator (the fitted model's own copy pickles either way).

        The base is copied at the start of ``fit``; the source is never changed.
    feature_layer : str or None, default=None
        Where to cut the base. None is the standard cut: the last hidden layer of a
        dense network, the flattened convolutional features (before the dense head)
        of a CNN, the final hidden state of a recurrent network, the codes of an
        auto-encoder, and a plain module's whole output. A name from
        ``network.named_modules()`` cuts after that layer (its output, flattened
        to 2-D), for example ``"hidden.1"`` (the first hidden layer's activation of
        a dense network), ``"conv.0"`` (a CNN's first conv block) or
        ``"head.hidden.1"`` (a CNN's first dense layer). Cutting too late costs
        accuracy: a CNN's last dense layer is specific to the source's classes,
        its conv features transfer better (see benchmarks/bench_transfer.py).
    head_layers : array-like of int, default=()
        Hidden layers of the new head; ``()`` is a linear head (a logistic or
        linear regression on the base's features), the safest choice for a few
        dozen labelled rows.
    activation : {"relu", "tanh", "logistic", "identity", "gelu"}, default="relu"
        Activation of the head's hidden layers.
    dropout : float, default=0.0
        Dropout probability on the base's features and after each hidden layer of
        the head.
    freeze : bool, default=True
        True: the base's weights stay fixed and only the head trains. The base then
        runs in evaluation mode (batch normalisation keeps the source's
        statistics) and, unless it augments its input (a ``CNNClassifier`` fitted
        with ``augment``), its features are computed once per fit and the head
        trains on them, which is fast. False: fine-tune everything, the base at
        ``base_lr_factor`` times the head's learning rate.
    base_lr_factor : float, default=0.1
        The base's learning rate when it trains, relative to ``learning_rate_init``
        (a separate optimizer parameter group). Not used by "lbfgs", which has one
        step size for all.
    unfreeze_after : int or None, default=None
        Gradual unfreezing, with ``freeze=True``: train the head alone for this many
        epochs (or until it converges, if sooner), then fine-tune the base too, for
        the rest of ``max_iter``, with every learning rate multiplied by
        ``base_lr_factor`` (the head at ``base_lr_factor * learning_rate_init``, the
        base ``base_lr_factor`` times slower still). None keeps the base frozen. Not
        used with ``freeze=False``."""

TRANSFER_ATTRIBUTES_DOC = """\
    n_features_base_ : int
        Width of the base's features (what ``transform`` returns).
    base_unfrozen_at_ : int or None
        The epoch (counted as ``n_iter_``) after which the base started to train:
        0 with ``freeze=False``, None while it has stayed frozen."""

TRANSFER_NOTES_DOC = """\
    **Cloning and model selection.** ``clone`` (and so ``GridSearchCV``,
    ``cross_val_score``) keeps a fitted base fitted: scikit-learn would clone an
    estimator-valued parameter into an unfitted copy, so these estimators
    implement ``__sklearn_clone__``, which deep-copies ``base`` with its weights
    and clones every other parameter as usual. A fitted transfer model holds its
    own copy of the cut network in ``module_.base`` (and the source's input
    handling), so it predicts, pickles and loads without the source or its file.
    Parameters of the base (``base__...``) are not worth searching: the base is
    already trained.

    **Small-data defaults.** ``learning_rate_init`` defaults to 0.01 here, not 1e-3:
    a few dozen rows make one full batch, so a fit of 200 epochs is 200 steps, and
    at 1e-3 the new head stops short of what a ``LogisticRegression`` on the same
    features reaches. A fine-tuned base trains at
    ``base_lr_factor`` times that, 1e-3. The new head's output layer starts at the
    training target's mean (regression) or its class frequencies (classification),
    so the first steps are not spent moving it there (with a few dozen rows, they
    would be most of the fit). For a frozen base and very few rows,
    ``solver="lbfgs"`` with ``alpha`` around 1 is a strong head too (a regularised
    linear model on the features); it has a single step size, so
    ``base_lr_factor`` does not apply to it.

    **Continued fits.** ``warm_start`` and ``partial_fit`` continue with the fitted
    network; the ``base`` parameter is read again only by a fresh fit.

    **Bad input.** A base that is not fitted (``NotFittedError``), not a network,
    not loadable, or whose output is not a 2-D feature batch, and X that does not
    fit the base, raise a ``ValueError`` that says so before anything changes."""


def _transfer_doc(cls):
    cls.__doc__ = (cls.__doc__.replace("    {transfer_parameters}", TRANSFER_PARAMETERS_DOC)
                   .replace("    {transfer_attributes}", TRANSFER_ATTRIBUTES_DOC)
                   .replace("    {transfer_notes}", TRANSFER_NOTES_DOC))
    return fill_doc(cls, learning_rate_init="0.01")


# --------------------------------------------------------------------------- the base


class BaseInputLayout(InputLayout):
    """The input of a transfer estimator: what its base network reads.

    With a fitted sknn estimator as the base, X goes through the source's
    preprocessing steps (a source Pipeline's) and the source's own fitted input
    layout, so X is given exactly as the source took it. With a plain
    ``nn.Module`` base, X is any dense array, passed on as float32 with the
    per-sample shape seen in ``fit``.

    Parameters
    ----------
    source_layout : InputLayout or None
        The fitted ``input_layout_`` of the source estimator (None: a module base).
    steps : list of transformers, default=()
        Fitted preprocessing steps of a source Pipeline, applied first.
    source_name : str or None, default=None
        The source estimator's class name, for messages.

    Attributes
    ----------
    n_features_ : int
        Width of the base's features (what the new head reads), found by running
        the base on two training rows in ``fit``.
    """

    allow_nd = True

    def __init__(self, source_layout=None, steps=(), source_name=None):
        self.source_layout = source_layout
        self.steps = steps
        self.source_name = source_name

    def check_input(self, estimator, X, y="no_validation", *, reset, **validate_kw):
        source = self.source_layout
        if source is None:
            return super().check_input(estimator, X, y, reset=reset, **validate_kw)
        try:
            for step in self.steps:
                X = step.transform(X)
            X = source.transform(X).astype(np.float32)
        except ValueError as exc:
            raise ValueError(
                f"X does not fit the base {self.source_name}, whose input layout the "
                f"transfer estimator uses: {exc}"
            ) from exc
        if reset:  # what the source (Pipeline) was fitted on, as _resolve_base found it
            estimator.n_features_in_ = self.n_features_in_
            names = getattr(self, "feature_names_in_", None)
            if names is not None:
                estimator.feature_names_in_ = names
            else:
                estimator.__dict__.pop("feature_names_in_", None)
        if isinstance(y, str) and y == "no_validation":
            return X
        if y is None:
            raise ValueError(f"This {type(estimator).__name__} estimator requires y to be "
                             "passed, but the target y is None.")
        y = _check_y(y, multi_output=True, y_numeric=validate_kw.get("y_numeric", False),
                     estimator=estimator)
        check_consistent_length(X, y)
        return X, y

    def fit(self, X):
        """Record the input shape and the width of the base's features on X.

        The cut base (a :class:`~sknn.modules.transfer.FeatureExtractor`, handed to
        the layout by :func:`_base_layout`) is run on two rows, then dropped: the
        layout keeps no network.

        Parameters
        ----------
        X : ndarray or CSR matrix
            Validated training input.

        Returns
        -------
        self : BaseInputLayout
        """
        self.input_shape_ = tuple(X.shape[1:])
        self.n_features_ = _probe_base(self.__dict__.pop("_probe_network"), X)
        return self

    def network_input(self, X):
        if self.source_layout is None and tuple(X.shape[1:]) != self.input_shape_:
            raise ValueError(
                f"X has shape {X.shape}, but the estimator was fitted on rows of shape "
                f"{self.input_shape_} (the base's input)."
            )
        return X


def _probe_base(extractor, X):
    """Run the cut base on two rows of X: its features must be a 2-D batch."""
    rows = X[:2].toarray() if sp.issparse(X) else np.asarray(X[:2])
    batch = torch.as_tensor(rows, dtype=torch.float32, device=_module_device(extractor))
    extractor.eval()  # the TransferNet sets the modes for training
    try:
        with torch.no_grad():
            out = extractor(batch)
    except ValueError:
        raise
    except Exception as exc:
        raise ValueError(
            f"The base could not process X: rows of shape {tuple(batch.shape[1:])} gave "
            f"{type(exc).__name__}: {exc}. X must be laid out as the base network "
            "expects."
        ) from exc
    if not isinstance(out, torch.Tensor) or out.dim() != 2 or len(out) != len(batch):
        got = (f"a tensor of shape {tuple(out.shape)}" if isinstance(out, torch.Tensor)
               else f"a {type(out).__name__}")
        raise ValueError(
            f"The base must map a batch to a 2-D feature batch (n_samples, n_features); "
            f"for input of shape {tuple(batch.shape)} it returned {got}. Choose another "
            "feature_layer, or wrap the base in a module that returns one feature row "
            "per sample."
        )
    return out.shape[1]


def _is_torchscript(path):
    """TorchScript archives are zip files with a ``constants.pkl``; torch.save's are not."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return any(name.endswith("constants.pkl") for name in archive.namelist())


def _load_model(path):
    """A TorchScript file, or a ``torch.save`` file of a module or an sknn estimator."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ValueError(f"base={path!r} is not a file; give a path to a TorchScript or "
                         "torch.save model file.")
    if _is_torchscript(path):
        return torch.jit.load(path, map_location="cpu")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:
        raise ValueError(f"base={path!r} could not be loaded as a TorchScript or torch.save "
                         f"file: {type(exc).__name__}: {exc}") from exc
    if isinstance(obj, dict):
        raise ValueError(
            f"base={path!r} holds a dict (a state_dict of weights?), not a model: build the "
            "module, load the weights into it (module.load_state_dict(torch.load(path))) "
            "and pass the module as base."
        )
    return obj


def _base_layout(base, feature_layer):
    """The unfitted :class:`BaseInputLayout` of ``base``.

    It holds a new copy of the cut base until its ``fit`` has probed the width of
    the base's features with it.
    """
    layout, extractor = _resolve_base(base, feature_layer)
    layout._probe_network = extractor
    return layout


def _resolve_base(base, feature_layer):
    loaded = isinstance(base, (str, os.PathLike))
    if loaded:
        base = _load_model(base)
    steps, estimator = [], base
    if isinstance(base, Pipeline):
        steps = [step for _, step in base.steps[:-1] if step not in (None, "passthrough")]
        estimator = base.steps[-1][1]
    if isinstance(estimator, NeuralEstimator):
        if not hasattr(estimator, "module_"):
            raise NotFittedError(
                f"The base {type(estimator).__name__} is not fitted: fit it on the source "
                "task first (the transfer estimator starts from its trained network)."
            )
        for step in steps:
            try:
                check_is_fitted(step)
            except NotFittedError as exc:
                raise NotFittedError(f"The base Pipeline is not fitted: {exc}") from exc
        network = copy.deepcopy(estimator.module_)
        layout = BaseInputLayout(estimator.input_layout_,
                                 [copy.deepcopy(step) for step in steps],
                                 type(estimator).__name__)
        layout.n_features_in_ = getattr(base, "n_features_in_", None)
        names = getattr(base, "feature_names_in_", None)
        if names is not None:
            layout.feature_names_in_ = np.asarray(names, dtype=object)
        return layout, FeatureExtractor(network, feature_layer)
    if isinstance(base, nn.Module):
        network = base if loaded else copy.deepcopy(base)
        return BaseInputLayout(), FeatureExtractor(network, feature_layer)
    what = type(base).__name__
    if isinstance(estimator, Pipeline) or hasattr(estimator, "get_params"):
        hint = (f" ({type(estimator).__name__} is not an sknn neural estimator: its "
                "features cannot be cut out and trained)")
    else:
        hint = ""
    raise ValueError(
        f"base must be a fitted sknn estimator (or a fitted Pipeline ending in one), a "
        f"torch.nn.Module, or a path to a TorchScript / torch.save model file; got "
        f"{what}{hint}."
    )


class _FeatureCache:
    """The frozen base's features of the training (and validation) rows, computed at
    most once per fit, in evaluation mode."""

    def __init__(self, module, precision="float32"):
        self.module = module
        self.precision = precision
        self.cache = {}

    def __call__(self, data):
        if id(data) not in self.cache:
            self.module.eval()
            # clone(): a tensor made outside inference mode, so that autograd may use it.
            self.cache[id(data)] = _engine.predict_batches(
                self.module.base, data, precision=self.precision).clone()
        return self.cache[id(data)]

    def data(self, data):
        """``data`` with the features in place of X."""
        if data is None:
            return None
        return _engine.InMemoryData(self(data), data.y, data.w, device=data.device)


def _module_device(module):
    tensor = next(module.parameters(), None)
    if tensor is None:
        tensor = next(module.buffers(), None)
    return torch.device("cpu") if tensor is None else tensor.device


# --------------------------------------------------------------------------- estimators


class _TransferMixin:
    """What the two transfer estimators share: resolving the base, its input handling,
    the frozen / fine-tuned / gradually unfrozen training and ``clone``."""

    _parameter_constraints = {
        "base": "no_validation",  # checked in fit, with messages that say what is wrong
        "feature_layer": [str, None],
        "head_layers": ["array-like"],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "freeze": ["boolean"],
        "base_lr_factor": [Interval(numbers.Real, 0, None, closed="neither")],
        "unfreeze_after": [Interval(numbers.Integral, 0, None, closed="left"), None],
    }

    # ------------------------------------------------------------ hooks
    def _head_sizes(self):
        return check_layer_sizes(self.head_layers, "head_layers")

    def _check_architecture(self):
        self._head_sizes()

    # What the network is built from: warm_start refuses to continue after a change.
    _architecture_params = ("base", "feature_layer", "head_layers", "activation", "dropout")

    def _make_input_layout(self):
        return _base_layout(self.base, self.feature_layer)

    def _build_module(self, layout, n_outputs):
        head = self._head_sizes()
        check_network_size([layout.n_features_, *head, n_outputs],
                           f"head_layers={self.head_layers!r}")
        # A second copy of the base (the layout probed and dropped the first).
        extractor = _resolve_base(self.base, self.feature_layer)[1]
        extractor.eval()  # the TransferNet sets the modes for training
        return TransferNet(extractor, layout.n_features_, n_outputs,
                           head_layers=head, activation=self.activation,
                           dropout=self.dropout, frozen=True)

    # ------------------------------------------------------------ training
    def _train_module(self, module, train_data, valid_data, *, spec, rules, state, epochs,
                      optimizer_state, **kwargs):
        """Train the head on the frozen base, then (fine-tuning) everything.

        Phase 1, while the base is frozen: the head alone, on the base's features
        computed once (or, when the base augments its input, on the whole network
        with the base's parameters off). Phase 2, with ``freeze=False`` or after
        ``unfreeze_after`` epochs: the whole network, the base at
        ``base_lr_factor`` times the learning rate.
        """
        module.to(_engine.parameter_dtype(self.precision))  # the base too, not the head only
        features = _FeatureCache(module, self.precision)
        if kwargs["new_module"]:  # the new head's output starts at the target's mean
            self.base_unfrozen_at_ = None
            self._optimizer_phase = None  # what the kept optimizer state trains: head / all
            module.start_at(features(train_data),
                            self._output_offset(train_data, kwargs["task"]), train_data.w)
        trains_base = not self.freeze or self.base_unfrozen_at_ is not None
        frozen_epochs = 0
        if not trains_base:
            frozen_epochs = epochs
            if self.unfreeze_after is not None:
                frozen_epochs = max(0, min(epochs, self.unfreeze_after - state.n_iter))
        result = None
        if frozen_epochs:
            module.set_frozen(True)
            kept_state = optimizer_state if self._optimizer_phase == "head" else None
            start = state.n_iter
            if module.augmentation_layers():  # the features change every batch
                result = super()._train_module(
                    module, train_data, valid_data, spec=spec, rules=rules, state=state,
                    epochs=frozen_epochs, optimizer_state=kept_state, **kwargs)
            else:
                result = super()._train_module(
                    module.head, features.data(train_data), features.data(valid_data),
                    spec=spec, rules=rules, state=state, epochs=frozen_epochs,
                    optimizer_state=kept_state, **kwargs)
                result = dataclasses.replace(result, module=module.eval())
            self._optimizer_phase = "head"
            epochs -= state.n_iter - start
            if self.unfreeze_after is None or epochs == 0:
                return result
            # The head alone is done; the base trains too, with a fresh optimizer whose
            # first steps may lose some ground: judge the new phase on its own losses.
            state.no_improvement = 0
        if self.base_unfrozen_at_ is None:
            self.base_unfrozen_at_ = state.n_iter
        module.set_frozen(False)
        kept_state = (optimizer_state if self._optimizer_phase == "all" and result is None
                      else None)
        best_score, best_weights = state.best_validation_score, None
        if rules.early_stopping and result is not None:
            best_weights = copy.deepcopy(module.state_dict())
        best_loss = state.best_loss
        if result is not None:
            state.best_loss = np.inf
        spec = dataclasses.replace(spec, lr_factors=(("base.", self.base_lr_factor),))
        if self.freeze:
            # Gradual unfreezing: the head has learned what it can; every rate drops by
            # base_lr_factor. A fresh Adam's first steps are about lr in size whatever
            # the gradient: at the head's rate they undo the source's features
            # (measured on digits, 5 images a class: 0.87 against 0.92).
            spec = dataclasses.replace(
                spec, learning_rate_init=spec.learning_rate_init * self.base_lr_factor)
        result = super()._train_module(module, train_data, valid_data, spec=spec, rules=rules,
                                       state=state, epochs=epochs,
                                       optimizer_state=kept_state, **kwargs)
        state.best_loss = min(best_loss, state.best_loss)
        self._optimizer_phase = "all"
        if best_weights is not None and state.best_validation_score == best_score:
            module.load_state_dict(best_weights)  # fine-tuning never beat the head alone
        return result

    @staticmethod
    def _output_offset(data, task):
        """What the new head's mean output starts at: the mean target (regression), the
        log class frequencies (classification), weighted by the sample weights."""
        y, w = data.y, data.w
        w = torch.ones(len(y), device=y.device) if w is None else w.float()
        if not isinstance(task, ClassificationTask):
            return (w[:, None] * y).sum(0) / w.sum()
        if task.kind == "multiclass":
            counts = torch.zeros(len(task.classes_), device=y.device).index_add_(0, y, w)
            freq = (counts / w.sum()).clamp(1e-3, 1)
            return torch.log(freq) - torch.log(freq).mean()
        positive = y.float().reshape(len(y), -1)  # binary codes or multilabel indicators
        p = ((w[:, None] * positive).sum(0) / w.sum()).clamp(1e-3, 1 - 1e-3)
        return torch.log(p / (1 - p))

    # ------------------------------------------------------------ attributes
    @property
    def n_features_base_(self):
        """Width of the base's features."""
        check_is_fitted(self)
        return self.module_.n_features_out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False  # a module base reads dense tensors
        return tags

    def __sklearn_clone__(self):
        clone = super().__sklearn_clone__()
        if hasattr(self.base, "get_params"):
            # scikit-learn clones an estimator-valued parameter into an unfitted copy;
            # a transfer model needs the trained network: keep a fitted copy.
            clone.base = copy.deepcopy(self.base)
        return clone


@_transfer_doc
class TransferClassifier(_TransferMixin, NeuralClassifierMixin, FeaturesMixin, NeuralEstimator):
    """Classifier that reuses a trained network's features for a new task.

    The base network, trained on a source task, is cut where its learned features
    end (``feature_layer``); a new head (``head_layers``, then an output layer for
    the new classes) is trained on the new task's labelled rows, with the base
    frozen (default) or fine-tuned. Any label set works, including classes the
    source never saw. ``transform`` returns the base's features.

    Parameters
    ----------
    {transfer_parameters}
    {common_parameters}
    {class_weight}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, sorted.
    {transfer_attributes}
    {fitted_attributes}

    See Also
    --------
    TransferRegressor : The same for numeric targets.

    Notes
    -----
    {transfer_notes}

    Examples
    --------
    A network trained on the digits 0-4 gives its features to a classifier of the
    digits 5-9, trained on 10 images of each:

    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sknn import MLPClassifier, TransferClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X / 16
    >>> source = MLPClassifier(hidden_layer_sizes=(64,), max_iter=40, random_state=0)
    >>> source = source.fit(X[y < 5], y[y < 5])
    >>> new = np.flatnonzero(y >= 5)
    >>> small = np.concatenate([new[y[new] == k][:10] for k in range(5, 10)])
    >>> test = np.setdiff1d(new, small)
    >>> clf = TransferClassifier(source, random_state=0).fit(X[small], y[small])
    >>> clf.score(X[test], y[test]) > 0.8
    True
    >>> clf.transform(X[:2]).shape, clf.classes_.tolist()
    ((2, 64), [5, 6, 7, 8, 9])
    """

    _parameter_constraints = {
        **NeuralEstimator._parameter_constraints,
        **NeuralClassifierMixin._parameter_constraints,
        **_TransferMixin._parameter_constraints,
    }

    def __init__(self, base, *, feature_layer=None, head_layers=(), activation="relu",
                 dropout=0.0, freeze=True, base_lr_factor=0.1, unfreeze_after=None,
                 solver="adam", alpha=1e-4, l1=0.0, batch_size="auto",
                 learning_rate="constant", learning_rate_init=0.01, power_t=0.5, max_iter=200,
                 shuffle=True, random_state=None, tol=1e-4, verbose=0, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, max_fun=15000, device="cpu", precision="float32",
                 callbacks=None, class_weight=None):
        store_parameters(self, locals())


@_transfer_doc
class TransferRegressor(_TransferMixin, NeuralRegressorMixin, FeaturesMixin, NeuralEstimator):
    """Regressor that reuses a trained network's features for a new task.

    The base network, trained on a source task (for example a price model fitted
    on one large population), is cut where its learned features end
    (``feature_layer``); a new head is trained on the new task's labelled rows (a
    related, small population), with the base frozen (default) or fine-tuned.
    Single and multi-output targets. ``transform`` returns the base's features.

    Parameters
    ----------
    {transfer_parameters}
    {common_parameters}
    {scale_target}

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.
    {transfer_attributes}
    {fitted_attributes}

    See Also
    --------
    TransferClassifier : The same for labels.

    Notes
    -----
    {transfer_notes}

    Examples
    --------
    >>> import numpy as np
    >>> from sknn import MLPRegressor, TransferRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(600, 3))
    >>> y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2            # the source population
    >>> source = MLPRegressor(hidden_layer_sizes=(32,), learning_rate_init=0.01,
    ...                       max_iter=100, random_state=0).fit(X, y)
    >>> y_new = 1.5 * y[:100] + 0.5                        # a related target, 50 rows
    >>> model = TransferRegressor(source, random_state=0).fit(X[:50], y_new[:50])
    >>> model.score(X[50:100], y_new[50:100]) > 0.8
    True
    """

    _parameter_constraints = {
        **NeuralRegressorMixin._parameter_constraints,
        **NeuralEstimator._parameter_constraints,
        **_TransferMixin._parameter_constraints,
    }

    def __init__(self, base, *, feature_layer=None, head_layers=(), activation="relu",
                 dropout=0.0, freeze=True, base_lr_factor=0.1, unfreeze_after=None,
                 solver="adam", alpha=1e-4, l1=0.0, batch_size="auto",
                 learning_rate="constant", learning_rate_init=0.01, power_t=0.5, max_iter=200,
                 shuffle=True, random_state=None, tol=1e-4, verbose=0, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, max_fun=15000, device="cpu", precision="float32",
                 callbacks=None, scale_target=True):
        store_parameters(self, locals())
