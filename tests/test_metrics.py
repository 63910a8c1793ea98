"""sknn.metrics: each distance against a hand computation or a case whose answer is
known (a copy, a column-wise shuffle, a shifted table)."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp
from sklearn.datasets import load_wine

from sknn.metrics import (
    QualityReport,
    category_frequencies,
    column_distances,
    correlation_difference,
    detection_score,
    quality_report,
    train_synthetic_test_real,
)


@pytest.fixture(scope="module")
def wine():
    data = load_wine(as_frame=True)
    frame = data.frame.drop(columns="target")
    frame["cultivar"] = pd.Categorical(np.asarray(data.target_names)[data.target])
    return frame


def shuffled(frame, seed=0):
    """Every column permuted independently: same marginals, no dependence."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({c: frame[c].to_numpy()[rng.permutation(len(frame))]
                         for c in frame}).astype(frame.dtypes.to_dict())


def test_column_distances_are_ks_and_total_variation():
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"x": rng.normal(size=200), "c": rng.choice(list("abc"), 200),
                         "b": rng.random(200) < 0.3})
    fake = pd.DataFrame({"x": rng.normal(0.5, size=150), "c": rng.choice(list("abd"), 150),
                         "b": rng.random(150) < 0.6})
    out = column_distances(real, fake)
    assert out["kind"].tolist() == ["numeric", "categorical", "categorical"]
    assert out.loc["x", "distance"] == pytest.approx(ks_2samp(real.x, fake.x).statistic)
    p = real.c.value_counts(normalize=True)
    q = fake.c.value_counts(normalize=True)
    p, q = p.align(q, fill_value=0)
    assert out.loc["c", "distance"] == pytest.approx(0.5 * np.abs(p - q).sum())
    assert out.loc["b", "distance"] == pytest.approx(abs(real.b.mean() - fake.b.mean()))


def test_missing_values_are_a_category_and_ignored_by_ks():
    real = pd.DataFrame({"x": [1.0, 2.0, np.nan, 4.0], "c": ["a", None, "a", "b"]})
    fake = pd.DataFrame({"x": [1.0, 2.0, 4.0, np.nan], "c": ["a", "a", "a", "b"]})
    out = column_distances(real, fake)
    assert out.loc["x", "distance"] == 0.0
    assert out.loc["c", "distance"] == pytest.approx(0.25)


def test_category_frequencies_are_what_total_variation_compares():
    real = pd.Series(["b", "a", "b", None, "b", "c"])
    fake = np.array(["a", "d", "d", "b"], dtype=object)
    out = category_frequencies(real, fake)
    # real's categories by decreasing frequency, then the ones only the synthetic has
    assert out.index.tolist() == ["b", "a", "<missing>", "c", "d"]
    np.testing.assert_allclose(out["real"], [3 / 6, 1 / 6, 1 / 6, 1 / 6, 0])
    np.testing.assert_allclose(out["synthetic"], [1 / 4, 1 / 4, 0, 0, 2 / 4])
    assert out.sum().tolist() == pytest.approx([1.0, 1.0])
    distances = column_distances(pd.DataFrame({"c": real}),
                                 pd.DataFrame({"c": pd.Series(fake)}))
    tv = 0.5 * np.abs(out["real"] - out["synthetic"]).sum()
    assert distances.loc["c", "distance"] == pytest.approx(tv)
    with pytest.raises(ValueError, match="synthetic must be one column"):
        category_frequencies(real, np.zeros((3, 2)))


def test_correlation_difference_copy_and_shuffle(wine):
    assert correlation_difference(wine, wine) == pytest.approx(0.0, abs=1e-12)
    numeric = wine.drop(columns="cultivar")
    corr = numeric.corr().to_numpy()
    mean_abs = np.abs(corr[np.triu_indices(len(corr), 1)]).mean()
    # a shuffle keeps about no correlation: the difference is about the mean |r|
    assert correlation_difference(wine, shuffled(wine)) == pytest.approx(mean_abs, abs=0.05)


def test_correlation_difference_needs_two_numeric_columns():
    real = pd.DataFrame({"x": [1.0, 2.0, 3.0], "c": ["a", "b", "a"]})
    assert np.isnan(correlation_difference(real, real))


def test_detection_score_orders_copy_shuffle_and_shift(wine):
    copy = wine.sample(frac=1.0, random_state=1)
    assert detection_score(wine, copy) == 0.5
    raw = detection_score(wine, wine.sample(frac=1.0, replace=True, random_state=0),
                          clamp=False)
    assert raw < 0.5  # duplicated rows across folds: why the score is clamped
    assert detection_score(wine, shuffled(wine)) > 0.85
    shifted = wine.assign(alcohol=wine["alcohol"] + 2.0)
    assert detection_score(wine, shifted) > 0.95


def test_train_synthetic_test_real_classification_and_regression(wine):
    assert train_synthetic_test_real(wine, wine, "cultivar") == 1.0
    assert train_synthetic_test_real(wine, shuffled(wine), "cultivar") < 0.6
    assert train_synthetic_test_real(wine, wine, "proline") > 0.9  # R2 on its own rows
    one_class = wine[wine["cultivar"] == "class_0"]
    # a synthetic table with one class left predicts that class everywhere
    assert train_synthetic_test_real(wine, one_class, "cultivar") == pytest.approx(
        (wine["cultivar"] == "class_0").mean())


def test_quality_report_fields_and_text(wine):
    report = quality_report(wine, shuffled(wine), target="cultivar")
    assert isinstance(report, QualityReport)
    assert report.target_metric == "accuracy"
    assert report.train_real_test_real > 0.9
    assert report.train_synthetic_test_real < report.train_real_test_real
    assert report.mean_column_distance == 0.0  # a shuffle keeps every marginal
    text = str(report)
    assert "detection AUC" in text and "alcohol" in text and "accuracy" in text
    assert set(report.summary()) == {
        "mean column distance", "correlation difference", "detection AUC",
        "train synthetic, test real (accuracy)", "train real, test real (accuracy)",
    }


def test_arrays_are_accepted():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(100, 3))
    report = quality_report(real, real[::-1])
    assert list(report.columns.index) == ["x0", "x1", "x2"]
    assert report.correlation_difference == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    "fake, message",
    [
        (pd.DataFrame({"x": [1.0, 2.0], "z": [1.0, 2.0]}), "same columns"),
        (np.zeros((3, 3)), "columns like real"),
        (pd.DataFrame({"x": [1.0], "y": [1.0]}), "at least 2 rows"),
    ],
)
def test_bad_tables(fake, message):
    real = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [3.0, 1.0, 2.0]})
    with pytest.raises(ValueError, match=message):
        quality_report(real, fake)


def test_unknown_target():
    real = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [3.0, 1.0, 2.0]})
    with pytest.raises(ValueError, match="target='z' is not a column"):
        train_synthetic_test_real(real, real, "z")
