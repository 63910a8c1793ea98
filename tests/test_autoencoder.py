"""AutoEncoder: reconstruction against PCA, learned features, anomaly scores and the
transformer API (inverse_transform, pandas output, sparse input, pickling)."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sknn import AutoEncoder
from sknn.modules.autoencoder import AutoEncoderNet, GaussianNoise

# Settings that converge in well under a second on digits (1347 x 64).
FAST = dict(learning_rate_init=0.01, random_state=0)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = X / 16  # pixels in [0, 1]
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)


@pytest.fixture(scope="module")
def fitted(digits):
    X_train = digits[0]
    return AutoEncoder(n_components=8, **FAST).fit(X_train)


def pca_error(X_train, X_test, n_components):
    pca = PCA(n_components).fit(X_train)
    return np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)


# ------------------------------------------------------------------ what it learns


def test_reconstructs_held_out_digits_better_than_pca(fitted, digits):
    X_train, X_test = digits[0], digits[1]
    ae_error = -fitted.score(X_test)
    # Measured: 0.63 to 0.67 of PCA's error over seeds 0-4; the bar leaves room.
    assert ae_error < 0.8 * pca_error(X_train, X_test, 8)


@pytest.mark.slow
def test_linear_autoencoder_matches_pca(digits):
    # With no hidden layer and linear units, the optimum spans PCA's subspace.
    X_train, X_test = digits[0], digits[1]
    linear = AutoEncoder(n_components=8, hidden_layer_sizes=(), activation="identity",
                         solver="lbfgs", max_iter=500, tol=0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        linear.fit(X_train)
    assert -linear.score(X_test) == pytest.approx(pca_error(X_train, X_test, 8), rel=0.02)


@pytest.mark.slow
def test_codes_feed_a_linear_classifier(digits):
    X_train, X_test, y_train, y_test = digits
    pipe = make_pipeline(AutoEncoder(n_components=16, **FAST),
                         LogisticRegression(max_iter=2000))
    # 10 classes (chance 0.10); measured 0.94-0.95 over seeds 0-4, PCA(16) gives 0.96.
    assert pipe.fit(X_train, y_train).score(X_test, y_test) >= 0.90


def test_score_samples_ranks_noise_below_digits(fitted, digits):
    X_test = digits[1]
    rng = np.random.RandomState(0)
    noise = rng.uniform(0, 1, size=(200, 64))
    real = fitted.score_samples(X_test)
    assert noise.shape[1] == X_test.shape[1]
    assert fitted.score_samples(noise).max() < real.min()
    # Harder: the same pixel values in a random order (same intensity histogram).
    scrambled = np.array([rng.permutation(row) for row in X_test])
    scores = np.r_[real, fitted.score_samples(scrambled)]
    labels = np.r_[np.ones(len(X_test)), np.zeros(len(X_test))]
    assert roc_auc_score(labels, scores) > 0.99


@pytest.mark.slow
def test_denoising_reconstructs_clean_digits_from_noisy_ones(digits):
    X_train, X_test = digits[0], digits[1]
    noisy = X_test + np.random.RandomState(1).normal(0, 0.3, X_test.shape)
    errors = {}
    for noise in (0.0, 0.3):
        ae = AutoEncoder(n_components=16, noise=noise, **FAST).fit(X_train)
        errors[noise] = np.mean((ae.inverse_transform(ae.transform(noisy)) - X_test) ** 2)
    # Measured 0.022 with noise=0.3 against 0.037 without.
    assert errors[0.3] < 0.75 * errors[0.0]


def test_noise_is_only_applied_in_training_mode():
    layer = GaussianNoise(0.5)
    x = torch.ones(4, 3)
    assert not torch.equal(layer(x), x)
    assert torch.equal(layer.eval()(x), x)
    net = AutoEncoderNet(3, 2, hidden_layer_sizes=(4,), noise=0.5).eval()
    assert torch.equal(net(x), net(x))


# ------------------------------------------------------------------ the transformer API


def test_shapes_dtypes_and_consistency(fitted, digits):
    X_test = digits[1]
    codes = fitted.transform(X_test)
    assert codes.shape == (len(X_test), 8) and codes.dtype == np.float32
    assert fitted.n_components_ == 8 and fitted.n_features_in_ == 64
    recon = fitted.inverse_transform(codes)
    assert recon.shape == X_test.shape
    # score_samples is minus the per-row MSE of inverse_transform(transform(X)).
    expected = -np.mean((recon - X_test) ** 2, axis=1)
    np.testing.assert_allclose(fitted.score_samples(X_test), expected, rtol=1e-4, atol=1e-7)
    assert fitted.score(X_test) == pytest.approx(expected.mean(), rel=1e-4)
    # The encoder / decoder widths mirror each other.
    sizes = [(lin.in_features, lin.out_features) for lin in fitted.module_.linear_layers()]
    assert sizes == [(64, 100), (100, 8), (8, 100), (100, 64)]
    assert [c.shape for c in fitted.coefs_] == [(64, 100), (100, 8), (8, 100), (100, 64)]


def test_fit_transform_equals_fit_then_transform(digits):
    X_train = digits[0][:300]
    est = AutoEncoder(n_components=4, hidden_layer_sizes=(16,), max_iter=20, **FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        codes = clone(est).fit_transform(X_train)
        np.testing.assert_array_equal(codes, clone(est).fit(X_train).transform(X_train))
        # y is ignored.
        np.testing.assert_array_equal(codes, clone(est).fit(X_train, digits[2][:300])
                                      .transform(X_train))


def test_pandas_in_and_out(digits):
    X_train = pd.DataFrame(digits[0][:300], columns=[f"px{i}" for i in range(64)])
    ae = AutoEncoder(n_components=3, hidden_layer_sizes=(16,), max_iter=30, **FAST)
    ae.set_output(transform="pandas")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        codes = ae.fit_transform(X_train)
    assert isinstance(codes, pd.DataFrame)
    assert list(codes.columns) == ["autoencoder0", "autoencoder1", "autoencoder2"]
    assert list(codes.index) == list(X_train.index)
    assert list(ae.feature_names_in_) == list(X_train.columns)
    # DataFrame codes decode back.
    assert ae.inverse_transform(codes).shape == X_train.shape


def test_sparse_input_gives_the_dense_result(digits):
    X_train = digits[0][:300]
    est = AutoEncoder(n_components=4, hidden_layer_sizes=(16,), max_iter=15, batch_size=64,
                      **FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = clone(est).fit(X_train)
        sparse = clone(est).fit(sp.csr_matrix(X_train))
    np.testing.assert_allclose(sparse.transform(sp.csr_matrix(X_train)),
                               dense.transform(X_train), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(sparse.score_samples(sp.csr_matrix(X_train)),
                               dense.score_samples(X_train), rtol=1e-4, atol=1e-7)


def test_reseeding_and_pickling_are_exact(fitted, digits):
    X_train, X_test = digits[0], digits[1]
    again = clone(fitted).fit(X_train)
    np.testing.assert_array_equal(again.transform(X_test), fitted.transform(X_test))
    other = clone(fitted).set_params(random_state=1).fit(X_train)
    assert not np.array_equal(other.transform(X_test), fitted.transform(X_test))
    loaded = pickle.loads(pickle.dumps(fitted))
    codes = fitted.transform(X_test)
    np.testing.assert_array_equal(loaded.transform(X_test), codes)
    np.testing.assert_array_equal(loaded.inverse_transform(codes),
                                  fitted.inverse_transform(codes))
    np.testing.assert_array_equal(loaded.score_samples(X_test), fitted.score_samples(X_test))


def test_denoising_fit_is_reproducible(digits):
    X_train = digits[0][:300]
    est = AutoEncoder(n_components=4, hidden_layer_sizes=(16,), noise=0.2, dropout=0.1,
                      max_iter=10, **FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a, b = clone(est).fit(X_train), clone(est).fit(X_train)
        plain = clone(est).set_params(noise=0.0).fit(X_train)
    np.testing.assert_array_equal(a.transform(X_train), b.transform(X_train))
    assert not np.array_equal(a.transform(X_train), plain.transform(X_train))


def test_partial_fit_and_early_stopping(digits, check_keeps_best_weights):
    X_train = digits[0]
    ae = AutoEncoder(n_components=8, hidden_layer_sizes=(32,), **FAST)
    for _ in range(5):
        ae.partial_fit(X_train)
    assert len(ae.loss_curve_) == 5 and ae.loss_curve_[-1] < ae.loss_curve_[0]
    # tol=0: the fit stops only after epochs that scored below the best one
    stopped = AutoEncoder(n_components=8, early_stopping=True, tol=0.0, n_iter_no_change=3,
                          **FAST)
    stopped = check_keeps_best_weights(stopped, X_train)
    assert all(s < 0 for s in stopped.validation_scores_)  # minus a mean squared error
    assert stopped.n_iter_ < 200


# ------------------------------------------------------------------ bad input


def test_bad_input_errors(fitted, digits):
    X_test = digits[1]
    with pytest.raises(ValueError, match=r"n_components=8 columns \(X.shape=\(5, 3\)\)"):
        fitted.inverse_transform(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="X has 10 features, but AutoEncoder is expecting 64"):
        fitted.transform(X_test[:, :10])
    with pytest.raises(ValueError, match="X has 10 features"):
        fitted.score_samples(X_test[:, :10])
    with pytest.raises(ValueError, match="NaN"):
        fitted.transform(np.full((2, 64), np.nan))
    with pytest.raises(NotFittedError):
        AutoEncoder().inverse_transform(np.zeros((2, 2)))
    with pytest.raises(NotFittedError):
        AutoEncoder().score_samples(X_test)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(n_components=0), "'n_components' parameter"),
        (dict(noise=-0.1), "'noise' parameter"),
        (dict(hidden_layer_sizes=(8, 0)),
         "hidden_layer_sizes must be zero or more positive integers"),
        (dict(dropout=1.0), "'dropout' parameter"),
    ],
)
def test_bad_parameters(params, message):
    with pytest.raises(ValueError, match=message):
        AutoEncoder(**params).fit(np.ones((10, 4)))


def test_failed_refit_leaves_the_fitted_model_unchanged(fitted, digits):
    X_test = digits[1]
    ae = pickle.loads(pickle.dumps(fitted))
    before = ae.transform(X_test)
    bad = digits[0].copy()
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        ae.fit(bad)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        ae.set_params(hidden_layer_sizes=(0,)).fit(digits[0])
    np.testing.assert_array_equal(ae.transform(X_test), before)


@pytest.mark.gpu
def test_cuda_fit_and_pickle(digits):
    X_train, X_test = digits[0], digits[1]
    ae = AutoEncoder(n_components=8, device="cuda", **FAST).fit(X_train)
    assert ae._device().type == "cuda"
    assert -ae.score(X_test) < 0.8 * pca_error(X_train, X_test, 8)
    codes = ae.transform(X_test)
    loaded = pickle.loads(pickle.dumps(ae))
    np.testing.assert_array_equal(loaded.transform(X_test), codes)
    np.testing.assert_array_equal(loaded.inverse_transform(codes), ae.inverse_transform(codes))
