"""Convolutional networks: CNNClassifier and CNNRegressor.

Convolutional blocks (convolution, activation, pooling) extract local patterns,
edges and textures, from images; a flattening step and fully connected layers on
top classify or regress. The estimators take images in the layouts a
scikit-learn user has at hand: rows of flattened pixels with ``image_shape``
(what Pipelines, DataFrames and GridSearchCV pass around), 3-D ``(n, H, W)`` and
4-D ``(n, C, H, W)`` arrays (or ``(n, H, W, C)`` with ``channels_last=True``).
Plain tables with no ``image_shape`` are read as one-channel 1-D signals and
convolved along the columns.
"""

import dataclasses
import math
import numbers
import typing

from sklearn.utils.validation import check_is_fitted

from ._tasks import ClassificationTask
from ._validation import (
    Interval,
    Options,
    StrOptions,
    check_layer_sizes,
    check_network_size,
    is_int,
)
from .base import (
    FeaturesMixin,
    NeuralClassifierMixin,
    NeuralEstimator,
    NeuralRegressorMixin,
    fill_doc,
    store_parameters,
)
from .layouts import ImageLayout, SequenceLayout
from .modules.cnn import Augment, ConvNet
from .modules.mlp import ACTIVATIONS
from .modules.timeseries import FCN, InceptionNet, ResNet

CNN_PARAMETERS_DOC = """\
    conv_channels : int, sequence of int or "auto", default="auto"
        Output channels of each convolutional block (one block per entry); for
        ``architecture="inception"``, the filters of each branch (one int). "auto":
        ``(32, 64)`` for the "plain" network, the measured defaults of the
        time-series architectures otherwise (see the user guide).
    kernel_size : int, sequence of int or "auto", default="auto"
        Width of the convolution kernels (square for images); one per block for the
        time-series architectures. Convolutions are "same"-padded, so only pooling
        changes the size. "auto": 3 for "plain", ``(8, 5, 3)`` for "fcn" and
        "resnet", ``(40, 20, 10)`` for "inception".
    image_shape : tuple of int or None, default=None
        Shape of one image when X holds rows of flattened pixels: ``(H, W)`` for grey
        images, ``(C, H, W)`` for C channels (``(H, W, C)`` with
        ``channels_last=True``), in the order the pixels are flattened; with
        ``conv_dims=1``, ``(C, L)`` (``(L, C)`` with ``channels_last``). Not needed
        for 3-D / 4-D arrays (if given, it must match them). None with 2-D X: each
        row is a one-channel 1-D signal, convolved along the columns.
    channels_last : bool, default=False
        The channels are the last axis: 4-D X is ``(n, H, W, C)`` and
        ``image_shape`` is ``(H, W, C)``, as images arrive from PIL or imageio; with
        ``conv_dims=1``, 3-D X is ``(n, length, channels)`` (Keras, tslearn). They
        are reordered to channels first inside.
    conv_dims : {"auto", 1, 2}, default="auto"
        What the convolutions slide over. "auto": 2-D rows are 1-D signals, 3-D and
        4-D arrays are images. 1: time series; 3-D X is ``(n, channels, length)`` as
        aeon, sktime and PyTorch's ``Conv1d`` have it (``(n, length, channels)``
        with ``channels_last=True``), a list of 2-D arrays (one per series) or NaN
        padding at the end gives series of unequal length, and predictions take
        series of any length with the global-pooling architectures. 2: images
        only.
    architecture : {"auto", "plain", "fcn", "resnet", "inception"}, default="auto"
        The network. "plain": convolutional blocks with pooling, flattening and
        dense layers (for images). "fcn" (Wang et al., 2017), "resnet" (three
        residual blocks) and "inception" (InceptionTime's blocks, Fawaz et al.,
        2020): 1-D convolutions with batch normalisation and global average
        pooling over time, for time series (``conv_dims=1``; they read series of
        any length). "auto": "fcn" with ``conv_dims=1``, "plain" otherwise. The
        time-series networks z-normalise each univariate series, train on
        batches of ``min(16, n_samples / 10)`` series ("auto") with a cosine decay
        of the learning rate over ``max_iter`` epochs ("auto": 20 to 300, fewer for
        more or longer series), run to the end unless ``early_stopping`` is on.
        ``pooling``, ``dense_layers``, ``batch_norm`` and ``augment`` apply to "plain"
        only (the time-series networks always normalise their batches).
    n_networks : int or "auto", default="auto"
        Time-series architectures: networks of the same shape trained side by side
        on the same batches, from different initial weights, and averaged at
        predict time (their probabilities, for classifiers), as InceptionTime
        ensembles five networks. They run as one grouped network, so on small data
        an ensemble costs far less than as many fits. "auto": as many (up to 5) as
        the work budget of ``max_iter="auto"`` allows after ``max_iter`` epochs
        each, so 5 on small archives and 1 on long series (see the user guide).
        Must be 1 (or "auto") for "plain".
    downsample : int or "auto", default="auto"
        Time-series architectures: fold each window of this many steps into one
        step of that many times the channels before the first convolution
        (:func:`sknn.modules.timeseries.fold_steps`; nothing is averaged away, and
        predictions read series of any length the same way). "auto":
        ``ceil(length / 512)`` for the longest training series, so series up to 512
        steps are read as they are and longer ones train in cheaper epochs whose
        kernels see further back. Must be 1 (or "auto") for "plain".
    pooling : {"max", "avg"} or None, default="max"
        Downsampling by 2 at the end of every block. Images must be at least
        ``2 ** len(conv_channels)`` pixels high and wide; 1-D signals stop being
        pooled once they are one value long.
    batch_norm : bool, default=True
        Batch normalisation after every convolution (not in the dense head). It
        makes training faster and more accurate; in ``predict`` it uses the
        statistics gathered during training.
    dense_layers : int or sequence of int, default=(128,)
        Hidden layers of the fully connected head; ``()`` for a linear head.
    activation : {"relu", "tanh", "logistic", "identity", "gelu"}, default="relu"
        Activation of the conv blocks and the dense layers.
    dropout : float, default=0.0
        Dropout on the flattened conv features and after each hidden dense layer.
    augment : bool or dict, default=False
        On-the-fly augmentation of the training batches (never at predict time),
        drawn from the seeded random state. True: random shifts of up to 10% of
        the image size (at least one pixel) along each axis. A dict picks them:
        ``{"shift": 2, "hflip": True, "vflip": False, "rotate": 15, "scale": 0.1}``
        (shift in pixels, rotate in degrees, scale a relative zoom; flips, rotations
        and zooms only when asked, since they change the meaning of digits and
        letters, and on tiny images their interpolation blurs). 1-D signals take
        shifts and "hflip" (time reversal) only. With augmentation on, training
        also lowers the learning rate as ``learning_rate="adaptive"`` does: each
        time the loss (or, with ``early_stopping``, the validation score) stops
        improving for ``n_iter_no_change`` epochs, the rate is divided by 5, and
        the fit ends once it is below 1e-6 (or after ``max_iter`` epochs). A
        noisy, augmented loss otherwise stops the fit before it has settled."""


# The time-series networks, their widths and kernel sizes under "auto", and the
# default of conv_dims=1 (the best of the benchmark, benchmarks/README.md).
TIME_SERIES_NETWORKS = {"fcn": FCN, "resnet": ResNet, "inception": InceptionNet}
TIME_SERIES_WIDTHS = {"fcn": (32, 64, 32), "resnet": (64, 128, 128), "inception": (32,)}
TIME_SERIES_KERNELS = {"fcn": (8, 5, 3), "resnet": (8, 5, 3), "inception": (40, 20, 10)}
TIME_SERIES_DEFAULT = "fcn"
# downsample="auto" reads series of up to this many steps as they are (measured on
# ACSF1, 1,460 steps: 77-80 % read whole in the one-minute budget, about 90 % with
# windows of 3 folded into channels; averaging the windows instead lost a
# sample-to-sample alternation: 57-62 % with windows of 2).
SERIES_STEPS = 512
# n_networks="auto": at most InceptionTime's five.
MAX_AUTO_NETWORKS = 5


class _SeriesPlan(typing.NamedTuple):
    """What the "auto" settings of a time-series fit resolve to."""

    downsample: int
    epochs: int
    n_networks: int


class _ConvNetMixin:
    """What CNNClassifier and CNNRegressor share: the network's parameters, the
    image layout (:class:`~sknn.layouts.ImageLayout`) and building the
    :class:`~sknn.modules.cnn.ConvNet`."""

    _parameter_constraints = {
        "conv_channels": ["array-like", Interval(numbers.Integral, 1, None, closed="left"),
                          StrOptions({"auto"})],
        "kernel_size": ["array-like", Interval(numbers.Integral, 1, None, closed="left"),
                        StrOptions({"auto"})],
        "image_shape": [tuple, list, None],
        "channels_last": ["boolean"],
        "conv_dims": [StrOptions({"auto"}), Options(numbers.Integral, {1, 2})],
        "architecture": [StrOptions({"auto", "plain", *TIME_SERIES_NETWORKS})],
        "n_networks": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "downsample": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "pooling": [StrOptions({"max", "avg"}), None],
        "batch_norm": ["boolean"],
        "dense_layers": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "augment": ["boolean", dict],
    }

    # ---------------------------------------------------------------- hooks
    def _architecture(self):
        """The network to build: "plain" or a time-series architecture."""
        if self.architecture != "auto":
            return self.architecture
        return TIME_SERIES_DEFAULT if self.conv_dims == 1 else "plain"

    def _reads_series(self):
        """True when X is read as time series (:class:`~sknn.layouts.SequenceLayout`)."""
        return self.conv_dims == 1 or self._architecture() != "plain"

    def _make_input_layout(self):
        if not self._reads_series():
            return ImageLayout(self.image_shape, bool(self.channels_last),
                               images_only=self.conv_dims == 2)
        series_network = self._architecture() != "plain"
        return SequenceLayout(self.image_shape, bool(self.channels_last),
                              network_order="nct", variable_length=series_network,
                              normalize="univariate" if series_network else None)

    def _check_architecture(self):
        architecture = self._architecture()
        if self.conv_dims == 2 and architecture != "plain":
            raise ValueError(
                f"architecture={architecture!r} reads time series (1-D convolutions); "
                "conv_dims=2 (images) needs architecture='plain' or 'auto'."
            )
        if architecture == "plain":
            for name in ("n_networks", "downsample"):
                if getattr(self, name) not in ("auto", 1):
                    raise ValueError(
                        f"{name}={getattr(self, name)!r} applies to the time-series "
                        "architectures ('fcn', 'resnet', 'inception'); the 'plain' "
                        f"network takes {name}='auto' or 1."
                    )
        if architecture != "plain" and self._augment_options() is not None:
            raise ValueError(
                f"augment works with architecture='plain' only; got "
                f"architecture={architecture!r}."
            )
        self._conv_channels()
        self._kernel_sizes()
        check_layer_sizes(self.dense_layers, "dense_layers")
        self._augment_options()

    # What the network is built from: warm_start refuses to continue after a change.
    _architecture_params = ("conv_dims", "architecture", "n_networks", "downsample",
                            "conv_channels", "kernel_size",
                            "image_shape", "channels_last", "pooling", "batch_norm",
                            "dense_layers", "activation", "dropout", "augment")

    def _build_module(self, layout, n_outputs):
        architecture = self._architecture()
        self._check_size(layout, n_outputs)
        if architecture != "plain":
            widths, kernels = self._conv_channels(), self._kernel_sizes()
            plan = self._series_plan(layout.n_sequences_, layout.sequence_shape_[0])
            common = {"activation": self.activation, "dropout": self.dropout,
                      "n_members": plan.n_networks, "combine": self._member_combine(),
                      "downsample": plan.downsample}
            if architecture == "inception":
                return InceptionNet(layout.n_features_, n_outputs, n_filters=widths[0],
                                    kernel_sizes=kernels, **common)
            return TIME_SERIES_NETWORKS[architecture](layout.n_features_, n_outputs, widths,
                                                      kernels, **common)
        shape = layout.input_shape_
        n_pool = len(self._conv_channels()) if self.pooling else 0
        if len(shape) == 3 and min(shape[1:]) < 2**n_pool:
            raise ValueError(
                f"Images of shape {shape} (image_shape, channels first) are too small for "
                f"{n_pool} pooling steps: each halves the height and width, so they must "
                f"be at least {2**n_pool} x {2**n_pool}. Use fewer conv_channels or "
                "pooling=None."
            )
        return ConvNet(
            shape, n_outputs, conv_channels=self._conv_channels(),
            kernel_size=self._kernel_sizes(), pooling=self.pooling,
            batch_norm=self.batch_norm,
            dense_layers=check_layer_sizes(self.dense_layers, "dense_layers"),
            activation=self.activation, dropout=self.dropout,
            augment=self._augment_module(layout),
        )

    def _check_size(self, layout, n_outputs):
        """Refuse absurd networks before allocating them (see ``check_network_size``)."""
        architecture, channels = self._architecture(), self._conv_channels()
        kernels, n_in = self._kernel_sizes(), layout.input_shape_[0]
        what = (f"conv_channels={self.conv_channels!r} and "
                f"kernel_size={self.kernel_size!r}")
        if architecture == "inception":  # depth 6 blocks of a branch per kernel size
            n_out = channels[0] * (len(kernels) + 1)
            conv = 6 * sum((n_out * k + 1) * channels[0] for k in kernels)
            check_network_size([n_out, n_outputs], what, extra=conv)
            return
        if architecture != "plain":  # one block per width, global average pooling
            conv = 0
            for width, k in zip(channels, kernels):
                conv, n_in = conv + (n_in * k + 1) * width, width
            check_network_size([n_in, n_outputs], what, extra=conv)
            return
        spatial, conv = layout.input_shape_[1:], 0
        for width in channels:
            conv += (n_in * kernels ** len(spatial) + 1) * width
            if self.pooling:  # as ConvNet pools: an axis of one position stays
                spatial = tuple(s // 2 if s >= 2 else s for s in spatial)
            n_in = width
        dense = check_layer_sizes(self.dense_layers, "dense_layers")
        check_network_size([n_in * math.prod(spatial), *dense, n_outputs],
                           f"{what} and dense_layers={self.dense_layers!r}", extra=conv)

    def _effective_batch_size(self, n_samples):
        if self.batch_size == "auto" and self._architecture() != "plain":
            # Small batches for small archives (Wang et al., 2017): a full-batch epoch
            # on 50 series is one optimiser step.
            return max(1, min(16, n_samples // 10))
        return super()._effective_batch_size(n_samples)

    def _series_plan(self, n_series, length):
        """Downsampling, epochs and ensemble size of a time-series fit on ``n_series``
        series of ``length`` steps: "auto" values resolved, all from one work budget
        (``_AUTO_EPOCH_WORK`` series-steps per network and epoch)."""
        downsample = (max(1, math.ceil(length / SERIES_STEPS)) if self.downsample == "auto"
                      else self.downsample)
        steps = math.ceil(length / downsample)
        epochs = (self._auto_epochs((n_series, steps)) if self.max_iter == "auto"
                  else self.max_iter)
        n_networks = self.n_networks
        if n_networks == "auto":  # the budget left after one network's epochs
            spare = self._AUTO_EPOCH_WORK / (max(1, n_series) * max(1, steps) * epochs)
            n_networks = int(min(MAX_AUTO_NETWORKS, max(1, math.floor(spare))))
        return _SeriesPlan(downsample, epochs, n_networks)

    def _train_module(self, module, train_data, valid_data, *, rules, epochs, **kwargs):
        if self._architecture() != "plain":
            if epochs == "auto":
                epochs = self._series_plan(*train_data.X.shape[::2]).epochs
            if not self.warm_start and epochs > 1:
                # A fixed budget with a cosine decay of the learning rate (measured:
                # 1.4 points above halving it on plateaus over eight archive sets),
                # run to its end unless early_stopping watches a validation split.
                rules, kwargs = self._fixed_budget(rules, epochs, kwargs)
        elif epochs == "auto":
            epochs = 200
        # Augmentation makes the training loss noisy: with a constant learning rate
        # the fit stops on a plateau of that noise. Lower the rate there instead.
        if self._augments() and rules.learning_rate == "constant":
            rules = dataclasses.replace(rules, learning_rate="adaptive")
        return super()._train_module(module, train_data, valid_data, rules=rules,
                                     epochs=epochs, **kwargs)

    # max_iter="auto" for the time-series networks: epochs from the training values
    # (series x length), between these bounds: about a minute of one CPU core for
    # 100 series of 1,460 points with the default FCN.
    _AUTO_EPOCH_WORK = 1.5e7
    _AUTO_EPOCHS = (20, 300)

    # ---------------------------------------------------------------- network
    @property
    def image_shape_(self):
        """Channels-first shape of one input as the network sees it."""
        check_is_fitted(self)
        return self.input_layout_.input_shape_

    def _conv_channels(self):
        architecture = self._architecture()
        if isinstance(self.conv_channels, str):  # "auto"
            return (32, 64) if architecture == "plain" else TIME_SERIES_WIDTHS[architecture]
        sizes = check_layer_sizes(self.conv_channels, "conv_channels", allow_empty=False)
        if architecture == "inception" and len(sizes) != 1:
            raise ValueError("architecture='inception' takes one conv_channels value (the "
                             f"filters of each branch); got {self.conv_channels!r}.")
        return sizes

    def _kernel_sizes(self):
        """The kernel size ("plain": one int) or sizes (one per time-series block)."""
        architecture = self._architecture()
        if isinstance(self.kernel_size, str):  # "auto"
            return 3 if architecture == "plain" else TIME_SERIES_KERNELS[architecture]
        if architecture == "plain":
            if not is_int(self.kernel_size):
                raise ValueError("architecture='plain' takes one kernel_size; got "
                                 f"{self.kernel_size!r}.")
            return self.kernel_size
        sizes = check_layer_sizes(self.kernel_size, "kernel_size", allow_empty=False)
        n_blocks = len(self._conv_channels()) if architecture != "inception" else len(sizes)
        if len(sizes) == 1:
            sizes = sizes * n_blocks
        if len(sizes) != n_blocks:
            raise ValueError(f"kernel_size needs one size per block ({n_blocks}); got "
                             f"{self.kernel_size!r}.")
        return sizes

    def _augment_options(self):
        """The ``augment`` dict checked (None when off); shift None = the default."""
        if not isinstance(self.augment, dict) and not self.augment:
            return None
        if not isinstance(self.augment, dict):
            return {"shift": None}
        unknown = set(self.augment) - {"shift", "hflip", "vflip", "rotate", "scale"}
        if unknown:
            raise ValueError(
                f"augment has unknown keys {sorted(unknown)}; use 'shift', 'hflip', "
                "'vflip', 'rotate' and 'scale'."
            )
        options = {"shift": 0, **self.augment}
        shift, rotate = options["shift"], options.get("rotate", 0)
        scale = options.get("scale", 0)
        if not is_int(shift) or shift < 0:
            raise ValueError(f"augment['shift'] must be a whole number of pixels >= 0; "
                             f"got {shift!r}.")
        if not isinstance(rotate, numbers.Real) or not 0 <= rotate <= 180:
            raise ValueError(f"augment['rotate'] must be degrees in [0, 180]; got "
                             f"{rotate!r}.")
        if not isinstance(scale, numbers.Real) or not 0 <= scale < 1:
            raise ValueError(f"augment['scale'] must be a relative zoom in [0, 1); got "
                             f"{scale!r}.")
        return options

    def _augment_module(self, layout):
        options = self._augment_options()
        if options is None:
            return None
        spatial = layout.image_shape_[1:]
        if options["shift"] is None:  # augment=True: shifts of 10% of the size
            options = {"shift": max(1, round(0.1 * min(spatial)))}
        if len(spatial) == 1 and (options.get("vflip") or options.get("rotate")
                                  or options.get("scale")):
            raise ValueError(
                "augment asks for 'vflip', 'rotate' or 'scale', which need images; X is "
                "read as 1-D signals (give image_shape, or 3-D / 4-D X, for images)."
            )
        return Augment(**options)

    def _augments(self):
        """Whether training batches are augmented at all."""
        options = self._augment_options()
        return options is not None and (options["shift"] is None
                                        or Augment(**options).active)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


IMAGE_SHAPE_ATTRIBUTE_DOC = """\
    image_shape_ : tuple of int
        Shape of one input as the network sees it, channels first: ``(C, H, W)``
        for images, ``(1, n_features)`` for 1-D signals. ``n_features_in_`` is the
        number of values per input (``C * H * W``) in every layout of X."""


def _cnn_doc(cls):
    cls.__doc__ = (cls.__doc__.replace("    {cnn_parameters}", CNN_PARAMETERS_DOC)
                   .replace("    {image_shape_}", IMAGE_SHAPE_ATTRIBUTE_DOC))
    return fill_doc(cls, max_iter='"auto"', notes={"max_iter": (
        '"auto": 200 for the "plain" network, 20 to 300 for the time-series ones.')})


@_cnn_doc
class CNNClassifier(_ConvNetMixin, NeuralClassifierMixin, FeaturesMixin, NeuralEstimator):
    """Convolutional neural network classifier.

    Input -> convolutional blocks (convolution, activation, pooling) that extract
    edges and textures -> flattening -> fully connected layers -> class scores,
    trained by backpropagation of the cross-entropy loss with L2 (``alpha``) and
    L1 (``l1``) penalties. Binary, multiclass and multilabel targets; labels of any
    type. ``transform`` returns the flattened features of the last conv block (the
    input of the dense head), for example to feed another model.

    Parameters
    ----------
    {cnn_parameters}
    label_smoothing : float in [0, 1) or "auto", default="auto"
        Train against targets mixed with the uniform distribution over the
        classes, ``(1 - label_smoothing) * one_hot + label_smoothing / n_classes``
        (``sknn.modules.losses.SmoothedCrossEntropy``): a regulariser that
        keeps the network from chasing infinitely confident scores; predicted
        probabilities stay further from 0 and 1. "auto": 0.1 when ``augment`` is
        on, 0 otherwise.
    {common_parameters}
    {class_weight}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, sorted.
    {image_shape_}
    {fitted_attributes}

    See Also
    --------
    MLPClassifier : A fully connected network, for tables.
    CNNRegressor : The same network with a regression head.

    Notes
    -----
    scikit-learn's estimator checks run it with its defaults on plain tables (each
    row a 1-D signal); ``tests/test_sklearn_compat.py`` only shortens training.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sknn import CNNClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = CNNClassifier(image_shape=(8, 8), max_iter=10, batch_size=50, random_state=0)
    >>> clf.fit(X[:500] / 16, y[:500]).score(X[500:1000] / 16, y[500:1000]) > 0.9
    True
    >>> clf.predict_proba(X[:2] / 16).shape, clf.transform(X[:2] / 16).shape
    ((2, 10), (2, 256))
    """

    _parameter_constraints = {
        **NeuralEstimator._parameter_constraints,
        **NeuralClassifierMixin._parameter_constraints,
        **_ConvNetMixin._parameter_constraints,
        "label_smoothing": [Interval(numbers.Real, 0, 1, closed="left"),
                            StrOptions({"auto"})],
    }

    def __init__(self, conv_channels="auto", kernel_size="auto", *, image_shape=None,
                 channels_last=False, conv_dims="auto", architecture="auto",
                 n_networks="auto", downsample="auto", pooling="max",
                 batch_norm=True, dense_layers=(128,),
                 activation="relu", dropout=0.0, augment=False, label_smoothing="auto",
                 solver="adam", alpha=1e-4,
                 l1=0.0, batch_size="auto", learning_rate="constant", learning_rate_init=1e-3,
                 power_t=0.5, max_iter="auto", shuffle=True, random_state=None, tol=1e-4,
                 verbose=0, warm_start=False, momentum=0.9, nesterovs_momentum=True,
                 early_stopping=False, validation_fraction=0.1, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, n_iter_no_change=10, max_fun=15000, device="cpu",
                 precision="float32", callbacks=None, class_weight=None):
        store_parameters(self, locals())

    def _label_smoothing(self):
        if self.label_smoothing == "auto":
            return 0.1 if self._augments() else 0.0
        return float(self.label_smoothing)

    def _make_task(self):
        return ClassificationTask(self.class_weight, label_smoothing=self._label_smoothing(),
                                  estimator_name=type(self).__name__)

    def _member_combine(self):
        # An ensemble averages probabilities: softmax ones for one label of many
        # classes, one sigmoid per output for binary and multilabel targets.
        return "softmax" if self._task.kind == "multiclass" else "sigmoid"


@_cnn_doc
class CNNRegressor(_ConvNetMixin, NeuralRegressorMixin, FeaturesMixin, NeuralEstimator):
    """Convolutional neural network regressor.

    The network of :class:`CNNClassifier` with a linear output layer, trained on
    the squared error (or the Poisson deviance, for counts): predicting a count, a
    size or an angle from an image. Single and multi-output targets.

    Parameters
    ----------
    {cnn_parameters}
    loss : {"squared_error", "poisson"}, default="squared_error"
        "poisson" uses a log link (the network predicts ``log(mean)``) and needs
        non-negative targets, for counts.
    {common_parameters}
    {scale_target}

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.
    {image_shape_}
    {fitted_attributes}

    See Also
    --------
    MLPRegressor : A fully connected network, for tables.
    CNNClassifier : The same network with a classification head.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sknn import CNNRegressor
    >>> images = load_digits().images / 16               # (n, 8, 8) arrays
    >>> ink = images.sum(axis=(1, 2))                     # how much ink each digit uses
    >>> reg = CNNRegressor(conv_channels=(8,), max_iter=30, batch_size=50,
    ...                    learning_rate_init=3e-3, random_state=0)
    >>> reg.fit(images[:500], ink[:500]).score(images[500:800], ink[500:800]) > 0.8
    True
    """

    _parameter_constraints = {
        **NeuralRegressorMixin._parameter_constraints,
        **NeuralEstimator._parameter_constraints,
        **_ConvNetMixin._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(self, conv_channels="auto", kernel_size="auto", *, image_shape=None,
                 channels_last=False, conv_dims="auto", architecture="auto",
                 n_networks="auto", downsample="auto", pooling="max",
                 batch_norm=True, dense_layers=(128,),
                 activation="relu", dropout=0.0, augment=False, loss="squared_error",
                 solver="adam", alpha=1e-4, l1=0.0, batch_size="auto",
                 learning_rate="constant", learning_rate_init=1e-3, power_t=0.5, max_iter="auto",
                 shuffle=True, random_state=None, tol=1e-4, verbose=0, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, max_fun=15000, device="cpu", precision="float32",
                 callbacks=None, scale_target=True):
        store_parameters(self, locals())

    def _member_combine(self):
        return "mean"  # an ensemble's prediction: the mean of its networks'

