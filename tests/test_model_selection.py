"""sknn.model_selection.transfer_curve: which rows each fit sees, the table it returns,
and bad input."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.neighbors import KNeighborsClassifier

from sknn.model_selection import transfer_curve


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16, y[:600], X[600:900] / 16, y[600:900]


def rows_seen(estimator, X, y):
    """A scorer that reports how many rows the estimator was fitted on."""
    return estimator.n_samples_fit_


def test_returns_one_row_per_size_repeat_and_method(digits):
    estimators = {"knn": KNeighborsClassifier(1), "prior": DummyClassifier()}
    results = transfer_curve(estimators, *digits, n_labelled=(1, 4), n_repeats=3)
    assert list(results.columns) == ["method", "n_labelled", "repeat", "score"]
    assert len(results) == 2 * 3 * 2
    assert list(results["method"][:2]) == ["knn", "prior"]
    assert list(results["n_labelled"]) == [1] * 6 + [4] * 6
    assert list(results["repeat"][::2]) == [0, 1, 2, 0, 1, 2]
    assert results["score"].between(0, 1).all()
    knn = results[results["method"] == "knn"].groupby("n_labelled")["score"].mean()
    assert knn[4] > knn[1]
    assert "knn" in estimators and not hasattr(estimators["knn"], "n_samples_fit_")  # cloned


def test_counts_rows_per_class_or_in_all(digits):
    X, y, X_test, y_test = digits
    knn = {"knn": KNeighborsClassifier(1)}
    per_class = transfer_curve(knn, X, y, X_test, y_test, n_labelled=(2,), n_repeats=1,
                               scoring=rows_seen)
    assert per_class["score"].tolist() == [2 * 10]  # a classifier: per class by default
    in_all = transfer_curve(knn, X, y, X_test, y_test, n_labelled=(2,), n_repeats=1,
                            per_class=False, scoring=rows_seen)
    assert in_all["score"].tolist() == [2]
    # a class with fewer rows than asked gives all of its rows
    few = np.r_[np.flatnonzero(y == 0)[:3], np.flatnonzero(y == 1)]
    capped = transfer_curve(knn, X[few], y[few], X_test, y_test, n_labelled=(5,),
                            n_repeats=1, scoring=rows_seen)
    assert capped["score"].tolist() == [3 + 5]


def test_every_method_sees_the_same_rows_and_a_seed_repeats(digits):
    X, y, X_test, y_test = digits
    twins = {"a": KNeighborsClassifier(1), "b": KNeighborsClassifier(1)}
    frame = pd.DataFrame(X)
    results = transfer_curve(twins, frame, pd.Series(y), X_test, y_test, n_labelled=(1, 3),
                             n_repeats=4, random_state=3)
    scores = results.pivot_table(index=["n_labelled", "repeat"], columns="method",
                                 values="score")
    np.testing.assert_array_equal(scores["a"], scores["b"])
    again = transfer_curve(twins, X, y, X_test, y_test, n_labelled=(1, 3), n_repeats=4,
                           random_state=3)
    pd.testing.assert_frame_equal(results, again)
    other = transfer_curve(twins, X, y, X_test, y_test, n_labelled=(1, 3), n_repeats=4,
                           random_state=4)
    assert not np.array_equal(results["score"], other["score"])


def test_regressors_count_rows_in_all(digits):
    X, y, X_test, y_test = digits
    results = transfer_curve({"mean": DummyRegressor()}, X, y.astype(float), X_test,
                             y_test.astype(float), n_labelled=(10, 50), n_repeats=1)
    assert results["n_labelled"].tolist() == [10, 50]
    assert (results["score"] <= 0.01).all()  # R2 of predicting a training mean


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"n_labelled": ()}, "n_labelled must be"),
    ({"n_labelled": (0, 5)}, "n_labelled must be"),
    ({"n_labelled": (2.5,)}, "n_labelled must be"),
    ({"n_repeats": 0}, "n_repeats must be"),
    ({"n_repeats": 1.5}, "n_repeats must be"),
])
def test_bad_sizes_are_value_errors(digits, kwargs, match):
    with pytest.raises(ValueError, match=match):
        transfer_curve({"prior": DummyClassifier()}, *digits, **kwargs)


def test_no_estimators_is_a_value_error(digits):
    with pytest.raises(ValueError, match="estimators must name at least one"):
        transfer_curve({}, *digits)
