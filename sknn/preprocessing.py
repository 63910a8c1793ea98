"""Turning series into sequences: forecasting windows and padding.

- :func:`make_windows` cuts a series (array, pandas Series or DataFrame with a
  time index) into rows of past values ``X`` and the values ``horizon`` steps
  later ``y``, ready for :class:`sknn.LSTMRegressor` or any scikit-learn regressor.
- :class:`SlidingWindowTransformer` does the same to ``X`` inside a ``Pipeline``:
  row ``t`` becomes the window of the ``window`` rows that end at ``t``.
- :func:`pad_sequences` stacks sequences of different lengths into one array,
  NaN-padded at the end, the layout sknn's recurrent estimators read as "shorter
  sequence".

Every window is flattened time-major: the columns are the first (oldest) time
step's features, then the next step's, and so on, so that
``sequence_shape=(window, n_series)`` restores the sequence.
"""

import numbers

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data

from ._validation import is_int

__all__ = ["make_windows", "pad_sequences", "SlidingWindowTransformer"]


def _lag_names(names, window):
    """``x_t-2, x_t-1, x_t`` for every name, oldest time step first (time-major)."""
    return [
        f"{name}_t-{lag}" if lag else f"{name}_t"
        for lag in range(window - 1, -1, -1)
        for name in names
    ]


def _check_window(window):
    if not is_int(window) or window < 1:
        raise ValueError(f"window must be a positive integer; got {window!r}.")


def make_windows(series, window, horizon=1, *, target=None):
    """Cut a series into (past window, future value) pairs for forecasting.

    Row ``i`` of ``X`` holds the ``window`` consecutive values ending at time
    ``t = i + window - 1``; ``y[i]`` is the value at ``t + horizon``. Windows are
    flattened time-major (oldest step first, all series of a step together), so
    a recurrent estimator reads a multivariate window with
    ``sequence_shape=(window, n_series)``.

    Parameters
    ----------
    series : array-like of shape (n_times,) or (n_times, n_series), pandas Series or DataFrame
        Values in time order. A pandas index (for example a ``DatetimeIndex``) must
        be increasing; it is carried over to ``X`` and ``y``.
    window : int
        Past time steps per row of ``X``.
    horizon : int or sequence of int, default=1
        How many steps after the window's last value the target lies. Several
        horizons give one target column per horizon (direct multi-step
        forecasting with a multi-output regressor).
    target : label, int, sequence of them, or None, default=None
        The series to forecast: column labels of a DataFrame or column positions of
        an array. None forecasts every series.

    Returns
    -------
    X : ndarray or DataFrame of shape (n_windows, window * n_series)
        ``n_windows = n_times - window - max(horizon) + 1``. For pandas input the
        columns are named ``<name>_t-<lag>`` (``<name>_t`` for the last step) and the
        index is the time of the target (of the smallest horizon when several).
    y : ndarray, Series or DataFrame of shape (n_windows,) or (n_windows, n_targets)
        1-D for one target series and an int ``horizon`` (unless ``target`` is a
        list). With a list of horizons the columns are ordered horizon by horizon
        and, for pandas, named ``<name>_t+<h>``.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.preprocessing import make_windows
    >>> X, y = make_windows(np.arange(10.0), window=3, horizon=2)
    >>> X[:2], y[:2]
    (array([[0., 1., 2.],
           [1., 2., 3.]]), array([4., 5.]))
    >>> import pandas as pd
    >>> s = pd.Series(np.arange(6.0), index=pd.date_range("2024-01", periods=6, freq="MS"),
    ...               name="sales")
    >>> X, y = make_windows(s, window=2)
    >>> X.head(2)
                sales_t-1  sales_t
    2024-03-01        0.0      1.0
    2024-04-01        1.0      2.0
    >>> y.head(2)
    2024-03-01    2.0
    2024-04-01    3.0
    Freq: MS, Name: sales, dtype: float64
    """
    _check_window(window)
    horizons = [horizon] if is_int(horizon) else list(horizon)
    if not horizons or not all(is_int(h) and h >= 1 for h in horizons):
        raise ValueError(f"horizon must be a positive integer or a list of them; got {horizon!r}.")
    is_pandas = isinstance(series, (pd.Series, pd.DataFrame))
    frame = series.to_frame() if isinstance(series, pd.Series) else series
    if is_pandas:
        if not frame.index.is_monotonic_increasing:
            raise ValueError("series has an index that is not increasing; sort it first "
                             "(series.sort_index()).")
        names = ["x" if c is None else str(c) for c in frame.columns]
        values = frame.to_numpy(dtype=np.float64)
    else:
        values = np.asarray(series, dtype=np.float64)
        if values.ndim not in (1, 2):
            raise ValueError(f"series must be 1-D or 2-D; got shape {values.shape}.")
        values = values.reshape(len(values), -1)
        names = [str(i) for i in range(values.shape[1])]
    n_times, n_series = values.shape
    columns = _target_columns(target, frame if is_pandas else None, n_series)
    n_windows = n_times - window - max(horizons) + 1
    if n_windows < 1:
        raise ValueError(
            f"series has {n_times} time steps; window={window} and horizon={max(horizons)} "
            f"need at least {window + max(horizons)}."
        )
    windows = sliding_window_view(values, window, axis=0)[:n_windows]  # (n, series, window)
    X = windows.transpose(0, 2, 1).reshape(n_windows, window * n_series)
    ends = np.arange(window - 1, window - 1 + n_windows)
    y = np.concatenate([values[ends + h][:, columns] for h in horizons], axis=1)
    # One series, one horizon, neither given as a list: a 1-D target.
    squeeze = is_int(horizon) and len(columns) == 1 and (target is None or np.ndim(target) == 0)
    if not is_pandas:
        return X, (y[:, 0] if squeeze else y)
    first = window - 1 + min(horizons)
    index = frame.index[first:first + n_windows]  # a slice keeps a DatetimeIndex's freq
    X = pd.DataFrame(X, index=index, columns=_lag_names(names, window))
    if squeeze:
        return X, pd.Series(y[:, 0], index=index, name=frame.columns[columns[0]])
    if is_int(horizon):
        y_columns = [frame.columns[c] for c in columns]
    else:
        y_columns = [f"{names[c]}_t+{h}" for h in horizons for c in columns]
    return X, pd.DataFrame(y, index=index, columns=y_columns)


def _target_columns(target, frame, n_series):
    """Column positions of ``target`` (None: all)."""
    if target is None:
        return list(range(n_series))
    targets = [target] if np.ndim(target) == 0 else list(target)
    if frame is not None:
        missing = [t for t in targets if t not in frame.columns]
        if missing:
            raise ValueError(f"target {missing} not in the columns {list(frame.columns)}.")
        return [frame.columns.get_loc(t) for t in targets]
    bad = [t for t in targets if not is_int(t) or not -n_series <= t < n_series]
    if bad:
        raise ValueError(f"target must be column positions below {n_series} for an array; "
                         f"got {bad}.")
    return [t % n_series for t in targets]


def pad_sequences(sequences, length=None):
    """Stack sequences of different lengths into one NaN-padded 3-D array.

    Parameters
    ----------
    sequences : list of array-like
        Each of shape (n_timesteps_i,) for univariate or (n_timesteps_i, n_features)
        for multivariate sequences (arrays, lists, pandas Series / DataFrames).
    length : int or None, default=None
        Length of the output; None is the longest sequence's. A longer sequence is
        a ``ValueError`` (nothing is cut off silently).

    Returns
    -------
    X : ndarray of shape (n_sequences, length, n_features)
        Float64, NaN after each sequence's end.

    Examples
    --------
    >>> from sknn.preprocessing import pad_sequences
    >>> pad_sequences([[1, 2, 3], [4]])[:, :, 0]
    array([[ 1.,  2.,  3.],
           [ 4., nan, nan]])
    """
    arrays = []
    for i, seq in enumerate(sequences):
        arr = np.asarray(seq, dtype=np.float64)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2 or arr.shape[0] == 0:
            raise ValueError(
                f"each sequence must be 1-D (time steps) or 2-D (time steps, features) with "
                f"at least one step; sequence {i} has shape {np.shape(seq)}."
            )
        arrays.append(arr)
    if not arrays:
        raise ValueError("sequences is empty; pass at least one sequence.")
    widths = {a.shape[1] for a in arrays}
    if len(widths) > 1:
        raise ValueError(f"sequences have different numbers of features: {sorted(widths)}.")
    longest = max(len(a) for a in arrays)
    if length is None:
        length = longest
    elif longest > length:
        i = next(i for i, a in enumerate(arrays) if len(a) > length)
        raise ValueError(f"sequence {i} has {len(arrays[i])} time steps, more than "
                         f"length={length}.")
    out = np.full((len(arrays), length, arrays[0].shape[1]), np.nan)
    for i, arr in enumerate(arrays):
        out[i, :len(arr)] = arr
    return out


class SlidingWindowTransformer(TransformerMixin, BaseEstimator):
    """Replace each row of a time-ordered table by the window of rows ending there.

    For a Pipeline: rows of ``X`` are time steps in order (one column per series),
    and row ``t`` of the output holds rows ``t - window + 1`` to ``t`` flattened
    time-major, ready for a recurrent estimator with
    ``sequence_shape=(window, n_series)`` (or, for one series, no
    ``sequence_shape`` at all). ``y`` is left to the caller: for a one-step
    forecast it is the series shifted by one step. The transformer keeps no state
    between calls, so every ``transform`` starts without history.

    Parameters
    ----------
    window : int, default=24
        Time steps per output row.
    pad : {"end", "start"}, default="end"
        How the first ``window - 1`` rows, which have less history, are filled.
        "end": their values come first and NaN fills the rest, which sknn's
        recurrent estimators read as a shorter sequence. "start": NaN first, so
        every column keeps its lag (for models that handle missing values).

    Attributes
    ----------
    n_features_in_ : int
        Columns (series) seen during fit.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame seen during fit.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.preprocessing import SlidingWindowTransformer
    >>> SlidingWindowTransformer(window=3).fit_transform(np.arange(4.0).reshape(-1, 1))
    array([[ 0., nan, nan],
           [ 0.,  1., nan],
           [ 0.,  1.,  2.],
           [ 1.,  2.,  3.]])
    """

    _parameter_constraints = {
        "window": [Interval(numbers.Integral, 1, None, closed="left")],
        "pad": [StrOptions({"end", "start"})],
    }

    def __init__(self, window=24, pad="end"):
        self.window = window
        self.pad = pad

    def fit(self, X, y=None):
        """Record the number and names of the columns.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_times, n_series)
            Time steps in order.
        y : ignored

        Returns
        -------
        self : object
        """
        self._validate_params()
        validate_data(self, X, reset=True, dtype=(np.float64, np.float32),
                      ensure_all_finite="allow-nan")
        return self

    def transform(self, X):
        """Window every row.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_times, n_series)
            Time steps in order.

        Returns
        -------
        windows : ndarray of shape (n_times, window * n_series)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32),
                          ensure_all_finite="allow-nan")
        n, n_series = X.shape
        w = self.window
        out = np.full((n, w, n_series), np.nan, dtype=X.dtype)
        if n >= w:
            out[w - 1:] = sliding_window_view(X, w, axis=0).transpose(0, 2, 1)
        for t in range(min(w - 1, n)):  # rows with less history than the window
            if self.pad == "end":
                out[t, :t + 1] = X[:t + 1]
            else:
                out[t, w - 1 - t:] = X[:t + 1]
        return out.reshape(n, w * n_series)

    def get_feature_names_out(self, input_features=None):
        """``<name>_t-<lag>`` for every window position and input column.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input column names; by default ``feature_names_in_`` or ``x0, x1, ...``.

        Returns
        -------
        names : ndarray of str
        """
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        return np.asarray(_lag_names(names, self.window), dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
