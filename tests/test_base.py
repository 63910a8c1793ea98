"""Behaviour every estimator gets from the shared base and engine.

Exercised through the dense estimators; the other estimators' test modules check
their own input layouts on top of this.
"""

import io
import pickle
import subprocess
import sys
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import sklearn
import torch
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import Callback

from sknn import MLPClassifier, MLPRegressor, PerceptronClassifier, _engine
from sknn._validation import encode_classification_target
from sknn.modules import losses

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def small(**kw):
    return MLPClassifier(hidden_layer_sizes=(16,), max_iter=20, learning_rate_init=0.01,
                         random_state=0, **kw)


# --------------------------------------------------------------------- determinism


def test_same_random_state_gives_bit_identical_predictions(iris):
    X, y = iris
    a = small(dropout=0.2, early_stopping=True).fit(X, y)
    b = small(dropout=0.2, early_stopping=True).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert a.loss_curve_ == b.loss_curve_


def test_different_random_state_gives_different_models(iris):
    X, y = iris
    a = small().fit(X, y)
    b = small().set_params(random_state=1).fit(X, y)
    assert not np.array_equal(a.predict_proba(X), b.predict_proba(X))


def test_identical_across_processes(iris):
    code = (
        "import numpy as np, warnings; warnings.simplefilter('ignore');"
        "from sklearn.datasets import load_iris; from sknn import MLPClassifier;"
        "X, y = load_iris(return_X_y=True);"
        "m = MLPClassifier(hidden_layer_sizes=(16,), max_iter=20, random_state=0).fit(X, y);"
        "print(m.predict_proba(X).tobytes().hex()[:4000])"
    )
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1] and len(runs[0]) > 100


def test_global_torch_random_state_untouched(iris):
    X, y = iris
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    small(dropout=0.3).fit(X, y)
    np.testing.assert_array_equal(torch.rand(3).numpy(), expected.numpy())


def test_threads_restored(iris, monkeypatch):
    X, y = iris
    before = torch.get_num_threads()
    monkeypatch.setenv("SKNN_NUM_THREADS", "2")
    small().fit(X, y)
    assert torch.get_num_threads() == before


# ------------------------------------------------------------------------ pickling


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_round_trip_predicts_identically(iris, dump):
    X, y = iris
    est = small().fit(X, y)
    if dump == "pickle":
        loaded = pickle.loads(pickle.dumps(est))
    else:
        buffer = io.BytesIO()
        joblib.dump(est, buffer)
        buffer.seek(0)
        loaded = joblib.load(buffer)
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    np.testing.assert_array_equal(loaded.transform(X), est.transform(X))


def test_pickle_keeps_no_optimizer_state_unless_needed(iris):
    X, y = iris
    assert small().fit(X, y)._optimizer_state is None
    assert small(warm_start=True).fit(X, y)._optimizer_state is not None


# ---------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "X_bad, message",
    [
        (np.array([[np.nan, 1.0], [1.0, 2.0], [0.0, 1.0]]), "NaN"),
        (np.array([[np.inf, 1.0], [1.0, 2.0], [0.0, 1.0]]), "infinity"),
        (np.array([1.0, 2.0, 3.0]), "Expected 2D array"),  # (strings are categories now)
        (np.empty((0, 2)), "0 sample"),
    ],
)
def test_bad_X_is_a_value_error(X_bad, message):
    with pytest.raises(ValueError, match=message):
        small().fit(X_bad, [0, 1, 0][: len(X_bad)] if len(X_bad) else [])


def test_non_numeric_dataframe_column_names_it_and_suggests_column_transformer():
    # The table estimators encode such a frame; a network over images refuses it.
    from sknn import CNNClassifier

    frame = pd.DataFrame({"size": [1.0, 2.0, 3.0, 4.0], "colour": ["r", "g", "b", "r"]})
    assert small().set_params(max_iter=2).fit(frame, [0, 1, 0, 1]).n_features_in_ == 2
    with pytest.raises(ValueError, match=r"\['colour'\].*ColumnTransformer"):
        CNNClassifier().fit(frame, [0, 1, 0, 1])


def test_wrong_feature_count_at_predict(iris):
    X, y = iris
    est = small().fit(X, y)
    with pytest.raises(ValueError, match="4 features"):
        est.predict(X[:, :3])


def test_one_class_mismatched_lengths_and_unfitted(iris):
    X, y = iris
    # A single class is fitted and predicted, as by scikit-learn's MLP.
    single = small().fit(X, np.full(len(X), 7))
    assert single.classes_.tolist() == [7] and (single.predict(X) == 7).all()
    np.testing.assert_array_equal(single.predict_proba(X[:3]), np.ones((3, 1)))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        small().fit(X, y[:-1])
    with pytest.raises(NotFittedError):
        small().predict(X)


@pytest.mark.parametrize(
    "params, name",
    [
        ({"max_iter": 0}, "max_iter"),
        ({"solver": "rmsprop"}, "solver"),
        ({"alpha": -1.0}, "alpha"),
        ({"validation_fraction": 1.5}, "validation_fraction"),
        ({"activation": "swish"}, "activation"),
        ({"dropout": 1.0}, "dropout"),
        ({"hidden_layer_sizes": (10, 0)}, "hidden_layer_sizes"),
        ({"batch_size": 0}, "batch_size"),
    ],
)
def test_invalid_hyperparameter_is_named(iris, params, name):
    X, y = iris
    with pytest.raises(ValueError, match=name):
        small().set_params(**params).fit(X, y)


def test_unavailable_device_is_a_value_error(iris):
    X, y = iris
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ValueError, match="CUDA is not available"):
        small(device="cuda").fit(X, y)


def test_failed_refit_leaves_the_fitted_model_usable(iris):
    X, y = iris
    est = small().fit(X, y)
    expected = est.predict_proba(X)
    bad_X = np.c_[X, X[:, :1]]  # five features now
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        est.fit(bad_X, y[:-1])
    assert est.n_features_in_ == 4
    np.testing.assert_array_equal(est.predict_proba(X), expected)


def test_diverging_loss_stops_with_a_clear_error_and_keeps_old_model():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5))
    y = X @ rng.normal(size=5) * 1e6
    est = MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, y / 1e6)
    before = est.predict(X)
    est.set_params(solver="sgd", learning_rate_init=10.0, momentum=0.0)
    with pytest.raises(ValueError, match="lower learning_rate_init"):
        est.fit(X, y)
    np.testing.assert_array_equal(est.predict(X), before)


# ------------------------------------------------------------------ sklearn semantics


def test_convergence_warning_when_max_iter_reached(iris):
    X, y = iris
    with pytest.warns(ConvergenceWarning, match="maximum iterations"):
        small(tol=0.0).set_params(max_iter=3).fit(X, y)


def test_stops_when_loss_stops_improving(iris):
    X, y = iris
    est = small(tol=10.0, n_iter_no_change=2).set_params(max_iter=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y)
    from sklearn.neural_network import MLPClassifier as SklearnMLP

    reference = SklearnMLP(hidden_layer_sizes=(16,), tol=10.0, n_iter_no_change=2).fit(X, y)
    assert est.n_iter_ == reference.n_iter_ == 4  # 1 sets best_loss_, stop at 3 > 2 misses
    assert est.best_loss_ == min(est.loss_curve_)


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_early_stopping_restores_best_weights_and_records_scores(iris, Estimator,
                                                                check_keeps_best_weights):
    X, y = iris
    if Estimator is MLPRegressor:
        X, y = X[:, :3], X[:, 3]  # petal width from the other measurements
    est = Estimator(hidden_layer_sizes=(16,), max_iter=60, learning_rate_init=0.01,
                    random_state=0, early_stopping=True, validation_fraction=0.2,
                    n_iter_no_change=3)
    est = check_keeps_best_weights(est, X, y)
    assert est.best_loss_ is None
    assert {"train_loss", "valid_loss", "valid_score", "dur", "epoch"} <= set(est.history_[-1])


def test_warm_start_continues_and_counts_n_iter_per_fit(iris):
    X, y = iris
    est = small(warm_start=True, tol=0.0).fit(X, y)
    first = list(est.loss_curve_)
    est.fit(X, y)
    assert est.n_iter_ == 20  # scikit-learn's n_iter_: the epochs of the last fit
    assert len(est.loss_curve_) == 40 and est.t_ == 40 * len(X)
    assert est.loss_curve_[:20] == first
    assert est.loss_curve_[-1] < first[-1]


def test_partial_fit_needs_classes_first_and_does_one_epoch(iris):
    X, y = iris
    est = small()
    with pytest.raises(ValueError, match="classes must be passed"):
        est.partial_fit(X, y)
    est.partial_fit(X[:50], y[:50], classes=[0, 1, 2])
    est.partial_fit(X[50:], y[50:])
    assert est.n_iter_ == 1 and len(est.loss_curve_) == 2
    assert list(est.classes_) == [0, 1, 2]
    with pytest.raises(ValueError, match=r"labels \[7\]"):
        est.partial_fit(X[:5], [7] * 5)
    for _ in range(30):
        est.partial_fit(X, y)
    assert est.score(X, y) > 0.85


def test_partial_fit_not_offered_with_lbfgs(iris):
    X, y = iris
    est = small(solver="lbfgs")
    assert not hasattr(est, "partial_fit")  # hidden, as in scikit-learn
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'"):
        est.partial_fit(X, y, classes=[0, 1, 2])
    assert hasattr(est.set_params(solver="sgd"), "partial_fit")


@pytest.mark.parametrize("solver", ["adam", "adamw", "sgd", "lbfgs"])
def test_every_solver_learns(iris, solver):
    X, y = iris
    est = small(solver=solver).set_params(max_iter=60, learning_rate_init=0.05).fit(X, y)
    assert est.score(X, y) > 0.9


@pytest.mark.parametrize("schedule", ["invscaling", "adaptive"])
def test_sgd_learning_rate_schedules(iris, schedule):
    X, y = iris
    est = small(solver="sgd", learning_rate=schedule, tol=10.0, n_iter_no_change=1)
    est.set_params(max_iter=12, learning_rate_init=0.1).fit(X, y)
    assert est.n_iter_ >= 2


def test_sample_weight_zero_rows_are_ignored_with_lbfgs():
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    weights = np.r_[np.ones(80), np.zeros(40)]
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=30, random_state=0)
    weighted = MLPClassifier(**params).fit(X, y, sample_weight=weights)
    trimmed = MLPClassifier(**params).fit(X[:80], y[:80])
    np.testing.assert_allclose(weighted.predict_proba(X), trimmed.predict_proba(X), atol=1e-3)


def test_sample_weight_equals_repetition_with_full_batch_lbfgs():
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    weights = np.r_[np.full(30, 2.0), np.ones(30)]
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=25, random_state=0)
    weighted = MLPClassifier(**params).fit(X, y, sample_weight=weights)
    repeated = MLPClassifier(**params).fit(np.r_[X, X[:30]], np.r_[y, y[:30]])
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-4)


def test_sample_weight_routes_through_pipeline_and_search():
    X, y = make_classification(n_samples=150, n_features=6, random_state=0)
    weights = np.where(y == 1, 5.0, 1.0)
    with sklearn.config_context(enable_metadata_routing=True):
        net = small().set_fit_request(sample_weight=True).set_score_request(sample_weight=False)
        pipe = make_pipeline(StandardScaler().set_fit_request(sample_weight=False), net)
        search = GridSearchCV(pipe, {"mlpclassifier__alpha": [1e-4]}, cv=2)
        search.fit(X, y, sample_weight=weights)
        routed = search.best_estimator_[-1]
        unweighted = clone(pipe).set_params().fit(X, y)[-1]
    share_weighted = (routed.predict(search.best_estimator_[0].transform(X)) == 1).mean()
    share_plain = (unweighted.predict(search.best_estimator_[0].transform(X)) == 1).mean()
    assert share_weighted > share_plain


def test_class_weight_balanced_raises_minority_recall():
    X, y = make_classification(n_samples=400, n_features=5, weights=[0.92], flip_y=0.05,
                               class_sep=0.5, random_state=0)
    plain = small().fit(X, y)
    balanced = small(class_weight="balanced").fit(X, y)
    recall = lambda est: (est.predict(X)[y == 1] == 1).mean()  # noqa: E731
    assert recall(balanced) > recall(plain) + 0.1
    with pytest.raises(ValueError, match="class_weight has labels"):
        small(class_weight={5: 2.0}).fit(X, y)


# ------------------------------------------------------------------- input types


def test_dataframe_string_labels_and_categories():
    X, y = load_iris(return_X_y=True, as_frame=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    est = small().fit(X, pd.Series(names, dtype="category"))
    assert list(est.feature_names_in_) == list(X.columns)
    assert list(est.classes_) == ["setosa", "versicolor", "virginica"]
    assert est.predict(X).dtype == object
    with pytest.warns(UserWarning, match="feature names"):
        est.predict(X.to_numpy())


def test_boolean_labels():
    X, y = load_breast_cancer(return_X_y=True)
    est = small().fit(StandardScaler().fit_transform(X), y.astype(bool))
    assert est.classes_.dtype == bool
    assert est.predict(X[:3]).dtype == bool


def test_sparse_input_matches_dense_and_tfidf_pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer

    X, y = make_classification(n_samples=100, n_features=20, random_state=0)
    X[np.abs(X) < 1] = 0
    dense = small().fit(X, y)
    sparse = small().fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.predict_proba(X), dense.predict_proba(X), atol=1e-6)
    data = _engine.InMemoryData(sp.csr_matrix(X), y, device=torch.device("cpu"))
    assert data.sparse and sp.issparse(data.X)  # only batches are densified

    docs = ["good movie", "bad film", "great film", "awful movie", "good good", "bad bad"] * 5
    labels = [1, 0, 1, 0, 1, 0] * 5
    pipe = make_pipeline(TfidfVectorizer(), small().set_params(max_iter=40))
    assert pipe.fit(docs, labels).score(docs, labels) == 1.0


def test_transform_and_pandas_output(iris):
    X, y = iris
    est = small().fit(X, y)
    assert est.transform(X).shape == (150, 16)
    names = est.get_feature_names_out()
    assert list(names[:2]) == ["mlpclassifier0", "mlpclassifier1"]
    frame = est.set_output(transform="pandas").transform(X)
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == list(names)


def test_grid_search_with_two_jobs(iris):
    X, y = iris
    grid = {"alpha": [1e-4, 1e-2], "hidden_layer_sizes": [(8,), (16,)]}
    search = GridSearchCV(small().set_params(max_iter=100), grid, cv=3, n_jobs=2).fit(X, y)
    assert search.best_score_ > 0.85
    assert cross_val_score(clone(search.best_estimator_), X, y, cv=3).mean() > 0.85


PARALLEL_SEARCH_SCRIPT = """
import sys, warnings
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sknn import MLPClassifier
X, y = load_iris(return_X_y=True)
for action in ("always", "ignore"):
    print("filter:", action, file=sys.stderr, flush=True)
    with warnings.catch_warnings():
        warnings.simplefilter(action, ConvergenceWarning)
        GridSearchCV(MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0),
                     {"alpha": [1e-4, 1e-3]}, cv=2, n_jobs=2).fit(X, y)
"""


def test_parallel_search_workers_follow_the_callers_warning_filters():
    # GridSearchCV(n_jobs=2) fits in worker processes; scikit-learn hands them the
    # caller's warning filters, so silencing ConvergenceWarning silences every fit.
    # A fresh interpreter: its workers write to the stderr read here.
    err = subprocess.run([sys.executable, "-c", PARALLEL_SEARCH_SCRIPT], capture_output=True,
                         text=True, timeout=300, check=True).stderr
    shown, silenced = err.split("filter: ignore")
    assert "ConvergenceWarning" in shown
    assert "ConvergenceWarning" not in silenced


def test_clone_and_repr():
    est = small(dropout=0.1)
    assert clone(est).get_params() == est.get_params()
    assert "dropout=0.1" in repr(est)


# -------------------------------------------------------------------- progress, hooks


def test_verbose_prints_a_line_per_epoch(iris, capsys):
    X, y = iris
    est = small(verbose=1).set_params(max_iter=4).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    # The MLPs print scikit-learn's lines, with the loss of loss_curve_.
    assert lines == [f"Iteration {i + 1}, loss = {loss:.8f}"
                     for i, loss in enumerate(est.loss_curve_)]
    PerceptronClassifier(max_iter=2, verbose=1, random_state=0).fit(X, y)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    epoch_lines = [line for line in lines if line.split()[0].isdigit()]
    assert [int(line.split()[0]) for line in epoch_lines] == [1, 2]
    assert "train_loss" in lines[0] and "dur" in lines[0]


class CountEpochs(Callback):
    def initialize(self):
        self.epochs = 0
        return self

    def on_epoch_end(self, net, **kwargs):
        self.epochs += 1


def test_user_callbacks_run_and_are_not_mutated(iris):
    X, y = iris
    counter = CountEpochs()
    est = small(callbacks=[counter]).set_params(max_iter=3, tol=0.0).fit(X, y)
    assert est.n_iter_ == 3
    assert not hasattr(counter, "epochs")  # the user's object was copied, not mutated
    clone(est).fit(X, y)


@pytest.mark.gpu
def test_cuda_fit_then_cpu_load(iris):
    X, y = iris
    est = small(device="cuda").fit(X, y)
    assert est.module_.output.weight.is_cuda
    state = pickle.dumps(est)
    loaded = pickle.loads(state)
    np.testing.assert_allclose(loaded.predict_proba(X), est.predict_proba(X), atol=1e-6)


def test_perceptron_and_mlp_share_the_base():
    for est in (PerceptronClassifier(), MLPClassifier(), MLPRegressor()):
        assert {"max_iter", "batch_size", "alpha", "l1", "early_stopping", "device",
                "random_state", "callbacks", "warm_start"} <= set(est.get_params())


# ----------------------------------------------------------------- fused mean losses
@pytest.mark.parametrize(
    "criterion, prediction, target",
    [
        (losses.CrossEntropy(), torch.randn(7, 4), torch.randint(0, 4, (7,))),
        (losses.BinaryCrossEntropy(), torch.randn(7, 1), torch.randint(0, 2, (7,))),
        (losses.MultilabelCrossEntropy(), torch.randn(7, 3), torch.randint(0, 2, (7, 3)).float()),
        (losses.Hinge(), torch.randn(7, 4), torch.randint(0, 4, (7,))),
        (losses.SmoothedCrossEntropy("multiclass", 0.1), torch.randn(7, 4),
         torch.randint(0, 4, (7,))),
        (losses.SmoothedCrossEntropy("binary", 0.1), torch.randn(7, 1),
         torch.randint(0, 2, (7,))),
        (losses.HalfSquaredError(), torch.randn(7, 2), torch.randn(7, 2)),
        (losses.PoissonDeviance(), torch.randn(7, 2), torch.rand(7, 2) * 3),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, torch.nn.Module) else "",
)
def test_mean_loss_equals_mean_of_per_sample_losses(criterion, prediction, target):
    # The engine uses mean_loss for unweighted batches and the per-sample losses for
    # weighted ones: both must describe the same objective.
    per_sample = criterion(prediction, target)
    assert per_sample.shape == (7,)
    torch.testing.assert_close(criterion.mean_loss(prediction, target), per_sample.mean())


def test_integer_label_fast_path_matches_general_path():
    # Integer labels take a fast path past type_of_target: the classes, codes and
    # the binary / multiclass decision must be what the general path gives.
    y = np.array([5, -1, 5, 7, -1])
    codes, classes, kind = encode_classification_target(y)
    assert classes.tolist() == [-1, 5, 7] and kind == "multiclass"
    assert codes.tolist() == [1, 0, 1, 2, 0]
    codes, classes, kind = encode_classification_target(np.array([3, 1, 3], dtype=np.uint8))
    assert classes.tolist() == [1, 3] and kind == "binary" and codes.dtype == np.int64
    with pytest.raises(ValueError, match="only one class"):
        encode_classification_target(np.array([2, 2, 2]))
    with pytest.raises(ValueError, match=r"labels \[9\] that are not in classes"):
        encode_classification_target(np.array([1, 9]), classes=np.array([1, 3]))


def test_a_fit_that_learns_nothing_warns_with_the_numbers(iris):
    X, y = iris
    # A learning rate this small leaves the loss where it started.
    stuck = MLPClassifier(hidden_layer_sizes=(8,), learning_rate_init=1e-9, max_iter=3,
                          random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"not below the first epoch's .*has not "
                                                r"learned from X"):
        stuck.fit(X, y)
    with pytest.warns(ConvergenceWarning, match=r"not below the chance level .*\(1\.1"):
        _engine.warn_if_not_learned(stuck, [1.3, 1.1], chance_loss=1.1)
    # Divergence: the last epoch's loss is above the first's.
    with pytest.warns(ConvergenceWarning, match=r"ended at 3 after 3 epochs, not below the "
                                                r"first epoch's \(2\)"):
        _engine.warn_if_not_learned(stuck, [2.0, 1.0, 3.0])
    learner = MLPClassifier(hidden_layer_sizes=(16,), max_iter=100, random_state=0)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*not learned", category=ConvergenceWarning)
        warnings.filterwarnings("ignore", message=".*maximum iterations")
        learner.fit(StandardScaler().fit_transform(X), y)


def test_plain_array_predict_keeps_every_check(iris):
    X, y = iris
    est = small().set_params(max_iter=5).fit(X, y)
    rows = np.ascontiguousarray(X[:3])
    # The fast path for plain float arrays gives what the general path gives.
    np.testing.assert_array_equal(est.predict_proba(rows),
                                  est.predict_proba(np.asfortranarray(rows)))
    # float32 input: float32 output (scikit-learn's dtype rule), the same values
    np.testing.assert_array_equal(est.predict_proba(rows).astype(np.float32),
                                  est.predict_proba(rows.astype(np.float32)))
    with pytest.raises(ValueError, match="X has 3 features, but MLPClassifier is expecting 4"):
        est.predict(rows[:, :3])
    with pytest.raises(ValueError, match="Input X contains NaN"):
        est.predict(np.where(np.arange(4) == 1, np.nan, rows))
    with pytest.raises(ValueError, match="0 sample"):
        est.predict(rows[:0])
    named = small().set_params(max_iter=5).fit(pd.DataFrame(X, columns=list("abcd")), y)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        named.predict(rows)
    with pytest.raises(NotFittedError):
        small().predict(rows)
