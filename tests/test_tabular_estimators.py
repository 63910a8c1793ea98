"""Mixed DataFrames straight into the table estimators (issue 17): every column kind,
predict, pickle, grid search, unseen categories and missing columns at predict."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from skorch.callbacks import Callback

from sknn import AutoEncoder, MLPClassifier, MLPRegressor, PerceptronClassifier
from sknn.mlp import tabular_epochs

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


class _RecordLearningRate(Callback):
    """Records the learning rate each epoch trains at (``history_[i]["lr"]``)."""

    def on_epoch_begin(self, net, **kwargs):
        net.history.record("lr", net.optimizer_.param_groups[0]["lr"])


def _rates(estimator):
    return [record["lr"] for record in estimator.history_]


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_a_mixed_frame_trains_max_iter_epochs_with_a_cosine_decay(Estimator):
    X, label, target = mixed_frame(n=100)
    y = label if Estimator is MLPClassifier else target
    # tol this large stops scikit-learn's rules after n_iter_no_change + 2 epochs.
    params = dict(hidden_layer_sizes=(8,), max_iter=12, tol=1e9, n_iter_no_change=2,
                  learning_rate_init=0.01, batch_size=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # a budget run out is no warning
        est = Estimator(**params, callbacks=[_RecordLearningRate()]).fit(X, y)
    assert est.n_iter_ == 12 and len(est.loss_curve_) == 12
    expected = [0.01 * 0.5 * (1 + np.cos(np.pi * i / 12)) for i in range(12)]
    np.testing.assert_allclose(_rates(est), expected, rtol=1e-6)
    # The same table as numbers takes scikit-learn's path: constant rate, tol stops it.
    numbers = np.column_stack([X["size"] / 20, X["member"]]).astype(float)
    plain = Estimator(**params, callbacks=[_RecordLearningRate()]).fit(numbers, y)
    assert plain.n_iter_ == 4 and _rates(plain) == [0.01] * 4


def test_the_budget_is_max_iter_passes_over_at_most_2000_rows():
    assert [tabular_epochs(200, n) for n in (500, 2000, 5282, 10**6)] == [200, 200, 76, 20]
    assert tabular_epochs(10, 10**6) == 10  # never more than max_iter
    X, y, _ = mixed_frame(n=2500)
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0,
                        callbacks=[_RecordLearningRate()]).fit(X, y)
    assert clf.n_iter_ == 24  # 30 * 2000 / 2500
    expected = [1e-3 * 0.5 * (1 + np.cos(np.pi * i / 24)) for i in range(24)]
    np.testing.assert_allclose(_rates(clf), expected, rtol=1e-6)


def test_warm_start_partial_fit_and_sgd_schedules_keep_scikit_learns_rules_on_a_frame():
    X, y, _ = mixed_frame(n=100)
    params = dict(hidden_layer_sizes=(8,), max_iter=12, tol=1e9, n_iter_no_change=2,
                  random_state=0)
    assert MLPClassifier(**params, warm_start=True).fit(X, y).n_iter_ == 4
    assert MLPClassifier(**params, solver="sgd", learning_rate="adaptive").fit(X, y).n_iter_ > 4
    # early_stopping keeps watching its validation split under the cosine decay.
    stopped = MLPClassifier(**params, early_stopping=True, callbacks=[_RecordLearningRate()])
    stopped.fit(X, y)
    assert stopped.n_iter_ == 4 and _rates(stopped)[1] < 1e-3
    clf = MLPClassifier(**params, callbacks=[_RecordLearningRate()])
    clf.partial_fit(X, y, classes=np.unique(y)).partial_fit(X, y)
    assert _rates(clf) == [1e-3, 1e-3]
