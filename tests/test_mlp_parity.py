"""scikit-learn's MLP contracts that sknn's MLPs follow (issue 18).

Each test pins one behaviour that scikit-learn's own ``test_mlp.py`` checks (see
``benchmarks/run_sklearn_mlp_tests.py`` and ``tests/test_sklearn_mlp_suite.py``), on
small data: the L-BFGS stopping rule, ``warm_start`` / ``partial_fit`` contracts,
early-stopping edge cases, divergence, fitted attributes, ``verbose`` lines, the L2
penalty on weights only, and dtypes (``precision="float64"``, outputs in X's dtype).
"""

import re
import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits, load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import scale

import sknn
from sknn import MLPClassifier, MLPRegressor, _engine
from sknn.modules import losses


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return scale(X), y


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(n_samples=200, n_features=10, bias=20.0, noise=100.0,
                           random_state=7)
    return X, scale(y)


def small(cls=MLPClassifier, **kw):
    params = dict(hidden_layer_sizes=(8,), max_iter=5, learning_rate_init=0.01,
                  random_state=0)
    return cls(**{**params, **kw})


# ----------------------------------------------------------------------- lbfgs


def test_lbfgs_tol_is_the_gradient_tolerance(regression):
    # The loss-plateau rule stopped this fit after 23 iterations at R2 0.82;
    # scipy's gtol=tol lets it run on to scikit-learn's accuracy.
    X, y = regression
    reg = MLPRegressor(solver="lbfgs", hidden_layer_sizes=50, activation="logistic",
                       max_iter=200, tol=1e-3, random_state=1).fit(X, y)
    assert reg.score(X, y) > 0.98
    assert 23 < reg.n_iter_ <= 200
    assert len(reg.loss_curve_) == reg.n_iter_ and reg.loss_ == reg.loss_curve_[-1]


def test_lbfgs_max_fun_caps_the_whole_fit(iris):
    X, y = iris
    clf = MLPClassifier(solver="lbfgs", hidden_layer_sizes=20, max_iter=150, max_fun=10,
                        random_state=1)
    with pytest.warns(ConvergenceWarning, match=r"lbfgs failed to converge.*max_fun"):
        clf.fit(X, y)
    assert clf.n_iter_ <= 10


def test_lbfgs_converged_fit_does_not_warn(iris):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = MLPClassifier(solver="lbfgs", hidden_layer_sizes=8, max_iter=500, tol=1e-2,
                            random_state=0).fit(X, y)
    assert clf.n_iter_ < 500 and clf.score(X, y) > 0.95


# ---------------------------------------------------------- warm_start, partial_fit


def test_n_iter_counts_the_last_call(iris):
    X, y = iris
    clf = small(solver="sgd", max_iter=3, warm_start=True, tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
        assert clf.n_iter_ == 3
        clf.fit(X, y)
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 6 and clf.t_ == 6 * len(X)
    stream = small()
    for _ in range(5):
        stream.partial_fit(X, y, classes=[0, 1, 2])
    assert stream.n_iter_ == 1 and len(stream.loss_curve_) == 5


def test_warm_start_refit_needs_the_same_classes(iris):
    X, y = iris
    clf = small(warm_start=True, max_iter=2).fit(X, y)
    clf.fit(X[::-1], y[::-1])  # the same classes: fine
    before = clf.predict_proba(X)
    message = ("warm_start can only be used where `y` has the same classes as in the "
               "previous call to fit. Previously got [0 1 2], `y` has [0 1]")
    with pytest.raises(ValueError, match=re.escape(message)):
        clf.fit(X[:100], y[:100])
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_partial_fit_classes_must_not_change(iris):
    X, y = iris
    clf = small(solver="sgd").partial_fit(X, y, classes=[0, 1, 2])
    clf.partial_fit(X, y, classes=[2, 1, 0])  # the same set
    with pytest.raises(ValueError, match=r"`classes=\[0, 1\]` is not the same as on last"):
        clf.partial_fit(X, y, classes=[0, 1])


def test_partial_fit_refuses_early_stopping_and_leaves_the_model(iris):
    X, y = iris
    clf = small(early_stopping=True).fit(X, y)
    before = clf.predict_proba(X)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
        clf.partial_fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_partial_fit_is_hidden_for_lbfgs(cls):
    est = cls(solver="lbfgs")
    assert not hasattr(est, "partial_fit")
    assert hasattr(est.set_params(solver="adam"), "partial_fit")


def test_n_iter_no_change_inf_runs_max_iter(iris):
    X, y = iris
    clf = small(solver="sgd", max_iter=12, tol=1e9, n_iter_no_change=np.inf)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert clf.n_iter_ == 12


# ----------------------------------------------------------------- early stopping


def test_validation_set_too_small():
    X, y = make_regression(n_samples=5, n_features=3, random_state=0)
    reg = small(MLPRegressor, early_stopping=True, validation_fraction=0.2)
    with pytest.raises(ValueError, match="The validation set is too small"):
        reg.fit(X, y)


def test_r2_conventions_for_constant_targets_and_nan():
    target = torch.full((6, 1), 0.1)
    assert float(losses.r2_score(target + 0.5, target)) == 0.0
    assert float(losses.r2_score(target.clone(), target)) == 1.0
    two = torch.stack([torch.arange(6.0), torch.full((6,), 3.0)], 1)
    pred = two.clone()
    pred[:, 0] += 1.0  # column 0: R2 = 1 - 6 / 17.5; column 1 constant and exact
    assert float(losses.r2_score(pred, two)) == pytest.approx((1 - 6 / 17.5 + 1.0) / 2)
    assert np.isnan(float(losses.r2_score(torch.full((6, 1), float("nan")), target)))


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_early_stopping_on_a_constant_target_stops_quietly(cls):
    rng = np.random.RandomState(0)
    X, y = rng.randn(10, 2), np.full(10, 1)
    est = cls(early_stopping=True, validation_fraction=0.2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning: it stopped
        est.fit(X, y)
    # Epoch 1 sets the best score; n_iter_no_change + 1 epochs without improvement stop.
    assert est.n_iter_ == est.n_iter_no_change + 2
    if cls is MLPClassifier:
        assert (est.predict(X) == 1).all()


# ---------------------------------------------------------------------- divergence


def test_divergence_with_early_stopping_keeps_the_best_weights(iris):
    X, y = load_iris(return_X_y=True)
    reg = MLPRegressor(hidden_layer_sizes=100, activation="identity", solver="sgd",
                       learning_rate_init=1, max_iter=20, early_stopping=True,
                       random_state=0)
    with pytest.warns(ConvergenceWarning, match="training loss became"):
        reg.fit(X, y)
    assert np.isnan(reg.validation_scores_[-1])
    assert isinstance(reg.validation_scores_[-1], float)
    assert np.isfinite(reg.predict(X)).all()
    assert np.isfinite(reg.best_validation_score_)


def test_divergence_without_early_stopping_raises_and_keeps_the_old_model():
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    y = rng.standard_normal(size=10)
    # Beyond float32's range X is refused before training (tests/test_bad_input.py);
    # in float64 the weights overflow: scikit-learn's message.
    with pytest.raises(ValueError, match="overflow float32"):
        MLPRegressor().fit(X, y)
    with pytest.raises(ValueError, match="Solver produced non-finite parameter weights"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            MLPRegressor(precision="float64").fit(X, y)
    X, y = load_iris(return_X_y=True)
    reg = small(MLPRegressor).fit(X, y)
    before = reg.predict(X)
    # The target is standardised inside (scale_target), so a huge y alone does not
    # diverge; a huge step size does.
    reg.set_params(solver="sgd", learning_rate_init=100.0, momentum=0.0)
    with pytest.raises(ValueError, match="loss became inf.*lower learning_rate_init"):
        reg.fit(X, y)
    np.testing.assert_array_equal(reg.predict(X), before)


# ---------------------------------------------------------------------- attributes


def test_classifier_attributes(iris):
    X, y = iris
    multi = small().fit(X, y)
    binary = small().fit(X, y == 2)
    labels = small().fit(X, np.c_[y == 0, y == 1].astype(int))
    assert (multi.n_outputs_, binary.n_outputs_, labels.n_outputs_) == (3, 1, 2)
    assert (multi.out_activation_, binary.out_activation_) == ("softmax", "logistic")
    assert multi.loss_ == multi.loss_curve_[-1]
    reg = small(MLPRegressor).fit(X, y)
    assert reg.out_activation_ == "identity" and reg.n_outputs_ == 1
    assert small(MLPRegressor, loss="poisson").fit(X, y).out_activation_ == "exp"


def test_coefs_and_intercepts_can_be_assigned(iris):
    X, y = iris
    clf = small().fit(X, y)
    clf.coefs_ = [np.zeros_like(c) for c in clf.coefs_]
    clf.intercepts_ = [np.zeros(8), np.array([0.0, 2.0, 0.0])]
    assert np.all(clf.coefs_[0] == 0) and clf.intercepts_[1].tolist() == [0.0, 2.0, 0.0]
    assert (clf.predict(X) == 1).all()  # the output bias alone decides
    before = clf.coefs_
    with pytest.raises(ValueError, match=r"coefs_\[1\] must have shape \(8, 3\)"):
        clf.coefs_ = [before[0], np.zeros((8, 2))]
    np.testing.assert_array_equal(clf.coefs_[0], before[0])  # nothing written


def test_single_class_is_fitted_and_predicted(iris):
    X, _ = iris
    clf = small().fit(X, np.array(["only"] * len(X)))
    assert clf.classes_.tolist() == ["only"]
    assert clf.predict(X[:4]).tolist() == ["only"] * 4
    assert clf.predict_proba(X[:4]).shape == (4, 1)


def test_verbose_prints_sklearn_lines(iris, capsys):
    X, y = iris
    clf = small(solver="sgd", max_iter=2, verbose=10, tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    clf.partial_fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"Iteration {i}, loss = {loss:.8f}"
                     for i, loss in zip([1, 2, 1], clf.loss_curve_)]


# ------------------------------------------------------------------------- L2 penalty


def test_l2_decays_weights_not_biases():
    module = sknn.modules.MLP(4, 3, (5,), batch_norm=True)
    for solver in ("adam", "sgd"):
        spec = _engine.OptimizerSpec(solver=solver, alpha=0.2, batch_size=10)
        optimizer = spec.build(module, torch.device("cpu"))
        decays = {id(p): g["weight_decay"] for g in optimizer.param_groups for p in g["params"]}
        for name, p in module.named_parameters():
            assert decays[id(p)] == (0.02 if p.ndim > 1 else 0.0), (solver, name)


def test_loss_curve_l2_term_counts_weights_only(iris):
    X, y = iris
    alpha = 5.0
    clf = small(MLPRegressor, alpha=alpha, max_iter=1, batch_size=len(X), shuffle=False)
    clf.fit(X, y)
    bare = small(MLPRegressor, alpha=0.0, max_iter=1, batch_size=len(X), shuffle=False)
    bare.fit(X, y)
    # One full-batch step: the data losses are equal (same initial weights); the L2
    # term reported is computed on the weights after the step, biases excluded.
    penalty = 0.5 * alpha * sum((c ** 2).sum() for c in clf.coefs_) / len(X)
    assert clf.loss_ - bare.loss_ == pytest.approx(penalty, rel=1e-4)


# ----------------------------------------------------------------------------- dtypes


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_outputs_follow_x_dtype(dtype):
    X, y = load_digits(n_class=3, return_X_y=True)
    X = (X / 16).astype(dtype)
    reg = small(MLPRegressor).fit(X, y)
    clf = small().fit(X, y)
    assert reg.predict(X).dtype == dtype and clf.predict_proba(X).dtype == dtype
    assert clf.predict_log_proba(X).dtype == dtype
    assert reg.predict(X.tolist()).dtype == np.float64  # lists: float64, as scikit-learn
    assert all(c.dtype == np.float32 for c in reg.coefs_)  # float32 is the default


def test_precision_float64_trains_in_float64():
    X, y = load_digits(n_class=3, return_X_y=True)
    X = X / 16
    reg = small(MLPRegressor, precision="float64").fit(X, y)
    assert all(c.dtype == np.float64 for c in reg.coefs_ + reg.intercepts_)
    assert reg.predict(X).dtype == np.float64
    again = small(MLPRegressor, precision="float64").fit(X, y)
    np.testing.assert_array_equal(reg.predict(X), again.predict(X))
    lbfgs = small(MLPClassifier, solver="lbfgs", precision="float64", max_iter=20).fit(X, y)
    assert lbfgs.coefs_[0].dtype == np.float64 and lbfgs.score(X, y) > 0.95


def test_precision_float64_matches_the_poisson_glm():
    # scikit-learn's equivalence test, which float32 training misses by about 2e-4.
    from sklearn.linear_model import PoissonRegressor

    rng = np.random.default_rng(42)
    X = np.linspace(0, 1, 100)
    y = rng.poisson(np.exp(X + 1))
    X = X.reshape(-1, 1)
    glm = PoissonRegressor(alpha=0, tol=1e-7).fit(X, y)
    mlp = MLPRegressor(loss="poisson", hidden_layer_sizes=(1,), activation="identity",
                       alpha=0, solver="lbfgs", tol=1e-7, precision="float64",
                       random_state=43).fit(X, y)
    np.testing.assert_allclose(mlp.predict(X), glm.predict(X), rtol=1e-4)


def _float64_cases():
    X, y = load_digits(return_X_y=True)
    X, y = X[:200] / 16, y[:200]
    seq = np.random.default_rng(0).normal(size=(40, 6, 3))
    seq_y = (seq[:, :, 0].sum(1) > 0).astype(int)
    source = MLPClassifier(hidden_layer_sizes=(8,), max_iter=2, random_state=0).fit(X, y)
    return [
        (sknn.PerceptronClassifier(max_iter=2), X, y),
        (sknn.CNNClassifier(conv_channels=(4,), dense_layers=(), image_shape=(8, 8),
                            max_iter=2), X, y),
        (sknn.CNNRegressor(conv_channels=(4,), dense_layers=(), max_iter=2), X, y / 10),
        (sknn.LSTMClassifier(hidden_size=4, max_iter=2), seq, seq_y),
        (sknn.LSTMRegressor(hidden_size=4, max_iter=2), seq, seq_y * 1.0),
        (sknn.AutoEncoder(n_components=2, hidden_layer_sizes=(8,), max_iter=2), X, None),
        (sknn.TransferClassifier(source, head_layers=(8,), max_iter=2), X, y),
        (sknn.TransferRegressor(source, head_layers=(8,), max_iter=2), X, y / 10),
    ]


def test_precision_float64_for_the_other_estimators():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for est, X, y in _float64_cases():
            est.set_params(precision="float64", random_state=0).fit(X, y)
            name = type(est).__name__
            assert {p.dtype for p in est.module_.parameters()} == {torch.float64}, name
            method = ("transform" if y is None else
                      "predict_proba" if hasattr(est, "predict_proba") else "predict")
            assert getattr(est, method)(X[:5]).dtype == np.float64, name
