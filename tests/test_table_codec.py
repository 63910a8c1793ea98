"""The table codec behind GANSampler: a table as float rows a network learns, and
generated rows back as the user's table (sknn/_table_codec.py).

No network here: a table's own encoded rows are what a perfect generator would
produce, so ``decode(encode(table))`` must give the table back, column by column,
with its dtypes.
"""

import numpy as np
import pandas as pd
import pytest

from sknn._table_codec import TableCodec, validate_labels
from sknn.modules.gan import CATEGORICAL, NUMERIC, NUMERIC_MISSING, block_width

N = 200


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(0)
    age = rng.integers(18, 90, size=N)
    missing = rng.random(N) < 0.2
    return pd.DataFrame({
        "float": rng.lognormal(size=N),                      # skewed, no resolution
        "grid": np.round(rng.normal(50, 10, size=N), 1),     # on a 0.1 grid
        "int": age.astype(np.int64),
        "bool": rng.random(N) < 0.3,
        "category": pd.Categorical(rng.choice(["a", "b", "c"], size=N),
                                   categories=["c", "b", "a", "unused"]),
        "string": rng.choice(["x", "y"], size=N).astype(object),
        "nullable_int": pd.array(np.where(missing, None, age * 2), dtype="Int64"),
        "nullable_bool": pd.array(np.where(rng.random(N) < 0.1, None,
                                           rng.random(N) < 0.5), dtype="boolean"),
        "rating": rng.choice([1, 2, 3, 5], size=N).astype(np.int64),  # few values
        "flag": rng.choice([0.0, 1.0], size=N),
    })


@pytest.fixture(scope="module")
def codec(table):
    return TableCodec.fit(table)


def test_columns_are_described_by_kind(codec):
    kinds = {c.name: (c.numeric, c.discrete, c.has_missing) for c in codec.columns}
    assert kinds == {
        "float": (True, False, False), "grid": (True, False, False),
        "int": (True, False, False), "bool": (False, False, False),
        "category": (False, False, False), "string": (False, False, False),
        "nullable_int": (True, False, True), "nullable_bool": (False, False, True),
        "rating": (False, True, False), "flag": (False, True, False),
    }
    columns = {c.name: c for c in codec.columns}
    assert columns["category"].categories == ["c", "b", "a"]  # the dtype's order, seen only
    assert columns["string"].categories == ["x", "y"]
    assert columns["rating"].categories == [1.0, 2.0, 3.0, 5.0]
    assert columns["grid"].grid[2] == 1 and columns["int"].integer
    assert columns["nullable_int"].block == (NUMERIC_MISSING, 1)
    assert columns["float"].block == (NUMERIC, 1)
    assert columns["nullable_bool"].block == (CATEGORICAL, 3)  # False, True, missing


def test_encoded_rows_follow_the_blocks(table, codec):
    rows = codec.encode(table)
    assert rows.dtype == np.float32
    assert rows.shape == (N, sum(block_width(*b) for b in codec.blocks))
    start = 0
    for column in codec.columns:
        width = block_width(*column.block)
        chunk = rows[:, start:start + width]
        start += width
        if not column.numeric:
            np.testing.assert_array_equal(chunk.sum(1), 1.0)  # exactly one state
        elif column.has_missing:
            np.testing.assert_array_equal(chunk[:, 2], table[column.name].isna())
            np.testing.assert_array_equal(chunk[:, 1] + chunk[:, 2], 1.0)


def test_round_trip_gives_the_table_back(table, codec):
    back = codec.decode(codec.encode(table))
    assert list(back.columns) == list(table.columns)
    assert back.dtypes.equals(table.dtypes)
    exact = ["grid", "int", "bool", "category", "string", "nullable_int", "nullable_bool",
             "rating", "flag"]
    pd.testing.assert_frame_equal(back[exact], table[exact])
    # float32 scores: the continuous column comes back to float32 precision
    np.testing.assert_allclose(back["float"], table["float"], rtol=1e-4)


def test_round_trip_of_an_array_keeps_its_dtype():
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.integers(0, 1000, size=N), rng.integers(0, 3, size=N)])
    codec = TableCodec.fit(X=X.astype(np.float64), array_dtype=X.dtype)
    back = codec.decode(codec.encode(X=X.astype(np.float64)))
    assert back.dtype == X.dtype
    np.testing.assert_array_equal(back, X)

    Xf = rng.normal(size=(N, 3)).astype(np.float32)
    codec = TableCodec.fit(X=Xf.astype(np.float64), array_dtype=Xf.dtype)
    back = codec.decode(codec.encode(X=Xf.astype(np.float64)))
    assert back.dtype == np.float32
    np.testing.assert_allclose(back, Xf, rtol=1e-3, atol=1e-4)


def test_decoded_values_stay_in_range_and_on_the_grid(codec):
    # far-out scores (a generator's overshoot) decode to the observed range
    rows = np.zeros((3, sum(block_width(*b) for b in codec.blocks)), dtype=np.float32)
    start = 0
    for column in codec.columns:
        if column.numeric:
            rows[:, start] = [-50.0, 0.0, 50.0]
            if column.has_missing:
                rows[:, start + 1] = 1.0  # present
        else:
            rows[:, start] = 1.0
        start += block_width(*column.block)
    back = codec.decode(rows)
    for column in codec.columns:
        if column.numeric:
            values = back[column.name].astype("float64")
            assert values.min() >= column.low and values.max() <= column.high
    np.testing.assert_array_equal(back["grid"], np.round(back["grid"], 1))


def test_unseen_categories_encode_as_no_state(table, codec):
    row = table.iloc[:1].copy()
    row["string"] = "never seen"
    rows = codec.encode(row)
    start = 0
    for column in codec.columns:
        width = block_width(*column.block)
        if column.name == "string":
            np.testing.assert_array_equal(rows[0, start:start + width], 0.0)
        start += width


def test_calibration_maps_generated_scores_to_the_real_ones(table, codec):
    rows = codec.encode(table)
    shifted = rows.copy()
    shifted[:, 0] = 0.5 * rows[:, 0] + 1.0  # "float": a biased generator's scores
    calibrated = TableCodec.fit(table)
    calibrated.fit_calibration(np.repeat(shifted, 3, axis=0))
    back = calibrated.decode(shifted)["float"]
    uncalibrated = codec.decode(shifted)["float"]
    real = np.sort(table["float"].to_numpy())
    assert np.abs(np.sort(back) - real).mean() < 0.2 * np.abs(np.sort(uncalibrated) - real).mean()


@pytest.mark.parametrize("change, message", [
    (lambda t: t.assign(int=t["int"].astype(str)), "'int' has dtype .* but was int64"),
    (lambda t: t.assign(category=t["category"].astype(object)), "'category' has dtype"),
    (lambda t: t.assign(bool=t["bool"].astype(float)), "'bool' has dtype float64"),
])
def test_check_frame_refuses_changed_dtypes(table, codec, change, message):
    with pytest.raises(ValueError, match=message):
        codec.check_frame(change(table))
    with pytest.raises(ValueError, match=message):
        codec.encode(change(table))


def test_missing_values_in_a_column_that_had_none(table, codec):
    bad = table.copy()
    bad.loc[0, "float"] = np.nan
    with pytest.raises(ValueError, match="'float' has missing values, but had none"):
        codec.encode(bad)


@pytest.mark.parametrize("column, message", [
    (pd.Series([np.nan] * 4), "only missing values"),
    (pd.Series([1.5] * 4), "is constant"),
    (pd.Series(["a"] * 4), "is constant"),
    (pd.Series([1.0, np.inf, 2.0, 3.0]), "infinity"),
    (pd.Series(pd.to_datetime(["2020-01-01"] * 4)), "is constant"),  # a constant date
    (pd.Series(pd.to_timedelta([1, 2, 3, 4], unit="s")), "cannot learn"),
])
def test_columns_that_cannot_be_learned(column, message):
    with pytest.raises(ValueError, match=message):
        TableCodec.fit(pd.DataFrame({"c": column, "ok": [1.0, 2.0, 3.0, 4.0]}))


def test_validate_labels():
    np.testing.assert_array_equal(validate_labels(pd.Series(["a", "b"], dtype="category"), 2),
                                  np.array(["a", "b"], dtype=object))
    np.testing.assert_array_equal(validate_labels([[1], [2]], 2), [1, 2])
    with pytest.raises(ValueError, match="1-D class labels"):
        validate_labels(np.zeros((2, 2)), 2)
    with pytest.raises(ValueError, match="X has 3 rows but y has 2"):
        validate_labels([1, 2], 3)
    with pytest.raises(ValueError, match="missing values"):
        validate_labels([1.0, np.nan], 2)
