"""Mixed precision: the ``precision`` parameter every estimator shares.

On the CPU, torch's autocast runs bfloat16 (and float16) matrix products; these tests
check what must hold on any device: the model learns as well as in float32, the
weights and the returned arrays stay float32 / NumPy, seeding and pickling are exact,
and float16's loss scaler works with skorch's gradient callbacks.
"""

import inspect
import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from skorch.callbacks import GradientNormClipping

import sknn
from sknn import (
    AutoEncoder,
    CNNClassifier,
    GANSampler,
    LSTMRegressor,
    MLPClassifier,
    MLPRegressor,
    PerceptronClassifier,
    TransferClassifier,
)
from sknn.base import NeuralEstimator

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore:precision='float16' on the CPU"),
]

MIXED = ["bfloat16", "float16"]


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16, y, test_size=0.25, random_state=0, stratify=y)


def _mlp(precision, **kwargs):
    return MLPClassifier(hidden_layer_sizes=(64,), max_iter=15, learning_rate_init=3e-3,
                         random_state=0, precision=precision, **kwargs)


def test_every_estimator_takes_precision():
    estimators = [getattr(sknn, name) for name in sknn.__all__
                  if inspect.isclass(getattr(sknn, name))
                  and issubclass(getattr(sknn, name), NeuralEstimator)]
    assert len(estimators) == 11
    for cls in estimators:
        default = inspect.signature(cls).parameters["precision"].default
        assert default == "float32", cls.__name__


@pytest.mark.parametrize("precision", MIXED)
def test_mixed_precision_learns_as_well_as_float32(digits, precision):
    Xtr, Xte, ytr, yte = digits
    reference = _mlp("float32").fit(Xtr, ytr)
    mixed = _mlp(precision).fit(Xtr, ytr)
    # The weights (and the optimizer's arithmetic) stay float32.
    assert {p.dtype for p in mixed.module_.parameters()} == {torch.float32}
    proba = mixed.predict_proba(Xte)
    assert proba.dtype == np.float64 and np.allclose(proba.sum(1), 1)
    assert np.all(np.isfinite(mixed.loss_curve_))
    assert mixed.score(Xte, yte) >= reference.score(Xte, yte) - 0.02
    assert mixed.score(Xte, yte) > 0.93
    # It is really computed in the lower precision: the outputs differ from float32's.
    assert not np.array_equal(proba, reference.predict_proba(Xte))


def test_bfloat16_is_seeded_and_pickles_exactly(digits):
    Xtr, Xte, ytr, _ = digits
    first = _mlp("bfloat16").fit(Xtr, ytr)
    second = _mlp("bfloat16").fit(Xtr, ytr)
    np.testing.assert_array_equal(first.predict_proba(Xte), second.predict_proba(Xte))
    loaded = pickle.loads(pickle.dumps(first))
    np.testing.assert_array_equal(loaded.predict_proba(Xte), first.predict_proba(Xte))


def test_float16_loss_scaling_with_a_gradient_callback(digits):
    # GradientNormClipping acts on the gradients: with a loss scaler they must be
    # unscaled first, or clipping at 1.0 would freeze the network.
    Xtr, Xte, ytr, yte = digits
    clf = _mlp("float16", callbacks=[GradientNormClipping(gradient_clip_value=1.0)])
    clf.fit(Xtr, ytr)
    assert clf.score(Xte, yte) > 0.93


def test_float16_with_lbfgs_is_refused_before_anything_changes(digits):
    Xtr, Xte, ytr, _ = digits
    clf = _mlp("float32", solver="lbfgs").fit(Xtr[:200], ytr[:200])
    before = clf.predict_proba(Xte)
    with pytest.raises(ValueError, match="precision='float16'.*lbfgs"):
        clf.set_params(precision="float16").fit(Xtr, ytr)
    np.testing.assert_array_equal(clf.set_params(precision="float32").predict_proba(Xte),
                                  before)
    # bfloat16 needs no scaler, so L-BFGS takes it.
    clf.set_params(precision="bfloat16").fit(Xtr[:200], ytr[:200])


@pytest.mark.filterwarnings("default:precision='float16' on the CPU")
def test_float16_on_the_cpu_warns_that_bfloat16_is_the_fast_one(digits):
    Xtr, _, ytr, _ = digits
    with pytest.warns(UserWarning, match="bfloat16") as record:
        _mlp("float16").set_params(max_iter=1).fit(Xtr, ytr)
    assert record[0].filename == __file__  # points at the caller's line


def test_invalid_precision_names_the_parameter(digits):
    Xtr, _, ytr, _ = digits
    with pytest.raises(ValueError, match="precision"):
        _mlp("float8").fit(Xtr, ytr)
    # The GAN's gradient penalty rules out float16's loss scaling.
    with pytest.raises(ValueError, match="precision"):
        GANSampler(precision="float16").fit(Xtr)


def test_gan_samples_in_bfloat16_reproducibly():
    rng = np.random.RandomState(0)
    x = rng.randn(300)
    X = np.column_stack([x, 2 * x + 0.3 * rng.randn(300)])
    make = lambda: GANSampler(max_iter=20, batch_size=64, random_state=0,  # noqa: E731
                              precision="bfloat16")
    first, second = make().fit(X), make().fit(X)
    rows = first.sample(200, random_state=1)
    assert rows.dtype == np.float64 and rows.shape == (200, 2) and np.isfinite(rows).all()
    np.testing.assert_array_equal(rows, second.sample(200, random_state=1))
    np.testing.assert_array_equal(first.score_samples(X), second.score_samples(X))
    assert {p.dtype for p in first.module_.parameters()} == {torch.float32}


@pytest.mark.parametrize("pac", [1, 2])
def test_gan_trains_and_samples_in_float64(pac):
    rng = np.random.RandomState(0)
    x = rng.randn(300)
    X = np.column_stack([x, 2 * x + 0.3 * rng.randn(300)])
    y = (x > 0).astype(int)
    make = lambda: GANSampler(max_iter=10, batch_size=64, random_state=0,  # noqa: E731
                              precision="float64", pac=pac)
    first, second = make().fit(X, y), make().fit(X, y)
    assert {p.dtype for p in first.module_.parameters()} == {torch.float64}
    rows, labels = first.sample(200, random_state=1, return_y=True)
    assert rows.dtype == np.float64 and np.isfinite(rows).all() and set(labels) <= {0, 1}
    np.testing.assert_array_equal(rows, second.sample(200, random_state=1))
    scores = first.score_samples(X, y)
    assert scores.shape == (300,) and np.isfinite(scores).all()
    np.testing.assert_array_equal(scores, second.score_samples(X, y))
    # float64 is not float32 under another name: the fits differ.
    other = GANSampler(max_iter=10, batch_size=64, random_state=0, pac=pac).fit(X, y)
    assert not np.array_equal(rows, other.sample(200, random_state=1))


@pytest.mark.parametrize(
    "make, data",
    [
        (lambda: PerceptronClassifier(max_iter=5, random_state=0, precision="bfloat16"),
         "table"),
        (lambda: MLPRegressor(hidden_layer_sizes=(16,), max_iter=5, random_state=0,
                              precision="bfloat16"), "regression"),
        (lambda: AutoEncoder(hidden_layer_sizes=(16,), n_components=4, max_iter=5,
                             random_state=0, precision="bfloat16"), "unsupervised"),
        (lambda: CNNClassifier(conv_channels=(4,), dense_layers=(8,), image_shape=(8, 8),
                               max_iter=2, random_state=0, precision="bfloat16"), "table"),
        (lambda: LSTMRegressor(hidden_size=8, max_iter=3, random_state=0,
                               precision="bfloat16"), "sequence"),
        (lambda: TransferClassifier(base=torch.nn.Identity(), head_layers=(8,), max_iter=3,
                                    random_state=0, precision="bfloat16"), "table"),
    ],
    ids=["perceptron", "mlp-regressor", "autoencoder", "cnn", "lstm", "transfer"],
)
def test_each_network_type_fits_and_predicts_in_bfloat16(digits, make, data):
    Xtr, Xte, ytr, _ = digits
    est = make()
    if data == "sequence":
        rng = np.random.RandomState(0)
        X = rng.rand(60, 5, 2).astype(np.float32)
        est.fit(X, X.sum((1, 2)))
        out = est.predict(X)
    elif data == "unsupervised":
        out = est.fit(Xtr).transform(Xte)
    elif data == "regression":
        out = est.fit(Xtr, ytr.astype(float)).predict(Xte)
    else:
        out = est.fit(Xtr, ytr).predict(Xte)
    assert isinstance(out, np.ndarray) and len(out)
    if out.dtype.kind == "f":
        assert out.dtype in (np.float32, np.float64) and np.all(np.isfinite(out))
    assert {p.dtype for p in est.module_.parameters()} == {torch.float32}


@pytest.mark.gpu
@pytest.mark.parametrize("precision", MIXED)
def test_gpu_mixed_precision_learns(digits, precision):
    Xtr, Xte, ytr, yte = digits
    clf = _mlp(precision, device="cuda").fit(Xtr, ytr)
    assert next(clf.module_.parameters()).dtype == torch.float32
    assert clf.score(Xte, yte) > 0.93
