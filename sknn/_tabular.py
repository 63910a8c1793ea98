"""How a mixed-type table becomes a network's input: a fitted column encoder.

``TableEncoder`` learns, from a pandas DataFrame (or an array), which columns are
categorical and what their categories are, and how to scale each numeric column.
``transform`` then returns two arrays that the torch front end
(:class:`sknn.modules.TabularInput`) takes as they are:

- ``numeric``: float32, one column per numeric input column, robustly scaled and
  softly clipped, followed by one 0 / 1 missing-indicator column for each numeric
  column that had missing values at fit (the missing values themselves become the
  column's median, 0 after scaling);
- ``codes``: int64, one column per categorical input column. Code 0 is "missing",
  code 1 is "unknown" (a category not seen at fit, or a missing value in a column
  that had none at fit), codes 2, 3, ... are the categories seen at fit, sorted as
  scikit-learn's encoders sort them. Column ``j`` therefore takes
  ``cardinalities_[j] = len(categories_[j]) + 2`` values.

Nothing here depends on torch; the encoder pickles and is deterministic (no
randomness at all). Plain numeric arrays need none of this: see
:func:`needs_encoding`, the test the estimators use to skip the encoder.
"""

import numbers

import numpy as np
import pandas as pd

MISSING = 0
UNKNOWN = 1
N_RESERVED = 2


def _is_categorical_dtype(dtype):
    """HistGradientBoosting's "from_dtype" rule, widened as issue 17 asks: pandas
    category, string / object and bool (numpy or nullable) columns."""
    return (isinstance(dtype, pd.CategoricalDtype)
            or pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_string_dtype(dtype)
            or pd.api.types.is_object_dtype(dtype))


def _is_datetime_dtype(dtype):
    return (pd.api.types.is_datetime64_any_dtype(dtype)
            or pd.api.types.is_timedelta64_dtype(dtype)
            or isinstance(dtype, pd.PeriodDtype))


def needs_encoding(X, categorical_features="from_dtype"):
    """Whether ``X`` needs a :class:`TableEncoder` (else it is a plain numeric table).

    True for a DataFrame with any non-numeric column (category, string, object,
    bool, datetime) or any nullable extension column, for an array of strings or
    objects, and whenever
    ``categorical_features`` names columns explicitly. Plain numpy arrays and
    DataFrames of numpy float / int columns with ``categorical_features`` left at
    "from_dtype" (or None) take today's numeric path, unchanged.

    Parameters
    ----------
    X : array-like or DataFrame
    categorical_features : "from_dtype", None, or a list / mask, default="from_dtype"

    Returns
    -------
    bool
    """
    if categorical_features is not None and not (
            isinstance(categorical_features, str) and categorical_features == "from_dtype"):
        mask = np.asarray(categorical_features)
        return bool(mask.size) and not (mask.dtype == bool and not mask.any())
    if not isinstance(X, pd.DataFrame):
        # Strings in an array: from_dtype takes them as categorical. Objects that are
        # all numbers stay numeric (scikit-learn's check_dtype_object), and objects
        # that are neither go to the numeric path, whose validation reports them.
        try:
            kind = getattr(X, "dtype", None) or np.asarray(X).dtype
        except (TypeError, ValueError):
            return False
        if kind.kind in "US":
            return True
        if kind.kind == "O":
            try:
                np.asarray(X, dtype=np.float64)
            except ValueError:
                return True
            except TypeError:
                return False
        return False
    for dtype in X.dtypes:
        if not isinstance(dtype, np.dtype) or dtype.kind not in "fiu":
            return True
    return False


def _sorted_categories(values):
    """Unique non-missing values sorted as scikit-learn's encoders sort them
    (``np.unique``); mixed types fall back to sorting by (type name, text)."""
    values = pd.unique(values)
    try:
        return np.array(sorted(values), dtype=object)
    except TypeError:
        return np.array(sorted(values, key=lambda v: (type(v).__name__, str(v))), dtype=object)


def smooth_clip(z, bound=3.0):
    """``z / sqrt(1 + (z / bound)^2)``: the identity near 0, tends to +-bound.

    Parameters
    ----------
    z : ndarray
    bound : float, default=3.0

    Returns
    -------
    ndarray
    """
    return z / np.sqrt(1.0 + (z / bound) ** 2)


class TableEncoder:
    """Fitted encoder of a mixed-type table into (numeric, codes) arrays.

    Parameters
    ----------
    categorical_features : "from_dtype", None, list of str or int, or bool mask, \
default="from_dtype"
        Which columns are categorical, with HistGradientBoosting's meaning:
        "from_dtype" takes pandas category, string / object and bool columns;
        a list names columns (by name, for a DataFrame) or indexes them; a boolean
        mask has one entry per column; None takes every column as numeric.
    scaling : {"robust", "standard", None}, default="robust"
        "robust": subtract the median and divide by the interquartile range
        / 1.349 (the standard deviation for a normal column; falls back to the
        standard deviation, then 1, when the quartiles coincide). "standard":
        mean and standard deviation. None: no centring or scaling.
    clip : float or None, default=3.0
        Smooth clip of the scaled values, ``z / sqrt(1 + (z / clip)^2)``, so that
        outliers and heavy tails stay within ``+-clip``. None leaves them as they are.

    Attributes
    ----------
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fitted on a DataFrame with string column names.
    categorical_mask_ : ndarray of bool
        Which input columns are categorical.
    categorical_columns_ : list
        The categorical columns (names for a DataFrame, else indices).
    numeric_columns_ : list
        The numeric columns (names for a DataFrame, else indices).
    categories_ : list of ndarray
        The categories of each categorical column, sorted; code ``2 + i`` is
        ``categories_[j][i]``.
    cardinalities_ : list of int
        ``len(categories_[j]) + 2`` (the missing and unknown slots).
    has_missing_ : ndarray of bool
        For each categorical column, whether it had missing values at fit (else a
        missing value at transform is coded "unknown").
    center_, scale_ : ndarray of float64
        Per numeric column.
    indicator_columns_ : list
        The numeric columns that had missing values at fit; each has a 0 / 1
        indicator column after the numeric ones.
    n_numeric_out_ : int
        Width of ``numeric``: ``len(numeric_columns_) + len(indicator_columns_)``.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"size": [1.0, 2.0, None, 4.0], "colour": ["b", "a", "b", None]})
    >>> enc = TableEncoder().fit(X)
    >>> enc.categories_, enc.cardinalities_, enc.n_numeric_out_
    ([array(['a', 'b'], dtype=object)], [4], 2)
    >>> numeric, codes = enc.transform(pd.DataFrame({"size": [2.0], "colour": ["z"]}))
    >>> numeric.shape, codes.tolist()
    ((1, 2), [[1]])
    """

    def __init__(self, categorical_features="from_dtype", scaling="robust", clip=3.0):
        self.categorical_features = categorical_features
        self.scaling = scaling
        self.clip = clip

    # -- columns -------------------------------------------------------------------
    def _as_frame(self, X):
        if isinstance(X, pd.DataFrame):
            return X
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(f"Expected a 2-dimensional table, got an array of shape {X.shape}.")
        return pd.DataFrame(X)

    def _categorical_mask(self, frame):
        spec = self.categorical_features
        columns = list(frame.columns)
        n = len(columns)
        if spec is None:
            return np.zeros(n, dtype=bool)
        if isinstance(spec, str):
            if spec != "from_dtype":
                raise ValueError(
                    "categorical_features must be 'from_dtype', None, a list of column "
                    f"names or indices, or a boolean mask; got {spec!r}.")
            return np.array([_is_categorical_dtype(d) for d in frame.dtypes], dtype=bool)
        spec = list(spec)
        if spec and all(isinstance(s, (bool, np.bool_)) for s in spec):
            if len(spec) != n:
                raise ValueError(
                    f"categorical_features as a boolean mask must have one entry per column "
                    f"({n}), got {len(spec)}.")
            return np.asarray(spec, dtype=bool)
        mask = np.zeros(n, dtype=bool)
        for s in spec:
            if isinstance(s, str):
                if s not in columns:
                    raise ValueError(
                        f"categorical_features names column {s!r}, which is not in X.")
                mask[columns.index(s)] = True
            elif isinstance(s, numbers.Integral):
                if not -n <= s < n:
                    raise ValueError(
                        f"categorical_features index {s} is out of range for {n} columns.")
                mask[s] = True
            else:
                raise ValueError(
                    f"categorical_features entries must be column names or indices, got {s!r}.")
        return mask

    # -- fit -------------------------------------------------------------------------
    def fit(self, X):
        """Learn the column kinds, categories and scaling from ``X``.

        Parameters
        ----------
        X : DataFrame or 2-d array-like

        Returns
        -------
        self
        """
        if self.scaling not in ("robust", "standard", None):
            raise ValueError(
                f"scaling must be 'robust', 'standard' or None, got {self.scaling!r}.")
        if self.clip is not None and not (isinstance(self.clip, numbers.Real) and self.clip > 0):
            raise ValueError(f"clip must be a positive number or None, got {self.clip!r}.")
        frame = self._as_frame(X)
        for name, dtype in frame.dtypes.items():
            if _is_datetime_dtype(dtype):
                raise ValueError(
                    f"Column {name!r} has dtype {dtype}: datetime and time-delta columns are "
                    "not supported by the supervised estimators; convert it to numbers "
                    "(for example days since a date) or drop it.")
        mask = self._categorical_mask(frame)
        names = list(frame.columns)
        is_named = isinstance(X, pd.DataFrame)
        label = names if is_named else list(range(len(names)))

        categories, has_missing = [], []
        for j in np.flatnonzero(mask):
            col = frame.iloc[:, j]
            missing = col.isna().to_numpy()
            categories.append(_sorted_categories(col[~missing].to_numpy(dtype=object)))
            has_missing.append(bool(missing.any()))

        centers, scales, indicators = [], [], []
        for j in np.flatnonzero(~mask):
            values = self._numeric(frame.iloc[:, j], label[j])
            observed = values[~np.isnan(values)]
            center, scale = self._location_scale(observed)
            centers.append(center)
            scales.append(scale)
            if observed.size < values.size:
                indicators.append(j)

        self.n_features_in_ = len(names)
        if is_named and all(isinstance(c, str) for c in names):
            self.feature_names_in_ = np.asarray(names, dtype=object)
        self._columns = names if is_named else None
        self.categorical_mask_ = mask
        self.categorical_columns_ = [label[j] for j in np.flatnonzero(mask)]
        self.numeric_columns_ = [label[j] for j in np.flatnonzero(~mask)]
        self.categories_ = categories
        self.cardinalities_ = [len(c) + N_RESERVED for c in categories]
        self.has_missing_ = np.asarray(has_missing, dtype=bool)
        self.center_ = np.asarray(centers, dtype=np.float64)
        self.scale_ = np.asarray(scales, dtype=np.float64)
        self._indicator_positions = [int(np.flatnonzero(np.flatnonzero(~mask) == j)[0])
                                     for j in indicators]
        self.indicator_columns_ = [label[j] for j in indicators]
        self.n_numeric_out_ = len(self.numeric_columns_) + len(indicators)
        return self

    def _location_scale(self, observed):
        if self.scaling is None or observed.size == 0:
            return 0.0, 1.0
        if self.scaling == "standard":
            center, scale = observed.mean(), observed.std()
        else:
            q1, center, q3 = np.percentile(observed, [25, 50, 75])
            scale = (q3 - q1) / 1.349
            if not scale > 0:  # many ties (binary, counts): the quartiles coincide
                scale = np.abs(observed - center).mean() * 1.2533  # mean abs. deviation
        if not np.isfinite(scale) or scale <= 0:
            scale = 1.0
        return float(center), float(scale)

    @staticmethod
    def _numeric(col, label):
        """A column as float64 with NaN for missing values (nullable Int64, boolean,
        Float64 and all-missing object columns included)."""
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype(object)
        try:
            if pd.api.types.is_object_dtype(col.dtype) or pd.api.types.is_string_dtype(col.dtype):
                col = pd.to_numeric(col, errors="raise")
            return col.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"Column {label!r} was numeric at fit but holds values that are not "
                f"numbers: {exc}") from None

    # -- transform -------------------------------------------------------------------
    def transform(self, X):
        """Encode ``X`` with what :meth:`fit` learned.

        Columns are matched by name when the encoder was fitted on a DataFrame
        (their order may differ); unknown categories and missing values never raise.

        Parameters
        ----------
        X : DataFrame or 2-d array-like

        Returns
        -------
        numeric : ndarray of float32, shape (n_samples, n_numeric_out_)
        codes : ndarray of int64, shape (n_samples, len(categories_))
        """
        if not hasattr(self, "categorical_mask_"):
            raise ValueError("This TableEncoder is not fitted yet; call fit first.")
        frame = self._as_frame(X)
        if self._columns is not None and isinstance(X, pd.DataFrame):
            absent = [c for c in self._columns if c not in frame.columns]
            if absent:
                raise ValueError(f"X lacks the columns {absent} seen at fit.")
            frame = frame[self._columns]
        elif frame.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {frame.shape[1]} features, but the encoder was fitted with "
                f"{self.n_features_in_}.")
        label = self._columns or list(range(self.n_features_in_))
        for name, dtype in frame.dtypes.items():
            if _is_datetime_dtype(dtype):
                raise ValueError(
                    f"Column {name!r} has dtype {dtype}: datetime columns are not supported.")
        n = len(frame)
        numeric_idx = np.flatnonzero(~self.categorical_mask_)
        numeric = np.empty((n, len(numeric_idx)), dtype=np.float64)
        for k, j in enumerate(numeric_idx):
            numeric[:, k] = self._numeric(frame.iloc[:, j], label[j])
        missing = np.isnan(numeric)
        indicators = missing[:, self._indicator_positions].astype(np.float32)
        numeric = (numeric - self.center_) / self.scale_
        if self.clip is not None:
            numeric = smooth_clip(numeric, self.clip)
        numeric[missing] = 0.0  # the median (or mean), after centring
        numeric = np.concatenate([numeric.astype(np.float32), indicators], axis=1)

        codes = np.empty((n, len(self.categories_)), dtype=np.int64)
        for k, j in enumerate(np.flatnonzero(self.categorical_mask_)):
            codes[:, k] = self._codes(frame.iloc[:, j], k)
        return numeric, codes

    def _codes(self, col, k):
        cats = self.categories_[k]
        missing = col.isna().to_numpy()
        values = col.to_numpy(dtype=object, copy=True)
        values[missing] = None
        # Matched by value, whatever the column's dtype or category order at transform
        # (category at fit and string at predict, reordered categories, ...).
        found = pd.Index(cats, dtype=object).get_indexer(values)
        codes = np.where(found >= 0, found.astype(np.int64) + N_RESERVED, UNKNOWN)
        codes[missing] = MISSING if self.has_missing_[k] else UNKNOWN
        return codes

    def fit_transform(self, X):
        """:meth:`fit` then :meth:`transform` on the same table.

        Parameters
        ----------
        X : DataFrame or 2-d array-like

        Returns
        -------
        numeric : ndarray of float32
        codes : ndarray of int64
        """
        return self.fit(X).transform(X)

    def get_feature_names_out(self):
        """Names of the encoded columns: the numeric ones, ``missing_<name>`` for each
        indicator, then the categorical ones (one code column each).

        Returns
        -------
        ndarray of str
        """
        names = ([str(c) for c in self.numeric_columns_]
                 + [f"missing_{c}" for c in self.indicator_columns_]
                 + [str(c) for c in self.categorical_columns_])
        return np.asarray(names, dtype=object)
