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
import numbers

from sklearn.utils.validation import check_is_fitted

from ._tasks import ClassificationTask
from ._validation import Interval, StrOptions, check_layer_sizes, is_int
from .base import (
    FeaturesMixin,
    NeuralClassifierMixin,
    NeuralEstimator,
    NeuralRegressorMixin,
    fill_doc,
    store_parameters,
)
from .layouts import ImageLayout
from .modules.cnn import Augment, ConvNet
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


class _ConvNetMixin:
    """What CNNClassifier and CNNRegressor share: the network's parameters, the
    image layout (:class:`~sknn.layouts.ImageLayout`) and building the
    :class:`~sknn.modules.cnn.ConvNet`."""

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

    # ---------------------------------------------------------------- hooks
    def _make_input_layout(self):
        return ImageLayout(self.image_shape, bool(self.channels_last))

    def _check_architecture(self):
        self._conv_channels()
        check_layer_sizes(self.dense_layers, "dense_layers")
        self._augment_options()

    def _build_module(self, layout, n_outputs):
        shape = layout.image_shape_
        n_pool = len(self._conv_channels()) if self.pooling else 0
        if not layout.is_signal and min(shape[1:]) < 2**n_pool:
            raise ValueError(
                f"Images of shape {shape} (image_shape, channels first) are too small for "
                f"{n_pool} pooling steps: each halves the height and width, so they must "
                f"be at least {2**n_pool} x {2**n_pool}. Use fewer conv_channels or "
                "pooling=None."
            )
        return ConvNet(
            shape, n_outputs, conv_channels=self._conv_channels(),
            kernel_size=self.kernel_size, pooling=self.pooling, batch_norm=self.batch_norm,
            dense_layers=check_layer_sizes(self.dense_layers, "dense_layers"),
            activation=self.activation, dropout=self.dropout,
            augment=self._augment_module(layout),
        )

    def _train_module(self, module, train_data, valid_data, *, rules, **kwargs):
        # Augmentation makes the training loss noisy: with a constant learning rate
        # the fit stops on a plateau of that noise. Lower the rate there instead.
        if self._augments() and rules.learning_rate == "constant":
            rules = dataclasses.replace(rules, learning_rate="adaptive")
        return super()._train_module(module, train_data, valid_data, rules=rules, **kwargs)

    # ---------------------------------------------------------------- network
    @property
    def image_shape_(self):
        """Channels-first shape of one input as the network sees it."""
        check_is_fitted(self)
        return self.input_layout_.image_shape_

    def _conv_channels(self):
        return check_layer_sizes(self.conv_channels, "conv_channels", allow_empty=False)

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

    def _make_task(self):
        return ClassificationTask(self.class_weight, label_smoothing=self._label_smoothing(),
                                  estimator_name=type(self).__name__)


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

