"""The MLP's NumPy forward pass, which predicts a few rows on the CPU."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier, MLPRegressor, _engine
from sknn.modules.mlp import ACTIVATIONS, MLP


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _trained(module, steps=20):
    """A few optimiser steps, so that the weights and batch norm's running
    statistics are not their initial values."""
    torch.manual_seed(0)
    optimizer = torch.optim.SGD(module.parameters(), lr=0.1)
    module.train()
    for _ in range(steps):
        x = torch.randn(32, 5) * 2 + 1
        optimizer.zero_grad()
        module(x).pow(2).mean().backward()
        optimizer.step()
    return module.eval()


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("batch_norm", [False, True])
def test_numpy_forward_matches_eval_mode_forward(activation, batch_norm):
    torch.manual_seed(0)
    module = _trained(MLP(5, 3, (16, 8), activation, dropout=0.3, batch_norm=batch_norm))
    x = np.random.RandomState(1).randn(10, 5).astype(np.float32)
    with torch.no_grad():
        expected = module(torch.from_numpy(x)).numpy()
    out = module.forward_numpy(x)
    assert out.dtype == np.float64 and out.shape == (10, 3)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_numpy_forward_follows_changed_weights():
    module = MLP(5, 2, (4,)).eval()
    x = np.ones((1, 5), dtype=np.float32)
    before = module.forward_numpy(x)
    with torch.no_grad():
        module.output.bias.add_(1.0)  # in place: same storage, a new version
    np.testing.assert_allclose(module.forward_numpy(x), before + 1.0, rtol=1e-6)
    module.output.weight = torch.nn.Parameter(torch.zeros(2, 4))  # a new tensor
    np.testing.assert_allclose(module.forward_numpy(x), module.output.bias.detach()[None],
                               rtol=1e-6)


def test_a_layer_without_numpy_form_falls_back_to_torch():
    module = MLP(5, 2, (4,)).eval()
    module.hidden.append(torch.nn.Softplus())
    x = np.ones((3, 5), dtype=np.float32)
    assert module.forward_numpy(x) is None
    with torch.no_grad():
        expected = module(torch.from_numpy(x))
    np.testing.assert_array_equal(_engine.predict_batches(module, x), expected)


def test_small_and_large_batches_agree(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0).fit(X, y)
    big = np.tile(X, (2, 1))[: _engine.NUMPY_FORWARD_ROWS + 1]  # torch's path
    small = big[: _engine.NUMPY_FORWARD_ROWS]  # NumPy's path
    np.testing.assert_allclose(clf.predict_proba(small), clf.predict_proba(big)[:len(small)],
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(clf.predict(X[:5]), clf.predict(X)[:5])
    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=30, random_state=0).fit(X, X[:, 0])
    np.testing.assert_allclose(reg.predict(small), reg.predict(big)[:len(small)], rtol=1e-5,
                               atol=1e-6)
    assert reg.predict(small.astype(np.float32)).dtype == np.float32


def test_continued_training_is_seen_by_small_batches(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    first = clf.predict_proba(X[:1])
    clf.partial_fit(X, y)
    after = clf.predict_proba(X[:1])
    assert not np.allclose(first, after)
    np.testing.assert_allclose(after, clf.predict_proba(np.tile(X, (1, 1)))[:1], rtol=1e-5)


def test_non_finite_weights_still_refused_on_one_row(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, y)
    with torch.no_grad():
        clf.module_.output.weight.fill_(float("nan"))
    with pytest.raises(ValueError, match="not finite"):
        clf.predict(X[:1])
