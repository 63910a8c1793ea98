"""GANSampler: what a user relies on.

The quality checks fit once on scikit-learn's diabetes table (442 rows, an integer
age, a categorical sex, nine measurements and the disease-progression target) and
once, conditionally, on the wine table. The penguins table is kept out of the tests:
it is the benchmark's table (benchmarks/bench_gan.py).
"""

import inspect
import pickle
import re

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_wine
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score

from sknn import GANSampler
from sknn.metrics import column_distances, correlation_difference, detection_score
from sknn.modules.gan import Generator, TabularGAN, row_layout

TINY = dict(generator_layer_sizes=(32,), critic_layer_sizes=(32,), max_iter=3,
            random_state=0)


def column_shuffle(frame, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({c: frame[c].to_numpy()[rng.permutation(len(frame))]
                         for c in frame}).astype(frame.dtypes.to_dict())


@pytest.fixture(scope="module")
def diabetes():
    frame = load_diabetes(as_frame=True, scaled=False).frame
    frame["sex"] = frame["sex"].map({1.0: "female", 2.0: "male"}).astype("category")
    frame["age"] = frame["age"].astype(np.int64)
    return frame


@pytest.fixture(scope="module")
def diabetes_fit(diabetes):
    sampler = GANSampler(random_state=0).fit(diabetes)
    return sampler, sampler.sample(len(diabetes), random_state=1)


@pytest.fixture(scope="module")
def wine():
    data = load_wine(as_frame=True)
    return data.data, pd.Series(np.asarray(data.target_names)[data.target], name="cultivar")


@pytest.fixture(scope="module")
def wine_fit(wine):
    X, y = wine
    return GANSampler(max_iter=100, random_state=0).fit(X, y)


# ----------------------------------------------------------------- quality


@pytest.mark.slow
def test_samples_keep_the_schema(diabetes, diabetes_fit):
    _, fake = diabetes_fit
    assert list(fake.columns) == list(diabetes.columns)
    assert fake.dtypes.equals(diabetes.dtypes)
    assert fake["sex"].cat.categories.tolist() == ["female", "male"]
    assert set(fake["sex"]) == {"female", "male"}  # both kept, nothing invented
    assert fake["age"].between(diabetes["age"].min(), diabetes["age"].max()).all()
    for column in diabetes.columns.drop("sex"):  # within the observed range
        assert fake[column].min() >= diabetes[column].min()
        assert fake[column].max() <= diabetes[column].max()
    assert not fake.isna().any().any()


@pytest.mark.slow
def test_marginals_and_correlations_are_kept(diabetes, diabetes_fit):
    _, fake = diabetes_fit
    distances = column_distances(diabetes, fake)["distance"]
    assert distances.max() < 0.15, distances
    assert distances.mean() < 0.08
    kept = correlation_difference(diabetes, fake)
    lost = correlation_difference(diabetes, column_shuffle(diabetes))  # about 0.3
    assert kept < 0.1 and kept < lost / 3, (kept, lost)  # 0.03 to 0.065 over 4 seeds
    real_corr = diabetes["s1"].corr(diabetes["s2"])  # 0.90: the strongest pair
    assert abs(fake["s1"].corr(fake["s2"]) - real_corr) < 0.1


@pytest.mark.slow
def test_synthetic_rows_are_hard_to_tell_from_real(diabetes, diabetes_fit):
    _, fake = diabetes_fit
    # a column-wise shuffle is detected at about 0.8, CTGAN 0.12.1 at its defaults at
    # 0.99 (measured on this table, 2 seeds); GANSampler 0.50 to 0.51 over 4 seeds
    assert detection_score(diabetes, column_shuffle(diabetes)) > 0.75
    assert detection_score(diabetes, fake) < 0.7


def test_train_on_synthetic_predicts_real_rows(wine, wine_fit):
    X, y = wine
    fake_X, fake_y = wine_fit.sample(len(X), random_state=1, return_y=True)
    model = HistGradientBoostingClassifier(random_state=0).fit(fake_X, fake_y)
    assert model.score(X, y) > 0.85


@pytest.mark.slow
def test_loss_curves(diabetes_fit):
    sampler, _ = diabetes_fit
    assert len(sampler.loss_curve_) == len(sampler.generator_loss_curve_) == sampler.n_iter_
    assert sampler.critic_loss_curve_ == sampler.loss_curve_
    assert np.all(np.isfinite(sampler.loss_curve_ + sampler.generator_loss_curve_))
    # WGAN-GP: minus the critic loss estimates the Wasserstein distance, which falls
    early, late = np.mean(sampler.loss_curve_[:5]), np.mean(sampler.loss_curve_[-5:])
    assert late > early
    assert sampler.best_loss_ is None


@pytest.mark.slow
def test_no_mode_is_dropped():
    # the classic mode-collapse check: a ring of 8 tight Gaussians
    rng = np.random.default_rng(0)
    angles = 2 * np.pi * np.arange(8) / 8
    centers = np.c_[np.cos(angles), np.sin(angles)] * 2
    X = centers[rng.integers(8, size=800)] + rng.normal(0, 0.05, (800, 2))
    fake = GANSampler(max_iter=20, random_state=0).fit(X).sample(2000)
    distance = np.linalg.norm(fake[:, None, :] - centers[None], axis=2)
    near = distance.min(1) < 0.25
    assert np.bincount(distance.argmin(1)[near], minlength=8).min() >= 20  # >= 1% each


# ------------------------------------------------------------ conditional


def test_conditional_sampling_gives_rows_of_the_class(wine, wine_fit):
    X, y = wine
    judge = HistGradientBoostingClassifier(random_state=0).fit(X, y)
    for label in ["class_0", "class_1", "class_2"]:
        rows = wine_fit.sample(100, y=label, random_state=2)
        assert (judge.predict(rows) == label).mean() > 0.8, label  # 0.87 to 0.99 measured
    labels = np.array(["class_2"] * 30 + ["class_0"] * 20)
    rows = wine_fit.sample(50, y=labels, random_state=3)
    assert (judge.predict(rows) == labels).mean() > 0.8


def test_unconditional_draw_follows_class_frequencies(wine, wine_fit):
    _, y = wine
    _, fake_y = wine_fit.sample(2000, random_state=0, return_y=True)
    expected = y.value_counts(normalize=True)
    got = pd.Series(fake_y).value_counts(normalize=True)
    np.testing.assert_allclose(got[expected.index], expected, atol=0.04)


def test_fit_resample_balances_like_imbalanced_learn(wine):
    X, y = wine
    keep = (y != "class_2") | (np.arange(len(y)) % 6 == 0)  # 8 rows of class_2 left
    X, y = X[keep].reset_index(drop=True), y[keep].reset_index(drop=True)
    counts = y.value_counts()
    sampler = GANSampler(max_iter=20, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert y_res.name == "cultivar"
    assert X_res.dtypes.equals(X.dtypes)
    pd.testing.assert_frame_equal(X_res.iloc[:len(X)], X)  # originals first, unchanged
    assert (y_res.value_counts() == counts.max()).all()
    # the new rows come in class order, as imbalanced-learn appends them
    added = y_res.iloc[len(y):]
    assert added.tolist() == sorted(added.tolist())

    quick = clone(sampler).set_params(**TINY)
    for strategy, expected in [
        ("minority", {"class_2": counts.max()}),
        ("not minority", {"class_0": counts.max(), "class_1": counts.max()}),
        ("all", {"class_0": counts.max(), "class_1": counts.max()}),
        ({"class_2": 20, "class_0": counts["class_0"] + 5}, {"class_2": 20}),
        (lambda labels: {"class_2": 10}, {"class_2": 10}),
    ]:
        _, y_res = clone(quick).set_params(sampling_strategy=strategy).fit_resample(X, y)
        for label, n in expected.items():
            assert (y_res == label).sum() == n, strategy


def test_fit_resample_binary_float_ratio_and_arrays(wine):
    X, y = wine
    binary = (y == "class_0").to_numpy()  # 59 True, 119 False
    X_res, y_res = GANSampler(max_iter=5, random_state=0, sampling_strategy=0.8).fit_resample(
        X.to_numpy(), binary)
    assert isinstance(X_res, np.ndarray) and X_res.dtype == np.float64
    assert (y_res == True).sum() == int(0.8 * 119)  # noqa: E712
    np.testing.assert_array_equal(X_res[:len(X)], X.to_numpy())


@pytest.mark.parametrize(
    "strategy, message",
    [
        ({"class_0": 5}, "greater or equal to the original number"),
        ({"nope": 500}, "not in y"),
        (0.5, "only when y is binary"),
    ],
)
def test_fit_resample_bad_strategies(wine, strategy, message):
    X, y = wine
    sampler = GANSampler(sampling_strategy=strategy, **TINY)
    with pytest.raises(ValueError, match=message):
        sampler.fit_resample(X, y)
    assert not hasattr(sampler, "module_")  # checked before fitting


def test_fit_resample_float_ratio_below_current():
    X = np.random.default_rng(0).normal(size=(40, 2))
    y = np.r_[np.zeros(30), np.ones(10)]
    with pytest.raises(ValueError, match="increase the ratio"):
        GANSampler(sampling_strategy=0.2, **TINY).fit_resample(X, y)


def test_fit_resample_needs_two_classes():
    X = np.random.default_rng(0).normal(size=(20, 2))
    with pytest.raises(ValueError, match="only one class"):
        GANSampler(**TINY).fit_resample(X, np.zeros(20))


# ------------------------------------------------------------ input types


def mixed_table(n=120, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return pd.DataFrame({
        "real": x,
        "skewed": np.exp(x + rng.normal(0, 0.3, n)).astype(np.float32),
        "count": rng.poisson(3, n).astype(np.int64) + 10,
        "flag": x > 0.5,
        "grade": pd.Categorical(rng.choice(["low", "mid", "high"], n),
                                categories=["low", "mid", "high", "unused"], ordered=True),
        "city": rng.choice(["Oslo", "Lima", "Pune"], n).astype(object),
        "code": pd.array(rng.choice(["a", "b"], n), dtype="string"),
        "small": pd.array(rng.integers(0, 4, n), dtype="Int64"),
    })


def test_every_dtype_comes_back():
    table = mixed_table()
    fake = GANSampler(max_iter=30, random_state=0).fit(table).sample(300)
    assert list(fake.columns) == list(table.columns)
    assert fake.dtypes.equals(table.dtypes)
    assert fake["grade"].cat.categories.tolist() == ["low", "mid", "high", "unused"]
    assert fake["grade"].cat.ordered
    assert set(fake["grade"]) <= {"low", "mid", "high"}  # "unused" never seen: never made
    assert set(fake["city"]) <= {"Oslo", "Lima", "Pune"}
    assert set(fake["code"]) <= {"a", "b"}
    assert fake["count"].between(table["count"].min(), table["count"].max()).all()
    assert fake["small"].between(0, 3).all()
    assert fake["skewed"].min() > 0


def test_arrays_in_arrays_out():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    sampler = GANSampler(**TINY).fit(X)
    out = sampler.sample(7)
    assert isinstance(out, np.ndarray) and out.shape == (7, 3) and out.dtype == np.float64
    X_int = rng.integers(-5, 5, size=(100, 2))
    out = GANSampler(**TINY).fit(X_int).sample(50)
    assert out.dtype == X_int.dtype
    assert out.min() >= X_int.min() and out.max() <= X_int.max()
    out = GANSampler(**TINY).fit(X.astype(np.float32)).sample(5)
    assert out.dtype == np.float32


def test_few_valued_numbers_keep_their_values_and_frequencies():
    # flags, ratings and small counts (at most 10 distinct values) are learned as
    # categories: only observed values, at about their frequencies
    rng = np.random.default_rng(0)
    rating = rng.choice([1, 2, 3, 4, 5], 400, p=[0.1, 0.1, 0.2, 0.3, 0.3])
    X = np.c_[rng.normal(size=400) + rating, rating, (rng.random(400) < 0.2)].astype(int)
    fake = GANSampler(max_iter=60, random_state=0).fit(X).sample(2000)
    assert fake.dtype == X.dtype
    assert set(np.unique(fake[:, 1])) <= {1, 2, 3, 4, 5}
    assert set(np.unique(fake[:, 2])) <= {0, 1}
    np.testing.assert_allclose(np.bincount(fake[:, 1], minlength=6) / 2000,
                               np.bincount(X[:, 1], minlength=6) / 400,
                               atol=0.07)  # off by at most 0.04 over 4 seeds
    assert abs(fake[:, 2].mean() - X[:, 2].mean()) < 0.05


def test_numeric_marginals_are_calibrated_even_after_a_short_fit():
    # a skewed and a two-peaked column; 3 epochs leave the generator far from them,
    # the calibration learned after training brings each marginal back
    rng = np.random.default_rng(0)
    skewed = rng.lognormal(0, 1, 600)
    X = np.c_[skewed, np.where(rng.random(600) < 0.3, -4.0, 3.0) + rng.normal(0, 0.5, 600)
              + 0.3 * np.log(skewed)]
    sampler = GANSampler(**TINY).fit(X)
    fake = sampler.sample(3000, random_state=1)

    def ks(a, b):
        return column_distances(pd.DataFrame(a), pd.DataFrame(b))["distance"].to_numpy()

    assert ks(X, fake).max() < 0.05  # 0.01 to 0.02 over 3 seeds
    sampler._codec.calibration = None  # the same generator, uncalibrated
    assert ks(X, sampler.sample(3000, random_state=1)).max() > 0.3  # 0.4 to 0.7


def test_category_frequencies_are_calibrated_even_after_a_short_fit():
    # 3 epochs leave the generator far from the frequencies of a rare category and
    # of missing values; the calibration learned after training brings them back
    rng = np.random.default_rng(0)
    grade = rng.choice(["a", "b", "c"], 600, p=[0.75, 0.2, 0.05])
    value = rng.normal(size=600) + (grade == "c") * 3.0
    value[rng.random(600) < 0.3] = np.nan
    table = pd.DataFrame({"grade": grade.astype(object), "value": value})
    sampler = GANSampler(**TINY).fit(table)

    def largest_error(fake):
        real = table["grade"].value_counts(normalize=True)
        made = fake["grade"].value_counts(normalize=True).reindex(real.index, fill_value=0)
        missing = abs(fake["value"].isna().mean() - table["value"].isna().mean())
        return max((made - real).abs().max(), missing)

    assert largest_error(sampler.sample(20_000, random_state=1)) < 0.015  # 0.003-0.006
    sampler.module_.state_bias.zero_()  # the same generator, uncalibrated
    assert largest_error(sampler.sample(20_000, random_state=1)) > 0.1  # 0.14-0.30


def test_conditional_category_frequencies_are_calibrated_per_class():
    # each class has its own category mix; the calibration aims each class at its own
    rng = np.random.default_rng(0)
    y = np.where(rng.random(600) < 0.85, "p", "q")
    grade = np.where(y == "p", rng.choice(["u", "v", "w"], 600, p=[0.7, 0.2, 0.1]),
                     rng.choice(["u", "v", "w"], 600, p=[0.1, 0.3, 0.6]))
    X = pd.DataFrame({"grade": grade.astype(object), "x": rng.normal(size=600) + (grade == "w")})
    sampler = GANSampler(**{**TINY, "max_iter": 15}).fit(X, y)

    def largest_error():
        errors = []
        for label in ["p", "q"]:
            real = X["grade"][y == label].value_counts(normalize=True)
            made = sampler.sample(20_000, y=label, random_state=1)["grade"]
            made = made.value_counts(normalize=True).reindex(real.index, fill_value=0)
            errors.append((made - real).abs().max())
        return max(errors)

    assert largest_error() < 0.02  # 0.002-0.008 over 3 seeds
    sampler.module_.state_bias.zero_()
    assert largest_error() > 0.3  # 0.45-0.56


def test_warm_start_calibrates_to_the_new_rows():
    rng = np.random.default_rng(0)

    def table(share_a):
        grade = np.where(rng.random(400) < share_a, "a", "b").astype(object)
        return pd.DataFrame({"grade": grade, "x": rng.normal(size=400)})

    first, second = table(0.9), table(0.1)
    sampler = GANSampler(**TINY).fit(first).set_params(warm_start=True).fit(second)
    made = sampler.sample(20_000, random_state=1)["grade"].eq("a").mean()
    assert abs(made - second["grade"].eq("a").mean()) < 0.02  # 0.000-0.004 over 3 seeds


@pytest.mark.slow
def test_max_iter_auto_runs_a_number_of_steps(diabetes, diabetes_fit):
    sampler, _ = diabetes_fit
    # 442 rows at batch 32 are 14 steps an epoch: 1,000 steps (the floor) are 71 epochs
    assert sampler.max_iter == "auto" and sampler.n_iter_ == 71
    # 1.75 steps per row between the floor and the cap of 10,000
    assert sampler._auto_epochs(4000, 100) == 175
    assert sampler._auto_epochs(50_000, 256) == round(10_000 / 196)


def test_missing_values_are_learned_as_a_state():
    table = mixed_table(300)
    rng = np.random.default_rng(1)
    table.loc[rng.random(300) < 0.3, "real"] = np.nan
    table.loc[rng.random(300) < 0.2, "city"] = np.nan
    table["small"] = table["small"].astype("Int64")
    table.loc[rng.random(300) < 0.25, "small"] = pd.NA
    fake = GANSampler(max_iter=60, random_state=0).fit(table).sample(2000)
    assert fake.dtypes.equals(table.dtypes)
    for column in ["real", "city", "small"]:  # calibrated: off by <= 0.017 over 3 seeds
        assert abs(fake[column].isna().mean() - table[column].isna().mean()) < 0.03, column
    assert not fake["skewed"].isna().any()  # no missing values in fit: none made


# ------------------------------------------------------- reproducibility


def test_same_random_state_same_rows_and_pickle(diabetes):
    a = GANSampler(**TINY).fit(diabetes)
    b = GANSampler(**TINY).fit(diabetes)
    pd.testing.assert_frame_equal(a.sample(50), b.sample(50))
    pd.testing.assert_frame_equal(a.sample(50, random_state=3), b.sample(50, random_state=3))
    assert not a.sample(50, random_state=3).equals(a.sample(50, random_state=4))
    c = pickle.loads(pickle.dumps(a))
    pd.testing.assert_frame_equal(a.sample(50, random_state=5), c.sample(50, random_state=5))
    np.testing.assert_array_equal(a.score_samples(diabetes), c.score_samples(diabetes))


def test_global_torch_random_state_untouched(diabetes):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    GANSampler(**TINY).fit(diabetes).sample(10)
    assert torch.equal(torch.rand(3), expected)


def test_warm_start_continues(diabetes):
    sampler = GANSampler(warm_start=True, **TINY).fit(diabetes)
    sampler.fit(diabetes)
    # n_iter_ counts the last fit's epochs (scikit-learn's); the curves accumulate.
    assert sampler.n_iter_ == 3 and len(sampler.generator_loss_curve_) == 6


# --------------------------------------------------------------- options


@pytest.mark.slow
def test_bce_loss_learns_too(diabetes):
    sampler = GANSampler(loss="bce", max_iter=60, random_state=0)
    fake = sampler.fit(diabetes).sample(len(diabetes))
    assert fake.dtypes.equals(diabetes.dtypes)
    assert column_distances(diabetes, fake)["distance"].mean() < 0.12
    assert detection_score(diabetes, fake) < 0.8


def test_packing_and_early_stopping(diabetes, check_keeps_best_weights):
    sampler = GANSampler(pac=4, early_stopping=True, n_iter_no_change=3, max_iter=200,
                         generator_layer_sizes=(32,), critic_layer_sizes=(32,),
                         random_state=0)
    # The validation score compares held-out rows with rows generated from noise the
    # fit drew, so it is not recomputed; state_bias is calibrated after training.
    sampler = check_keeps_best_weights(sampler, diabetes, score=False, ignore=("state_bias",))
    assert sampler.module_.critic.pac == 4
    assert sampler.n_iter_ < 200  # stopped
    assert all(s <= 0 for s in sampler.validation_scores_)  # minus an energy distance
    scores = sampler.score_samples(diabetes.head(5))
    assert scores.shape == (5,) and np.all(np.isfinite(scores))


def test_verbose_prints_both_losses(diabetes, capsys):
    GANSampler(verbose=1, **TINY).fit(diabetes)
    out = capsys.readouterr().out
    assert "train_loss" in out and "generator_loss" in out


# ----------------------------------------------------------- score_samples


def test_score_samples_ranks_real_rows_above_generated_ones(wine, wine_fit):
    X, y = wine
    real = wine_fit.score_samples(X, y)
    assert real.shape == (len(X),)
    fake_X, fake_y = wine_fit.sample(len(X), random_state=9, return_y=True)
    fake = wine_fit.score_samples(fake_X, fake_y)
    is_real = np.r_[np.ones(len(real)), np.zeros(len(fake))]
    assert roc_auc_score(is_real, np.r_[real, fake]) > 0.6
    # without y, the score averages over the classes
    assert np.all(np.isfinite(wine_fit.score_samples(X)))


# ----------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "column, message",
    [
        (np.full(20, np.nan), "only missing values"),
        (np.full(20, 3.0), "constant"),
        (np.array(["x"] * 20, dtype=object), "constant"),
        (np.r_[np.inf, np.arange(19.0)], "infinity"),
        (pd.timedelta_range("1s", periods=20), "cannot learn"),
    ],
)
def test_bad_columns(column, message):
    table = pd.DataFrame({"ok": np.arange(20.0), "bad": column})
    sampler = GANSampler(**TINY)
    with pytest.raises(ValueError, match=message):
        sampler.fit(table)
    assert not hasattr(sampler, "module_")


def test_a_failed_refit_leaves_the_fitted_sampler_as_it_was(diabetes):
    sampler = GANSampler(**TINY).fit(diabetes)
    before = sampler.sample(5)
    with pytest.raises(ValueError, match="constant"):
        sampler.fit(diabetes.assign(bmi=1.0))
    pd.testing.assert_frame_equal(sampler.sample(5), before)


def test_changed_dtype_and_columns_are_errors(diabetes):
    sampler = GANSampler(**TINY).fit(diabetes)
    with pytest.raises(ValueError, match="Column 'sex' has dtype object but was category"):
        sampler.score_samples(diabetes.astype({"sex": object}))
    with pytest.raises(ValueError, match="Column 'age' has dtype float64 but was int64"):
        sampler.score_samples(diabetes.astype({"age": float}))
    with pytest.raises(ValueError, match="feature names"):
        sampler.score_samples(diabetes.rename(columns={"bmi": "BMI"}))
    with pytest.raises(ValueError, match="fitted on a DataFrame"):
        sampler.score_samples(diabetes.to_numpy())
    with pytest.raises(ValueError, match="had none"):
        sampler.score_samples(diabetes.assign(bmi=np.nan))


def test_label_errors(wine, wine_fit):
    X, y = wine
    with pytest.raises(ValueError, match="'class_9' is not a class"):
        wine_fit.sample(5, y="class_9")
    with pytest.raises(ValueError, match="one label or 5 labels"):
        wine_fit.sample(5, y=["class_0", "class_1"])
    unconditional = GANSampler(**TINY).fit(X)
    with pytest.raises(ValueError, match="fitted without y"):
        unconditional.sample(5, y="class_0")
    with pytest.raises(ValueError, match="return_y=True needs"):
        unconditional.sample(5, return_y=True)
    with pytest.raises(ValueError, match="missing values"):
        GANSampler(**TINY).fit(X, y.where(y != "class_0"))
    with pytest.raises(ValueError, match="X has 178 rows but y has 10"):
        GANSampler(**TINY).fit(X, y[:10])


@pytest.mark.parametrize("n", [0, -3, 2.5, True])
def test_bad_n_samples(wine_fit, n):
    with pytest.raises(ValueError, match="n_samples must be a positive integer"):
        wine_fit.sample(n)


def test_lbfgs_and_unfitted():
    X = np.random.default_rng(0).normal(size=(20, 2))
    with pytest.raises(ValueError, match="'solver' parameter of GANSampler"):
        GANSampler(solver="lbfgs", **TINY).fit(X)
    with pytest.raises(NotFittedError):
        GANSampler().sample(3)
    with pytest.raises(NotFittedError):
        GANSampler().score_samples(X)


@pytest.mark.gpu
def test_cuda_fit_samples_like_cpu_dtypes(diabetes):
    sampler = GANSampler(device="cuda", **TINY).fit(diabetes)
    assert all(p.is_cuda for p in sampler.module_.parameters())
    assert all(b.is_cuda for b in sampler.module_.buffers())  # state_bias included
    fake = sampler.sample(20)
    assert fake.dtypes.equals(diabetes.dtypes)
    restored = pickle.loads(pickle.dumps(sampler))
    pd.testing.assert_frame_equal(restored.sample(20), fake)


# ------------------------------------------------------------- the networks


BLOCKS = [("numeric", 1), ("categorical", 3), ("numeric_missing", 1), ("numeric", 1)]


def test_row_layout_places_values_and_states():
    blocks = [("numeric", 1), ("categorical", 3), ("numeric_missing", 1), ("numeric", 1),
              ("numeric_missing", 1), ("categorical", 2)]
    values, states, sizes, present = row_layout(blocks)
    assert values == [0, 4, 7, 8]
    assert states == [1, 2, 3, 5, 6, 9, 10, 11, 12]
    assert sizes == [3, 2, 2, 2]
    assert present == [-1, 3, -1, 5]  # among the states: row positions 5 and 9


def test_generator_rows_follow_the_block_layout():
    torch.manual_seed(0)
    generator = Generator(8, 0, BLOCKS, (16,))
    rows = generator(torch.randn(500, 8), hard=True)
    assert rows.shape == (500, generator.n_features_out) == (500, 1 + 3 + 3 + 1)
    onehot, value, state = rows[:, 1:4], rows[:, 4], rows[:, 5:7]
    assert torch.equal(onehot.sum(1), torch.ones(500))
    assert torch.equal(state.sum(1), torch.ones(500))
    assert set(onehot.unique().tolist()) == {0.0, 1.0}
    missing = state[:, 1] == 1
    assert 0 < missing.sum() < 500
    assert torch.equal(value[missing], torch.zeros(int(missing.sum())))  # no number
    assert (value[~missing] != 0).all()
    soft = generator(torch.randn(50, 8))  # relaxed draws while training
    assert ((soft[:, 1:4] > 0) & (soft[:, 1:4] < 1)).any()


def test_generator_values_read_the_drawn_category():
    # the value head computes the numbers from the hidden features and the drawn
    # states: forcing another category changes the numbers of the same noise
    torch.manual_seed(0)
    gan = TabularGAN([("categorical", 2), ("numeric", 1)], latent_dim=4,
                     generator_layer_sizes=(8,))
    noise = torch.randn(20, 4)
    with torch.no_grad():
        gan.state_bias.copy_(torch.tensor([30.0, -30.0]))
        first = gan(noise)
        gan.state_bias.copy_(torch.tensor([-30.0, 30.0]))
        second = gan(noise)
    assert torch.equal(first[:, 0], torch.ones(20)) and torch.equal(second[:, 1], torch.ones(20))
    weight = gan.generator_average.values.weight[0, -2:]  # the value head's state weights
    torch.testing.assert_close(first[:, 2] - second[:, 2],
                               (weight[0] - weight[1]).expand(20))


def test_docstring_documents_exactly_the_init_parameters():
    """The Parameters section is composed from entries; none missing, none extra."""
    doc = GANSampler.__doc__
    section = doc.split("    Parameters\n    ----------\n")[1].split("\n\n    Attributes")[0]
    documented = [name for line in re.findall(r"^    (\w[^:\n]*?) : ", section, re.MULTILINE)
                  for name in line.split(", ")]
    params = [p for p in inspect.signature(GANSampler.__init__).parameters if p != "self"]
    assert documented == params
    assert "{" + "parameters}" not in doc
    # the GAN's own versions of shared entries, not the shared text
    assert 'solver : {"adam", "adamw", "sgd"}, default="adam"' in section
    assert 'precision : {"float32", "bfloat16", "float64"}, default="float32"' in section
    assert "beta_1, beta_2 : float, default=0.5, 0.9" in section


def test_only_parameters_the_gan_can_use():
    params = GANSampler().get_params()
    assert "max_fun" not in params
    assert set(GANSampler._parameter_constraints) == set(params)
    solver_options = GANSampler._parameter_constraints["solver"][0].options
    assert solver_options == {"adam", "adamw", "sgd"}


def test_sgd_uses_the_momentum_parameters():
    """momentum, nesterovs_momentum and the "invscaling" schedule reach the GAN's
    optimizer: they are real parameters of a GANSampler with solver="sgd"."""
    X = np.random.default_rng(0).normal(size=(40, 3))
    fits = [GANSampler(solver="sgd", learning_rate_init=0.01, batch_size=32, **kw,
                       **TINY).fit(X)
            for kw in ({}, {"momentum": 0.0}, {"nesterovs_momentum": False},
                       {"learning_rate": "invscaling", "power_t": 0.9})]
    samples = [f.sample(20, random_state=0) for f in fits]
    for other in samples[1:]:
        assert not np.array_equal(samples[0], other)


def test_datetime_columns_are_learned_and_returned_with_their_dtype_and_time_zone():
    rng = np.random.default_rng(0)
    n = 240
    days = pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    frame = pd.DataFrame({
        "amount": rng.normal(size=n),
        "booked": pd.Series(pd.Timestamp("2024-01-01") + days).dt.tz_localize("Europe/Paris"),
        "seen": pd.Timestamp("2020-06-01") + pd.to_timedelta(rng.normal(0, 3600, n), unit="s"),
    })
    frame.loc[frame.index[::8], "seen"] = pd.NaT
    sampler = GANSampler(generator_layer_sizes=(16,), critic_layer_sizes=(16,), max_iter=5,
                         random_state=0).fit(frame)
    rows = sampler.sample(400, random_state=0)
    assert rows.dtypes.to_dict() == frame.dtypes.to_dict()
    assert str(rows["booked"].dt.tz) == "Europe/Paris"
    # Generated dates stay in the training range; missing timestamps come back as NaT.
    assert rows["booked"].min() >= frame["booked"].min()
    assert rows["booked"].max() <= frame["booked"].max()
    assert 0.03 < rows["seen"].isna().mean() < 0.3
