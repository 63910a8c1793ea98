"""Fingerprints: every estimator's outputs on small data with a fixed random_state.

A refactor must not change what a seeded fit computes. This module fits each
estimator family (and the main training paths: mini-batch, lbfgs, early stopping,
warm start, partial_fit) on small data and compares the outputs with the values
stored in ``tests/fingerprints.npz``.

On the machine that wrote the table the outputs are bit-identical; another CPU may
pick other BLAS kernels, so by default the comparison allows float32 rounding noise.
``SKNN_EXACT_FINGERPRINTS=1`` demands bit-identity (use it before and after a
refactor on one machine). ``python tests/test_fingerprints.py`` rewrites the table,
for a change that is meant to change the numbers.
"""

import os
import pathlib
import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import load_diabetes, load_digits

import sknn

TABLE = pathlib.Path(__file__).with_name("fingerprints.npz")


def _data():
    digits = load_digits()
    X = (digits.data[:300] / 16.0).astype(np.float64)
    y = digits.target[:300]
    diabetes = load_diabetes()
    Xr, yr = diabetes.data[:200], diabetes.target[:200] / 100.0
    rng = np.random.default_rng(0)
    seq = rng.normal(size=(80, 12, 3))
    seq_y = (seq[:, :, 0].sum(1) > 0).astype(int)
    seq_r = seq[:, :, 1].mean(1)
    return X, y, Xr, yr, seq, seq_y, seq_r


def _cases():
    """name -> callable returning an ndarray of outputs."""
    X, y, Xr, yr, seq, seq_y, seq_r = _data()
    Xb, yb = X[:200], (y[:200] % 2)

    def fit_predict(est, Xf, yf, method="predict", Xp=None):
        est.fit(Xf, yf)
        return getattr(est, method)(Xf if Xp is None else Xp)

    def partial(est, Xf, yf, classes=None):
        for _ in range(3):
            if classes is None:
                est.partial_fit(Xf, yf)
            else:
                est.partial_fit(Xf, yf, classes=classes)
        return est.predict_proba(Xf) if classes is not None else est.predict(Xf)

    def warm(est, Xf, yf):
        est.fit(Xf, yf)
        est.fit(Xf, yf)
        return est.predict(Xf)

    def transfer():
        source = sknn.MLPClassifier(hidden_layer_sizes=(32,), max_iter=5, random_state=0)
        source.fit(X, y)
        est = sknn.TransferClassifier(source, head_layers=(16,), max_iter=5, random_state=1)
        return fit_predict(est, X, y, "predict_proba")

    def gan():
        est = sknn.GANSampler(generator_layer_sizes=(16,), critic_layer_sizes=(16,),
                              max_iter=3, random_state=0)
        est.fit(Xr[:, :4])
        return est.sample(50, random_state=0)

    return {
        "perceptron": lambda: fit_predict(
            sknn.PerceptronClassifier(max_iter=5, random_state=0), X, y, "decision_function"),
        "mlp_classifier_adam": lambda: fit_predict(
            sknn.MLPClassifier(hidden_layer_sizes=(16,), max_iter=5, random_state=0),
            X, y, "predict_proba"),
        "mlp_classifier_binary_sgd": lambda: fit_predict(
            sknn.MLPClassifier(hidden_layer_sizes=(8,), solver="sgd", max_iter=5,
                               random_state=0), Xb, yb, "predict_proba"),
        "mlp_classifier_lbfgs": lambda: fit_predict(
            sknn.MLPClassifier(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=10,
                               random_state=0), Xb, yb, "predict_proba"),
        "mlp_classifier_early_stopping": lambda: fit_predict(
            sknn.MLPClassifier(hidden_layer_sizes=(16,), early_stopping=True, max_iter=8,
                               random_state=0), X, y, "predict_proba"),
        "mlp_classifier_partial_fit": lambda: partial(
            sknn.MLPClassifier(hidden_layer_sizes=(16,), random_state=0), X, y,
            classes=np.arange(10)),
        "mlp_regressor_adam": lambda: fit_predict(
            sknn.MLPRegressor(hidden_layer_sizes=(16,), max_iter=5, random_state=0), Xr, yr),
        "mlp_regressor_warm_start": lambda: warm(
            sknn.MLPRegressor(hidden_layer_sizes=(16,), max_iter=3, warm_start=True,
                              random_state=0), Xr, yr),
        "mlp_regressor_early_stopping": lambda: fit_predict(
            sknn.MLPRegressor(hidden_layer_sizes=(16,), max_iter=8, early_stopping=True,
                              random_state=0), Xr, yr),
        "mlp_regressor_partial_fit": lambda: partial(
            sknn.MLPRegressor(hidden_layer_sizes=(16,), random_state=0), Xr, yr),
        "autoencoder": lambda: fit_predict(
            sknn.AutoEncoder(n_components=3, hidden_layer_sizes=(16,), max_iter=5,
                             random_state=0), X, None, "transform"),
        "cnn_classifier_images": lambda: fit_predict(
            sknn.CNNClassifier(conv_channels=(4, 8), dense_layers=(16,), image_shape=(8, 8),
                               max_iter=3, random_state=0), X, y, "predict_proba"),
        "cnn_classifier_augment": lambda: fit_predict(
            sknn.CNNClassifier(conv_channels=(4,), dense_layers=(), image_shape=(8, 8),
                               augment=True, max_iter=3, random_state=0), X, y,
            "predict_proba"),
        "cnn_regressor_signal": lambda: fit_predict(
            sknn.CNNRegressor(conv_channels=(4,), dense_layers=(8,), max_iter=3,
                              random_state=0), Xr, yr),
        "lstm_classifier": lambda: fit_predict(
            sknn.LSTMClassifier(hidden_size=8, max_iter=5, random_state=0), seq, seq_y,
            "predict_proba"),
        "gru_regressor": lambda: fit_predict(
            sknn.LSTMRegressor(hidden_size=8, cell="gru", max_iter=5, random_state=0),
            seq, seq_r),
        "transfer_classifier": transfer,
        "gan_sampler": gan,
    }


def _compute(name):
    torch.set_num_threads(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = _cases()[name]()
    if hasattr(out, "to_numpy"):
        out = out.to_numpy()
    return np.asarray(out, dtype=np.float64)


CASES = sorted(_cases())


@pytest.mark.parametrize("name", CASES)
def test_fingerprint(name):
    stored = np.load(TABLE)
    assert name in stored.files, f"no stored fingerprint for {name}: regenerate the table"
    got = _compute(name)
    expected = stored[name]
    assert got.shape == expected.shape
    if os.environ.get("SKNN_EXACT_FINGERPRINTS") == "1":
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got, expected, rtol=2e-3, atol=2e-4)


if __name__ == "__main__":
    np.savez(TABLE, **{name: _compute(name) for name in CASES})
    print(f"wrote {len(CASES)} fingerprints to {TABLE}")
