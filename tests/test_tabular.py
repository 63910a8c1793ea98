"""The tabular building blocks: sknn._tabular.TableEncoder and sknn.modules.tabular."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch

from sknn._tabular import MISSING, UNKNOWN, TableEncoder, needs_encoding, smooth_clip
from sknn.modules import TabularInput, TabularMLP


@pytest.fixture
def frame():
    return pd.DataFrame({
        "num": [1.0, 2.0, 3.0, 4.0, 100.0, np.nan],
        "count": pd.array([1, 2, None, 4, 5, 6], dtype="Int64"),
        "ratio": pd.array([0.5, None, 0.1, 0.2, 0.3, 0.4], dtype="Float64"),
        "colour": pd.Categorical(["red", "blue", "red", None, "green", "blue"]),
        "city": pd.array(["b", "a", "c", "a", "b", "c"], dtype="str"),
        "code": np.array(["x", "y", "x", "y", "x", "y"], dtype=object),
        "flag": [True, False, True, True, False, False],
        "maybe": pd.array([True, None, False, True, False, True], dtype="boolean"),
    })


# -- column kinds ------------------------------------------------------------------------
def test_from_dtype_takes_category_string_object_and_bool_as_categorical(frame):
    enc = TableEncoder().fit(frame)
    assert enc.categorical_columns_ == ["colour", "city", "code", "flag", "maybe"]
    assert enc.numeric_columns_ == ["num", "count", "ratio"]
    assert enc.categorical_mask_.tolist() == [False] * 3 + [True] * 5
    assert list(enc.feature_names_in_) == list(frame.columns)


@pytest.mark.parametrize("spec", [["colour", "flag"], [3, 6],
                                  [False, False, False, True, False, False, True, False]])
def test_categorical_features_by_name_index_or_mask(frame, spec):
    enc = TableEncoder(categorical_features=spec).fit(frame[["num", "count", "ratio", "colour",
                                                             "city", "code", "flag", "maybe"]]
                                                      .assign(city=1.0, code=2.0))
    assert enc.categorical_columns_ == ["colour", "flag"]
    assert "maybe" in enc.numeric_columns_  # a nullable boolean taken as numeric: 0 / 1


def test_categorical_features_none_takes_every_column_as_numeric():
    X = pd.DataFrame({"a": [1, 2, 3], "flag": [True, False, True]})
    enc = TableEncoder(categorical_features=None, scaling=None, clip=None).fit(X)
    numeric, codes = enc.transform(X)
    assert codes.shape == (3, 0)
    np.testing.assert_array_equal(numeric, [[1, 1], [2, 0], [3, 1]])


def test_integer_columns_of_an_array_can_be_categorical():
    X = np.array([[0.5, 3], [1.5, 1], [2.5, 3]])
    enc = TableEncoder(categorical_features=[1]).fit(X)
    assert enc.categorical_columns_ == [1] and enc.numeric_columns_ == [0]
    assert enc.categories_[0].tolist() == [1.0, 3.0]
    assert enc.transform(np.array([[0.0, 3], [0.0, 7]]))[1][:, 0].tolist() == [3, UNKNOWN]


@pytest.mark.parametrize("spec, words", [
    ("auto", "categorical_features must be"),
    (["nope"], "categorical_features names column 'nope'"),
    ([7], "categorical_features index 7"),
    ([True, False], "one entry per column"),
])
def test_bad_categorical_features_is_a_value_error_naming_it(spec, words):
    X = pd.DataFrame({"a": [1.0, 2.0], "b": ["u", "v"], "c": [0, 1]})
    with pytest.raises(ValueError, match=words):
        TableEncoder(categorical_features=spec).fit(X)


@pytest.mark.parametrize("param, value", [("scaling", "minmax"), ("clip", -1)])
def test_bad_scaling_or_clip_is_a_value_error_naming_it(param, value):
    with pytest.raises(ValueError, match=param):
        TableEncoder(**{param: value}).fit(np.zeros((3, 2)))


@pytest.mark.parametrize("column", [
    pd.to_datetime(["2020-01-01", "2021-01-01"]),
    pd.to_datetime(["2020-01-01", "2021-01-01"]).tz_localize("Europe/Paris"),
    pd.to_timedelta([1, 2], unit="D"),
])
def test_datetime_columns_are_a_value_error_naming_the_column(column):
    X = pd.DataFrame({"a": [1.0, 2.0], "when": column})
    with pytest.raises(ValueError, match="'when'.*not supported"):
        TableEncoder().fit(X)


# -- categorical mapping -----------------------------------------------------------------
def test_categories_sorted_with_missing_and_unknown_slots(frame):
    enc = TableEncoder().fit(frame)
    assert enc.categories_[0].tolist() == ["blue", "green", "red"]
    assert enc.cardinalities_ == [5, 5, 4, 4, 4]
    assert enc.has_missing_.tolist() == [True, False, False, False, True]
    codes = enc.transform(frame)[1]
    assert codes[:, 0].tolist() == [4, 2, 4, MISSING, 3, 2]
    assert codes[:, 3].tolist() == [3, 2, 3, 3, 2, 2]  # False < True


def test_unknown_category_and_missing_never_seen_map_to_unknown(frame):
    enc = TableEncoder().fit(frame)
    new = frame.iloc[:2].copy()
    new["colour"] = pd.Categorical(["purple", None])  # missing seen at fit: MISSING
    new["city"] = pd.array(["zzz", None], dtype="str")  # missing not seen at fit: UNKNOWN
    codes = enc.transform(new)[1]
    assert codes[:, 0].tolist() == [UNKNOWN, MISSING]
    assert codes[:, 1].tolist() == [UNKNOWN, UNKNOWN]


def test_reordered_categories_give_the_same_codes(frame):
    enc = TableEncoder().fit(frame)
    reordered = frame.copy()
    reordered["colour"] = reordered["colour"].cat.reorder_categories(["red", "green", "blue"])
    reordered["colour"] = reordered["colour"].cat.add_categories(["never"])
    np.testing.assert_array_equal(enc.transform(reordered)[1], enc.transform(frame)[1])


def test_categorical_at_fit_string_or_object_at_predict(frame):
    enc = TableEncoder().fit(frame)
    as_text = frame.copy()
    as_text["colour"] = as_text["colour"].astype(object)
    as_text["city"] = as_text["city"].astype("category")
    np.testing.assert_array_equal(enc.transform(as_text)[1], enc.transform(frame)[1])


def test_all_missing_columns_at_predict(frame):
    enc = TableEncoder().fit(frame)
    empty = pd.DataFrame({name: [None, None] for name in frame.columns})
    numeric, codes = enc.transform(empty)
    # numeric: imputed (0 after centring) and flagged where the column had an indicator
    np.testing.assert_array_equal(numeric[:, :3], 0.0)
    np.testing.assert_array_equal(numeric[:, 3:], 1.0)
    assert codes.tolist() == [[MISSING, UNKNOWN, UNKNOWN, UNKNOWN, MISSING]] * 2


def test_columns_matched_by_name_and_a_lacking_column_is_a_value_error(frame):
    enc = TableEncoder().fit(frame)
    shuffled = frame[frame.columns[::-1]]
    for a, b in zip(enc.transform(shuffled), enc.transform(frame)):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="lacks the columns"):
        enc.transform(frame.drop(columns="city"))


# -- numeric columns ---------------------------------------------------------------------
def test_nullable_ints_and_nan_get_an_indicator_and_the_median(frame):
    enc = TableEncoder(clip=None).fit(frame)
    assert enc.indicator_columns_ == ["num", "count", "ratio"]
    assert enc.n_numeric_out_ == 6
    numeric = enc.transform(frame)[0]
    assert numeric.dtype == np.float32 and numeric.shape == (6, 6)
    assert numeric[5, 0] == 0.0 and numeric[5, 3] == 1.0  # NaN -> median, flagged
    assert numeric[2, 1] == 0.0 and numeric[2, 4] == 1.0  # <NA> in Int64
    assert numeric[:, 3].sum() == 1 and numeric[:, 4].sum() == 1
    np.testing.assert_allclose(numeric[:, 1][[0, 4]], (np.array([1, 5]) - 4) / enc.scale_[1],
                               rtol=1e-6)


def test_robust_scaling_and_smooth_clip_bound_outliers():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(10, 2, 1000), [1e6]])
    enc = TableEncoder(clip=3.0).fit(x[:, None])
    assert abs(enc.center_[0] - 10) < 0.3 and abs(enc.scale_[0] - 2) < 0.2  # outlier ignored
    z = enc.transform(x[:, None])[0][:, 0]
    assert np.abs(z).max() <= 3.0 and abs(z[-1] - 3.0) < 1e-3
    np.testing.assert_allclose(smooth_clip(np.array([0.1])), [0.1], rtol=1e-3)
    standard = TableEncoder(scaling="standard", clip=None).fit(x[:, None])
    assert standard.scale_[0] > 1e4  # what the outlier does to a standard deviation


def test_tied_quartiles_fall_back_to_a_positive_scale():
    x = np.array([0.0] * 90 + [1.0] * 10)[:, None]  # a rare binary column
    enc = TableEncoder().fit(x)
    assert enc.center_[0] == 0.0 and 0 < enc.scale_[0] < 1
    constant = TableEncoder().fit(np.ones((5, 1)))
    assert constant.scale_[0] == 1.0


def test_numeric_column_with_text_at_predict_is_a_value_error_naming_it(frame):
    enc = TableEncoder().fit(frame)
    bad = frame.copy()
    bad["num"] = ["a"] * len(bad)
    with pytest.raises(ValueError, match="'num'"):
        enc.transform(bad)


# -- the rest ----------------------------------------------------------------------------
def test_pickle_and_determinism(frame):
    enc = TableEncoder().fit(frame)
    again = pickle.loads(pickle.dumps(enc))
    for a, b, c in zip(enc.transform(frame), again.transform(frame),
                       TableEncoder().fit(frame).transform(frame)):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    assert list(enc.get_feature_names_out())[:6] == [
        "num", "count", "ratio", "missing_num", "missing_count", "missing_ratio"]


def test_needs_encoding_only_for_non_numeric_or_named_categoricals(frame):
    assert not needs_encoding(np.zeros((3, 2)))
    assert not needs_encoding(pd.DataFrame({"a": [1.0], "b": [2]}))
    assert needs_encoding(frame)
    assert needs_encoding(np.array([["a", 1.0]], dtype=object))
    assert needs_encoding(pd.DataFrame({"a": pd.array([1, None], dtype="Int64")}))
    assert needs_encoding(np.zeros((3, 2)), categorical_features=[0])
    assert not needs_encoding(np.zeros((3, 2)), categorical_features=[False, False])


# -- the torch front end -----------------------------------------------------------------
def test_tabular_input_one_hot_below_the_threshold_and_embeddings_above():
    front = TabularInput(2, [4, 40], embedding_dim="auto", onehot_max_cardinality=10)
    assert front.onehot_columns == [0] and front.embedded_columns == [1]
    width = 2 + 3 + front.embeddings[0].embedding_dim  # one-hot drops the unknown slot
    assert front.n_features_out == width
    out = front(torch.ones(3, 2), torch.tensor([[0, 5], [2, 5], [3, 9]]))
    assert out.shape == (3, width)
    np.testing.assert_array_equal(out[:, 2:5].detach().numpy(), [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert TabularInput(2, [4, 40], onehot_max_cardinality=0).onehot_columns == []
    assert TabularInput(2, [4, 40], embedding_dim=3).embeddings[0].embedding_dim == 3


def test_unknown_contributes_zeros_and_stays_untrained():
    net = TabularMLP(1, [4, 30], n_outputs=1, hidden_layer_sizes=(8,))
    front = net.input
    out = front(torch.zeros(1, 1), torch.tensor([[UNKNOWN, UNKNOWN]]))
    assert torch.count_nonzero(out) == 0
    opt = torch.optim.Adam(net.parameters(), lr=0.1)
    codes = torch.tensor([[0, 2], [2, 5], [3, 29]] * 4)
    for _ in range(5):
        opt.zero_grad()
        net(torch.randn(12, 1), codes).pow(2).mean().backward()
        opt.step()
    assert torch.count_nonzero(front.embeddings[0].weight[UNKNOWN]) == 0
    assert torch.count_nonzero(front(torch.zeros(1, 1), torch.tensor([[UNKNOWN, UNKNOWN]]))) == 0


def test_encoder_and_tabular_mlp_learn_a_category_driven_target():
    rng = np.random.default_rng(0)
    n, levels = 600, [f"s{i:02d}" for i in range(30)]
    X = pd.DataFrame({"shop": pd.Categorical(rng.choice(levels, n)),
                      "kind": rng.choice(["a", "b"], n), "x": rng.normal(size=n)})
    effect = dict(zip(levels, rng.normal(size=30)))
    y = X["shop"].map(effect).to_numpy(float) + (X["kind"] == "a") + 0.5 * X["x"]
    enc = TableEncoder().fit(X)
    numeric, codes = map(torch.from_numpy, enc.transform(X))
    torch.manual_seed(0)
    net = TabularMLP(numeric.shape[1], enc.cardinalities_, 1, hidden_layer_sizes=(32,))
    assert net.input.embedded_columns == [0] and net.input.onehot_columns == [1]
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    target = torch.tensor(y, dtype=torch.float32)[:, None]
    for _ in range(300):
        opt.zero_grad()
        loss = (net(numeric, codes) - target).pow(2).mean()
        loss.backward()
        opt.step()
    assert loss.item() < 0.1 * target.var().item()
    assert net.features(numeric, codes).shape == (n, net.n_features_out) == (n, 32)
