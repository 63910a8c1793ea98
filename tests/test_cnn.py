"""CNNClassifier and CNNRegressor: layouts, accuracy, robustness, errors, the module."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLP
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from skorch.callbacks import Callback

from sknn import CNNClassifier, CNNRegressor
from sknn.modules.cnn import Augment, ConvNet
from sknn.modules.losses import SmoothedCrossEntropy

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SMALL = dict(conv_channels=(8, 16), dense_layers=(32,), random_state=0)


@pytest.fixture(scope="module")
def digits():
    """load_digits scaled to [0, 1], split 75 / 25 stratified."""
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16, y, test_size=0.25, stratify=y, random_state=0)


@pytest.fixture(scope="module")
def cnn(digits):
    """The default network, trained briefly (30 epochs) on flattened digit rows."""
    X_train, _, y_train, _ = digits
    return CNNClassifier(image_shape=(8, 8), max_iter=30, random_state=0).fit(X_train, y_train)


@pytest.fixture(scope="module")
def mlp(digits):
    X_train, _, y_train, _ = digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SklearnMLP(random_state=0).fit(X_train, y_train)


def shift_right(X, pixels=1):
    """Digit rows moved ``pixels`` to the right, zeros moving in on the left."""
    images = X.reshape(-1, 8, 8)
    out = np.zeros_like(images)
    out[:, :, pixels:] = images[:, :, :-pixels]
    return out.reshape(len(X), -1)


# ---------------------------------------------------------------- accuracy


@pytest.mark.slow
def test_default_beats_sklearn_mlp_on_digits(cnn, mlp, digits):
    _, X_test, _, y_test = digits
    cnn_acc, mlp_acc = cnn.score(X_test, y_test), mlp.score(X_test, y_test)
    assert cnn_acc >= 0.98
    assert cnn_acc > mlp_acc


@pytest.mark.slow
def test_shift_robustness_beats_mlp(cnn, mlp, digits):
    _, X_test, _, y_test = digits
    shifted = shift_right(X_test)
    cnn_acc, mlp_acc = cnn.score(shifted, y_test), mlp.score(shifted, y_test)
    assert mlp_acc < 0.6  # a dense network has no notion of "the same stroke, one pixel over"
    assert cnn_acc > mlp_acc + 0.15


@pytest.mark.slow
def test_augment_reaches_high_accuracy_and_shift_invariance(digits):
    X_train, X_test, y_train, y_test = digits
    clf = CNNClassifier(image_shape=(8, 8), augment=True, max_iter=20, random_state=0)
    clf.fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.975
    assert clf.score(shift_right(X_test), y_test) >= 0.965
    # Augmentation acts in training only: predictions are deterministic.
    np.testing.assert_array_equal(clf.predict_proba(X_test), clf.predict_proba(X_test))
    assert isinstance(clf.module_.augment, Augment)


def test_transform_features_and_pandas_output(cnn, digits):
    _, X_test, _, _ = digits
    features = cnn.transform(X_test[:7])
    assert features.shape == (7, 64 * 2 * 2)  # 64 channels, 8x8 pooled twice
    with torch.no_grad():
        expected = cnn.module_.features(torch.as_tensor(X_test[:7], dtype=torch.float32))
    np.testing.assert_allclose(features, expected.numpy(), rtol=1e-6)
    names = cnn.get_feature_names_out()
    assert names.shape == (256,) and names[0] == "cnnclassifier0"
    frame = CNNClassifier(image_shape=(8, 8), max_iter=2, **SMALL).set_output(transform="pandas")
    out = frame.fit(X_test, digits[3]).transform(X_test[:3])
    assert isinstance(out, pd.DataFrame) and list(out.columns[:2]) == ["cnnclassifier0",
                                                                         "cnnclassifier1"]


# ---------------------------------------------------------------- layouts


def test_every_layout_gives_the_same_model(digits):
    X, _, y, _ = digits
    X, y = X[:300], y[:300]
    fit = dict(max_iter=2, **SMALL)
    images = X.reshape(-1, 8, 8)
    reference = CNNClassifier(image_shape=(8, 8), **fit).fit(X, y).predict_proba(X)
    layouts = [
        (dict(image_shape=(1, 8, 8)), X),
        ({}, images),
        ({}, images[:, None]),
        (dict(channels_last=True), images[..., None]),
        (dict(image_shape=(8, 8, 1), channels_last=True), X),
    ]
    for params, data in layouts:
        clf = CNNClassifier(**params, **fit).fit(data, y)
        assert clf.n_features_in_ == 64 and clf.image_shape_ == (1, 8, 8)
        np.testing.assert_array_equal(clf.predict_proba(data), reference)
        # A model fitted on one layout predicts the others.
        np.testing.assert_array_equal(clf.predict_proba(X), reference)
        np.testing.assert_array_equal(clf.predict_proba(images), reference)


def test_colour_images_string_labels_and_channels_last(digits):
    """The class is the colour a digit is painted in: only the channels tell."""
    X, _, _, _ = digits
    rng = np.random.default_rng(0)
    colour = rng.integers(0, 3, 600)
    images = np.zeros((600, 3, 8, 8))
    images[np.arange(600), colour] = X[:600].reshape(-1, 8, 8)
    labels = np.array(["red", "green", "blue"])[colour]
    fit = dict(max_iter=10, **SMALL)
    clf = CNNClassifier(**fit).fit(images[:400], labels[:400])
    assert clf.image_shape_ == (3, 8, 8)
    assert list(clf.classes_) == ["blue", "green", "red"]
    assert clf.score(images[400:], labels[400:]) >= 0.95
    proba = clf.predict_proba(images[400:])
    last = images.transpose(0, 2, 3, 1)  # (n, H, W, C), as PIL / imageio give them
    clf_last = CNNClassifier(channels_last=True, **fit).fit(last[:400], labels[:400])
    np.testing.assert_array_equal(clf_last.predict_proba(last[400:]), proba)
    flat = CNNClassifier(image_shape=(8, 8, 3), channels_last=True, **fit)
    flat.fit(last[:400].reshape(400, -1), labels[:400])
    np.testing.assert_array_equal(flat.predict_proba(last[400:].reshape(200, -1)), proba)


def test_pipeline_grid_search_on_dataframe(digits):
    X, _, y, _ = digits
    frame = pd.DataFrame(X[:300], columns=[f"pixel_{i}" for i in range(64)])
    pipe = make_pipeline(MinMaxScaler(), CNNClassifier(image_shape=(8, 8), max_iter=20,
                                                       learning_rate_init=0.01, **SMALL))
    search = GridSearchCV(pipe, {"cnnclassifier__kernel_size": [3, 5]}, cv=2)
    search.fit(frame, y[:300])
    assert search.best_params_["cnnclassifier__kernel_size"] in (3, 5)
    assert search.score(frame, y[:300]) > 0.9
    direct = CNNClassifier(image_shape=(8, 8), max_iter=1, **SMALL).fit(frame, y[:300])
    assert list(direct.feature_names_in_[:2]) == ["pixel_0", "pixel_1"]
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        np.testing.assert_array_equal(direct.predict(frame), direct.predict(frame.to_numpy()))


def test_plain_table_is_a_one_dimensional_signal():
    """A bump of one of two shapes anywhere in a row: convolution finds it."""
    rng = np.random.default_rng(0)
    n, length = 400, 32
    y = rng.integers(0, 2, n)
    X = rng.normal(0, 0.1, (n, length))
    start = rng.integers(0, length - 4, n)
    patterns = np.array([[1, 1, 1, 1], [1, -1, 1, -1]])
    for i in range(n):
        X[i, start[i]:start[i] + 4] += patterns[y[i]]
    clf = CNNClassifier(max_iter=30, **SMALL).fit(X[:300], y[:300])
    assert clf.image_shape_ == (1, length)
    assert isinstance(clf.module_.conv[0][0], torch.nn.Conv1d)
    assert clf.score(X[300:], y[300:]) >= 0.9


def test_regressor_counts_blobs():
    """Predict how many bright squares an image holds (0 to 5)."""

    def blobs(n, seed):
        rng = np.random.default_rng(seed)
        X = np.zeros((n, 12, 12))
        count = rng.integers(0, 6, n)
        for i in range(n):
            for cell in rng.choice(36, count[i], replace=False):
                r, c = divmod(cell, 6)
                X[i, 2 * r:2 * r + 2, 2 * c:2 * c + 2] = 1
        return X + 0.1 * rng.random(X.shape), count

    X_train, y_train = blobs(600, 0)
    X_test, y_test = blobs(300, 1)
    reg = CNNRegressor(max_iter=30, **SMALL).fit(X_train, y_train)
    assert reg.score(X_test, y_test) >= 0.9
    assert reg.predict(X_test).shape == (300,)
    both = CNNRegressor(max_iter=2, **SMALL).fit(X_train, np.c_[y_train, 2 * y_train])
    assert both.predict(X_test).shape == (300, 2)
    poisson = CNNRegressor(loss="poisson", max_iter=5, **SMALL).fit(X_train, y_train)
    assert np.all(poisson.predict(X_test) > 0)


class RecordLearningRate(Callback):
    """Writes each epoch's learning rate into the history (it reaches ``history_``)."""

    def on_epoch_begin(self, net, **kwargs):
        net.history.record("lr", net.optimizer_.param_groups[0]["lr"])


def test_augment_lowers_the_learning_rate_on_plateaus_and_smooths_labels(digits):
    X, _, y, _ = digits
    # tol=10: no epoch counts as an improvement (after the first, which sets the best
    # loss), so a plateau is reached after 3 epochs and after every 2 from then on.
    params = dict(image_shape=(8, 8), tol=10, n_iter_no_change=1, max_iter=50,
                  callbacks=[RecordLearningRate()], **SMALL)
    plain = CNNClassifier(**params).fit(X[:300], y[:300])
    assert plain.n_iter_ == 3  # a constant rate: the first plateau ends the fit
    aug = CNNClassifier(augment=True, **params).fit(X[:300], y[:300])
    rates = [record["lr"] for record in aug.history_]
    # 1e-3 divided by 5 after every plateau; the fit ends on a plateau below 1e-6.
    assert aug.n_iter_ == 13
    np.testing.assert_allclose(rates, [1e-3 / 5 ** max(0, (i - 1) // 2) for i in range(13)])
    assert rates[-1] < 1e-6 < rates[-3]
    # "auto" smoothing is on with augmentation: the training loss cannot approach 0.
    # The smallest smoothed cross-entropy, for 10 classes, is the targets' entropy.
    floor = -(0.91 * np.log(0.91) + 9 * 0.01 * np.log(0.01))
    assert min(aug.loss_curve_) > floor > 0.5


def test_smoothed_cross_entropy_matches_torch_and_two_class_softmax():
    torch.manual_seed(0)
    logits, codes = torch.randn(6, 4), torch.tensor([0, 1, 2, 3, 1, 0])
    torch.testing.assert_close(
        SmoothedCrossEntropy("multiclass", 0.2)(logits, codes),
        torch.nn.functional.cross_entropy(logits, codes, reduction="none",
                                          label_smoothing=0.2))
    # One binary logit z is the two-class softmax over (0, z): the same loss.
    z, bits = torch.randn(6, 1), torch.tensor([0, 1, 1, 0, 1, 0])
    torch.testing.assert_close(
        SmoothedCrossEntropy("binary", 0.2)(z, bits),
        SmoothedCrossEntropy("multiclass", 0.2)(torch.cat([torch.zeros_like(z), z], 1), bits))
    multilabel = SmoothedCrossEntropy("multilabel-indicator", 0.2)(
        torch.cat([z, -z], 1), torch.stack([bits, 1 - bits], 1).float())
    torch.testing.assert_close(multilabel, 2 * SmoothedCrossEntropy("binary", 0.2)(z, bits))
    torch.testing.assert_close(SmoothedCrossEntropy("multiclass", 0.0)(logits, codes),
                               torch.nn.functional.cross_entropy(logits, codes,
                                                                 reduction="none"))


# --------------------------------------------------------- reproducibility


def test_same_seed_identical_and_pickle_round_trip(digits):
    X, X_test, y, _ = digits
    params = dict(image_shape=(8, 8), augment={"shift": 1, "hflip": True, "rotate": 10,
                                                        "scale": 0.1},
                  dropout=0.2, max_iter=3, **SMALL)
    rng_before = torch.get_rng_state()
    first = CNNClassifier(**params).fit(X[:400], y[:400])
    assert torch.equal(torch.get_rng_state(), rng_before)  # augmentation used a forked RNG
    second = CNNClassifier(**params).fit(X[:400], y[:400])
    np.testing.assert_array_equal(first.predict_proba(X_test), second.predict_proba(X_test))
    loaded = pickle.loads(pickle.dumps(first))
    np.testing.assert_array_equal(loaded.predict_proba(X_test), first.predict_proba(X_test))
    np.testing.assert_array_equal(loaded.transform(X_test), first.transform(X_test))
    plain = CNNClassifier(**{**params, "augment": False}).fit(X[:400], y[:400])
    assert not np.array_equal(plain.predict_proba(X_test), first.predict_proba(X_test))


def test_partial_fit_and_warm_start_keep_the_image_shape(digits):
    X, _, y, _ = digits
    images = X[:200].reshape(-1, 8, 8)
    clf = CNNClassifier(**SMALL)
    clf.partial_fit(images, y[:200], classes=np.arange(10))
    clf.partial_fit(X[:200], y[:200])  # flat rows of the same images continue
    assert len(clf.loss_curve_) == 2 and clf.image_shape_ == (1, 8, 8)
    with pytest.raises(ValueError, match=r"image_shape \(1, 8, 8\)"):
        clf.partial_fit(np.zeros((5, 4, 16)), y[:5])
    warm = CNNClassifier(warm_start=True, max_iter=2, **SMALL).fit(images, y[:200])
    warm.fit(images, y[:200])
    assert warm.n_iter_ == 2 and len(warm.loss_curve_) == 4


def test_early_stopping_keeps_the_best_epochs_weights(digits, check_keeps_best_weights):
    X, _, y, _ = digits
    # A seed whose last epoch scores below the best (accuracy on 60 rows ties often).
    clf = CNNClassifier(image_shape=(8, 8), max_iter=40, early_stopping=True,
                        validation_fraction=0.2, n_iter_no_change=3, tol=0.0,
                        **{**SMALL, "random_state": 1})
    check_keeps_best_weights(clf, X[:300], y[:300])


# ----------------------------------------------------------------- errors


def test_image_shape_errors_name_the_shapes(digits):
    X, _, y, _ = digits
    X, y = X[:50], y[:50]
    with pytest.raises(ValueError, match=r"image_shape=\(8, 9\) holds 72 values .* 64 columns"):
        CNNClassifier(image_shape=(8, 9)).fit(X, y)
    with pytest.raises(ValueError, match=r"image_shape must be \(H, W\) or \(C, H, W\)"):
        CNNClassifier(image_shape=(64,)).fit(X, y)
    with pytest.raises(ValueError, match=r"image_shape=\(4, 16\) does not match"):
        CNNClassifier(image_shape=(4, 16)).fit(X.reshape(-1, 8, 8), y)
    with pytest.raises(ValueError, match=r"\(1, 2, 32\) \(image_shape.*too small.*2 pooling"):
        CNNClassifier(image_shape=(2, 32)).fit(X, y)
    with pytest.raises(ValueError, match="got an array of shape"):
        CNNClassifier().fit(X.reshape(-1, 1, 1, 8, 8), y)
    # pooling=None or fewer blocks make small images fine
    CNNClassifier(image_shape=(2, 32), pooling=None, max_iter=1, **SMALL).fit(X, y)


def test_predict_on_other_image_size_names_image_shape(digits):
    X, _, y, _ = digits
    clf = CNNClassifier(max_iter=1, **SMALL).fit(X[:50].reshape(-1, 8, 8), y[:50])
    with pytest.raises(ValueError, match=r"shape \(9, 9\).*image_shape \(1, 8, 8\)"):
        clf.predict(np.zeros((3, 9, 9)))
    with pytest.raises(ValueError, match=r"X has 63 features, but CNNClassifier is expecting "
                                         r"64 features as input.*image_shape \(1, 8, 8\)"):
        clf.predict(np.zeros((3, 63)))


def test_bad_parameters_fail_before_training_and_leave_the_model(digits):
    X, X_test, y, _ = digits
    clf = CNNClassifier(image_shape=(8, 8), max_iter=1, **SMALL).fit(X[:50], y[:50])
    before = clf.predict_proba(X_test)
    bad = [
        (dict(conv_channels=()), "conv_channels must be one or more positive integers"),
        (dict(dense_layers=(0,)), "dense_layers must be zero or more positive integers"),
        (dict(augment={"zoom": 2}), r"augment has unknown keys \['zoom'\]"),
        (dict(augment={"shift": -1}), r"augment\['shift'\]"),
        (dict(image_shape=(8, 9)), "image_shape"),
    ]
    for params, message in bad:
        with pytest.raises(ValueError, match=message):
            clf.set_params(**params).fit(X[:50], y[:50])
        clf.set_params(conv_channels=(8, 16), dense_layers=(32,), augment=False,
                       image_shape=(8, 8))
        np.testing.assert_array_equal(clf.predict_proba(X_test), before)
        assert clf.image_shape_ == (1, 8, 8)
    with pytest.raises(ValueError, match="need images"):
        CNNClassifier(augment={"rotate": 10}).fit(X[:50], y[:50])
    with pytest.raises(ValueError, match=r"augment\['scale'\]"):
        CNNClassifier(image_shape=(8, 8), augment={"scale": 1.5}).fit(X[:50], y[:50])
    with pytest.raises(ValueError, match="label_smoothing"):
        CNNClassifier(label_smoothing=1.0).fit(X[:50], y[:50])


# ----------------------------------------------------------------- module


def test_augment_moves_whole_pixels_and_is_off_in_eval():
    torch.manual_seed(0)
    x = torch.arange(1.0, 1 + 2 * 3 * 5 * 6).reshape(2, 3, 5, 6)
    aug = Augment(shift=2)
    assert aug.eval()(x) is x
    out = aug.train()(x)
    for i in range(2):
        # Some shift (dy, dx) in -2..2 reproduces the row exactly, zeros moving in.
        matches = [
            (dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
            if torch.equal(out[i], _shifted(x[i], dy, dx))
        ]
        assert matches
    flipped = Augment(shift=0, hflip=True).train()(x.repeat(20, 1, 1, 1))
    kinds = {("same" if torch.equal(f, x[0]) else "flip" if torch.equal(f, x[0].flip(-1))
              else "other") for f in flipped[::2]}
    assert kinds == {"same", "flip"}


def test_augment_scale_zooms_in_and_out_around_the_centre():
    torch.manual_seed(0)
    ones = torch.ones(200, 1, 9, 9)
    aug = Augment(shift=0, scale=0.5).train()
    assert aug.active and not Augment(shift=0).active
    out = aug(ones)
    assert out.shape == ones.shape
    torch.testing.assert_close(out[:, 0, 4, 4], torch.ones(200))  # the centre stays put
    # Zooming out (half of the factors) brings zeros in from the border, first at
    # the corners; zooming in only samples inside the image, which is all ones.
    dimmed = (out < 1 - 1e-5).flatten(1).any(1)
    assert 0.35 < dimmed.float().mean() < 0.65
    assert (out[dimmed, 0, 0, 0] < 1 - 1e-5).all()


def _shifted(image, dy, dx):
    out = torch.zeros_like(image)
    h, w = image.shape[-2:]
    out[:, max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = (
        image[:, max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)])
    return out


def test_convnet_shapes_and_pooling_choices():
    net = ConvNet((3, 16, 12), 5, conv_channels=(4, 6, 8))
    assert net.output_shape == (8, 2, 1) and net.n_features_out == 16
    assert net(torch.zeros(2, 3, 16, 12)).shape == (2, 5)
    assert ConvNet((3, 16, 12), 5, pooling=None).n_features_out == 64 * 16 * 12
    avg = ConvNet((1, 8, 8), 2, pooling="avg")
    assert isinstance(avg.conv[0][-1], torch.nn.AvgPool2d)
    # 1-D signals stop pooling at length 1 instead of failing.
    short = ConvNet((1, 3), 2, conv_channels=(4, 4, 4))
    assert short.output_shape == (4, 1)
    assert short.train()(torch.zeros(1, 1, 3)).shape == (1, 2)  # one row still trains
