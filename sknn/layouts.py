"""Input layouts: how the rows a user passes become the network's input tensor.

Every fitted sknn estimator owns one, as ``input_layout_``. A layout knows what the
input may look like (dense or sparse, 2-D rows or 3-D / 4-D arrays, NaN padding),
validates it with scikit-learn's ``validate_data``, records the shapes seen in
``fit`` and checks them afterwards, and reshapes a validated array into the layout
the network reads (a table, channels-first images, ``(n, steps, features)``
sequences). The transfer estimators reuse a source estimator's layout through this
public surface.

A layout is used in three steps::

    X, y = layout.check_input(estimator, X, y, reset=True)   # validate (fit)
    layout.fit(X)                                             # record the shapes
    network_X = layout.network_input(X)                       # what the network reads

and, once fitted, ``layout.transform(X)`` does the last two for new data:
validation against the fitted shapes, then the network's layout.
"""

import math
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import _check_y, check_consistent_length, validate_data

from ._engine import user_stacklevel
from ._tabular import TableEncoder, needs_encoding
from ._validation import FLOAT32_MAX, check_frame_columns, is_int, validate_features
from .preprocessing import pad_sequences

__all__ = [
    "InputLayout",
    "TableLayout",
    "ImageLayout",
    "SequenceLayout",
    "ArrayLayout",
    "check_padding",
]


class InputLayout(BaseEstimator):
    """Base class of the input layouts (not used directly).

    Subclasses set the class attributes below, override :meth:`fit` and
    :meth:`network_input`, and (for input that is reshaped before validation,
    such as 4-D images) :meth:`_prepare`.

    Attributes
    ----------
    accept_sparse : bool
        scipy sparse input is accepted (and kept sparse, as CSR).
    allow_nd : bool
        3-D / 4-D arrays are accepted.
    allow_nan : bool
        NaN gets through validation (padding of shorter sequences).
    n_features_in_ : int
        Columns of the validated input, as scikit-learn counts them (set by the
        first :meth:`check_input` with ``reset=True``).
    feature_names_in_ : ndarray of str
        Column names, when the input was a DataFrame with string column names.
    owner_name_ : str
        Class name of the estimator that fitted the layout (used in messages).
    n_features_ : int
        Width of what the network reads per position: table columns, image
        channels, features per time step.
    input_shape_ : tuple of int
        Shape of one sample in the network's layout.
    """

    accept_sparse = False
    allow_nd = False
    allow_nan = False

    def _prepare(self, X, reset):
        """Reshape raw input before scikit-learn's validation (default: unchanged)."""
        return X

    def _validation_options(self, X, reset):
        """Extra ``validate_data`` options for prepared input X (default: none)."""
        return {}

    def check_input(self, estimator, X, y="no_validation", *, reset, **validate_kw):
        """Validate X (and y) for ``estimator`` with scikit-learn's ``validate_data``.

        Parameters
        ----------
        estimator : estimator instance
            Receives (``reset=True``) or is checked against (``reset=False``)
            ``n_features_in_`` and ``feature_names_in_``; named in messages.
        X : array-like, DataFrame or sparse matrix
        y : array-like, None or "no_validation"
        reset : bool
            True in ``fit`` (from scratch), False otherwise.
        **validate_kw : dict
            Passed to ``validate_data`` (``multi_output``, ``y_numeric``).

        Returns
        -------
        X : ndarray or CSR matrix, or ``(X, y)`` when y was given.
        """
        X = self._prepare(X, reset)
        out = validate_features(
            estimator, X, y, reset=reset, allow_nd=self.allow_nd,
            accept_sparse=self.accept_sparse, allow_nan=self.allow_nan,
            **self._validation_options(X, reset), **validate_kw,
        )
        if reset:
            self._remember_columns(estimator)
        return out

    def _remember_columns(self, estimator):
        """Keep what validation recorded on ``estimator``: its name, the column count
        and names (so that :meth:`transform` can check new input on its own)."""
        self.owner_name_ = type(estimator).__name__
        self.n_features_in_ = estimator.n_features_in_
        names = getattr(estimator, "feature_names_in_", None)
        if names is not None:
            self.feature_names_in_ = names
        else:
            self.__dict__.pop("feature_names_in_", None)

    def fit(self, X):
        """Record what the network's input looks like, from validated training data.

        Parameters
        ----------
        X : ndarray or CSR matrix
            Validated by :meth:`check_input` with ``reset=True``.

        Returns
        -------
        self : InputLayout
        """
        raise NotImplementedError

    def network_input(self, X):
        """The network's input for validated X (an ndarray, or a CSR matrix for tables)."""
        raise NotImplementedError

    def transform(self, X):
        """Validate new input against the fitted layout and return the network's input.

        Used by the transfer estimators to feed a source estimator's network.

        Parameters
        ----------
        X : array-like, DataFrame or sparse matrix

        Returns
        -------
        X : ndarray or CSR matrix in the network's layout
        """
        return self.network_input(self.check_input(self, X, reset=False))


class TableLayout(InputLayout):
    """Rows of a table: numbers as they are, or a DataFrame of mixed columns encoded.

    Numeric input (an array, sparse matrix or DataFrame of numpy numbers) reaches the
    network as it is, as in scikit-learn's MLP: scale it first. A DataFrame with any
    other column (category, string, object, bool, nullable or datetime), an array
    of strings, or any X with ``categorical_features`` naming columns is encoded
    inside, by a fitted :class:`~sknn._tabular.TableEncoder`:

    - numeric columns (float, integer, nullable) are centred on their median,
      divided by their interquartile range and softly clipped to about +-3, so
      that raw units, outliers and heavy tails need no preprocessing; a column
      with missing values gets a 0 / 1 missing indicator and its median;
    - categorical columns (``categorical_features``; by default pandas category,
      string, object and bool columns) become integer codes, with reserved codes
      for a missing value and for a category not seen in fit (never an error),
      which the network embeds (or one-hot encodes, see ``categorical_encoding``);
    - datetime columns are refused with a message naming them.

    Parameters
    ----------
    accept_sparse : bool, default=True
        Accept scipy sparse matrices (densified one mini-batch at a time).
    categorical_features : "from_dtype", None, list of str or int, or bool mask, \
default="from_dtype"
        Which columns are categorical, with HistGradientBoosting's meaning.
    categorical_encoding : {"codes", "onehot"}, default="codes"
        What the network reads for a categorical column: its code (for an
        embedding layer in the network) or its one-hot vector.

    Attributes
    ----------
    encoder_ : TableEncoder or None
        The fitted encoder; None for numeric arrays, which are not encoded.
    categorical_columns_ : list
        The columns taken as categorical (names for a DataFrame).
    categories_ : list of ndarray
        Their categories, sorted as scikit-learn sorts them.
    n_numeric_ : int
        Leading network-input columns that are numbers (scaled columns and missing
        indicators); the rest are categorical codes or one-hot blocks.
    cardinalities_ : list of int
        Codes of each categorical column (its categories, plus missing and unknown).
    """

    allow_nd = False
    allow_nan = False

    def __init__(self, accept_sparse=True, categorical_features="from_dtype",
                 categorical_encoding="codes"):
        self.accept_sparse = accept_sparse
        self.categorical_features = categorical_features
        self.categorical_encoding = categorical_encoding

    def _encodes(self, X, reset):
        if not reset:
            return self.encoder_ is not None
        return not sp.issparse(X) and needs_encoding(X, self.categorical_features)

    def check_input(self, estimator, X, y="no_validation", *, reset, **validate_kw):
        no_target = isinstance(y, str) and y == "no_validation"
        if not reset and no_target and self.encoder_ is None and _is_plain_float_table(X, self):
            # Prediction on a plain float array (one row, in a web service): the checks
            # that apply, without validate_data's generic machinery (most of the time
            # of a one-row predict). Anything else takes the full path.
            return X
        if not self._encodes(X, reset):
            return super().check_input(estimator, X, y, reset=reset, **validate_kw)
        check_frame_columns(X)
        frame = X if isinstance(X, pd.DataFrame) else _as_2d_objects(X)
        # Feature names and the column count, as validate_data checks them.
        validate_data(estimator, frame, reset=reset, skip_check_array=True)
        if frame.shape[0] == 0:
            raise ValueError(f"Found array with 0 sample(s) (shape={frame.shape}) while a "
                             "minimum of 1 is required.")
        if reset:
            self._remember_columns(estimator)
        if no_target:
            return frame
        if y is None:
            raise ValueError(f"This {type(estimator).__name__} estimator requires y to be "
                             "passed, but the target y is None.")
        y = _check_y(y, multi_output=validate_kw.get("multi_output", False),
                     y_numeric=validate_kw.get("y_numeric", False), estimator=estimator)
        check_consistent_length(frame, y)
        return frame, y

    def fit(self, X):
        if isinstance(X, np.ndarray) and X.dtype != object or sp.issparse(X):
            self.encoder_ = None
            self.n_numeric_, self.cardinalities_ = X.shape[1], []
            self.categorical_columns_, self.categories_ = [], []
            self.n_features_ = X.shape[1]
        else:
            if self.categorical_encoding not in ("codes", "onehot"):
                raise ValueError("categorical_encoding must be 'codes' or 'onehot'; got "
                                 f"{self.categorical_encoding!r}.")
            encoder = self.encoder_ = TableEncoder(self.categorical_features).fit(X)
            self.categorical_columns_ = list(encoder.categorical_columns_)
            self.categories_ = list(encoder.categories_)
            self.n_numeric_ = encoder.n_numeric_out_
            self.cardinalities_ = list(encoder.cardinalities_)
            width = (len(self.cardinalities_) if self.categorical_encoding == "codes"
                     else sum(self.cardinalities_))
            self.n_features_ = self.n_numeric_ + width
        self.input_shape_ = (self.n_features_,)
        return self

    def network_input(self, X):
        if self.encoder_ is None:
            return X
        numeric, codes = self.encoder_.transform(X)
        if self.categorical_encoding == "codes":
            # Codes travel as float32 in the one input tensor (exact below 2 ** 24);
            # the network's tabular front end splits them off after n_numeric_.
            return np.concatenate([numeric, codes.astype(np.float32)], axis=1)
        blocks = [numeric] + [np.eye(k, dtype=np.float32)[codes[:, j]]
                              for j, k in enumerate(self.cardinalities_)]
        return np.concatenate(blocks, axis=1)


def _as_2d_objects(X):
    """An array-like of strings or objects as a 2-D array, or the usual error."""
    array = np.asarray(X, dtype=object)
    if array.ndim != 2:
        raise ValueError(f"Expected a 2-dimensional table; got an array of shape "
                         f"{array.shape}. Reshape your data.")
    return array


def _is_plain_float_table(X, layout):
    """True when X is a C-ordered float ndarray that a fitted table layout accepts as it
    is: the fitted width, at least one row, no feature names to check, all finite and,
    for float64, within float32's range (as :func:`~sknn._validation.validate_features`
    checks). Anything else takes the full path, which says what is wrong."""
    return (
        type(X) is np.ndarray
        and X.ndim == 2
        and X.dtype in (np.float32, np.float64)
        and X.shape[0] > 0
        and X.shape[1] == layout.n_features_in_
        and X.flags.c_contiguous
        and "feature_names_in_" not in layout.__dict__
        # One pass either way: |x| <= float32's max is False for NaN and infinity too.
        and bool(np.isfinite(X).all() if X.dtype == np.float32
                 else np.abs(X).max() <= FLOAT32_MAX)
    )


class ArrayLayout(InputLayout):
    """Dense arrays of any number of dimensions, passed on as they are.

    For networks supplied by the user (a transfer estimator's ``nn.Module`` base),
    which decide themselves what a sample looks like. The per-sample shape seen in
    ``fit`` is required afterwards.
    """

    allow_nd = True

    def fit(self, X):
        self.input_shape_ = tuple(X.shape[1:])
        self.n_features_ = self.input_shape_[0]
        return self

    def network_input(self, X):
        if tuple(X.shape[1:]) != self.input_shape_:
            raise ValueError(
                f"X has shape {X.shape}, but the estimator was fitted on rows of shape "
                f"{self.input_shape_} (the base's input)."
            )
        return X


def _ndim(X):
    shape = getattr(X, "shape", None)
    if shape is not None:
        return len(shape)
    try:  # lists and array-likes (whatever fails here, validate_data reports)
        return np.asarray(X).ndim
    except (TypeError, ValueError):
        return 0


def _channels_first(shape, channels_last):
    shape = tuple(int(s) for s in shape)
    if len(shape) == 2:
        return (1, *shape)
    return (shape[2], shape[0], shape[1]) if channels_last else shape


def _positive_ints(value):
    return isinstance(value, (tuple, list)) and all(is_int(v) and v > 0 for v in value)


class ImageLayout(InputLayout):
    """Images (or 1-D signals) for convolutional networks, channels first inside.

    Accepted: rows of flattened pixels with ``image_shape``, 3-D ``(n, H, W)`` and
    4-D ``(n, C, H, W)`` arrays (``(n, H, W, C)`` with ``channels_last``), and plain
    tables without ``image_shape``, read as one-channel 1-D signals. 3-D / 4-D
    arrays are flattened to rows before validation, so ``n_features_in_`` is the
    number of values per image in every layout, and a model fitted on
    ``(n, 8, 8)`` arrays predicts rows of 64 pixels and the other way round.

    Parameters
    ----------
    image_shape : tuple of int or None, default=None
        ``(H, W)`` or ``(C, H, W)`` (``(H, W, C)`` with ``channels_last``) of the
        flattened rows.
    channels_last : bool, default=False
        Channels are the last axis of 4-D input and of ``image_shape``.
    images_only : bool, default=False
        Refuse to read 2-D rows without ``image_shape`` as 1-D signals.

    Attributes
    ----------
    image_shape_ : tuple of int
        The channels-first shape the network sees: ``(C, H, W)``, or ``(1, L)``
        for 1-D signals.
    """

    accept_sparse = True
    allow_nd = True

    def __init__(self, image_shape=None, channels_last=False, images_only=False):
        self.image_shape = image_shape
        self.channels_last = channels_last
        self.images_only = images_only

    def _prepare(self, X, reset):
        """3-D / 4-D arrays -> 2-D rows; record (fit) or check (predict) the shape."""
        if reset:
            self.nd_shape_ = None
        if isinstance(X, pd.DataFrame) or sp.issparse(X) or _ndim(X) < 3:
            if not reset:
                self._check_columns(X)
            return X  # 2-D input goes to scikit-learn's validation untouched
        X = np.asarray(X)
        if X.ndim > 4:
            raise ValueError(
                f"X must be 2-D (rows of flattened pixels), 3-D (n, H, W) or 4-D "
                f"(n, C, H, W); got an array of shape {X.shape}."
            )
        shape = _channels_first(X.shape[1:], self.channels_last)
        if reset:
            self.nd_shape_ = shape
        elif shape != self.image_shape_:
            raise ValueError(
                f"X holds images of shape {X.shape[1:]}, i.e. {shape} channels first, but "
                f"the estimator was fitted on image_shape {self.image_shape_}."
            )
        # Not reshape(n, -1), which cannot infer the width of 0 images.
        return X.reshape(X.shape[0], math.prod(X.shape[1:]))

    def _check_columns(self, X):
        check_columns = getattr(X, "ndim", 0) == 2 and not isinstance(X, pd.DataFrame)
        if check_columns and X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {self.owner_name_} is expecting "
                f"{self.n_features_in_} features as input: the network was fitted on "
                f"image_shape {self.image_shape_} (channels first)."
            )

    def fit(self, X):
        n_features = X.shape[1]
        declared = self.image_shape
        if declared is not None:
            if len(declared) not in (2, 3) or not _positive_ints(declared):
                raise ValueError(
                    "image_shape must be (H, W) or (C, H, W) (with channels_last, "
                    f"(H, W, C)) of positive integers; got {declared!r}."
                )
            declared = _channels_first(declared, self.channels_last)
            if self.nd_shape_ is not None and declared != self.nd_shape_:
                raise ValueError(
                    f"image_shape={tuple(self.image_shape)} does not match the images in X, "
                    f"of shape {self.nd_shape_} channels first."
                )
            if math.prod(declared) != n_features:
                raise ValueError(
                    f"image_shape={tuple(self.image_shape)} holds {math.prod(declared)} "
                    f"values per image, but X has {n_features} columns."
                )
        if self.images_only and not (self.nd_shape_ or declared):
            raise ValueError(
                f"conv_dims=2 reads images, but X has shape {X.shape}: give image_shape for "
                "rows of flattened pixels, or 3-D / 4-D arrays (conv_dims='auto' reads 2-D "
                "rows as 1-D signals)."
            )
        self.image_shape_ = self.nd_shape_ or declared or (1, n_features)
        self.input_shape_ = self.image_shape_
        self.n_features_ = self.image_shape_[0]
        return self

    @property
    def is_signal(self):
        """True when the input is read as 1-D signals rather than images."""
        return len(self.image_shape_) == 2

    def network_input(self, X):
        if sp.issparse(X):
            X = X.toarray()  # images are dense; only the batch layout changes
        shape = self.image_shape_
        if len(shape) == 3 and self.channels_last:
            return X.reshape(X.shape[0], shape[1], shape[2], shape[0]).transpose(0, 3, 1, 2)
        return X.reshape(X.shape[0], *shape)


def check_padding(X):
    """Check that NaN in a 3-D array only pads the end of sequences.

    Raises a ``ValueError`` naming the first offending row and time step.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_timesteps, n_features)
    """
    missing = np.isnan(X)
    if not missing.any():
        return
    step_missing = missing.all(2)
    partial = np.argwhere(missing.any(2) & ~step_missing)
    if len(partial):
        i, t = partial[0]
        raise ValueError(
            f"X has NaN in some but not all features of sample {i} at time step {t}. NaN is "
            "read only as padding after the end of a shorter sequence (every feature of the "
            "trailing steps NaN); impute missing values first, for example with "
            "sklearn.impute.SimpleImputer or pandas' ffill()."
        )
    gaps = np.argwhere(step_missing[:, :-1] & ~step_missing[:, 1:])
    if len(gaps):
        i, t = gaps[0]
        raise ValueError(
            f"X has NaN at time step {t} of sample {i}, followed by observed values. NaN is "
            "read only as padding after the end of a shorter sequence; impute missing "
            "values inside a sequence first, for example with pandas' ffill()."
        )
    empty = np.flatnonzero(step_missing[:, 0])
    if len(empty):
        raise ValueError(f"sample {empty[0]} of X is all NaN; a sequence needs at least one "
                         "observed time step.")


class SequenceLayout(InputLayout):
    """Sequences (time series) for recurrent and 1-D convolutional networks.

    Accepted, in the layout ``channels_last`` names:

    - 3-D arrays: ``(n_samples, n_timesteps, n_features)`` with
      ``channels_last=True`` (PyTorch's ``batch_first`` LSTM, Keras, tslearn), or
      ``(n_samples, n_channels, n_timepoints)`` with ``channels_last=False`` (aeon,
      sktime, PyTorch's ``Conv1d``);
    - lists of 2-D arrays of different lengths, one per sample, in the same layout
      (aeon's unequal-length collections), or of 1-D arrays (univariate);
    - 2-D rows: univariate sequences (one column per time step) or, with
      ``sequence_shape``, flattened sequences (time-major with ``channels_last``,
      channel-major without).

    Shorter sequences are NaN after their end (lists are padded so); the network
    reads each only up to its true length. With ``variable_length``, predictions
    take sequences of any length, longer ones included; only the number of
    features (channels) must match the training data's.

    Parameters
    ----------
    sequence_shape : tuple of (int, int) or None, default=None
        Shape of one sequence in 2-D rows: ``(n_timesteps, n_features)`` with
        ``channels_last``, ``(n_channels, n_timepoints)`` without; for 3-D input, a
        check of ``X.shape[1:]``.
    channels_last : bool, default=True
        The last axis of a sequence is its features (channels).
    network_order : {"ntc", "nct"}, default="ntc"
        The axes the network reads: ``(n, steps, features)`` (recurrent networks)
        or ``(n, channels, steps)`` (1-D convolutions).
    variable_length : bool, default=True
        Accept NaN padding and sequences of other lengths than the training ones.
        False for networks that read a fixed length (a flattening head).
    normalize : {None, "univariate"}, default=None
        "univariate": z-normalise each series of univariate data (one feature) over
        its own observed steps, as the time-series classification literature does
        (the shape of a series, not its level and scale, tells the classes apart).

    Attributes
    ----------
    sequence_shape_ : tuple of (int, int)
        ``(n_timesteps, n_features)`` of the training sequences (padded length).
    input_ndim_ : int
        2 or 3: the dimensions of the training input.
    n_sequences_ : int
        Number of training sequences (the time-series networks size their training
        budget by it).
    """

    allow_nd = True

    def __init__(self, sequence_shape=None, channels_last=True, network_order="ntc",
                 variable_length=True, normalize=None):
        self.sequence_shape = sequence_shape
        self.channels_last = channels_last
        self.network_order = network_order
        self.variable_length = variable_length
        self.normalize = normalize

    @property
    def allow_nan(self):
        """NaN is accepted (as end-of-sequence padding) for variable lengths."""
        return self.variable_length

    def check_parameters(self):
        """Raise a ``ValueError`` for a malformed ``sequence_shape``."""
        shape = self.sequence_shape
        if shape is not None and not (len(shape) == 2 and all(is_int(v) and v > 0
                                                              for v in shape)):
            what = ("(n_timesteps, n_features)" if self.channels_last
                    else "(n_channels, n_timepoints)")
            raise ValueError(
                f"sequence_shape must be None or a pair of positive integers {what}; got "
                f"{shape!r}."
            )

    # -- before validation ----------------------------------------------------
    def _prepare(self, X, reset):
        X = self._as_sequences(X)
        if reset:
            return X
        shape = getattr(X, "shape", None)
        if shape is not None and len(shape) == 2 and self.input_ndim_ == 3:
            # Rows of flattened sequences for a model fitted on 3-D arrays: rows have a
            # fixed width, the fitted sequences' (other lengths come as 3-D or lists).
            T, F = self.sequence_shape_
            if shape[1] != T * F:
                raise ValueError(
                    f"X has {shape[1]} features, but {self.owner_name_} is expecting "
                    f"{T * F} features as input: 2-D rows of flattened sequences of {T} "
                    f"steps x {F} features (pass sequences of other lengths as a 3-D "
                    "array or a list)."
                )
            steps, features = self.steps_and_features(shape)
            self._check_features(features, shape)
            return np.reshape(X, self._user_shape(shape[0], steps, features))
        return X

    def _as_sequences(self, X):
        """A list or tuple of sequences becomes one NaN-padded 3-D array."""
        if not (isinstance(X, (list, tuple)) and len(X) and np.ndim(X[0]) >= 1):
            return X
        if np.ndim(X[0]) == 1:  # univariate sequences (a list of rows), in either layout
            padded = self._padded(X)  # (n, steps, 1)
            return padded if self.channels_last else padded.transpose(0, 2, 1)
        if self.channels_last:
            return self._padded(X)
        padded = self._padded([np.asarray(seq, dtype=np.float64).T for seq in X])
        return padded.transpose(0, 2, 1)

    @staticmethod
    def _padded(sequences):
        try:
            return pad_sequences(sequences)
        except ValueError as exc:
            raise ValueError(f"X is a list of sequences that cannot be stacked: {exc}") from exc

    def _validation_options(self, X, reset):
        if not reset and _ndim(X) == 3:
            # 3-D input after fit: the time steps may differ from the training ones,
            # so scikit-learn's column count (X.shape[1]) does not apply; the number
            # of features is checked by network_input.
            return {"ensure_2d": False}
        return {}

    # -- shapes ----------------------------------------------------------------
    def _user_shape(self, n, steps, features):
        return (n, steps, features) if self.channels_last else (n, features, steps)

    def steps_and_features(self, shape):
        """``(n_timesteps, n_features)`` of input of this shape, under the parameters."""
        if len(shape) == 3:
            if self.sequence_shape is not None and tuple(self.sequence_shape) != shape[1:]:
                raise ValueError(
                    f"sequence_shape={tuple(self.sequence_shape)} but X has shape {shape}."
                )
            steps, features = shape[1:] if self.channels_last else (shape[2], shape[1])
            if 0 in (steps, features):
                raise ValueError(
                    f"X has shape {tuple(shape)}: sequences of {steps} time steps x "
                    f"{features} features. A sequence needs at least one time step and one "
                    "feature."
                )
            return tuple(int(v) for v in (steps, features))
        if len(shape) != 2:
            order = ("(n_samples, n_timesteps, n_features)" if self.channels_last
                     else "(n_samples, n_channels, n_timepoints)")
            raise ValueError(f"X must be 2-D rows or 3-D {order}; got shape {shape}.")
        if self.sequence_shape is None:
            return shape[1], 1
        a, b = self.sequence_shape
        if a * b != shape[1]:
            raise ValueError(
                f"sequence_shape=({a}, {b}) needs rows of {a} x {b} = {a * b} columns, but X "
                f"has shape {shape}."
            )
        return (a, b) if self.channels_last else (b, a)

    def _check_features(self, features, shape):
        T, F = self.sequence_shape_
        if features != F:
            what = "features" if self.channels_last else "channels"
            raise ValueError(
                f"X of shape {tuple(shape)} holds sequences of {features} {what}, but the "
                f"estimator was fitted on {F} {what} (channels_last={self.channels_last})."
            )

    def fit(self, X):
        T, F = self.steps_and_features(X.shape)
        if X.ndim == 3 and T > 0:
            self._warn_if_transposed(T, F)
        if self.normalize == "univariate" and (T, F) == (1, 1):
            raise ValueError(
                "X holds univariate series of 1 time step (X has 1 feature(s)): each "
                "series is z-normalised over its steps, which leaves 0. Pass longer "
                "series, or use MLPClassifier / MLPRegressor for rows of features."
            )
        self.sequence_shape_ = (T, F)
        self.n_sequences_ = X.shape[0]
        self.input_ndim_ = X.ndim
        self.input_shape_ = (T, F) if self.network_order == "ntc" else (F, T)
        self.n_features_ = F
        return self

    def _warn_if_transposed(self, steps, features):
        if self.channels_last and steps == 1 and features > 1:
            warnings.warn(
                f"X holds sequences of 1 time step of {features} features "
                "(channels_last=True reads X as (n_samples, n_timesteps, n_features)). If "
                "X is (n_samples, n_channels, n_timepoints), as aeon and sktime lay it out, "
                "set channels_last=False.",
                UserWarning, stacklevel=user_stacklevel(),
            )
        elif not self.channels_last and features > steps:
            warnings.warn(
                f"X holds sequences of {features} channels but only {steps} time points "
                "(channels_last=False reads X as (n_samples, n_channels, n_timepoints)). If "
                "X is (n_samples, n_timesteps, n_features), set channels_last=True.",
                UserWarning, stacklevel=user_stacklevel(),
            )

    def network_input(self, X):
        steps, features = self.steps_and_features(X.shape)
        self._check_features(features, X.shape)
        if not self.variable_length and steps != self.sequence_shape_[0]:
            raise ValueError(
                f"X holds sequences of {steps} time steps, but the estimator was fitted on "
                f"{self.sequence_shape_[0]} and its network reads a fixed length."
            )
        if steps == 0:
            raise ValueError("X holds sequences of 0 time steps; a sequence needs at least "
                             "one.")
        X = np.reshape(X, self._user_shape(X.shape[0], steps, features))
        if not self.channels_last:
            X = X.transpose(0, 2, 1)  # (n, steps, features)
        check_padding(X)
        if self.normalize == "univariate" and features == 1:
            X = _z_normalized(X)
        return X if self.network_order == "ntc" else X.transpose(0, 2, 1)


def _z_normalized(X):
    """Each series (n, steps, 1) to mean 0 and standard deviation 1 over its observed
    steps; NaN padding stays NaN, a constant series becomes 0."""
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(X, axis=1, keepdims=True)
        std = np.nanstd(X, axis=1, keepdims=True)
    return (X - mean) / np.where(std > 1e-8, std, 1.0)
