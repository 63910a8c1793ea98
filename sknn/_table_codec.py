"""The table codec of :class:`~sknn.GANSampler`: a table (DataFrame or numeric array)
as float rows a network can learn, and generated rows back as the user's table.

Numbers go through a quantile transform to a normal distribution (which keeps
skewed and multi-modal columns), then the complete numeric columns are whitened
together; categories (booleans, strings, pandas categories, and numeric columns
with few distinct values) are one-hot, with missing values as one more state.
Decoding maps generated scores back through an optional calibration, the observed
quantiles and the data's resolution, and restores every column's dtype.
"""

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.preprocessing import QuantileTransformer
from sklearn.utils.validation import validate_data

from ._validation import validate_features
from .layouts import InputLayout
from .metrics import is_numeric_column
from .modules.gan import CATEGORICAL, NUMERIC, NUMERIC_MISSING, block_width

__all__ = ["Column", "TableCodec", "validate_table", "validate_labels"]



def _dtype_family(dtype):
    """Coarse dtype kind used to notice a column whose dtype changed since fit."""
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        return "string"
    return str(dtype)


_EPOCH_UNIT = np.timedelta64(1, "s")


def _as_numbers(series):
    """A datetime column as float seconds since 1970 (UTC for time zones), NaT as
    NaN: what the generator learns; other columns unchanged."""
    if _dtype_family(series.dtype) != "datetime":
        return series
    if getattr(series.dtype, "tz", None) is not None:
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    values = series.to_numpy(dtype="datetime64[ns]")
    seconds = (values - np.datetime64(0, "ns")) / _EPOCH_UNIT
    return pd.Series(np.where(np.isnat(values), np.nan, seconds), index=series.index)


def _from_numbers(values, dtype):
    """Float seconds back to a datetime column of ``dtype`` (time zone included)."""
    stamps = pd.to_datetime(pd.Series(values, dtype="float64"), unit="s")
    tz = getattr(dtype, "tz", None)
    if tz is not None:
        stamps = stamps.dt.tz_localize("UTC").dt.tz_convert(tz)
    return stamps.astype(dtype)


def _sorted_values(values):
    try:
        return sorted(values)
    except TypeError:  # mixed types: keep the order of first appearance
        return list(values)


def _value_grid(values, dtype):
    """The regular grid ``(origin, step, decimals)`` the values lie on, or None.

    Recorded values usually have a resolution: whole numbers, 0.1 mm, multiples of
    25 g. Generated values are rounded onto it, so that they look like the data
    (off-grid values are easy to spot) and integers stay integers.
    """
    values = np.unique(values)
    if len(values) < 2 or np.abs(values).max() >= 1e12:
        return None
    eps = 100 * np.finfo(dtype if np.dtype(dtype).kind == "f" else np.float64).eps
    for decimals in range(7):
        scaled = values * 10.0 ** decimals
        ints = np.rint(scaled)
        if np.all(np.abs(scaled - ints) <= eps * np.maximum(1.0, np.abs(scaled))):
            ints = ints.astype(np.int64)
            # a coarser step (multiples of 25) only when enough values show it
            step = int(np.gcd.reduce(ints[1:] - ints[0])) if len(values) >= 10 else 1
            return float(ints[0]) / 10**decimals, step / 10**decimals, decimals
    return None


def _snap(values, grid, low, high):
    origin, step, decimals = grid
    values = origin + step * np.rint((values - origin) / step)
    return np.clip(np.round(values, decimals), low, high)


# Numeric columns with at most this many distinct values are learned as categories.
_MAX_DISCRETE_VALUES = 10


@dataclass
class Column:
    """How one column is encoded and decoded.

    Parameters
    ----------
    name : object
        The column's name (a DataFrame label, or the index in an array).
    numeric : bool
        Encoded as one normal score (True) or one-hot (False).
    dtype : dtype
        The column's dtype at fit, restored by :meth:`TableCodec.decode`.
    has_missing : bool
        Whether the column had missing values at fit (they get a state of their own).
    categories : list, default=None
        Categorical columns: the observed values, in one-hot order.
    integer : bool, default=False
        Numeric columns: whether the values are integers.
    low, high : float, default=None
        Numeric columns: the observed range, which decoded values stay within.
    grid : tuple, default=None
        Numeric columns: ``(origin, step, decimals)`` of the values' resolution.
    discrete : bool, default=False
        A numeric column with few distinct values, learned as categories.
    """

    name: object
    numeric: bool
    dtype: object
    has_missing: bool
    categories: list = None  # categorical: observed values, one-hot order
    integer: bool = False
    low: float = None
    high: float = None
    grid: tuple = None  # numeric: (origin, step, decimals) of the values' resolution
    discrete: bool = False  # numbers learned as categories

    @property
    def block(self):
        """``(kind, size)``: the column's block of the generator's output (see
        :func:`sknn.modules.gan.block_width`)."""
        if not self.numeric:
            return (CATEGORICAL, len(self.categories) + self.has_missing)
        return (NUMERIC_MISSING if self.has_missing else NUMERIC, 1)


class TableCodec:
    """Encodes a table (DataFrame or numeric array) as float rows, and back.

    Numbers: quantile transform to a standard normal (missing values become 0
    plus a "missing" state); categories (booleans, strings, pandas categories):
    one-hot, with missing values as one more state. Build it with :meth:`fit`.

    Parameters
    ----------
    columns : list of Column
        Each column's encoding, in the table's order.
    frame : bool
        Whether the table is a DataFrame (else a numeric array).
    array_dtype : dtype or None
        For an array, the dtype :meth:`decode` returns.
    """

    def __init__(self, columns, frame, array_dtype):
        self.columns = columns
        self.frame = frame
        self.array_dtype = array_dtype
        self.numeric_index = [i for i, c in enumerate(columns) if c.numeric]
        self.quantiles = None
        self.calibration = None

    @property
    def blocks(self):
        """Every column's ``(kind, size)`` block, in order (what
        :class:`~sknn.modules.TabularGAN` generates)."""
        return [c.block for c in self.columns]

    # -- fitting ---------------------------------------------------------------
    @classmethod
    def fit(cls, frame=None, X=None, array_dtype=None):
        """Learn the encoding of a DataFrame, or of a validated float array ``X``
        whose original dtype (what :meth:`decode` returns) is ``array_dtype``.

        Parameters
        ----------
        frame : DataFrame or None, default=None
            The table, when it is a DataFrame.
        X : ndarray of shape (n_samples, n_features) or None, default=None
            The table, when it is an array (validated, float).
        array_dtype : dtype or None, default=None
            The array's original dtype.

        Returns
        -------
        codec : TableCodec

        Raises
        ------
        ValueError
            For a column of another dtype, with only missing values, constant, or
            with infinite values.
        """
        if frame is not None:
            columns = [cls._describe(name, frame[name]) for name in frame.columns]
            codec = cls(columns, True, None)
            numbers = codec._numeric_matrix(frame)
        else:
            integer = array_dtype.kind in "biu"
            columns = [cls._describe(i, pd.Series(X[:, i]), integer=integer)
                       for i in range(X.shape[1])]
            codec = cls(columns, False, array_dtype)
            numbers = X[:, codec.numeric_index].astype(np.float64, copy=False)
        if codec.numeric_index:
            codec.quantiles = QuantileTransformer(
                n_quantiles=max(2, min(1000, len(numbers))), output_distribution="normal",
                subsample=None,
            ).fit(numbers)
            scores = codec.quantiles.transform(numbers)
            # the real scores' quantiles: what the calibration maps generated scores to
            codec.score_knots = np.nanquantile(scores, codec._calibration_levels(), axis=0).T
            codec._fit_whitening(scores)
        return codec

    @classmethod
    def _calibration_levels(cls):
        return np.linspace(0.0, 1.0, cls._CALIBRATION_QUANTILES)

    # Eigenvalues below this share of the largest are raised to it: a direction in
    # which the data hardly vary (two nearly equal columns) stays invertible.
    _EIGEN_FLOOR = 1e-6

    def _fit_whitening(self, scores):
        """ZCA-whiten the normal scores of the numeric columns without missing values.

        Tight linear relations between columns (one measurement nearly another one
        times a constant) become directions of unit variance: the critic sees their
        errors at full scale, and the generator's errors along them shrink back by
        their small standard deviation when decoded.
        """
        self.whitening = None
        complete = [k for k, i in enumerate(self.numeric_index)
                    if not self.columns[i].has_missing]
        if len(complete) < 2:
            return
        Z = scores[:, complete]
        mean = Z.mean(0)
        eigval, eigvec = np.linalg.eigh(np.cov(Z, rowvar=False))
        eigval = np.maximum(eigval, self._EIGEN_FLOOR * eigval.max())
        whiten = (eigvec / np.sqrt(eigval)) @ eigvec.T
        color = (eigvec * np.sqrt(eigval)) @ eigvec.T
        self.whitening = (np.asarray(complete), mean, whiten, color)

    def _whiten(self, scores, inverse=False):
        if getattr(self, "whitening", None) is None:
            return scores
        complete, mean, whiten, color = self.whitening
        scores = scores.copy()
        if inverse:
            scores[:, complete] = scores[:, complete] @ color + mean
        else:
            scores[:, complete] = (scores[:, complete] - mean) @ whiten
        return scores

    @staticmethod
    def _describe(name, series, integer=None):
        kind = _dtype_family(series.dtype)
        if kind not in ("category", "bool", "integer", "float", "string", "datetime"):
            raise ValueError(
                f"Column {name!r} has dtype {series.dtype}, which GANSampler cannot learn; "
                "convert it to numbers or categories first."
            )
        if kind == "datetime":  # learned as seconds, returned as datetimes (see decode)
            column = TableCodec._describe(name, _as_numbers(series), integer=False)
            return dataclasses.replace(column, dtype=series.dtype)
        missing = series.isna()
        if missing.all():
            raise ValueError(
                f"Column {name!r} has only missing values; there is nothing to learn from "
                "it. Drop it."
            )
        if is_numeric_column(series):
            values = series[~missing].to_numpy(dtype=np.float64)
            if not np.all(np.isfinite(values)):
                raise ValueError(f"Column {name!r} contains infinity.")
            low, high = float(values.min()), float(values.max())
            distinct = np.unique(values)
            if 2 <= len(distinct) <= _MAX_DISCRETE_VALUES:
                # a few distinct numbers (flags, counts, ratings) are learned as
                # categories: exact frequencies, no spikes for the generator to chase
                return Column(name, False, series.dtype, bool(missing.any()),
                               categories=distinct.tolist(), discrete=True)
            if low == high:
                raise ValueError(
                    f"Column {name!r} is constant ({low:g}"
                    f"{', or missing' if missing.any() else ''}); a generator has nothing "
                    "to learn from it. Drop it and add it back to the samples."
                )
            integer = (pd.api.types.is_integer_dtype(series.dtype) if integer is None
                       else integer)
            dtype = series.dtype.numpy_dtype if hasattr(series.dtype, "numpy_dtype") \
                else series.dtype
            grid = _value_grid(values, np.int64 if integer else dtype)
            if integer and grid is None:  # integers beyond 1e12
                grid = (0.0, 1.0, 0)
            return Column(name, True, series.dtype, bool(missing.any()), integer=integer,
                           low=low, high=high, grid=grid)
        present = series[~missing]
        if isinstance(series.dtype, pd.CategoricalDtype):
            seen = set(present.unique())
            categories = [c for c in series.dtype.categories if c in seen]
        else:
            categories = _sorted_values(pd.unique(present.astype(object)))
        if len(categories) + bool(missing.any()) < 2:
            raise ValueError(
                f"Column {name!r} is constant ({categories[0]!r}); a generator has nothing "
                "to learn from it. Drop it and add it back to the samples."
            )
        return Column(name, False, series.dtype, bool(missing.any()), categories=categories)

    # -- encoding --------------------------------------------------------------
    def _numeric_matrix(self, frame):
        cols = [self.columns[i].name for i in self.numeric_index]
        if not cols:
            return np.empty((len(frame), 0))
        return np.column_stack(
            [_as_numbers(frame[c]).astype("float64").to_numpy(dtype=np.float64,
                                                              na_value=np.nan)
             for c in cols])

    def check_frame(self, frame):
        """Raise a ValueError if a column's dtype changed (in kind) since fit.

        Parameters
        ----------
        frame : DataFrame
            A table with the fitted columns.
        """
        for column in self.columns:
            dtype = frame[column.name].dtype
            if _dtype_family(dtype) != _dtype_family(column.dtype):
                raise ValueError(
                    f"Column {column.name!r} has dtype {dtype} but was {column.dtype} when "
                    "GANSampler was fitted; convert it back first."
                )

    def encode(self, frame=None, X=None):
        """Encoded rows of a DataFrame (``frame``) or a validated array (``X``).

        Parameters
        ----------
        frame : DataFrame or None, default=None
            A table with the fitted columns and dtypes.
        X : ndarray of shape (n_samples, n_features) or None, default=None
            A validated float array, for a codec fitted on an array.

        Returns
        -------
        rows : ndarray of shape (n_samples, sum of the blocks' widths), float32
            Numeric columns as (whitened) normal scores, followed by their
            present / missing flags when they had missing values; categories
            one-hot (all zeros for a category not seen in fit).
        """
        if frame is not None:
            self.check_frame(frame)
            numbers = self._numeric_matrix(frame)
            n = len(frame)
        else:
            numbers = X[:, self.numeric_index].astype(np.float64, copy=False)
            n = len(X)
        for k, i in enumerate(self.numeric_index):
            if not self.columns[i].has_missing and np.isnan(numbers[:, k]).any():
                raise ValueError(
                    f"Column {self.columns[i].name!r} has missing values, but had none "
                    "when GANSampler was fitted."
                )
        scores = (self._whiten(self.quantiles.transform(numbers)) if self.numeric_index
                  else numbers)
        parts, k = [], 0
        for column in self.columns:
            if column.numeric:
                value = scores[:, k]
                k += 1
                missing = np.isnan(value)
                if column.has_missing:
                    parts.append(np.c_[np.where(missing, 0.0, value), ~missing, missing])
                else:
                    parts.append(value[:, None])
                continue
            series = (frame[column.name] if frame is not None
                      else pd.Series(X[:, column.name]))
            if column.discrete:
                series = series.astype("float64")
            series = series.astype(object)
            missing = series.isna().to_numpy()
            # unseen categories encode as all zeros: maximally unlike the training rows
            # (set to None first: pandas deprecates values outside the categories)
            known = ~missing & series.isin(column.categories).to_numpy()
            codes = pd.Categorical(series.where(known, None),
                                   categories=column.categories).codes
            width = len(column.categories) + column.has_missing
            onehot = np.zeros((n, width))
            rows = np.flatnonzero(codes >= 0)
            onehot[rows, codes[rows]] = 1.0
            if column.has_missing:
                onehot[missing, -1] = 1.0
            parts.append(onehot)
        return np.hstack(parts).astype(np.float32)

    # -- decoding --------------------------------------------------------------
    def _split(self, rows):
        """Generated encoded rows -> (per-column normal scores of the numeric columns
        or None, each column's state: missing flags or None for a number, the
        category code for a category)."""
        rows = np.asarray(rows, dtype=np.float64)
        start, scores, states = 0, [], []
        for column in self.columns:
            width = block_width(*column.block)
            chunk = rows[:, start:start + width]
            start += width
            if column.numeric:
                scores.append(chunk[:, 0])
                states.append(chunk[:, 2] > 0.5 if column.has_missing else None)
            else:
                states.append(chunk.argmax(1))
        scores = self._whiten(np.column_stack(scores), inverse=True) if scores else None
        return scores, states

    # Quantiles per column of the marginal calibration (see fit_calibration).
    _CALIBRATION_QUANTILES = 512

    def fit_calibration(self, rows):
        """Learn, per numeric column, the increasing map that gives the generator's
        normal scores the distribution of the real column's scores.

        The map is ``z -> Q(F(z))``, with ``F`` the empirical distribution of the
        generated scores and ``Q`` the quantile function of the real ones (both
        at 512 levels, linearly interpolated). Applied to every generated row, it
        corrects each column's marginal (the generator's small biases in the
        tails and near spikes) and, being increasing, keeps the rank dependence
        between columns that the generator learned: rows stay independent draws.
        A column with fewer present values than levels is left uncalibrated.

        Parameters
        ----------
        rows : ndarray of shape (n_rows, n_encoded)
            Many generated encoded rows.
        """
        self.calibration = None
        scores, states = self._split(rows)
        if scores is None:
            return
        levels = self._calibration_levels()
        knots = np.empty((scores.shape[1], len(levels)))
        for j, i in enumerate(self.numeric_index):
            missing = states[i]
            values = scores[:, j] if missing is None else scores[~missing, j]
            if len(values) < len(levels):  # too few present values: no calibration
                knots[j] = np.nan
                continue
            knots[j] = np.maximum.accumulate(np.quantile(values, levels))
        self.calibration = (knots, self.score_knots)

    def _calibrate(self, scores):
        if getattr(self, "calibration", None) is None:
            return scores
        knots, targets = self.calibration
        scores = scores.copy()
        for j in range(scores.shape[1]):
            if not np.isnan(knots[j, 0]):
                scores[:, j] = np.interp(scores[:, j], knots[j], targets[j])
        return scores

    def decode(self, rows):
        """Generated encoded rows -> the user's table.

        Parameters
        ----------
        rows : ndarray of shape (n_rows, n_encoded)
            Encoded rows (categories one-hot, or any scores: the largest wins).

        Returns
        -------
        table : DataFrame or ndarray of shape (n_rows, n_features)
            A DataFrame with the fitted columns and dtypes, or an array of
            ``array_dtype``.
        """
        scores, states = self._split(rows)
        numbers = (self.quantiles.inverse_transform(self._calibrate(scores))
                   if scores is not None else None)
        out, k = {}, 0
        for column, state in zip(self.columns, states):
            if column.numeric:
                values = numbers[:, k]
                k += 1
                if column.grid is not None:
                    values = _snap(values, column.grid, column.low, column.high)
                if state is not None:
                    values = np.where(state, np.nan, values)
                out[column.name] = values
            else:
                known = state < len(column.categories)  # else the missing state
                values = np.asarray(column.categories,
                                    dtype=np.float64 if column.discrete else object)
                labels = np.where(known, values[np.where(known, state, 0)], np.nan)
                out[column.name] = labels
        if not self.frame:
            X = np.column_stack([out[c.name] for c in self.columns])
            return X.astype(self.array_dtype)
        return pd.DataFrame({
            c.name: (_from_numbers(out[c.name], c.dtype)
                     if _dtype_family(c.dtype) == "datetime"
                     else pd.Series(out[c.name]).astype(c.dtype))
            for c in self.columns})


# --------------------------------------------------------------------------- validation


def validate_table(estimator, X, *, reset, fitted_on_frame=False):
    """Validate a table for :class:`~sknn.GANSampler` (recording, with ``reset``, its
    ``n_features_in_`` and ``feature_names_in_``).

    Parameters
    ----------
    estimator : GANSampler
    X : {array-like, DataFrame} of shape (n_samples, n_features)
    reset : bool
        True when fitting from scratch (at least 2 rows are needed).
    fitted_on_frame : bool, default=False
        Without ``reset``: whether the estimator was fitted on a DataFrame (then X
        must be one).

    Returns
    -------
    frame : DataFrame or None
        X, when it is a DataFrame.
    array : ndarray of shape (n_samples, n_features) or None
        Else X validated as a float array (missing values allowed)...
    dtype : dtype or None
        ...and X's original dtype (float64 for a non-numeric one).
    """
    is_frame = isinstance(X, pd.DataFrame)
    if is_frame if reset else fitted_on_frame:
        if not is_frame:
            raise ValueError("This GANSampler was fitted on a DataFrame; pass a DataFrame "
                             "with the same columns.")
        validate_data(estimator, X, reset=reset, skip_check_array=True)
        if X.shape[1] == 0 or len(X) == 0:
            raise ValueError(f"Found array with shape {X.shape}; GANSampler needs at "
                             "least one column and one row.")
        if not X.columns.is_unique:
            raise ValueError("X has duplicated column names.")
        if reset and len(X) < 2:
            raise ValueError("GANSampler needs at least 2 rows; got 1 sample.")
        return X, None, None
    dtype = getattr(X, "dtype", None)
    if not isinstance(dtype, np.dtype):
        dtype = np.float64 if hasattr(X, "toarray") else np.asarray(X).dtype
    # Columns are encoded in float64 (quantiles, ranges): any finite value is fine.
    array = validate_features(estimator, X, reset=reset, accept_sparse=False, allow_nan=True,
                              check_range=False)
    if reset and len(array) < 2:
        raise ValueError("GANSampler needs at least 2 rows; got 1 sample.")
    dtype = np.dtype(dtype)
    return None, array, dtype if dtype.kind in "biuf" else np.dtype(np.float64)


def validate_labels(y, n_samples):
    """Class labels as a 1-D array of ``n_samples`` labels, none missing.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, 1)
    n_samples : int
        The table's rows.

    Returns
    -------
    y : ndarray of shape (n_samples,)
    """
    y = np.asarray(y.astype(object) if isinstance(y, pd.Series)
                   and isinstance(y.dtype, pd.CategoricalDtype) else y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D class labels; got shape {y.shape}.")
    if len(y) != n_samples:
        raise ValueError(f"X has {n_samples} rows but y has {len(y)}.")
    if pd.isna(y).any():
        raise ValueError("y contains missing values; every row needs a label.")
    return y


class CodecLayout(InputLayout):
    """The GAN's input layout: a table (DataFrame of mixed columns, or numeric array)
    encoded as float rows by a :class:`TableCodec`, and decoded back by it.

    Attributes
    ----------
    codec_ : TableCodec
        The fitted codec: columns, dtypes, categories, scales and calibration.
    """

    accept_sparse = False
    allow_nan = True

    def check_input(self, estimator, X, y="no_validation", *, reset, **validate_kw):
        """Validate a table (and optional labels) for ``estimator``.

        Returns the table as ``(frame, array, dtype)`` (see :func:`validate_table`),
        with the labels when y was given.
        """
        fitted_on_frame = not reset and self.codec_.frame
        table = validate_table(estimator, X, reset=reset, fitted_on_frame=fitted_on_frame)
        if reset:
            self.n_features_in_ = estimator.n_features_in_
        if isinstance(y, str) and y == "no_validation":
            return table
        n_rows = len(table[0]) if table[0] is not None else len(table[1])
        return table, None if y is None else validate_labels(y, n_rows)

    def fit(self, X):
        self.codec_ = TableCodec.fit(*X)
        self.n_features_ = sum(block_width(*block) for block in self.codec_.blocks)
        self.input_shape_ = (self.n_features_,)
        return self

    def network_input(self, X):
        frame, array, _ = X
        return self.codec_.encode(frame, array)
