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

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from ._validation import is_int, validate_features
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
        out = validate_features(
            estimator, self._prepare(X, reset), y, reset=reset, allow_nd=self.allow_nd,
            accept_sparse=self.accept_sparse, allow_nan=self.allow_nan, **validate_kw,
        )
        if reset:
            self.owner_name_ = type(estimator).__name__
            self.n_features_in_ = estimator.n_features_in_
            names = getattr(estimator, "feature_names_in_", None)
            if names is not None:
                self.feature_names_in_ = names
            else:
                self.__dict__.pop("feature_names_in_", None)
        return out

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
    """Rows of numbers: the network reads each row as it is.

    Parameters
    ----------
    accept_sparse : bool, default=True
        Accept scipy sparse matrices (densified one mini-batch at a time).
    """

    allow_nd = False
    allow_nan = False

    def __init__(self, accept_sparse=True):
        self.accept_sparse = accept_sparse

    def fit(self, X):
        self.n_features_ = X.shape[1]
        self.input_shape_ = (X.shape[1],)
        return self

    def network_input(self, X):
        return X


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

    Attributes
    ----------
    image_shape_ : tuple of int
        The channels-first shape the network sees: ``(C, H, W)``, or ``(1, L)``
        for 1-D signals.
    """

    accept_sparse = True
    allow_nd = True

    def __init__(self, image_shape=None, channels_last=False):
        self.image_shape = image_shape
        self.channels_last = channels_last

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
        return X.reshape(X.shape[0], -1)

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
    """Sequences for recurrent networks: ``(n, n_timesteps, n_features)`` inside.

    Accepted: 3-D arrays ``(n_samples, n_timesteps, n_features)``; 2-D rows
    reshaped time-major with ``sequence_shape`` or, without it, read as univariate
    sequences (one column per time step); lists of sequences of different lengths,
    NaN-padded at the end (:func:`sknn.preprocessing.pad_sequences`). A model
    fitted on one of these layouts predicts the other when the shapes agree.

    Parameters
    ----------
    sequence_shape : tuple of (int, int) or None, default=None
        ``(n_timesteps, n_features)`` of the sequences in 2-D rows; for 3-D input,
        a check of ``X.shape[1:]``.

    Attributes
    ----------
    sequence_shape_ : tuple of (int, int)
        ``(n_timesteps, n_features)`` of the training sequences.
    input_ndim_ : int
        2 or 3: the dimensions of the training input.
    """

    allow_nd = True
    allow_nan = True  # NaN padding at the end = a shorter sequence

    def __init__(self, sequence_shape=None):
        self.sequence_shape = sequence_shape

    def check_parameters(self):
        """Raise a ``ValueError`` for a malformed ``sequence_shape``."""
        shape = self.sequence_shape
        if shape is not None and not (len(shape) == 2 and all(is_int(v) and v > 0
                                                              for v in shape)):
            raise ValueError(
                "sequence_shape must be None or a pair of positive integers "
                f"(n_timesteps, n_features); got {shape!r}."
            )

    def _prepare(self, X, reset):
        length = None if reset else self.sequence_shape_[0]
        X = self._as_sequences(X, length)
        if reset:
            return X
        shape = getattr(X, "shape", None)
        if shape is not None and len(shape) in (2, 3):
            # Check the layout before scikit-learn's column count, whose message
            # ("X has 30 features") would not say what is wrong with a sequence.
            self._check_layout(self.shape_of(shape), shape)
            if len(shape) != self.input_ndim_:  # same sequences, other layout: accepted
                T, F = self.sequence_shape_
                X = np.reshape(X, (shape[0], T * F) if self.input_ndim_ == 2 else (-1, T, F))
        return X

    def pad_to_fitted(self, X):
        """Pad a list of sequences to the fitted length (continued fits)."""
        return self._as_sequences(X, self.sequence_shape_[0])

    @staticmethod
    def _as_sequences(X, length):
        """A list or tuple of sequences becomes one NaN-padded 3-D array."""
        if isinstance(X, (list, tuple)) and len(X) and np.ndim(X[0]) >= 1:
            if length is not None:
                longest = max(len(seq) for seq in X)
                if longest > length:
                    raise ValueError(
                        f"X has a sequence of {longest} time steps, but the estimator was "
                        f"fitted on sequences of at most {length}."
                    )
            return pad_sequences(X, length)
        return X

    def shape_of(self, shape):
        """``(n_timesteps, n_features)`` of input of this shape, under ``sequence_shape``."""
        if len(shape) == 3:
            if self.sequence_shape is not None and tuple(self.sequence_shape) != shape[1:]:
                raise ValueError(
                    f"sequence_shape={tuple(self.sequence_shape)} but X has shape {shape}, "
                    f"that is sequences of {shape[1]} steps x {shape[2]} features."
                )
            return tuple(shape[1:])
        if len(shape) != 2:
            raise ValueError(
                "X must be 2-D rows or 3-D (n_samples, n_timesteps, n_features); got shape "
                f"{shape}."
            )
        if self.sequence_shape is None:
            return shape[1], 1
        T, F = self.sequence_shape
        if T * F != shape[1]:
            raise ValueError(
                f"sequence_shape=({T}, {F}) needs rows of {T} x {F} = {T * F} columns, but X "
                f"has shape {shape}."
            )
        return T, F

    def _check_layout(self, seq_shape, shape):
        if tuple(seq_shape) != tuple(self.sequence_shape_):
            T, F = self.sequence_shape_
            prefix = ""
            if len(shape) == self.input_ndim_ and shape[1] != self.n_features_in_:
                # scikit-learn's wording first, for tools that look for it.
                prefix = (f"X has {shape[1]} features, but {self.owner_name_} is "
                          f"expecting {self.n_features_in_} features as input: ")
            raise ValueError(
                f"{prefix}X of shape {tuple(shape)} holds sequences of {seq_shape[0]} steps x "
                f"{seq_shape[1]} features, but the estimator was fitted on {T} steps x "
                f"{F} features."
            )

    def fit(self, X):
        self.sequence_shape_ = self.shape_of(X.shape)
        self.input_ndim_ = X.ndim
        self.input_shape_ = self.sequence_shape_
        self.n_features_ = self.sequence_shape_[1]
        return self

    def network_input(self, X):
        T, F = self.shape_of(X.shape)
        self._check_layout((T, F), X.shape)
        X = X.reshape(X.shape[0], T, F)
        check_padding(X)
        return X
