"""Test-suite settings: one torch thread (faster on 2-core CI) and a quiet CPU.

Also the ``check_keeps_best_weights`` fixture: the early-stopping check that every
estimator family's tests run on its own data.
"""

import copy
import os

import numpy as np
import pytest
import torch
from sklearn.base import is_classifier
from sklearn.model_selection import train_test_split
from skorch.callbacks import Callback

from sknn import _engine

torch.set_num_threads(1)
os.environ.setdefault("SKNN_EXAMPLE_QUICK", "1")


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


class EpochWeights(Callback):
    """Records the weights each epoch ended with, the trained module and the held-out
    data the engine validated on.

    The engine deep-copies the user's callbacks; this one is its own copy, so the
    test reads what the fit recorded. The stopping monitor ends the last epoch
    before the later callbacks' ``on_epoch_end``: ``on_train_end`` records it.
    """

    def __deepcopy__(self, memo):
        return self

    def initialize(self):
        self.weights, self.module, self.valid_data = [], None, None
        return self

    def on_epoch_end(self, net, **kwargs):
        self.weights.append(copy.deepcopy(net.module_.state_dict()))

    def on_train_end(self, net, X=None, y=None, **kwargs):
        if len(self.weights) < len(net.history):
            self.weights.append(copy.deepcopy(net.module_.state_dict()))
        self.module, self.valid_data = net.module_, y


def _same_weights(a, b, ignore=()):
    return a.keys() == b.keys() and all(
        torch.equal(a[k], b[k]) for k in a if k.rsplit(".", 1)[-1] not in ignore)


def _held_out_rows(estimator, X, y):
    """The rows ``early_stopping`` held out, split as the estimator splits them (see
    ``NeuralEstimator._split``): first fit, so the seed is the first draw."""
    stratify = y if is_classifier(estimator) and np.ndim(y) == 1 else None
    _, rows = train_test_split(np.arange(len(X)), test_size=estimator.validation_fraction,
                               random_state=_engine.draw_seed(estimator.random_state),
                               stratify=stratify)
    return np.sort(rows)


def _take(data, rows):
    if hasattr(data, "iloc"):
        return data.iloc[rows]
    return [data[i] for i in rows] if isinstance(data, list) else np.asarray(data)[rows]


def _check_keeps_best_weights(estimator, X, y=None, *, score=True, ignore=()):
    """Fit ``estimator`` (with ``early_stopping=True``) and check what it kept.

    The kept weights must be the ones the best validation epoch ended with, differ
    from the last epoch's (the setup must make the last epoch worse) and, with
    ``score``, score ``best_validation_score_`` on the held-out rows through the
    public ``score``, while the last epoch's weights score its validation score.
    ``ignore`` names state entries written after training (a GAN's calibration).
    Returns the fitted estimator.
    """
    recorder = EpochWeights()
    est = estimator.set_params(callbacks=[recorder]).fit(X, y)
    scores = est.validation_scores_
    best = int(np.argmax(scores))
    assert len(recorder.weights) == len(scores) == est.n_iter_
    assert est.best_validation_score_ == scores[best]
    assert scores[-1] < est.best_validation_score_, "the setup must end on a worse epoch"
    # The trained module is the estimator's network or, for a transfer head, part of it.
    path = {id(m): name for name, m in est.module_.named_modules()}[id(recorder.module)]
    kept = est.module_.get_submodule(path).state_dict()
    assert _same_weights(kept, recorder.weights[best], ignore)
    assert not _same_weights(kept, recorder.weights[-1], ignore)
    if score:
        rows = _held_out_rows(est, X, y)
        valid = recorder.valid_data
        if valid.y is None:  # reconstruction: the input is the target
            np.testing.assert_array_equal(valid.X.cpu().numpy(),
                                          np.asarray(_take(X, rows), np.float32))
        elif is_classifier(est):
            np.testing.assert_array_equal(est.classes_[valid.y.cpu().numpy()], _take(y, rows))
        else:  # the engine trains on the standardised target (scale_target)
            task = est._task
            trained = valid.y.cpu().numpy().reshape(len(rows), -1)
            np.testing.assert_allclose(trained * task.target_scale_ + task.target_mean_,
                                       np.reshape(_take(y, rows), (len(rows), -1)),
                                       rtol=1e-5, atol=1e-6)
        X_valid = _take(X, rows)
        y_valid = None if y is None else _take(y, rows)
        approx = dict(rel=1e-5, abs=1e-6)
        assert est.score(X_valid, y_valid) == pytest.approx(est.best_validation_score_,
                                                            **approx)
        last = copy.deepcopy(est)
        last.module_.get_submodule(path).load_state_dict(recorder.weights[-1])
        assert last.score(X_valid, y_valid) == pytest.approx(scores[-1], **approx)
    return est


@pytest.fixture
def check_keeps_best_weights():
    """The early-stopping check, for each family's tests to run on its own data."""
    return _check_keeps_best_weights
