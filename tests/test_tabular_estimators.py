"""Mixed DataFrames straight into the table estimators (issue 17): every column kind,
predict, pickle, grid search, unseen categories and missing columns at predict."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV

from sknn import AutoEncoder, MLPClassifier, MLPRegressor, PerceptronClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def mixed_frame(n=160, seed=0):
    rng = np.random.default_rng(seed)
    colour = rng.choice(["red", "green", "blue"], n)
    size = rng.normal(50, 20, n)
    frame = pd.DataFrame({
        "size": size,                                              # float, raw units
        "colour": pd.Categorical(colour),                          # category
        "shop": rng.choice(["north", "south"], n).astype(object),  # object strings
        "member": rng.random(n) > 0.5,                             # bool
        "visits": pd.array(rng.integers(0, 9, n), dtype="Int64"),  # nullable integer
        "rating": np.where(rng.random(n) < 0.2, np.nan, rng.normal(3, 1, n)),  # NaN
    })
    frame.loc[frame.index[::7], "visits"] = pd.NA
    label = np.where((colour == "red") | (size > 60), "buy", "skip")
    target = 1e3 + 5 * size + np.where(colour == "blue", 300.0, 0.0)
    return frame, label, target


def test_classifier_takes_every_column_kind_and_exposes_the_categories():
    X, y, _ = mixed_frame()
    clf = MLPClassifier(max_iter=150, random_state=0).fit(X[:120], y[:120])
    assert clf.score(X[120:], y[120:]) >= 0.85
    layout = clf.input_layout_
    assert layout.categorical_columns_ == ["colour", "shop", "member"]
    assert [list(c) for c in layout.categories_] == [["blue", "green", "red"],
                                                      ["north", "south"], [False, True]]
    assert list(clf.feature_names_in_) == list(X.columns)


def test_unseen_categories_missing_columns_and_other_dtypes_at_predict_do_not_raise():
    X, y, _ = mixed_frame()
    clf = MLPClassifier(max_iter=20, random_state=0).fit(X, y)
    new = X.iloc[:4].copy()
    new["colour"] = pd.Categorical(["purple", "red", None, "blue"])  # unknown, missing
    new["shop"] = np.nan                                             # all missing
    new["rating"] = np.nan
    assert clf.predict(new).shape == (4,)
    # A column that was categorical at fit arrives as plain strings, reordered.
    as_strings = X.iloc[:4].assign(colour=X["colour"].iloc[:4].astype(str))
    np.testing.assert_array_equal(clf.predict_proba(as_strings),
                                  clf.predict_proba(X.iloc[:4]))
    reordered = X.iloc[:4][list(reversed(X.columns))]
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(reordered)


def test_regressor_on_a_raw_frame_with_a_large_target():
    X, _, target = mixed_frame(n=300)
    reg = MLPRegressor(max_iter=150, random_state=0).fit(X[:240], target[:240])
    assert reg.score(X[240:], target[240:]) > 0.8


def test_pickle_grid_search_and_the_other_table_estimators():
    X, y, _ = mixed_frame()
    clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=10, random_state=0).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    search = GridSearchCV(MLPClassifier(max_iter=10, random_state=0),
                          {"hidden_layer_sizes": [(8,), (16,)]}, cv=2, n_jobs=2).fit(X, y)
    assert search.best_estimator_.predict(X).shape == (len(X),)
    assert PerceptronClassifier(max_iter=10, random_state=0).fit(X, y).score(X, y) > 0.6
    auto = AutoEncoder(n_components=2, max_iter=10, random_state=0).set_output(
        transform="pandas").fit(X)
    codes = auto.transform(X)
    assert list(codes.columns) == ["autoencoder0", "autoencoder1"]
    assert np.isfinite(auto.score_samples(X)).all()


def test_datetime_columns_are_refused_by_name_and_numeric_frames_are_unchanged():
    X, y, _ = mixed_frame(n=40)
    dated = X.assign(when=pd.date_range("2024-01-01", periods=40, freq="D"))
    with pytest.raises(ValueError, match="'when'"):
        MLPClassifier(max_iter=2).fit(dated, y)
    numeric = X[["size", "rating"]].fillna(0.0)
    a = MLPClassifier(max_iter=3, random_state=0).fit(numeric, y)
    b = MLPClassifier(max_iter=3, random_state=0).fit(numeric.to_numpy(), y)
    np.testing.assert_array_equal(a.predict_proba(numeric), b.predict_proba(numeric.to_numpy()))
    assert a.input_layout_.encoder_ is None
