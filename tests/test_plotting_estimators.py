"""The Display objects drawn from the real network estimators (not stand-ins)."""

import matplotlib
import numpy as np
import pytest
from sklearn.datasets import load_digits

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from sknn import AutoEncoder, CNNClassifier, LSTMRegressor, TransferClassifier  # noqa: E402
from sknn.plotting import (  # noqa: E402
    CodeSpaceDisplay,
    ImageGridDisplay,
    TrainingHistoryDisplay,
    TransferCurveDisplay,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def cnn(digits):
    X, y = digits
    return CNNClassifier(image_shape=(8, 8), conv_channels=(8,), dense_layers=(16,),
                         max_iter=3, random_state=0).fit(X[:600], y[:600])


def test_image_grid_from_a_cnn_uses_its_image_shape(cnn, digits):
    X, y = digits
    display = ImageGridDisplay.from_estimator(cnn, X[600:640], y[600:640], n_images=16)
    wrong = cnn.predict(X[600:616]) != y[600:616]
    shown = [ax for ax in np.ravel(display.axes_) if ax.images]
    assert len(shown) == 16
    assert shown[0].images[0].get_array().shape == (8, 8)
    np.testing.assert_array_equal(display.misclassified_, wrong)
    highlighted = [ax.spines["left"].get_visible() for ax in shown]
    assert highlighted == wrong.tolist()


def test_history_of_a_cnn_and_an_lstm(cnn):
    display = TrainingHistoryDisplay.from_estimator(cnn)
    assert len(display.lines_["train_loss"].get_xdata()) == cnn.n_iter_
    series = np.sin(np.arange(120) / 5)
    X = np.stack([series[i:i + 8] for i in range(100)])
    lstm = LSTMRegressor(hidden_size=4, max_iter=4, random_state=0).fit(X, series[8:108])
    assert len(TrainingHistoryDisplay.from_estimator(lstm).lines_["train_loss"]
               .get_xdata()) == 4


def test_code_space_of_an_autoencoder(digits):
    X, y = digits
    ae = AutoEncoder(n_components=2, hidden_layer_sizes=(16,), max_iter=3,
                     random_state=0).fit(X[:500])
    display = CodeSpaceDisplay.from_estimator(ae, X[:300], y[:300])
    codes = ae.transform(X[:300])
    offsets = np.concatenate([c.get_offsets() for c in display.ax_.collections])
    assert offsets.shape == (300, 2)
    np.testing.assert_allclose(np.sort(offsets[:, 0]), np.sort(codes[:, 0]), rtol=1e-5)
    assert display.ax_.get_xlabel() == "autoencoder0"


def test_transfer_curves_from_a_cnn_base(cnn, digits):
    X, y = digits
    estimators = {
        "transfer": TransferClassifier(base=cnn, max_iter=20, random_state=0),
        "scratch": CNNClassifier(image_shape=(8, 8), conv_channels=(8,), dense_layers=(16,),
                                 max_iter=5, random_state=0),
    }
    display = TransferCurveDisplay.from_estimators(
        estimators, X[600:1200], y[600:1200], X[1200:], y[1200:], n_labelled=(1, 3),
        n_repeats=1)
    assert set(display.results["method"]) == {"transfer", "scratch"}
    assert len(display.ax_.get_lines()) >= 2


def test_marginals_and_pair_plot_from_a_gan_sampler():
    from sklearn.datasets import load_diabetes

    from sknn import GANSampler
    from sknn.plotting import MarginalsDisplay, PairPlotDisplay

    frame = load_diabetes(as_frame=True, scaled=False).frame[["age", "bmi", "bp", "target"]]
    sampler = GANSampler(max_iter=2, random_state=0).fit(frame)
    marginals = MarginalsDisplay.from_estimator(sampler, frame, random_state=0)
    assert sorted(marginals.axes_) == sorted(frame.columns)
    assert all(ax.has_data() for ax in marginals.axes_.values())
    assert set(marginals.distances_) == set(frame.columns)
    pairs = PairPlotDisplay.from_estimator(sampler, frame, columns=["bmi", "target"])
    assert np.shape(pairs.axes_) == (2, 2)
    again = sampler.sample(len(frame), random_state=0)
    assert list(again.columns) == list(frame.columns)
