"""Window and padding helpers: make_windows, pad_sequences, SlidingWindowTransformer."""

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn.preprocessing import SlidingWindowTransformer, make_windows, pad_sequences


def test_make_windows_univariate_array():
    series = np.arange(10.0)
    X, y = make_windows(series, window=3, horizon=2)
    assert X.shape == (6, 3) and y.shape == (6,)
    np.testing.assert_array_equal(X[0], [0, 1, 2])
    np.testing.assert_array_equal(X[-1], [5, 6, 7])
    np.testing.assert_array_equal(y, np.arange(4.0, 10.0))  # last window value + 2


def test_make_windows_several_horizons_give_one_column_each():
    X, y = make_windows(np.arange(10.0), window=3, horizon=[1, 2, 3])
    assert X.shape == (5, 3) and y.shape == (5, 3)
    np.testing.assert_array_equal(y[0], [3, 4, 5])
    np.testing.assert_array_equal(y[-1], [7, 8, 9])


def test_make_windows_multivariate_is_time_major():
    values = np.arange(30.0).reshape(10, 3)  # 10 times, 3 series
    X, y = make_windows(values, window=4)
    assert X.shape == (6, 12) and y.shape == (6, 3)
    for i in range(6):
        np.testing.assert_array_equal(X[i].reshape(4, 3), values[i:i + 4])
        np.testing.assert_array_equal(y[i], values[i + 4])
    _, y1 = make_windows(values, window=4, target=1)
    np.testing.assert_array_equal(y1, values[4:, 1])
    _, y2 = make_windows(values, window=4, target=[1])
    assert y2.shape == (6, 1)


def test_make_windows_pandas_keeps_the_time_index_and_names():
    index = pd.date_range("2020-01-01", periods=8, freq="D")
    frame = pd.DataFrame({"temp": np.arange(8.0), "rain": np.arange(8.0) * 10}, index=index)
    X, y = make_windows(frame, window=3, target="temp")
    assert list(X.columns) == ["temp_t-2", "rain_t-2", "temp_t-1", "rain_t-1", "temp_t", "rain_t"]
    assert isinstance(y, pd.Series) and y.name == "temp"
    # The index is the time of the value being forecast.
    assert X.index[0] == index[3] and y.index.equals(X.index)
    assert y.iloc[0] == 3.0 and X.iloc[0]["temp_t"] == 2.0
    _, yy = make_windows(frame["temp"], window=3, horizon=[1, 2])
    assert list(yy.columns) == ["temp_t+1", "temp_t+2"]
    assert yy.index[0] == index[3]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(window=0), "window must be a positive integer"),
        (dict(window=3, horizon=0), "horizon must be a positive integer"),
        (dict(window=10), "series has 10 time steps; window=10 and horizon=1 need at least 11"),
        (dict(window=3, target=5), "target must be column positions"),
    ],
)
def test_make_windows_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_windows(np.arange(10.0), **kwargs)


def test_make_windows_rejects_unsorted_index_and_unknown_column():
    series = pd.Series([1.0, 2.0, 3.0, 4.0], index=[3, 1, 2, 0])
    with pytest.raises(ValueError, match="not increasing"):
        make_windows(series, window=2)
    with pytest.raises(ValueError, match=r"target \['x'\] not in the columns"):
        make_windows(pd.DataFrame({"a": np.arange(5.0)}), window=2, target="x")


def test_pad_sequences():
    X = pad_sequences([[1, 2, 3], [4], np.array([5.0, 6.0])])
    assert X.shape == (3, 3, 1)
    np.testing.assert_array_equal(X[1, :, 0], [4, np.nan, np.nan])
    X = pad_sequences([np.ones((2, 4)), np.zeros((5, 4))], length=6)
    assert X.shape == (2, 6, 4) and np.isnan(X[0, 2:]).all() and np.isnan(X[1, 5:]).all()
    with pytest.raises(ValueError, match="different numbers of features: \\[2, 4\\]"):
        pad_sequences([np.ones((2, 4)), np.ones((2, 2))])
    with pytest.raises(ValueError, match="sequence 1 has 5 time steps, more than length=3"):
        pad_sequences([[1], [1, 2, 3, 4, 5]], length=3)
    with pytest.raises(ValueError, match="sequence 0 has shape \\(0,\\)"):
        pad_sequences([[], [1]])


def test_sliding_windows_match_make_windows_and_pad_short_rows():
    values = np.arange(20.0).reshape(10, 2)
    out = SlidingWindowTransformer(window=4).fit_transform(values)
    X, _ = make_windows(values, window=4)
    assert out.shape == (10, 8)
    np.testing.assert_array_equal(out[3:3 + len(X)], X)
    # Row 1 has two steps of history: left-aligned, NaN-padded at the end.
    np.testing.assert_array_equal(out[1, :4], values[:2].ravel())
    assert np.isnan(out[1, 4:]).all()
    start = SlidingWindowTransformer(window=4, pad="start").fit_transform(values)
    np.testing.assert_array_equal(start[1, 4:], values[:2].ravel())
    assert np.isnan(start[1, :4]).all()
    np.testing.assert_array_equal(start[3:], out[3:])


def test_sliding_windows_pandas_output_names():
    frame = pd.DataFrame({"a": np.arange(5.0), "b": np.arange(5.0)})
    tr = SlidingWindowTransformer(window=2).set_output(transform="pandas")
    out = make_pipeline(StandardScaler(), tr).set_output(transform="pandas").fit_transform(frame)
    assert list(out.columns) == ["a_t-1", "b_t-1", "a_t", "b_t"]
    assert out.shape == (5, 4)
    assert list(tr.get_feature_names_out()) == ["a_t-1", "b_t-1", "a_t", "b_t"]


def test_sliding_windows_checks_columns_at_transform():
    tr = SlidingWindowTransformer(window=2).fit(np.ones((5, 2)))
    with pytest.raises(ValueError, match="X has 3 features, but SlidingWindowTransformer is "
                                         "expecting 2 features"):
        tr.transform(np.ones((5, 3)))
