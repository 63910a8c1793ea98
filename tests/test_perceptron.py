"""PerceptronClassifier: the single layer of neurons and its limits."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.linear_model import Perceptron
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier, PerceptronClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def split(loader, seed=0):
    X, y = loader(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    scaler = StandardScaler().fit(Xtr)
    return scaler.transform(Xtr), scaler.transform(Xte), ytr, yte


@pytest.mark.parametrize("loader", [load_digits, load_wine, load_breast_cancer])
def test_at_least_as_accurate_as_sklearn_perceptron_in_same_epochs(loader):
    ours, theirs = [], []
    for seed in range(3):
        Xtr, Xte, ytr, yte = split(loader, seed)
        ours.append(PerceptronClassifier(max_iter=20, random_state=seed).fit(Xtr, ytr)
                    .score(Xte, yte))
        theirs.append(Perceptron(max_iter=20, random_state=seed).fit(Xtr, ytr).score(Xte, yte))
    assert np.mean(ours) >= np.mean(theirs) - 0.005, (ours, theirs)


@pytest.mark.parametrize("loss", ["log", "perceptron", "hinge"])
def test_losses_binary_and_multiclass_shapes(loss):
    Xtr, Xte, ytr, yte = split(load_breast_cancer)
    binary = PerceptronClassifier(loss=loss, max_iter=20, random_state=0).fit(Xtr, ytr)
    assert binary.coef_.shape == (1, 30) and binary.intercept_.shape == (1,)
    assert binary.decision_function(Xte).shape == (len(Xte),)
    assert binary.score(Xte, yte) > 0.93
    np.testing.assert_array_equal(binary.predict(Xte), (binary.decision_function(Xte) > 0))
    Xtr, Xte, ytr, yte = split(load_wine)
    multi = PerceptronClassifier(loss=loss, max_iter=20, random_state=0).fit(Xtr, ytr)
    assert multi.coef_.shape == (3, 13) and multi.decision_function(Xte).shape == (len(Xte), 3)
    assert multi.score(Xte, yte) > 0.9


def test_predict_proba_only_with_log_loss():
    Xtr, _, ytr, _ = split(load_wine)
    assert hasattr(PerceptronClassifier(loss="log").fit(Xtr, ytr), "predict_proba")
    hinge = PerceptronClassifier(loss="hinge", max_iter=5).fit(Xtr, ytr)
    assert not hasattr(hinge, "predict_proba")
    with pytest.raises(AttributeError, match="predict_proba"):
        hinge.predict_proba(Xtr)


def test_cannot_learn_xor_but_an_mlp_can():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(400, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    linear = PerceptronClassifier(max_iter=100, random_state=0).fit(X, y)
    deep = MLPClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=300,
                         random_state=0).fit(X, y)
    assert linear.score(X, y) < 0.7
    assert deep.score(X, y) > 0.95


def test_rejects_multilabel_targets():
    X = np.random.RandomState(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match="not multilabel"):
        PerceptronClassifier().fit(X, np.c_[X[:, 0] > 0, X[:, 1] > 0].astype(int))


def test_no_transform_without_hidden_layer():
    assert not hasattr(PerceptronClassifier(), "transform")
