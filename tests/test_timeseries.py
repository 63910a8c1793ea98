"""Time series: the CNNs' conv_dims=1 layouts and architectures, unequal lengths."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.utils.estimator_checks import (
    check_classifiers_train,
    check_fit2d_1feature,
    check_regressors_train,
)

from sknn import CNNClassifier, CNNRegressor, LSTMClassifier, LSTMRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(conv_channels=(8, 16, 8), max_iter=15, random_state=0)


def shapes(n=80, length=48, seed=0):
    """Two classes of univariate series: slow or fast oscillations, random phase, noise."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    t = np.arange(length)
    period = np.where(y == 0, 16.0, 6.0)
    phase = rng.uniform(0, 2 * np.pi, n)
    X = np.sin(2 * np.pi * t[None, :] / period[:, None] + phase[:, None])
    X = X + 0.3 * rng.normal(size=X.shape)
    return X[:, None, :], y  # aeon's (n_cases, n_channels, n_timepoints)


def test_fcn_learns_series_in_aeons_layout_and_the_transposed_one():
    X, y = shapes()
    clf = CNNClassifier(conv_dims=1, **FAST).fit(X[:60], y[:60])
    assert type(clf.module_).__name__ == "FCN"
    assert clf.score(X[60:], y[60:]) >= 0.9
    assert clf.image_shape_ == (1, 48)
    last = CNNClassifier(conv_dims=1, channels_last=True, **FAST).fit(
        X[:60].transpose(0, 2, 1), y[:60])
    np.testing.assert_array_equal(last.predict_proba(X[60:].transpose(0, 2, 1)),
                                  clf.predict_proba(X[60:]))


@pytest.mark.parametrize("architecture", ["resnet", "inception"])
def test_other_architectures_build_and_predict(architecture):
    X, y = shapes(n=40)
    width = (8,) if architecture == "inception" else (8, 8, 8)
    clf = CNNClassifier(conv_dims=1, architecture=architecture, conv_channels=width,
                        max_iter=2, random_state=0).fit(X, y)
    assert clf.predict_proba(X).shape == (40, 2)


def test_unequal_lengths_lists_and_nan_padding_read_only_the_true_length():
    X, y = shapes(n=40)
    ragged = [x[:, : 30 + i % 18] for i, x in enumerate(X)]  # (n_channels, length_i)
    clf = CNNClassifier(conv_dims=1, **{**FAST, "max_iter": 3}).fit(ragged, y)
    # A series NaN-padded at the end predicts as the series alone (masked pooling).
    padded = np.concatenate([X[:5], np.full((5, 1, 20), np.nan)], axis=2)
    np.testing.assert_allclose(clf.predict_proba(padded), clf.predict_proba(X[:5]), rtol=1e-5)
    # Series longer than any seen in fit.
    longer = np.concatenate([X[:5], X[:5]], axis=2)
    assert clf.predict(longer).shape == (5,)
    assert clf.predict([x[:, :20] for x in X[:3]]).shape == (3,)


def test_regressor_and_pickle_on_multichannel_series():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3, 32))
    y = X[:, 1, :16].mean(1)
    reg = CNNRegressor(conv_dims=1, **{**FAST, "max_iter": 30}).fit(X, y)
    assert reg.score(X, y) > 0.5
    again = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(again.predict(X), reg.predict(X))


def test_small_data_gets_several_steps_an_epoch():
    X, y = shapes(n=50)
    clf = CNNClassifier(conv_dims=1, **{**FAST, "max_iter": 1}).fit(X, y)
    assert clf.history_[0]["train_batch_count"] == 10  # batches of min(16, n / 10) = 5


def test_layout_errors_and_warnings_name_the_parameter():
    X, y = shapes(n=20)
    with pytest.raises(ValueError, match="conv_dims=2 .*architecture='plain'"):
        CNNClassifier(conv_dims=2, architecture="fcn").fit(X, y)
    with pytest.raises(ValueError, match="conv_dims=2 reads images"):
        CNNClassifier(conv_dims=2).fit(X[:, 0], y)
    with pytest.raises(ValueError, match="augment works with architecture='plain' only"):
        CNNClassifier(conv_dims=1, augment=True).fit(X, y)
    with pytest.raises(ValueError, match="kernel_size needs one size per block"):
        CNNClassifier(conv_dims=1, kernel_size=(8, 5)).fit(X, y)
    with pytest.warns(UserWarning, match="set channels_last=True"):
        CNNClassifier(conv_dims=1, max_iter=1, random_state=0).fit(X.transpose(0, 2, 1), y)
    clf = CNNClassifier(conv_dims=1, **{**FAST, "max_iter": 1}).fit(X, y)
    with pytest.raises(ValueError, match="fitted on 1 channels"):
        clf.predict(np.zeros((2, 3, 48)))
    with pytest.raises(ValueError, match="0 time steps"):
        clf.predict(np.zeros((2, 1, 0)))
    # The plain network reads a fixed length.
    plain = CNNClassifier(conv_dims=1, architecture="plain", conv_channels=(4,),
                          dense_layers=(), max_iter=1, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="reads a fixed length"):
        plain.predict(X[:, :, :40])


# ------------------------------------------------- recurrent estimators, architecture

LSTM_FAST = dict(hidden_size=8, max_iter=15, random_state=0)


@pytest.mark.slow
def test_lstm_in_aeons_layout_defaults_to_the_conv_front_end():
    from sknn import LSTMClassifier
    from sknn.modules import ConvRecurrentNet, RecurrentNet

    X, y = shapes(n=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a fixed budget run to its end does not warn
        clf = LSTMClassifier(channels_last=False, random_state=0).fit(X[:40], y[:40])
    assert isinstance(clf.module_, ConvRecurrentNet)
    assert clf.n_iter_ == 100  # max_iter="auto": clip(1e7 / (40 * 48), 20, 100)
    assert clf.history_[0]["train_batch_count"] == 10  # batch_size="auto": min(16, 40 / 10)
    assert clf.score(X[40:], y[40:]) >= 0.9
    # Today's layout keeps today's network.
    plain = LSTMClassifier(max_iter=1, random_state=0).fit(X.transpose(0, 2, 1), y)
    assert isinstance(plain.module_, RecurrentNet)


def test_lstm_conv_reads_both_layouts_alike_and_long_series_in_at_most_128_steps():
    from sknn import LSTMClassifier

    X, y = shapes(n=40, length=300)
    first = LSTMClassifier(channels_last=False, **LSTM_FAST).fit(X, y)
    last = LSTMClassifier(architecture="conv", **LSTM_FAST).fit(X.transpose(0, 2, 1), y)
    np.testing.assert_array_equal(last.predict_proba(X.transpose(0, 2, 1)),
                                  first.predict_proba(X))
    assert first.module_.downsample == 3  # ceil(300 / 128)
    plain = LSTMClassifier(channels_last=False, architecture="plain", **LSTM_FAST).fit(X, y)
    assert type(plain.module_).__name__ == "RecurrentNet"


def test_lstm_conv_unequal_lengths_longer_series_and_pickle():
    from sknn import LSTMClassifier, LSTMRegressor

    X, y = shapes(n=40)
    ragged = [x[:, : 30 + i % 18] for i, x in enumerate(X)]  # (n_channels, length_i)
    clf = LSTMClassifier(channels_last=False, **{**LSTM_FAST, "max_iter": 3}).fit(ragged, y)
    # A series NaN-padded at the end predicts as the series alone.
    padded = np.concatenate([X[:5], np.full((5, 1, 20), np.nan)], axis=2)
    np.testing.assert_allclose(clf.predict_proba(padded), clf.predict_proba(X[:5]),
                               rtol=1e-5)
    longer = np.concatenate([X[:5], X[:5]], axis=2)  # longer than any seen in fit
    assert clf.predict(longer).shape == (5,)
    assert clf.transform(X[:3]).shape == (3, 8)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    # Regression on multichannel series, stacked layers.
    rng = np.random.default_rng(0)
    Xr = rng.normal(size=(60, 3, 32))
    yr = Xr[:, 1, :16].mean(1)
    reg = LSTMRegressor(channels_last=False, num_layers=2, **{**LSTM_FAST, "max_iter": 30})
    assert reg.fit(Xr, yr).score(Xr, yr) > 0.5
    assert reg.module_.rnn.num_layers == 2


def test_lstm_architecture_errors_name_the_parameter():
    from sknn import LSTMClassifier

    X, y = shapes(n=20)
    with pytest.raises(ValueError, match="'architecture' parameter of LSTMClassifier"):
        LSTMClassifier(architecture="fcn").fit(X, y)
    with pytest.raises(ValueError, match="'max_iter' parameter of LSTMClassifier"):
        LSTMClassifier(max_iter="long").fit(X, y)
    clf = LSTMClassifier(channels_last=False, warm_start=True, **{**LSTM_FAST, "max_iter": 1})
    clf.fit(X, y)
    with pytest.raises(ValueError, match="architecture"):
        clf.set_params(architecture="plain").fit(X, y)


def test_small_batches_of_zero_weight_rows_add_nothing_instead_of_nan():
    # Batches of min(16, n / 10) = 4 rows: most hold only rows of weight 0.
    from sknn import LSTMClassifier

    X, y = shapes(n=40)
    w = np.zeros(40)
    w[:6] = 1.0
    for est in (CNNClassifier(conv_dims=1, **{**FAST, "max_iter": 2}),
                LSTMClassifier(channels_last=False, **{**LSTM_FAST, "max_iter": 2})):
        est.fit(X, y, sample_weight=w)
        assert np.isfinite(est.loss_)
        assert np.isfinite(est.predict_proba(X)).all()


def test_small_archives_get_an_ensemble_long_series_are_averaged_over_windows():
    # The "auto" plan (benchmarks/README.md, issue 16): one work budget shared between
    # epochs and networks; series longer than 512 steps read as window averages.
    plan = CNNClassifier(conv_dims=1)._series_plan
    assert plan(36, 251) == (1, 300, 5)      # ArrowHead: 5 networks of 300 epochs
    assert plan(50, 361) == (1, 300, 2)      # PickupGestureWiimoteZ
    assert plan(200, 427) == (1, 176, 1)     # OSULeaf: the budget buys one network
    assert plan(100, 1460) == (3, 300, 1)    # ACSF1: windows of 3, 487 steps
    assert CNNClassifier(conv_dims=1, max_iter=10, n_networks=2,
                         downsample=4)._series_plan(100, 1460) == (4, 10, 2)

    X, y = shapes(n=40)
    clf = CNNClassifier(conv_dims=1, **FAST).fit(X, y)
    assert (clf.module_.n_members, clf.module_.downsample) == (5, 1)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-6)
    assert clf.score(X, y) > 0.9
    assert clf.transform(X).shape == (40, 5 * 8)  # the members' pooled features
    again = CNNClassifier(conv_dims=1, **FAST).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X), proba)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), proba)

    single = CNNClassifier(conv_dims=1, n_networks=1, downsample=2, **FAST).fit(X, y)
    assert (single.module_.n_members, single.module_.downsample) == (1, 2)
    longer, _ = shapes(n=4, length=100, seed=1)  # longer than any series seen in fit
    assert single.predict(longer).shape == (4,)


def test_ensemble_regressor_averages_its_networks():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2, 32))
    y = X[:, 1, :16].mean(1)
    reg = CNNRegressor(conv_dims=1, n_networks=3, **{**FAST, "max_iter": 30}).fit(X, y)
    assert reg.module_.n_members == 3
    assert reg.score(X, y) > 0.5


@pytest.mark.parametrize("name", ["n_networks", "downsample"])
def test_ensemble_and_downsampling_are_for_the_time_series_networks(name):
    X, y = shapes(n=20)
    with pytest.raises(ValueError, match=f"{name}=2 applies to the time-series"):
        CNNClassifier(conv_dims=2, **{name: 2}).fit(X[:, :, :16].reshape(20, 4, 4), y)
    with pytest.raises(ValueError, match=f"{name}"):
        CNNClassifier(conv_dims=1, **{name: 0}).fit(X, y)


def test_a_list_of_rows_reads_as_univariate_series_in_either_layout():
    # scikit-learn's "array-like": a list of lists is the 2-D array it spells, rows
    # of one series each, not one step of many channels.
    X, y = shapes(n=40, length=30)
    rows = X[:, 0, :]
    from_array = CNNClassifier(conv_dims=1, n_networks=1, **FAST).fit(rows, y)
    from_list = CNNClassifier(conv_dims=1, n_networks=1, **FAST).fit(rows.tolist(), y.tolist())
    assert from_list.input_layout_.sequence_shape_ == (30, 1)
    np.testing.assert_array_equal(from_list.predict_proba(rows),
                                  from_array.predict_proba(rows))
    # Unequal lengths as a list of rows; longer ones at predict time.
    ragged = [row[:20 + i % 10] for i, row in enumerate(rows)]
    clf = CNNClassifier(conv_dims=1, n_networks=1, **FAST).fit(ragged, y)
    assert clf.predict([np.r_[row, row] for row in rows[:3]]).shape == (3,)
    with pytest.raises(ValueError, match="X has 2 features, but CNNClassifier is expecting 30"):
        from_list.predict(rows[:, :2])


SERIES_ESTIMATORS = [
    lambda: CNNClassifier(conv_dims=1, conv_channels=(4, 8, 4), max_iter=3, random_state=0),
    lambda: CNNRegressor(conv_dims=1, conv_channels=(4, 8, 4), max_iter=3, random_state=0),
    lambda: LSTMClassifier(channels_last=False, hidden_size=8, max_iter=3, random_state=0),
    lambda: LSTMRegressor(channels_last=False, hidden_size=8, max_iter=3, random_state=0),
]


@pytest.mark.parametrize("make", SERIES_ESTIMATORS,
                         ids=["CNNClassifier", "CNNRegressor", "LSTMClassifier", "LSTMRegressor"])
def test_series_of_one_step_are_refused_and_toy_tables_pass_the_checks(make):
    # Univariate series of one step z-normalise to 0: refused before anything is fitted.
    X, y = shapes(n=20, length=1)
    est = make()
    with pytest.raises(ValueError, match="series of 1 time step .*1 feature"):
        est.fit(X, y)
    assert not hasattr(est, "module_")
    check_fit2d_1feature(type(est).__name__, make())
    # Rows of unrelated features are z-normalised as series: a poor score is expected
    # (the tag), every other part of scikit-learn's training check holds.
    assert est.__sklearn_tags__().input_tags.three_d_array
    kind = "classifier" if hasattr(est, "predict_proba") else "regressor"
    assert getattr(est.__sklearn_tags__(), f"{kind}_tags").poor_score
    check = check_classifiers_train if kind == "classifier" else check_regressors_train
    check(type(est).__name__, make())
