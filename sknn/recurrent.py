"""Recurrent networks for sequences and time series: LSTMRegressor and LSTMClassifier.

The output of a recurrent neuron is fed back at the next time step, so the network
remembers what it has read; a simple RNN does exactly that, an LSTM (or a GRU) adds
gates and a memory cell that keep information over long gaps. Both estimators read
a sequence step by step and predict from the final hidden state; for time series
(``architecture="conv"``, the default with ``channels_last=False``) a convolutional
front end reads the series first and the prediction comes from the recurrent
outputs averaged over time.

Input layouts
-------------
- 3-D arrays ``(n_samples, n_timesteps, n_features)``: the native layout (PyTorch's
  ``batch_first`` LSTM, Keras, tslearn); with ``channels_last=False``,
  ``(n_samples, n_channels, n_timepoints)`` as aeon and sktime lay it out.
- 2-D rows (arrays, DataFrames, Pipelines): with ``sequence_shape=(n_timesteps,
  n_features)`` each row is reshaped time-major (the first step's features, then the
  second step's, ...); without it each column is one time step of a univariate
  sequence.
- Sequences of different lengths: NaN at the end of a row (every feature of the
  trailing steps NaN) marks a shorter sequence, and a list of arrays of different
  lengths is NaN-padded the same way (:func:`sknn.preprocessing.pad_sequences`). The
  prediction comes from each sequence's state at its last observed step, so the
  padding never reaches it (a bidirectional network packs the sequences, so that
  its backward direction also starts at the true end). NaN anywhere else (inside a
  sequence, or in only some features of a step) is a ``ValueError``: impute it
  first.
"""

import math
import numbers

from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import GradientNormClipping

from ._validation import Interval, StrOptions, check_network_size
from .base import (
    FeaturesMixin,
    NeuralClassifierMixin,
    NeuralEstimator,
    NeuralRegressorMixin,
    fill_doc,
    store_parameters,
)
from .layouts import SequenceLayout
from .modules.recurrent import CELLS, RecurrentNet
from .modules.timeseries import ConvRecurrentNet

RECURRENT_PARAMETERS_DOC = """\
    hidden_size : int, default=64
        Width of the hidden state of each recurrent layer (and direction).
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        The recurrent cell: long short-term memory, gated recurrent unit, or the
        simple (Elman, tanh) recurrent neuron.
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=False
        Also read every sequence backwards; ``transform`` then returns both
        directions' final states side by side.
    dropout : float, default=0.0
        Dropout probability between stacked layers and on the final hidden state.
    forget_bias : float or None, default=1.0
        Initial bias of the LSTM forget gate, so that the cell starts by keeping its
        memory (Gers et al., 2000; Jozefowicz et al., 2015). None keeps PyTorch's
        initialisation. Not used by "gru" and "rnn".
    max_grad_norm : float, None or "auto", default="auto"
        Gradient clipping: the gradients' global L2 norm is scaled down to at most
        this before every step (Pascanu et al., 2013), against the exploding
        gradients of long sequences. None turns it off. "auto": 1.0 for the "plain"
        network, None for "conv" (its batch-normalised front end reads the series
        in at most 128 steps; clipping at 1.0 cost it 5 to 10 points of accuracy on
        archive sets).
    sequence_shape : tuple of (int, int) or None, default=None
        Shape of one sequence in 2-D input rows, which must have as many columns as
        it has values: ``(n_timesteps, n_features)`` time-major, or with
        ``channels_last=False`` ``(n_channels, n_timepoints)`` channel-major. None
        reads each column of 2-D input as one time step of a univariate sequence.
        For 3-D input it is a check of ``X.shape[1:]``.
    channels_last : bool, default=True
        3-D X is ``(n_samples, n_timesteps, n_features)`` (PyTorch's ``batch_first``
        LSTM, Keras, tslearn). False: ``(n_samples, n_channels, n_timepoints)``, as
        aeon and sktime lay out time series; lists of sequences follow the same
        layout. A fit on a layout that looks transposed (one time step of many
        features, or more channels than time points) warns.
    architecture : {"auto", "plain", "conv"}, default="auto"
        The network. "plain": the recurrent layers read the sequence and the
        prediction comes from the final hidden state. "conv", for time-series
        classification and regression: a convolutional front end (two blocks of 64
        channels, kernels 8 and 5, with batch normalisation, as in LSTM-FCN, Karim
        et al. 2017) whose output is averaged over windows of ``ceil(n_timesteps /
        128)`` steps, so that the recurrent layers read long series in at most 128
        steps; their outputs are averaged over each sequence's observed steps
        (:class:`~sknn.modules.ConvRecurrentNet`). It z-normalises each univariate
        series, trains on batches of ``min(16, n_samples / 10)`` sequences
        (``batch_size="auto"``) with a cosine decay of the learning rate over
        ``max_iter`` epochs ("auto": ``1e7 / (n_samples * n_timesteps)``, between 20
        and 100) and runs to the end unless ``early_stopping`` is on. "auto": "conv"
        with ``channels_last=False`` (aeon's and sktime's layout, which time-series
        archives come in), "plain" otherwise (see Notes)."""

RECURRENT_NOTES_DOC = """\
    Input layouts (:class:`~sknn.layouts.SequenceLayout`): 3-D arrays
    ``(n_samples, n_timesteps, n_features)``, or ``(n_samples, n_channels,
    n_timepoints)`` with ``channels_last=False``; 2-D rows (arrays, DataFrames,
    Pipelines) reshaped with ``sequence_shape``, or, without it, read as univariate
    sequences (one column per time step).

    Sequences of different lengths: NaN after the end of a sequence (every feature
    of the trailing steps NaN) marks it shorter, and a list of 2-D arrays of
    different lengths (in the layout ``channels_last`` names) is padded that way.
    Each sequence is read only up to its last observed step; the padding never
    reaches the prediction or ``transform``. NaN anywhere else is a ``ValueError``.
    ``predict`` takes sequences of any length, longer than the training ones
    included; only the number of features must match.

    ``batch_size="auto"`` is 32 for the "plain" network, not 200 as elsewhere: with
    a few hundred sequences, 200-row batches make only a couple of updates per
    epoch, and on a task that needs long memory the long loss plateau then ends
    the fit through ``n_iter_no_change`` at chance accuracy, where 32-row batches
    learn it. Small batches are the common choice for recurrent networks.

    ``architecture="auto"`` and what it was measured on (``benchmarks/README.md``):
    on eight UCR/UEA classification sets (lengths 24 to 1,460) the "conv" network
    averages over 80 % accuracy where the "plain" one stays near 63 %, and it is
    ahead on every one of them, the shortest (24 steps) included, so the length of
    the sequences does not separate the two. The "plain" network stays the default
    for ``(n_samples, n_timesteps, n_features)`` data: forecasting windows, where
    "conv"'s z-normalisation would remove the level the forecast needs, and
    sequences whose answer hangs on one early step.

    ``precision="bfloat16"`` or ``"float16"`` on the CPU: the recurrent layers still
    compute in float32 there (oneDNN, which runs them, has no mixed-precision
    LSTM kernel on most CPUs); the output layer follows ``precision``."""

SEQUENCE_ATTRIBUTES_DOC = """\
    sequence_shape_ : tuple of (int, int)
        ``(n_timesteps, n_features)`` of the (padded) training sequences; ``predict``
        needs the same ``n_features``. ``n_features_in_`` is, as scikit-learn counts
        it, ``X.shape[1]`` of the training input: the columns of 2-D input, the time
        steps (or, with ``channels_last=False``, the channels) of 3-D input.
    input_layout_ : SequenceLayout
        How X becomes the network's input (see :mod:`sknn.layouts`)."""


def _fill_recurrent_doc(cls):
    cls.__doc__ = cls.__doc__.replace("    {recurrent_parameters}", RECURRENT_PARAMETERS_DOC)
    cls.__doc__ = cls.__doc__.replace("    {sequence_attributes}", SEQUENCE_ATTRIBUTES_DOC)
    cls.__doc__ = cls.__doc__.replace("    {recurrent_notes}", RECURRENT_NOTES_DOC)
    return fill_doc(cls, batch_size='"auto"', max_iter='"auto"', notes={
        "batch_size": '"auto" here: 32 for the "plain" network, min(16, n_samples / 10) '
                      'for "conv" (see Notes).',
        "max_iter": '"auto": 200 for the "plain" network, 20 to 100 for "conv".'})


class _RecurrentBase(FeaturesMixin, NeuralEstimator):
    """What the two recurrent estimators share: the architecture, the gradient
    clipping and the sequence layouts."""

    _parameter_constraints = {
        **NeuralEstimator._parameter_constraints,
        "hidden_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "cell": [StrOptions(set(CELLS))],
        "num_layers": [Interval(numbers.Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "forget_bias": [Interval(numbers.Real, None, None, closed="neither"), None],
        "max_grad_norm": [Interval(numbers.Real, 0, None, closed="neither"), None,
                          StrOptions({"auto"})],
        "sequence_shape": [tuple, list, None],
        "channels_last": ["boolean"],
        "architecture": [StrOptions({"auto", "plain", "conv"})],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
    }

    # ------------------------------------------------------------ hooks
    # What the network is built from: warm_start refuses to continue after a change.
    _architecture_params = ("hidden_size", "cell", "num_layers", "bidirectional", "dropout",
                            "forget_bias", "sequence_shape", "channels_last", "architecture")

    # The "conv" network's front end (LSTM-FCN's first two blocks at 64 channels) and
    # the longest sequence its recurrent layers read after downsampling.
    CONV_FRONT_CHANNELS = (64, 64)
    CONV_FRONT_KERNELS = (8, 5)
    CONV_MAX_STEPS = 128

    def _architecture(self):
        """The network to build: "plain" or "conv" ("auto" resolved)."""
        if self.architecture != "auto":
            return self.architecture
        # Measured (benchmarks/README.md): "conv" wins on every archive set in aeon's
        # layout; the (n, timesteps, features) users keep the network they had.
        return "plain" if self.channels_last else "conv"

    def _make_input_layout(self):
        if self._architecture() == "conv":
            return SequenceLayout(self.sequence_shape, bool(self.channels_last),
                                  network_order="nct", normalize="univariate")
        return SequenceLayout(self.sequence_shape, bool(self.channels_last))

    def _check_architecture(self):
        self._make_input_layout().check_parameters()

    def _build_module(self, layout, n_outputs):
        gates = {"lstm": 4, "gru": 3}.get(self.cell, 1)
        h, directions = self.hidden_size, 2 if self.bidirectional else 1
        cells = sum(gates * h * ((layout.n_features_ if layer == 0 else h * directions) + h + 2)
                    for layer in range(self.num_layers)) * directions
        check_network_size([h * directions, n_outputs],
                           f"hidden_size={h!r} and num_layers={self.num_layers!r}",
                           extra=cells)
        if self._architecture() == "conv":
            front = 0
            for n_in, n_out, k in zip((layout.n_features_, *self.CONV_FRONT_CHANNELS),
                                      self.CONV_FRONT_CHANNELS, self.CONV_FRONT_KERNELS):
                front += (n_in * k + 1) * n_out
            check_network_size([h * directions, n_outputs],
                               f"hidden_size={h!r} and num_layers={self.num_layers!r}",
                               extra=cells + front)
            return ConvRecurrentNet(
                layout.n_features_, n_outputs, cell=self.cell, hidden_size=h,
                front_channels=self.CONV_FRONT_CHANNELS,
                front_kernel_sizes=self.CONV_FRONT_KERNELS,
                downsample=math.ceil(layout.sequence_shape_[0] / self.CONV_MAX_STEPS),
                pool="mean", bidirectional=self.bidirectional, dropout=self.dropout,
                forget_bias=self.forget_bias, num_layers=self.num_layers)
        return RecurrentNet(layout.n_features_, n_outputs, cell=self.cell,
                            hidden_size=self.hidden_size, num_layers=self.num_layers,
                            bidirectional=self.bidirectional, dropout=self.dropout,
                            forget_bias=self.forget_bias)

    def _effective_batch_size(self, n_samples):
        if self.batch_size == "auto":
            if self._architecture() == "conv":
                # Small batches for small archives: a full-batch epoch on 50 series
                # is one optimiser step.
                return max(1, min(16, n_samples // 10))
            return min(32, n_samples)
        return super()._effective_batch_size(n_samples)

    # max_iter="auto" for "conv": epochs from the training values (sequences x
    # steps), between these bounds (measured on the archive sets, benchmarks/README.md).
    _AUTO_EPOCH_WORK = 1e7
    _AUTO_EPOCHS = (20, 100)

    def _train_module(self, module, train_data, valid_data, *, rules, epochs, **kwargs):
        if self._architecture() == "conv":
            if epochs == "auto":
                epochs = self._auto_epochs(train_data.X.shape)
            if not self.warm_start and epochs > 1:
                # A fixed budget with a cosine decay, as the time-series CNNs train.
                rules, kwargs = self._fixed_budget(rules, epochs, kwargs)
        elif epochs == "auto":
            epochs = 200
        return super()._train_module(module, train_data, valid_data, rules=rules,
                                     epochs=epochs, **kwargs)

    def _extra_callbacks(self):
        clip = self.max_grad_norm
        if clip == "auto":
            clip = None if self._architecture() == "conv" else 1.0
        if clip is None:
            return []
        return [GradientNormClipping(gradient_clip_value=clip)]

    @property
    def sequence_shape_(self):
        """``(n_timesteps, n_features)`` of the training sequences."""
        check_is_fitted(self)
        return self.input_layout_.sequence_shape_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # NaN is accepted only as end-of-sequence padding, not as missing values
        # anywhere (an interior NaN is a ValueError), so the tag stays False.
        tags.input_tags.allow_nan = False
        tags.input_tags.three_d_array = True
        return tags


@_fill_recurrent_doc
class LSTMRegressor(NeuralRegressorMixin, _RecurrentBase):
    """Recurrent network regressor (LSTM, GRU or simple RNN) for sequences and forecasting.

    Reads each sequence step by step and predicts the target(s) from the final
    hidden state with a linear output layer, trained on the squared error. Single
    and multi-output targets (for example several forecast horizons, see
    :func:`sknn.preprocessing.make_windows`). See Notes for the input layouts and
    the NaN padding of shorter sequences. For time series in aeon's layout
    (``channels_last=False``) a convolutional front end comes first (``architecture``).

    Like every neural network, it wants inputs and targets of unit scale: put a
    ``StandardScaler`` in front (or scale the series) and wrap the model in
    ``TransformedTargetRegressor`` for a target of another scale.

    Parameters
    ----------
    {recurrent_parameters}
    {common_parameters}
    {scale_target}

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.
    {sequence_attributes}
    {fitted_attributes}

    See Also
    --------
    LSTMClassifier : The same network for labels.
    sknn.preprocessing.make_windows : Forecasting windows from a series.

    Notes
    -----
    {recurrent_notes}

    Examples
    --------
    >>> import numpy as np
    >>> from sknn import LSTMRegressor
    >>> from sknn.preprocessing import make_windows
    >>> series = np.sin(np.arange(300) / 6)
    >>> X, y = make_windows(series, window=12)
    >>> model = LSTMRegressor(hidden_size=16, max_iter=20, random_state=0)
    >>> model.fit(X[:-50], y[:-50]).score(X[-50:], y[-50:]) > 0.9
    True
    """

    _parameter_constraints = {
        **_RecurrentBase._parameter_constraints,
        **NeuralRegressorMixin._parameter_constraints,
    }

    def __init__(self, hidden_size=64, cell="lstm", *, num_layers=1, bidirectional=False,
                 dropout=0.0, forget_bias=1.0, max_grad_norm="auto", sequence_shape=None,
                 channels_last=True, architecture="auto", solver="adam", alpha=1e-4, l1=0.0,
                 batch_size="auto", learning_rate="constant", learning_rate_init=1e-3,
                 power_t=0.5, max_iter="auto",
                 shuffle=True, random_state=None, tol=1e-4, verbose=0, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, max_fun=15000, device="cpu", precision="float32",
                 callbacks=None, scale_target=True):
        store_parameters(self, locals())


@_fill_recurrent_doc
class LSTMClassifier(NeuralClassifierMixin, _RecurrentBase):
    """Recurrent network classifier (LSTM, GRU or simple RNN) for sequences.

    Reads each sequence step by step and classifies it from the final hidden state
    with a linear output layer, trained on the cross-entropy. Binary and
    multiclass, labels of any type, ``predict_proba``. See Notes for the input
    layouts and the NaN padding of shorter sequences. For time series in aeon's layout
    (``channels_last=False``) a convolutional front end comes first (``architecture``).

    Parameters
    ----------
    {recurrent_parameters}
    {common_parameters}
    {class_weight}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, sorted.
    {sequence_attributes}
    {fitted_attributes}

    See Also
    --------
    LSTMRegressor : The same network for numeric targets.

    Notes
    -----
    {recurrent_notes}

    Examples
    --------
    Is a noisy sequence of 20 steps rising or falling?

    >>> import numpy as np
    >>> from sknn import LSTMClassifier
    >>> rng = np.random.default_rng(0)
    >>> slope = rng.choice([-1.0, 1.0], 300)
    >>> X = slope[:, None] * np.linspace(0, 1, 20) + rng.normal(0, 0.3, (300, 20))
    >>> y = np.where(slope > 0, "up", "down")
    >>> clf = LSTMClassifier(hidden_size=16, max_iter=30, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.95, clf.predict_proba(X[:1]).shape
    (True, (1, 2))
    """

    _parameter_constraints = {
        **_RecurrentBase._parameter_constraints,
        **NeuralClassifierMixin._parameter_constraints,
    }

    def __init__(self, hidden_size=64, cell="lstm", *, num_layers=1, bidirectional=False,
                 dropout=0.0, forget_bias=1.0, max_grad_norm="auto", sequence_shape=None,
                 channels_last=True, architecture="auto", solver="adam", alpha=1e-4, l1=0.0,
                 batch_size="auto", learning_rate="constant", learning_rate_init=1e-3,
                 power_t=0.5, max_iter="auto",
                 shuffle=True, random_state=None, tol=1e-4, verbose=0, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, max_fun=15000, device="cpu", precision="float32",
                 callbacks=None, class_weight=None):
        store_parameters(self, locals())


__all__ = ["LSTMClassifier", "LSTMRegressor"]
