"""TransferClassifier and TransferRegressor: what transfer buys on a population shift
and on new digit classes, frozen and fine-tuned bases, every kind of base, cloning,
pickling, model selection and bad input."""

import os
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import (
    AutoEncoder,
    CNNClassifier,
    LSTMClassifier,
    MLPClassifier,
    MLPRegressor,
    TransferClassifier,
    TransferRegressor,
    _engine,
)
from sknn.modules.cnn import Augment, ConvNet
from sknn.modules.transfer import FeatureExtractor, TransferNet

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    # torch >= 2.10 deprecates TorchScript, which a base may still come as.
    pytest.mark.filterwarnings("ignore:`torch.jit:DeprecationWarning"),
]


# ------------------------------------------------------------------ data and sources


def penguins():
    """Body mass (kg) from bill, flipper and sex: source Adelie + Chinstrap (214 birds),
    target Gentoo (119 birds, a heavier species with another build)."""
    pp = pytest.importorskip("palmerpenguins")
    df = pp.load_penguins().dropna()
    X = df[["bill_length_mm", "bill_depth_mm", "flipper_length_mm"]].assign(
        male=(df["sex"] == "male").astype(float))
    y = df["body_mass_g"] / 1000
    source = (df["species"] != "Gentoo").to_numpy()
    return X[source], y[source], X[~source], y[~source]


def mass_model(seed):
    """The source network, also trained from scratch on the target rows."""
    return make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(64, 32),
                                                        learning_rate_init=0.01,
                                                        random_state=seed))


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


def few_per_class(y, classes, k, seed):
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.choice(np.flatnonzero(y == c), k, replace=False)
                           for c in classes])


@pytest.fixture(scope="module")
def mlp_source(digits):
    """A dense network trained on the digits 0-4."""
    X, y = digits
    return MLPClassifier(hidden_layer_sizes=(32,), max_iter=30, random_state=0).fit(
        X[y < 5], y[y < 5])


@pytest.fixture(scope="module")
def cnn_source(digits):
    """A convolutional network trained on the digits 0-4."""
    X, y = digits
    return CNNClassifier(image_shape=(8, 8), max_iter=15, batch_size=64,
                         random_state=0).fit(X[y < 5], y[y < 5])


@pytest.fixture(scope="module")
def new_task(digits):
    """The digits 5-9: 10 labelled images of each, the rest to test on."""
    X, y = digits
    train = few_per_class(y, range(5, 10), 10, seed=0)
    test = np.setdiff1d(np.flatnonzero(y >= 5), train)
    return X[train], y[train], X[test], y[test]


def state(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def same_state(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


# ------------------------------------------------------------------ must hold


@pytest.mark.slow
def test_population_shift_transfer_beats_scratch_and_the_source_as_it_is():
    X_src, y_src, X_tgt, y_tgt = penguins()
    scores = {"transfer": [], "scratch": [], "as_is": []}
    for seed in range(3):
        source = mass_model(seed).fit(X_src, y_src)
        order = np.random.default_rng(seed).permutation(len(X_tgt))
        train, test = order[:50], order[50:]  # 50 labelled target rows
        X_train, y_train = X_tgt.iloc[train], y_tgt.iloc[train]
        X_test, y_test = X_tgt.iloc[test], y_tgt.iloc[test]
        transfer = TransferRegressor(source, random_state=seed).fit(X_train, y_train)
        scores["transfer"].append(transfer.score(X_test, y_test))
        scores["scratch"].append(mass_model(seed).fit(X_train, y_train).score(X_test, y_test))
        scores["as_is"].append(source.score(X_test, y_test))
    transfer, scratch, as_is = (np.array(scores[k]) for k in ("transfer", "scratch", "as_is"))
    # Measured (R2, seeds 0-7): transfer 0.64-0.74, the same network from scratch
    # -0.45-0.63 (mean 0.33), the source as it is -0.74-0.55; RidgeCV 0.65-0.72.
    assert transfer.mean() >= scratch.mean() + 0.15
    assert (transfer >= as_is).all()
    assert transfer.min() > 0.55


@pytest.mark.slow
def test_digits_cnn_transfer_is_close_to_a_cnn_from_scratch(digits, cnn_source):
    X, y = digits
    source = cnn_source
    scores = {"transfer": [], "scratch": [], "dense_cut": []}
    for seed in range(3):
        train = few_per_class(y, range(5, 10), 5, seed)  # 5 images of each new class
        test = np.setdiff1d(np.flatnonzero(y >= 5), train)
        models = {
            "transfer": TransferClassifier(source, random_state=seed),
            "scratch": CNNClassifier(image_shape=(8, 8), random_state=seed),
            # The wrong cut: the 128 units of the source's dense layer.
            "dense_cut": TransferClassifier(source, feature_layer="head.hidden.1",
                                            random_state=seed),
        }
        for name, model in models.items():
            scores[name].append(model.fit(X[train], y[train]).score(X[test], y[test]))
    transfer, scratch, dense_cut = (np.array(scores[k]) for k in scores)
    # Measured (two sources x five draws): transfer 0.89-0.94, scratch 0.90-0.95, the
    # largest gap 0.026; the dense-layer cut 0.79-0.90.
    assert np.mean(scratch - transfer) < 0.04 and np.max(scratch - transfer) < 0.06
    assert transfer.mean() > dense_cut.mean() + 0.04


def test_augmenting_base_trains_per_batch_and_stays_frozen(new_task):
    X_train, y_train, X_test, y_test = new_task
    torch.manual_seed(0)
    base = ConvNet((1, 8, 8), 5, conv_channels=(8,), augment=Augment(shift=1))
    before = state(base)
    model = TransferClassifier(base, max_iter=20, random_state=0).fit(X_train, y_train)
    assert model.module_.augmentation_layers()  # no feature cache: they change per batch
    cut = state(model.module_.base.network)
    assert same_state(cut, {k: v for k, v in before.items() if k in cut})
    assert model.score(X_test, y_test) > 0.5  # random conv features still carry signal


def test_frozen_base_weights_and_statistics_are_bit_identical(digits, new_task):
    X, y = digits
    X_train, y_train, _, _ = new_task
    source = MLPClassifier(hidden_layer_sizes=(32,), batch_norm=True, dropout=0.2,
                           max_iter=10, random_state=0).fit(X[y < 5], y[y < 5])
    before = state(source.module_)
    model = TransferClassifier(source, random_state=0).fit(X_train, y_train)
    assert same_state(state(source.module_), before)  # the source is untouched
    cut = state(model.module_.base.network)  # the copy inside the model, output dropped
    assert same_state(cut, {k: v for k, v in before.items() if not k.startswith("output.")})


# ------------------------------------------------------------------ training modes


def test_fine_tuning_trains_the_base_ten_times_slower(mlp_source, new_task):
    X_train, y_train, X_test, y_test = new_task
    model = TransferClassifier(mlp_source, freeze=False, max_iter=30, random_state=0)
    model.fit(X_train, y_train)
    assert model.base_unfrozen_at_ == 0
    assert not same_state(state(model.module_.base.network.hidden),
                          state(mlp_source.module_.hidden))
    assert model.score(X_test, y_test) > 0.75
    # The optimizer's groups: the head at learning_rate_init, the base at 1/10.
    spec = _engine.OptimizerSpec(learning_rate_init=0.01, lr_factors=(("base.", 0.1),))
    groups = spec.build(model.module_.set_frozen(False), torch.device("cpu")).param_groups
    # (Each split in two: the weights with the L2 decay, the biases without.)
    assert sorted({g["lr"] for g in groups}) == pytest.approx([0.001, 0.01])
    base = [p for g in groups if g["lr_factor"] == 0.1 for p in g["params"]]
    assert len(base) == len(list(model.module_.base.parameters()))


def test_gradual_unfreezing_starts_training_the_base_after_some_epochs(mlp_source, new_task):
    X_train, y_train, X_test, y_test = new_task
    model = TransferClassifier(mlp_source, unfreeze_after=5, max_iter=12, tol=0,
                               random_state=0).fit(X_train, y_train)
    assert model.base_unfrozen_at_ == 5 and model.n_iter_ == 12
    assert not same_state(state(model.module_.base.network.hidden),
                          state(mlp_source.module_.hidden))
    frozen = TransferClassifier(mlp_source, max_iter=12, tol=0, random_state=0)
    assert frozen.fit(X_train, y_train).base_unfrozen_at_ is None


def test_the_head_starts_at_the_target_mean(mlp_source):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 64))
    y = rng.normal(50.0, 1.0, size=40)  # far from the source's scale
    model = TransferRegressor(mlp_source, max_iter=1, random_state=0).fit(X, y)
    assert abs(model.predict(X).mean() - 50.0) < 1.0


def test_early_stopping_and_partial_fit(mlp_source, new_task, check_keeps_best_weights):
    X_train, y_train, X_test, y_test = new_task
    # The head trains on the frozen base's features; the kept network scores on raw rows.
    check_keeps_best_weights(TransferClassifier(mlp_source, early_stopping=True,
                                                validation_fraction=0.2, random_state=0),
                             X_train, y_train)
    model = TransferClassifier(mlp_source, random_state=0)
    for _ in range(3):
        model.partial_fit(X_train, y_train, classes=np.arange(5, 10))
    assert len(model.loss_curve_) == 3 and model.classes_.tolist() == [5, 6, 7, 8, 9]


# ------------------------------------------------------------------ estimator API


def test_same_seed_is_bit_identical_and_pickles_predict_identically(mlp_source, new_task):
    X_train, y_train, X_test, _ = new_task
    a = TransferClassifier(mlp_source, head_layers=(16,), dropout=0.1, random_state=3)
    b = clone(a)
    pa = a.fit(X_train, y_train).predict_proba(X_test)
    assert np.array_equal(pa, b.fit(X_train, y_train).predict_proba(X_test))
    loaded = pickle.loads(pickle.dumps(a))
    assert np.array_equal(loaded.predict_proba(X_test), pa)


def test_clone_keeps_a_fitted_cnn_base_and_grid_search_works(cnn_source, new_task):
    X_train, y_train, X_test, y_test = new_task
    images_train, images_test = X_train.reshape(-1, 8, 8), X_test.reshape(-1, 8, 8)
    before = state(cnn_source.module_)
    model = TransferClassifier(cnn_source, random_state=0)
    copy_ = clone(model)
    assert copy_.base is not cnn_source and hasattr(copy_.base, "module_")
    # The CNN's own input handling: (n, 8, 8) images or rows of 64 pixels.
    assert copy_.fit(images_train, y_train).score(images_test, y_test) > 0.85
    assert copy_.score(X_test, y_test) == copy_.score(images_test, y_test)
    search = GridSearchCV(model, {"head_layers": [(), (32,)], "alpha": [1e-4, 1e-1]}, cv=3)
    search.fit(X_train, y_train)
    assert search.best_estimator_.score(X_test, y_test) > 0.85
    assert same_state(state(cnn_source.module_), before)
    with pytest.raises(ValueError, match="does not fit the base CNNClassifier.*image_shape"):
        copy_.predict(X_test.reshape(-1, 4, 16))


def test_labels_the_source_never_saw_and_transform_output(mlp_source, new_task):
    X_train, y_train, X_test, y_test = new_task
    names = np.array(["five", "six", "seven", "eight", "nine"])
    model = TransferClassifier(mlp_source, random_state=0).fit(X_train, names[y_train - 5])
    assert sorted(model.classes_) == sorted(names)
    assert model.predict_proba(X_test).shape == (len(X_test), 5)
    assert (model.predict(X_test) == names[y_test - 5]).mean() > 0.75
    features = model.set_output(transform="pandas").transform(X_test[:4])
    assert isinstance(features, pd.DataFrame) and features.shape == (4, 32)
    assert features.columns[0] == "transferclassifier0"
    assert np.allclose(features.to_numpy(), mlp_source.transform(X_test[:4]))
    assert model.n_features_base_ == 32


def test_multi_output_regression_from_a_pipeline_with_dataframes():
    X_src, y_src, X_tgt, y_tgt = penguins()
    source = mass_model(0).fit(X_src, y_src)
    Y = pd.DataFrame({"mass": y_tgt, "flipper_m": X_tgt["flipper_length_mm"] / 1000})
    model = TransferRegressor(source, random_state=0).fit(X_tgt.iloc[:60], Y.iloc[:60])
    assert model.predict(X_tgt.iloc[60:]).shape == (len(X_tgt) - 60, 2)
    assert model.feature_names_in_.tolist() == X_src.columns.tolist()
    assert model.n_features_in_ == 4


def test_recurrent_and_autoencoder_bases_and_a_chain(digits):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 12, 2))
    y = (X[:, :, 0].sum(1) > 0).astype(int)
    lstm = LSTMClassifier(hidden_size=8, max_iter=10, random_state=0).fit(X, y)
    model = TransferRegressor(lstm, random_state=0).fit(X[:50], X[:50, :, 1].sum(1))
    assert model.n_features_base_ == 8 and model.predict(X[:3]).shape == (3,)
    # Shorter sequences fit the source's layout; a missing feature does not.
    assert model.predict(X[:3, :6]).shape == (3,)
    with pytest.raises(ValueError, match="LSTMClassifier.*fitted on 2 features"):
        model.predict(X[:3, :, :1])
    images, labels = digits
    ae = AutoEncoder(n_components=6, hidden_layer_sizes=(16,), max_iter=5,
                     random_state=0).fit(images)
    coded = TransferClassifier(ae, random_state=0).fit(images[:100], labels[:100])
    assert coded.transform(images[:2]).shape == (2, 6)
    chained = TransferClassifier(coded, random_state=0).fit(images[:100], labels[:100])
    assert np.allclose(chained.transform(images[:5]), coded.transform(images[:5]))


def test_module_torchscript_and_saved_file_bases(tmp_path, new_task):
    X_train, y_train, X_test, y_test = new_task
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(64, 24), torch.nn.Tanh())
    torch.jit.save(torch.jit.script(module), tmp_path / "scripted.pt")
    torch.save(module, tmp_path / "module.pt")
    reference = TransferClassifier(module, random_state=0).fit(X_train, y_train)
    assert [p.requires_grad for p in module.parameters()] == [True, True]  # not touched
    for base in (os.fspath(tmp_path / "scripted.pt"), tmp_path / "module.pt"):
        model = TransferClassifier(base, random_state=0).fit(X_train, y_train)
        loaded = pickle.loads(pickle.dumps(model))
        assert np.allclose(loaded.predict_proba(X_test), reference.predict_proba(X_test),
                           atol=1e-6)
    # A network of sknn.modules given as a module is cut at its features too.
    extractor = FeatureExtractor(module)
    assert extractor(torch.zeros(2, 64)).shape == (2, 24)


def test_feature_layer_cuts_inside_the_base(mlp_source, new_task):
    X_train, y_train, _, _ = new_task
    deep = MLPClassifier(hidden_layer_sizes=(48, 16), max_iter=5, random_state=0).fit(
        X_train, y_train)
    assert TransferClassifier(deep).fit(X_train, y_train).n_features_base_ == 16
    first = TransferClassifier(deep, feature_layer="hidden.1").fit(X_train, y_train)
    assert first.n_features_base_ == 48
    assert np.allclose(first.transform(X_train[:3]),
                       np.maximum(X_train[:3] @ deep.coefs_[0] + deep.intercepts_[0], 0),
                       atol=1e-5)


# ------------------------------------------------------------------ bad input


def test_bad_bases_raise_clear_errors(tmp_path, mlp_source, new_task):
    X_train, y_train, _, _ = new_task
    with pytest.raises(NotFittedError, match="not fitted"):
        TransferClassifier(MLPClassifier()).fit(X_train, y_train)
    with pytest.raises(ValueError, match="got int"):
        TransferClassifier(3).fit(X_train, y_train)
    with pytest.raises(ValueError, match="StandardScaler is not an sknn neural estimator"):
        TransferClassifier(StandardScaler().fit(X_train)).fit(X_train, y_train)
    with pytest.raises(ValueError, match="not a file"):
        TransferClassifier(os.fspath(tmp_path / "missing.pt")).fit(X_train, y_train)
    torch.save(torch.nn.Linear(64, 3).state_dict(), tmp_path / "weights.pt")
    with pytest.raises(ValueError, match="state_dict"):
        TransferClassifier(tmp_path / "weights.pt").fit(X_train, y_train)
    with pytest.raises(ValueError, match="2-D feature batch.*shape \\(128,\\)"):
        TransferClassifier(torch.nn.Flatten(0)).fit(X_train, y_train)
    with pytest.raises(ValueError, match="could not process X.*RuntimeError"):
        TransferClassifier(torch.nn.Linear(10, 3)).fit(X_train, y_train)
    with pytest.raises(ValueError, match="feature_layer='nope'.*'hidden.0'"):
        TransferClassifier(mlp_source, feature_layer="nope").fit(X_train, y_train)
    with pytest.raises(ValueError, match="cannot cut a TorchScript"):
        scripted = torch.jit.script(torch.nn.Sequential(torch.nn.Linear(64, 4)))
        TransferClassifier(scripted, feature_layer="0").fit(X_train, y_train)
    with pytest.raises(ValueError, match="head_layers"):
        TransferClassifier(mlp_source, head_layers=(8, 0)).fit(X_train, y_train)


def test_input_that_does_not_fit_the_base_and_a_failed_refit(mlp_source, new_task):
    X_train, y_train, X_test, _ = new_task
    model = TransferClassifier(mlp_source, random_state=0).fit(X_train, y_train)
    before = model.predict_proba(X_test)
    with pytest.raises(ValueError, match="does not fit the base MLPClassifier.*10 features"):
        model.fit(X_train[:, :10], y_train)
    assert np.array_equal(model.predict_proba(X_test), before)  # unchanged by the failure
    with pytest.raises(ValueError, match="expecting 64 features"):
        model.predict(X_test[:, :10])
    images = TransferClassifier(torch.nn.Flatten(), random_state=0)
    images.fit(X_train.reshape(-1, 8, 8), y_train)
    with pytest.raises(ValueError, match="fitted on rows of shape \\(8, 8\\)"):
        images.predict(X_test.reshape(-1, 8, 4, 2))


def test_transfer_net_freezes_and_keeps_the_base_in_eval_mode():
    base = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6),
                               torch.nn.Dropout(0.5))
    net = TransferNet(base, 6, 2).train()
    assert not base.training and net.head.training
    assert not any(p.requires_grad for p in base.parameters())
    net.set_frozen(False).train()
    assert base.training and all(p.requires_grad for p in base.parameters())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert net(torch.zeros(3, 4)).shape == (3, 2)


@pytest.mark.gpu
def test_cuda_transfer_from_a_cpu_source_then_cpu_load(mlp_source, new_task):
    X_train, y_train, X_test, _ = new_task
    for freeze in (True, False):
        model = TransferClassifier(mlp_source, freeze=freeze, device="cuda", max_iter=20,
                                   random_state=0).fit(X_train, y_train)
        assert next(model.module_.parameters()).is_cuda
        loaded = pickle.loads(pickle.dumps(model))
        np.testing.assert_allclose(loaded.predict_proba(X_test), model.predict_proba(X_test),
                                   atol=1e-5)


def test_a_module_names_its_head_parts_and_mixed_table_sources_transfer():
    from sknn.modules.transfer import FeatureExtractor, default_cut

    class Declared(torch.nn.Module):
        head_part_names = ("last",)

        def __init__(self):
            super().__init__()
            self.body, self.last = torch.nn.Linear(3, 5), torch.nn.Linear(5, 2)

        def features(self, x):
            return self.body(x)

        def forward(self, x):
            return self.last(self.features(x))

    assert default_cut(Declared()) and not default_cut(torch.nn.Linear(3, 2))
    assert FeatureExtractor(Declared())(torch.zeros(4, 3)).shape == (4, 5)
    # A source fitted on a mixed frame (a TabularMLP, head "mlp.output") is cut and reused.
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=60),
                          "kind": pd.Categorical(rng.choice(["a", "b", "c"], 60))})
    y = (frame["kind"] == "a").to_numpy().astype(int)
    source = MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(frame, y)
    model = TransferClassifier(source, random_state=0, max_iter=5).fit(frame, y)
    assert model.n_features_base_ == 8 and model.predict(frame.iloc[:3]).shape == (3,)
