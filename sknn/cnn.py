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

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._validation import (
    Interval,
    StrOptions,
    architecture,
    check_architecture_unchanged,
    check_network_size,
    is_int,
)
from .base import (
    FeaturesMixin,
    NeuralClassifierMixin,
    NeuralEstimator,
    NeuralRegressorMixin,
    _positive_int_tuple,
    fill_doc,
    store_parameters,
)
from .modules.cnn import Augment, ConvNet
from .modules.losses import SmoothedCrossEntropy
from .modules.mlp import ACTIVATIONS

CNN_PARAMETERS_DOC = """\
    conv_channels : int or sequence of int, default=(32, 64)
        Output channels of each convolutional block (one block per entry).
    kernel_size : int, default=3
        Width of the (square) convolution kernels; convolutions are "same"-padded,
        so only pooling changes the image size.
    image_shape : tuple of int or None, default=None
        Shape of one image when X holds rows of flattened pixels: ``(H, W)`` for grey
        images, ``(C, H, W)`` for C channels (``(H, W, C)`` with
        ``channels_last=True``), in the order the pixels are flattened. Not needed
        for 3-D / 4-D arrays (if given, it must match them). None with 2-D X: each
        row is a one-channel 1-D signal, convolved along the columns.
    channels_last : bool, default=False
        4-D X is ``(n, H, W, C)`` and ``image_shape`` is ``(H, W, C)``, as images
        arrive from PIL or imageio; they are reordered to channels first inside.
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


def _sizes(value, name, allow_empty):
    try:
        sizes = (value,) if is_int(value) else tuple(value)
    except TypeError:  # None, a float: not a sequence
        sizes = None
    if sizes is None or not _positive_int_tuple(sizes) or (not sizes and not allow_empty):
        what = "zero or more" if allow_empty else "one or more"
        raise ValueError(f"{name} must be {what} positive integers; got {value!r}.")
    return sizes


def _ndim(X):
    shape = getattr(X, "shape", None)
    if shape is not None:
        return len(shape)
    try:  # lists and array-likes (whatever fails here, validate_data reports)
        return np.asarray(X).ndim
    except (TypeError, ValueError):
        return 0


class _ConvNetMixin:
    """What CNNClassifier and CNNRegressor share: the network's parameters, the
    image layouts and building the :class:`~sknn.modules.cnn.ConvNet`.

    Layout: 3-D / 4-D arrays are flattened to rows before scikit-learn's
    validation, so ``n_features_in_`` is the number of values per image in every
    layout, and a model fitted on ``(n, 8, 8)`` arrays predicts rows of 64 pixels
    and the other way round. ``image_shape_`` records the channels-first shape the
    network sees.
    """

    _parameter_constraints = {
        "conv_channels": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
        "kernel_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "image_shape": [tuple, list, None],
        "channels_last": ["boolean"],
        "pooling": [StrOptions({"max", "avg"}), None],
        "batch_norm": ["boolean"],
        "dense_layers": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "augment": ["boolean", dict],
    }
    _allow_nd = True

    # ------------------------------------------------------------ input layout
    def _image_rows(self, X, reset):
        """3-D / 4-D arrays -> 2-D rows; record (fit) or check (predict) the shape."""
        if reset:
            self._fit_nd_shape = None
        if isinstance(X, pd.DataFrame) or sp.issparse(X) or _ndim(X) < 3:
            return X  # 2-D input goes to scikit-learn's validation untouched
        X = np.asarray(X)
        if X.ndim > 4:
            raise ValueError(
                f"X must be 2-D (rows of flattened pixels), 3-D (n, H, W) or 4-D "
                f"(n, C, H, W); got an array of shape {X.shape}."
            )
        shape = self._channels_first(X.shape[1:], self.channels_last if reset else
                                     self._channels_last)
        if reset:
            self._fit_nd_shape = shape
        elif shape != self.image_shape_:
            raise ValueError(
                f"X holds images of shape {X.shape[1:]}, i.e. {shape} channels first, but "
                f"the estimator was fitted on image_shape {self.image_shape_}."
            )
        # Not reshape(n, -1), which cannot infer the width of 0 images.
        return X.reshape(X.shape[0], math.prod(X.shape[1:]))

    @staticmethod
    def _channels_first(shape, channels_last):
        shape = tuple(int(s) for s in shape)
        if len(shape) == 2:
            return (1, *shape)
        return (shape[2], shape[0], shape[1]) if channels_last else shape

    def _validate_training_data(self, X, y, reset):
        return super()._validate_training_data(self._image_rows(X, reset), y, reset)

    def _network_input(self, X):
        check_columns = getattr(X, "ndim", 0) == 2 and not isinstance(X, pd.DataFrame)
        if check_columns and X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input: the network was fitted on "
                f"image_shape {self.image_shape_} (channels first)."
            )
        return super()._network_input(self._image_rows(X, reset=False))

    def _to_network_layout(self, X, reset):
        if reset:
            self.image_shape_ = self._resolve_image_shape(X.shape[1])
            self._channels_last = bool(self.channels_last)
            self._augment_module()  # a bad ``augment`` fails before training
        if sp.issparse(X):
            X = X.toarray()  # images are dense; only the batch layout changes
        shape = self.image_shape_
        if len(shape) == 3 and self._channels_last:
            X = X.reshape(X.shape[0], shape[1], shape[2], shape[0]).transpose(0, 3, 1, 2)
        else:
            X = X.reshape(X.shape[0], *shape)
        return X, shape

    def _resolve_image_shape(self, n_features):
        nd_shape = self.__dict__.pop("_fit_nd_shape", None)
        declared = self.image_shape
        if declared is not None:
            if len(declared) not in (2, 3) or not _positive_int_tuple(declared):
                raise ValueError(
                    "image_shape must be (H, W) or (C, H, W) (with channels_last, "
                    f"(H, W, C)) of positive integers; got {declared!r}."
                )
            declared = self._channels_first(declared, self.channels_last)
            if nd_shape is not None and declared != nd_shape:
                raise ValueError(
                    f"image_shape={tuple(self.image_shape)} does not match the images in X, "
                    f"of shape {nd_shape} channels first."
                )
            if math.prod(declared) != n_features:
                raise ValueError(
                    f"image_shape={tuple(self.image_shape)} holds {math.prod(declared)} "
                    f"values per image, but X has {n_features} columns."
                )
        shape = nd_shape or declared
        if shape is None:
            return (1, n_features)  # a one-channel 1-D signal
        n_pool = len(self._conv_channels()) if self.pooling else 0
        if min(shape[1:]) < 2**n_pool:
            raise ValueError(
                f"Images of shape {shape} (image_shape, channels first) are too small for "
                f"{n_pool} pooling steps: each halves the height and width, so they must "
                f"be at least {2**n_pool} x {2**n_pool}. Use fewer conv_channels or "
                "pooling=None."
            )
        return shape

    # ---------------------------------------------------------------- network
    def _conv_channels(self):
        return _sizes(self.conv_channels, "conv_channels", allow_empty=False)

    def _augment_module(self):
        if not isinstance(self.augment, dict) and not self.augment:
            return None
        spatial = self.image_shape_[1:]
        options = {"shift": max(1, round(0.1 * min(spatial)))}
        if isinstance(self.augment, dict):
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
            if len(spatial) == 1 and (options.get("vflip") or rotate or scale):
                raise ValueError(
                    "augment asks for 'vflip', 'rotate' or 'scale', which need images; X is "
                    "read as 1-D signals (give image_shape, or 3-D / 4-D X, for images)."
                )
        return Augment(**options)

    def _augments(self):
        augment = self._augment_module()
        return augment is not None and augment.active

    def _train_module(self, module, train_data, valid_data, *, rules, **kwargs):
        # Augmentation makes the training loss noisy: with a constant learning rate
        # the fit stops on a plateau of that noise. Lower the rate there instead.
        if self._augments() and rules.learning_rate == "constant":
            rules = dataclasses.replace(rules, learning_rate="adaptive")
        return super()._train_module(module, train_data, valid_data, rules=rules, **kwargs)

    # What the network is built from: warm_start refuses to continue after a change.
    _architecture_params = ("conv_channels", "kernel_size", "image_shape", "channels_last",
                            "pooling", "batch_norm", "dense_layers", "activation", "dropout",
                            "augment")

    def _build_module(self, n_features, n_outputs):
        channels = self._conv_channels()
        dense = _sizes(self.dense_layers, "dense_layers", allow_empty=True)
        self._check_size(n_features, channels, dense, n_outputs)
        self._architecture_ = architecture(self)
        return ConvNet(
            n_features, n_outputs, conv_channels=channels,
            kernel_size=self.kernel_size, pooling=self.pooling, batch_norm=self.batch_norm,
            dense_layers=dense, activation=self.activation, dropout=self.dropout,
            augment=self._augment_module(),
        )

    def _check_size(self, input_shape, channels, dense, n_outputs):
        """Refuse absurd networks before allocating them (see ``check_network_size``)."""
        spatial, conv_weights, n_in = input_shape[1:], 0, input_shape[0]
        for width in channels:
            conv_weights += (n_in * self.kernel_size ** len(spatial) + 1) * width
            if self.pooling:  # as ConvNet pools: an axis of one position stays
                spatial = tuple(s // 2 if s >= 2 else s for s in spatial)
            n_in = width
        check_network_size([n_in * math.prod(spatial), *dense, n_outputs],
                           f"conv_channels={self.conv_channels!r}, kernel_size="
                           f"{self.kernel_size!r} and dense_layers={self.dense_layers!r}",
                           extra=conv_weights)

    def _fit(self, X, y, **kwargs):
        self._validate_params()
        # Architecture errors come before the data is looked at.
        self._conv_channels()
        _sizes(self.dense_layers, "dense_layers", allow_empty=True)
        check_architecture_unchanged(self, self._is_continuation(kwargs["incremental"]))
        return super()._fit(X, y, **kwargs)

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
    return fill_doc(cls)


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

    def __init__(self, conv_channels=(32, 64), kernel_size=3, *, image_shape=None,
                 channels_last=False, pooling="max", batch_norm=True, dense_layers=(128,),
                 activation="relu", dropout=0.0, augment=False, label_smoothing="auto",
                 solver="adam", alpha=1e-4,
                 l1=0.0, batch_size="auto", learning_rate="constant", learning_rate_init=1e-3,
                 power_t=0.5, max_iter=200, shuffle=True, random_state=None, tol=1e-4,
                 verbose=0, warm_start=False, momentum=0.9, nesterovs_momentum=True,
                 early_stopping=False, validation_fraction=0.1, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, n_iter_no_change=10, max_fun=15000, device="cpu",
                 precision="float32", callbacks=None, class_weight=None):
        store_parameters(self, locals())

    def _label_smoothing(self):
        if self.label_smoothing == "auto":
            return 0.1 if self._augments() else 0.0
        return float(self.label_smoothing)

    def _criterion(self):
        smoothing = self._label_smoothing()
        if not smoothing:
            return super()._criterion()
        return SmoothedCrossEntropy(self._target_kind, smoothing)


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
        **NeuralEstimator._parameter_constraints,
        **_ConvNetMixin._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(self, conv_channels=(32, 64), kernel_size=3, *, image_shape=None,
                 channels_last=False, pooling="max", batch_norm=True, dense_layers=(128,),
                 activation="relu", dropout=0.0, augment=False, loss="squared_error",
                 solver="adam", alpha=1e-4, l1=0.0, batch_size="auto",
                 learning_rate="constant", learning_rate_init=1e-3, power_t=0.5, max_iter=200,
                 shuffle=True, random_state=None, tol=1e-4, verbose=0, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, max_fun=15000, device="cpu", precision="float32",
                 callbacks=None):
        store_parameters(self, locals())

    @property
    def _poisson(self):
        return self.loss == "poisson"
