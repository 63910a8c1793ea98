"""Feedback during fit: the tqdm bar (verbose=2, TqdmProgressBar) and scikit-learn's
callback API (set_callbacks, ProgressBar, ScoringMonitor, propagation from searches)."""

import io
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier, MLPRegressor, PerceptronClassifier, TqdmProgressBar
from sknn._progress import SKLEARN_CALLBACKS

needs_sklearn_callbacks = pytest.mark.skipif(
    not SKLEARN_CALLBACKS, reason="this scikit-learn has no sklearn.callback (needs 1.9+)"
)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16, y[:600]


def small(**params):
    params = {"hidden_layer_sizes": (16,), "max_iter": 4, "random_state": 0,
              "learning_rate_init": 0.01, **params}
    return MLPClassifier(**params)


class TTYStream(io.StringIO):
    def isatty(self):
        return True


# ----------------------------------------------------------------------------- tqdm bar


def test_bar_counts_batches_epochs_and_shows_the_loss(digits):
    X, y = digits  # 600 rows, batch 200: 3 batches an epoch
    out = io.StringIO()
    est = small(callbacks=[TqdmProgressBar(force=True, file=out)]).fit(X, y)
    text = out.getvalue()
    assert "epoch 4/4" in text
    assert "12/12" in text  # 4 epochs x 3 batches, counted to the end
    assert f"train_loss={est.loss_curve_[-1]:.4g}" in text or "train_loss=" in text
    final = text.rstrip().rsplit("\r", 1)[-1]
    assert "100%" in final


def test_bar_is_silent_when_not_a_terminal_unless_forced(digits, capsys):
    X, y = digits
    small(verbose=2).fit(X, y)  # pytest's captured stderr is not a terminal
    captured = capsys.readouterr()
    assert "batch/s" not in captured.err and "it/s" not in captured.err
    # verbose=2 still prints the per-epoch lines of verbose=1
    lines = [line for line in captured.out.splitlines() if line.startswith("Iteration")]
    assert len(lines) == 4


def test_verbose_2_draws_on_a_terminal_with_epoch_lines_above(digits, monkeypatch, capsys):
    X, y = digits
    tty = TTYStream()
    monkeypatch.setattr(sys, "stderr", tty)
    small(verbose=2).fit(X, y)
    assert "epoch 4/4" in tty.getvalue() and "12/12" in tty.getvalue()
    lines = [line for line in capsys.readouterr().out.splitlines()
             if line.startswith("Iteration")]
    assert len(lines) == 4  # written with tqdm.write, one per epoch


def test_bar_ends_where_early_stopping_stopped(digits):
    X, y = digits
    out = io.StringIO()
    est = small(max_iter=200, early_stopping=True, n_iter_no_change=2, tol=0.5,
                callbacks=[TqdmProgressBar(force=True, file=out)]).fit(X, y)
    assert est.n_iter_ < 200
    final = out.getvalue().rstrip().rsplit("\r", 1)[-1]
    batches = est.n_iter_ * 3  # 540 training rows, batch 200
    assert f"epoch {est.n_iter_}/200" in final
    assert f"{batches}/{batches}" in final and "100%" in final
    assert "valid_score=" in final


def test_bar_changes_nothing_in_the_fit_and_pickles(digits):
    X, y = digits
    bar = TqdmProgressBar(force=True, file=io.StringIO())
    plain = small().fit(X, y)
    watched = small(callbacks=[bar]).fit(X, y)
    np.testing.assert_array_equal(plain.predict_proba(X), watched.predict_proba(X))
    assert not hasattr(bar, "pbar_")  # the fit drew with its own copy
    restored = pickle.loads(pickle.dumps(watched))
    np.testing.assert_array_equal(restored.predict_proba(X), watched.predict_proba(X))


def test_bar_on_regressor_and_perceptron(digits):
    X, y = digits
    for est in (MLPRegressor(hidden_layer_sizes=(8,), max_iter=2, random_state=0),
                PerceptronClassifier(max_iter=2, random_state=0)):  # batch 32: 19 batches
        out = io.StringIO()
        est.set_params(callbacks=[TqdmProgressBar(force=True, file=out)]).fit(X, y)
        n = 2 * (3 if isinstance(est, MLPRegressor) else 19)
        assert f"{n}/{n}" in out.getvalue()


# ------------------------------------------------------------------- sklearn.callback


class Recorder:
    """A FitCallback that records every hook, propagated to sub-estimators."""

    max_propagation_depth = None

    def __init__(self, stop_at_epoch=None):
        self.events = []
        self.stop_at_epoch = stop_at_epoch

    def setup(self, estimator, context):
        self.events.append(("setup", type(estimator).__name__, None))

    def teardown(self, estimator, context):
        self.events.append(("teardown", type(estimator).__name__, None))

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None, metadata=None,
                          fitted_estimator=None):
        self.events.append(("begin", context.estimator_name, context.task_name))

    def on_fit_task_end(self, estimator, context, *, X=None, y=None, metadata=None,
                        fitted_estimator=None):
        self.events.append(("end", context.estimator_name, context.task_name))
        if context.task_name == "epoch" and fitted_estimator is not None:
            self.last_fitted = fitted_estimator
        n_epochs = sum(1 for e in self.events if e[0] == "end" and e[2] == "epoch")
        return context.task_name == "epoch" and n_epochs == self.stop_at_epoch


@needs_sklearn_callbacks
def test_set_callbacks_reports_one_task_per_epoch(digits):
    X, y = digits
    rec = Recorder()
    est = small().set_callbacks(rec).fit(X, y)
    kinds = [e[0] for e in rec.events]
    assert kinds[0] == "setup" and kinds[-1] == "teardown"
    assert rec.events[1] == ("begin", "MLPClassifier", "fit")
    assert rec.events[-2] == ("end", "MLPClassifier", "fit")
    epochs = [e for e in rec.events if e[2] == "epoch"]
    assert len(epochs) == 2 * est.n_iter_ == 8
    # the fitted copy handed to callbacks at an epoch's end predicts like the model
    np.testing.assert_array_equal(rec.last_fitted.predict(X), est.predict(X))
    assert not hasattr(est, "_callback_fit_ctx")  # cleaned up after fit


@needs_sklearn_callbacks
def test_callbacks_close_the_epoch_where_stopping_rules_end_the_fit(digits):
    X, y = digits
    rec = Recorder()
    est = small(max_iter=200, early_stopping=True, n_iter_no_change=2, tol=0.5)
    est.set_callbacks(rec).fit(X, y)
    begins = [e for e in rec.events if e[:1] == ("begin",) and e[2] == "epoch"]
    ends = [e for e in rec.events if e[:1] == ("end",) and e[2] == "epoch"]
    assert len(begins) == len(ends) == est.n_iter_ < 200


@needs_sklearn_callbacks
def test_a_callback_can_stop_the_fit(digits):
    X, y = digits
    with pytest.warns(Warning):  # not converged: the callback ended it at epoch 2
        est = small(max_iter=50).set_callbacks(Recorder(stop_at_epoch=2)).fit(X, y)
    assert est.n_iter_ == 2


@needs_sklearn_callbacks
def test_partial_fit_is_one_epoch_task(digits):
    X, y = digits
    rec = Recorder()
    small().set_callbacks(rec).partial_fit(X, y, classes=np.unique(y))
    assert [e for e in rec.events if e[2] == "epoch"] == [
        ("begin", "MLPClassifier", "epoch"), ("end", "MLPClassifier", "epoch")]


@needs_sklearn_callbacks
def test_failed_fit_tears_callbacks_down_and_keeps_the_model(digits):
    X, y = digits
    rec = Recorder()
    est = small().set_callbacks(rec).fit(X, y)
    before = est.predict_proba(X)
    with pytest.raises(ValueError, match="features"):
        est.set_params(warm_start=True).fit(X[:, :10], y)
    assert rec.events[-1][0] == "teardown"
    assert not hasattr(est, "_callback_fit_ctx")
    np.testing.assert_array_equal(est.predict_proba(X), before)


@needs_sklearn_callbacks
def test_scoring_monitor_scores_every_epoch_without_changing_the_fit(digits):
    from sklearn.callback import ScoringMonitor

    X, y = digits
    monitor = ScoringMonitor(scoring="accuracy")
    watched = small().set_callbacks(monitor).fit(X, y)
    plain = small().fit(X, y)
    np.testing.assert_array_equal(plain.predict_proba(X), watched.predict_proba(X))
    log = monitor.get_logs().data_as_pandas
    per_epoch = log[log["task_name"] == "epoch"]["accuracy"].to_numpy()
    assert len(per_epoch) == 4
    assert per_epoch[-1] == pytest.approx(watched.score(X, y))
    assert per_epoch[-1] > per_epoch[0]


@needs_sklearn_callbacks
def test_callbacks_propagate_from_a_grid_search_through_a_pipeline(digits):
    X, y = digits
    rec = Recorder()
    search = GridSearchCV(make_pipeline(StandardScaler(), small()),
                          {"mlpclassifier__alpha": [1e-4, 1e-2]}, cv=2)
    search.set_callbacks(rec).fit(X, y)
    fits = [e for e in rec.events if e == ("begin", "MLPClassifier", "fit")]
    assert len(fits) == 2 * 2 + 1  # candidates x folds, plus the refit
    epochs = [e for e in rec.events if e == ("end", "MLPClassifier", "epoch")]
    assert len(epochs) == 5 * 4
    assert [e[0] for e in rec.events].count("setup") == 1  # set up once, on the search


@needs_sklearn_callbacks
def test_sklearn_progress_bar_shows_epochs_nested_under_the_search(digits, capsys):
    pytest.importorskip("rich", reason="sklearn.callback.ProgressBar needs rich")
    from sklearn.callback import ProgressBar

    X, y = digits
    small().set_callbacks(ProgressBar()).fit(X, y)
    out = capsys.readouterr().out
    assert "MLPClassifier - fit" in out and "100%" in out
    search = GridSearchCV(small(), {"alpha": [1e-4, 1e-2]}, cv=2)
    search.set_callbacks(ProgressBar()).fit(X, y)
    out = capsys.readouterr().out
    assert "GridSearchCV - candidate-split-evaluation | MLPClassifier - fit" in out
    assert "GridSearchCV - refit-with-best-params | MLPClassifier - fit" in out


def test_estimators_work_without_sklearn_callback_module(tmp_path):
    """With a scikit-learn that has no sklearn.callback, fits work as before."""
    code = textwrap.dedent("""
        import io, sys, types
        from sklearn.datasets import load_iris
        # scikit-learn's own modules use sklearn.callback inside: import them first.
        import sklearn.ensemble, sklearn.linear_model, sklearn.model_selection, sklearn.pipeline
        # What sknn sees on scikit-learn < 1.9: no CallbackSupportMixin to import.
        sys.modules["sklearn.callback"] = types.ModuleType("sklearn.callback")
        import sknn
        from sknn import MLPClassifier, TqdmProgressBar
        from sknn._progress import SKLEARN_CALLBACKS
        assert not SKLEARN_CALLBACKS
        X, y = load_iris(return_X_y=True)
        out = io.StringIO()
        est = MLPClassifier(max_iter=3, random_state=0,
                            callbacks=[TqdmProgressBar(force=True, file=out)]).fit(X, y)
        assert not hasattr(est, "set_callbacks")
        assert "epoch 3/3" in out.getvalue()
        print("ok", est.n_iter_)
    """)
    result = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True,
                            text=True, cwd=tmp_path, timeout=120,
                            env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "ok 3"
