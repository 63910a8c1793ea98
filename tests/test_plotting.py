"""sknn.plotting: every display drawn with the Agg backend, checked by what is on the axes."""

import subprocess
import sys

import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier, MLPRegressor
from sknn.metrics import category_frequencies, column_distances
from sknn.model_selection import transfer_curve
from sknn.plotting import (
    CodeSpaceDisplay,
    ImageGridDisplay,
    MarginalsDisplay,
    PairPlotDisplay,
    TrainingHistoryDisplay,
    TransferCurveDisplay,
)
from sknn.plotting._base import _final_estimator, _final_param, _inner_estimator

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

RED = matplotlib.colors.to_rgba("tab:red")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


@pytest.fixture(scope="module")
def early_stopped(digits):
    X, y = digits
    return MLPClassifier(hidden_layer_sizes=(16,), max_iter=40, early_stopping=True,
                         learning_rate_init=0.01, n_iter_no_change=3,
                         random_state=0).fit(X[:600], y[:600])


@pytest.fixture(scope="module")
def penguins():
    palmerpenguins = pytest.importorskip("palmerpenguins")
    return palmerpenguins.load_penguins().drop(columns="year").dropna().reset_index(drop=True)


# ---------------------------------------------------------------- TrainingHistoryDisplay


def test_history_with_early_stopping(early_stopped):
    est = early_stopped
    display = TrainingHistoryDisplay.from_estimator(est)
    assert set(display.lines_) == {"train_loss", "valid_loss", "valid_score"}
    epochs = np.arange(1, est.n_iter_ + 1)
    for key, line in display.lines_.items():
        np.testing.assert_array_equal(line.get_xdata(), epochs)
        np.testing.assert_allclose(line.get_ydata(), [r[key] for r in est.history_])
    # losses on the left axes, the score on the twin right axes
    assert display.lines_["train_loss"].axes is display.ax_
    assert display.lines_["valid_score"].axes is display.score_ax_
    best = 1 + int(np.argmax(est.validation_scores_))
    assert display.best_epoch_ == best
    np.testing.assert_array_equal(display.best_line_.get_xdata(), [best, best])
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert legend == ["training loss", "validation loss", f"best epoch ({best})",
                      "validation score"]
    assert display.ax_.get_xlabel() == "epoch" and display.ax_.get_title() == "MLPClassifier"
    assert display.figure_ is display.ax_.figure


def test_history_without_validation_marks_lowest_training_loss(digits):
    X, y = digits
    est = MLPRegressor(hidden_layer_sizes=(8,), max_iter=6, random_state=0).fit(X[:300], y[:300])
    _, ax = plt.subplots()
    display = TrainingHistoryDisplay.from_estimator(est, ax=ax, name="mine")
    assert display.ax_ is ax and display.score_ax_ is None
    assert list(display.lines_) == ["train_loss"]
    losses = [r["train_loss"] for r in est.history_]
    assert display.best_epoch_ == 1 + int(np.argmin(losses))
    assert ax.get_title() == "mine"
    off = TrainingHistoryDisplay.from_estimator(est, mark_best=False)
    assert off.best_line_ is None and off.best_epoch_ is None


def test_history_numbers_epochs_across_warm_starts_and_unwraps_pipelines(digits):
    X, y = digits
    pipe = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(8,), max_iter=3,
                                                         warm_start=True, random_state=0))
    pipe.fit(X[:300], y[:300]).fit(X[:300], y[:300])
    display = TrainingHistoryDisplay.from_estimator(pipe)
    np.testing.assert_array_equal(display.lines_["train_loss"].get_xdata(), np.arange(1, 7))
    search = GridSearchCV(pipe, {"mlpclassifier__alpha": [1e-4]}, cv=2).fit(X[:300], y[:300])
    assert len(TrainingHistoryDisplay.from_estimator(search).lines_["train_loss"].get_xdata())


def test_history_of_any_losses_from_the_constructor():
    history = [{"epoch": i, "generator_loss": 1 / i, "discriminator_loss": 0.5 + 0.01 * i}
               for i in range(1, 11)]
    display = TrainingHistoryDisplay(history, estimator_name="GANSampler").plot()
    assert list(display.lines_) == ["generator_loss", "discriminator_loss"]
    assert display.best_epoch_ is None  # nothing to call "best" without a train/valid loss


def test_history_errors(digits):
    X, y = digits
    with pytest.raises(NotFittedError):
        TrainingHistoryDisplay.from_estimator(MLPClassifier())
    with pytest.raises(ValueError, match="has no history_"):
        TrainingHistoryDisplay.from_estimator(LogisticRegression().fit(X[:100], y[:100]))


# ------------------------------------------------------------------ unwrapping estimators


def _wrapped(digits):
    """Each wrapper around an MLPRegressor, with the estimator it must unwrap to."""
    X, y = digits[0][:200], digits[1][:200].astype(float)

    def mlp():
        return MLPRegressor(hidden_layer_sizes=(5,), max_iter=2, random_state=0)

    pipe = make_pipeline(StandardScaler(), mlp()).fit(X, y)
    fitted_ttr = TransformedTargetRegressor(regressor=mlp(), func=np.log1p,
                                            inverse_func=np.expm1).fit(X, y)
    unfitted_ttr = TransformedTargetRegressor(regressor=mlp())
    search = GridSearchCV(make_pipeline(StandardScaler(), mlp()),
                          {"mlpregressor__alpha": [1e-4, 1e-3]}, cv=2).fit(X, y)
    nested = TransformedTargetRegressor(regressor=make_pipeline(StandardScaler(), mlp()))
    nested.fit(X, y)
    return {
        "pipeline": (pipe, pipe[-1]),
        "fitted TransformedTargetRegressor": (fitted_ttr, fitted_ttr.regressor_),
        "unfitted TransformedTargetRegressor": (unfitted_ttr, unfitted_ttr.regressor),
        "GridSearchCV": (search, search.best_estimator_[-1]),
        "TransformedTargetRegressor of a pipeline": (nested, nested.regressor_[-1]),
    }


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_both_helpers_unwrap_every_wrapper_by_one_rule(digits):
    for name, (wrapper, inner) in _wrapped(digits).items():
        assert _final_estimator(wrapper) is inner, name
        # the parameter reader and the fitted-attribute finder reach the same estimator
        assert _final_param(wrapper, "hidden_layer_sizes") == (5,), name
        if hasattr(inner, "history_"):
            assert _inner_estimator(wrapper, "history_") is inner, name
        else:
            with pytest.raises(NotFittedError):
                _inner_estimator(wrapper, "history_")
    plain = LogisticRegression()
    assert _final_estimator(plain) is plain and _final_param(plain, "image_shape") is None
    assert _final_param(TransformedTargetRegressor(), "hidden_layer_sizes") is None


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_history_of_a_transformed_target_regressor(digits):
    wrapper, inner = _wrapped(digits)["fitted TransformedTargetRegressor"]
    display = TrainingHistoryDisplay.from_estimator(wrapper)
    assert display.ax_.get_title() == "MLPRegressor"
    np.testing.assert_allclose(display.lines_["train_loss"].get_ydata(),
                               [r["train_loss"] for r in inner.history_])


# ----------------------------------------------------------------------- ImageGridDisplay


class PixelClassifier(LogisticRegression):
    """A classifier with CNNClassifier's input parameters, for from_estimator."""

    def __init__(self, image_shape=None, channels_last=False, max_iter=200):
        super().__init__(max_iter=max_iter)
        self.image_shape = image_shape
        self.channels_last = channels_last


def test_image_grid_highlights_exactly_the_mistakes(digits):
    X, y = digits
    y_pred = y[:12].copy()
    wrong = [2, 5, 7]
    y_pred[wrong] = (y_pred[wrong] + 1) % 10
    display = ImageGridDisplay.from_predictions(X[:12], y[:12], y_pred, image_shape=(8, 8),
                                                n_cols=4)
    assert len(display.axes_) == 12
    np.testing.assert_array_equal(np.flatnonzero(display.misclassified_), wrong)
    for i, ax in enumerate(display.axes_):
        assert ax.get_title() == f"true {y[i]}\npred {y_pred[i]}"
        np.testing.assert_allclose(ax.images[0].get_array(), X[i].reshape(8, 8))
        highlighted = ax.spines["left"].get_visible()
        assert highlighted == (i in wrong)
        assert (matplotlib.colors.to_rgba(ax.title.get_color()) == RED) == (i in wrong)
        if highlighted:
            assert matplotlib.colors.to_rgba(ax.spines["top"].get_edgecolor()) == RED
    # a 4-column grid: the first row shares its top edge, the fifth image starts row 2
    positions = [ax.get_position() for ax in display.axes_]
    assert positions[0].y0 == pytest.approx(positions[3].y0)
    assert positions[4].y0 < positions[0].y0


def test_image_grid_from_estimator_reads_image_shape_and_shows_misclassified(digits):
    X, y = digits
    clf = PixelClassifier(image_shape=(8, 8)).fit(X[:200], y[:200])
    n_wrong = int(np.sum(clf.predict(X[200:]) != y[200:]))
    display = ImageGridDisplay.from_estimator(clf, X[200:], y[200:], n_images=9,
                                              only_misclassified=True)
    assert len(display.axes_) == min(9, n_wrong) and display.misclassified_.all()
    assert display.ax_.axison is False  # the bounding axes is hidden
    # only misclassified rows were chosen, in order
    assert (clf.predict(X[200:][display.indices]) != y[200:][display.indices]).all()


def test_image_grid_layouts(digits):
    X, y = digits
    grey = ImageGridDisplay.from_predictions(X[:4].reshape(4, 8, 8), y[:4], y[:4])
    assert grey.axes_[0].images[0].get_array().shape == (8, 8)
    colour = np.random.default_rng(0).random((3, 3, 5, 6))  # (n, C, H, W)
    rgb = ImageGridDisplay.from_predictions(colour, [0, 1, 2], [0, 1, 1])
    assert rgb.axes_[0].images[0].get_array().shape == (5, 6, 3)
    flat = ImageGridDisplay.from_predictions(colour.reshape(3, -1), [0, 1, 2], [0, 1, 1],
                                             image_shape=(3, 5, 6))
    np.testing.assert_array_equal(flat.axes_[2].images[0].get_array(),
                                  rgb.axes_[2].images[0].get_array())
    last = ImageGridDisplay.from_predictions(colour.transpose(0, 2, 3, 1), [0, 1, 2],
                                             [0, 1, 2], channels_last=True)
    np.testing.assert_array_equal(last.axes_[1].images[0].get_array(),
                                  rgb.axes_[1].images[0].get_array())


def test_image_grid_errors(digits):
    X, y = digits
    with pytest.raises(ValueError, match=r"image_shape=\(7, 7\) does not match rows of 64"):
        ImageGridDisplay.from_predictions(X[:3], y[:3], y[:3], image_shape=(7, 7))
    with pytest.raises(ValueError, match="pass image_shape"):
        ImageGridDisplay.from_predictions(X[:3, :10], y[:3], y[:3])
    with pytest.raises(ValueError, match="same length"):
        ImageGridDisplay.from_predictions(X[:3], y[:3], y[:2])
    with pytest.raises(ValueError, match="no images to draw"):
        ImageGridDisplay.from_predictions(X[:3], y[:3], y[:3], only_misclassified=True)


# ----------------------------------------------------------------------- CodeSpaceDisplay


def test_code_space_one_colour_per_class(digits):
    X, y = digits
    pca = PCA(3, random_state=0).fit(X)
    codes = pca.transform(X)
    display = CodeSpaceDisplay.from_estimator(pca, X, y, components=(1, 2))
    assert sorted(display.scatters_) == list(range(10))
    np.testing.assert_allclose(display.scatters_[3].get_offsets(), codes[y == 3][:, [1, 2]])
    assert display.ax_.get_xlabel() == "pca1" and display.ax_.get_ylabel() == "pca2"
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert legend == [str(k) for k in range(10)]
    colours = {tuple(s.get_facecolor()[0][:3]) for s in display.scatters_.values()}
    assert len(colours) == 10


def test_code_space_continuous_label_gets_a_colour_scale_and_pandas_names(digits):
    X, _ = digits
    pca = PCA(2).set_output(transform="pandas").fit(X)
    target = np.linspace(0, 1, len(X))
    display = CodeSpaceDisplay.from_codes(pca.transform(X), target)
    assert list(display.scatters_) == [None] and display.colorbar_ is not None
    assert display.ax_.get_xlabel() == "pca0"
    plain = CodeSpaceDisplay.from_codes(np.zeros((5, 2)))
    assert plain.ax_.get_xlabel() == "code 0" and plain.ax_.get_legend() is None


def test_code_space_of_mlp_features_and_errors(digits):
    X, y = digits
    mlp = MLPClassifier(hidden_layer_sizes=(2,), max_iter=3, random_state=0).fit(X[:200],
                                                                                  y[:200])
    display = CodeSpaceDisplay.from_estimator(mlp, X[:200], y[:200])
    assert display.ax_.get_xlabel() == "mlpclassifier0"
    assert sum(len(s.get_offsets()) for s in display.scatters_.values()) == 200
    with pytest.raises(ValueError, match="at least 2 columns"):
        CodeSpaceDisplay.from_codes(np.zeros((5, 1)))
    with pytest.raises(ValueError, match="labels has 4 values"):
        CodeSpaceDisplay.from_codes(np.zeros((5, 2)), [0, 1, 0, 1])


# -------------------------------------------------------------- real against synthetic


class BootstrapSampler:
    """The simplest 'generator': resample the real rows (a GANSampler stand-in)."""

    def fit(self, X):
        self.table_ = X
        return self

    def sample(self, n_samples, random_state=None):
        return self.table_.sample(n=n_samples, replace=True, random_state=random_state)


def test_marginals_of_a_bootstrap_copy_are_close(penguins):
    display = MarginalsDisplay.from_estimator(BootstrapSampler().fit(penguins), penguins)
    assert list(display.axes_) == list(penguins.columns)
    assert max(display.distances_.values()) < 0.1
    mass = display.axes_["body_mass_g"]
    assert mass.get_title().startswith("body_mass_g  (KS ")
    # two histograms on shared bins: a filled one (real) and a step outline (synthetic)
    assert len(mass.patches) == 30 + 1
    species = display.axes_["species"]
    assert [t.get_text() for t in species.get_xticklabels()] == list(
        penguins["species"].value_counts().index)
    assert len(species.patches) == 2 * 3 and species.get_title().startswith("species  (TV ")


def test_marginals_show_the_distances_of_sknn_metrics(penguins):
    fake = penguins.sample(n=120, replace=True, random_state=1).reset_index(drop=True)
    fake["bill_depth_mm"] = fake["bill_depth_mm"] * 1.2
    fake.loc[:9, "sex"] = None  # missing values count as a category in the metric
    display = MarginalsDisplay.from_data(penguins, fake)
    expected = column_distances(penguins, fake)
    assert display.distances_ == expected["distance"].to_dict()
    for column, row in expected.iterrows():
        title = display.axes_[column].get_title()
        assert title == f"{column}  ({row['metric'].upper()} {row['distance']:.2f})"
    # the bars are the frequencies the total variation compares, missing values included
    frequencies = category_frequencies(penguins["sex"], fake["sex"])
    sex = display.axes_["sex"]
    assert [t.get_text() for t in sex.get_xticklabels()] == frequencies.index.tolist()
    assert "<missing>" in frequencies.index
    heights = [patch.get_height() for patch in sex.patches]
    n = len(frequencies)
    np.testing.assert_allclose(heights[:n], frequencies["real"])
    np.testing.assert_allclose(heights[n:], frequencies["synthetic"])


def test_marginals_show_what_a_bad_generator_gets_wrong(penguins):
    fake = penguins.copy()
    fake["body_mass_g"] = fake["body_mass_g"] + 1500
    fake.loc[:49, "island"] = "Atlantis"  # an invented category, 50 rows
    display = MarginalsDisplay.from_data(penguins, fake, columns=["body_mass_g", "island"])
    assert display.distances_["body_mass_g"] > 0.5
    assert display.distances_["island"] == pytest.approx(50 / len(fake))
    labels = [t.get_text() for t in display.axes_["island"].get_xticklabels()]
    assert labels[-1] == "Atlantis"
    real_bar_height = display.axes_["island"].patches[len(labels) - 1].get_height()
    assert real_bar_height == 0  # never seen in the real table


def test_marginals_of_arrays_and_mismatched_columns():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(200, 3))
    display = MarginalsDisplay.from_data(real, rng.normal(size=(150, 3)))
    assert list(display.axes_) == ["x0", "x1", "x2"]
    with pytest.raises(ValueError, match="same columns"):
        MarginalsDisplay.from_data(pd.DataFrame(real, columns=list("abc")),
                                   pd.DataFrame(real, columns=list("abd")))


def test_pair_plot_grid(penguins):
    columns = ["bill_length_mm", "flipper_length_mm", "body_mass_g"]
    sampler = BootstrapSampler().fit(penguins)
    display = PairPlotDisplay.from_estimator(sampler, penguins, columns=columns,
                                             n_samples=100)
    assert display.axes_.shape == (3, 3) and display.columns_ == columns
    off = display.axes_[2, 0]
    real_points, fake_points = off.collections
    assert len(real_points.get_offsets()) == len(penguins)
    assert len(fake_points.get_offsets()) == 100
    np.testing.assert_allclose(real_points.get_offsets()[:, 0], penguins["bill_length_mm"])
    np.testing.assert_allclose(real_points.get_offsets()[:, 1], penguins["body_mass_g"])
    assert off.get_xlabel() == "bill_length_mm" and off.get_ylabel() == "body_mass_g"
    assert not display.axes_[1, 1].collections and display.axes_[1, 1].patches  # histograms
    capped = PairPlotDisplay.from_data(penguins, penguins, columns=columns[:2]).plot(
        max_points=50)
    assert len(capped.axes_[0, 1].collections[0].get_offsets()) == 50


def test_pair_plot_default_columns_and_errors(penguins):
    display = PairPlotDisplay.from_data(penguins, penguins)
    assert display.columns_ == ["bill_length_mm", "bill_depth_mm", "flipper_length_mm",
                                "body_mass_g"]
    with pytest.raises(ValueError, match=r"\['species'\] are not numeric"):
        PairPlotDisplay.from_data(penguins, penguins, columns=["species", "body_mass_g"])


# ------------------------------------------------------------------- TransferCurveDisplay


def test_transfer_curve_from_results():
    results = pd.DataFrame({
        "method": ["transfer"] * 6 + ["scratch"] * 6,
        "n": [1, 1, 5, 5, 20, 20] * 2,
        "accuracy": [0.6, 0.7, 0.8, 0.9, 0.9, 0.92, 0.2, 0.3, 0.5, 0.6, 0.85, 0.9],
    })
    display = TransferCurveDisplay.from_results(results, n_labelled="n", score="accuracy",
                                                per_class=True)
    line = display.lines_["transfer"]
    np.testing.assert_array_equal(line.get_xdata(), [1, 5, 20])
    np.testing.assert_allclose(line.get_ydata(), [0.65, 0.85, 0.91])
    band = display.bands_["scratch"].get_paths()[0].vertices
    assert band[:, 1].min() == pytest.approx(0.2) and band[:, 1].max() == pytest.approx(0.9)
    ax = display.ax_
    assert ax.get_xscale() == "log" and ax.get_ylabel() == "accuracy"
    assert ax.get_xlabel() == "labelled rows per class"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "5", "20"]
    with pytest.raises(ValueError, match="has no column"):
        TransferCurveDisplay.from_results(results)


def test_transfer_curve_from_estimators(digits):
    X, y = digits
    display = TransferCurveDisplay.from_estimators(
        {"logistic": LogisticRegression(max_iter=300), "prior": DummyClassifier()},
        X[:1000], y[:1000], X[1000:], y[1000:], n_labelled=(1, 5), n_repeats=2)
    summary = display.summary_.set_index(["method", "n_labelled"])
    assert list(summary["count"]) == [2, 2, 2, 2]
    assert summary.loc[("logistic", 5), "mean"] > 0.8 > summary.loc[("prior", 5), "mean"]
    assert summary.loc[("logistic", 5), "mean"] > summary.loc[("logistic", 1), "mean"]
    assert display.ax_.get_xlabel() == "labelled rows per class"
    regression = TransferCurveDisplay.from_estimators(
        {"ridge-like": MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0)},
        X[:500], y[:500].astype(float), X[500:700], y[500:700].astype(float),
        n_labelled=(50,), n_repeats=1, log_x=False)
    assert regression.ax_.get_xlabel() == "labelled rows" and not regression.bands_
    assert regression.ax_.get_xscale() == "linear"


def test_transfer_curve_display_draws_what_transfer_curve_returns(digits):
    X, y = digits
    estimators = {"logistic": LogisticRegression(max_iter=100), "prior": DummyClassifier()}
    args = (estimators, X[:500], y[:500], X[500:800], y[500:800])
    results = transfer_curve(*args, n_labelled=(1, 3), n_repeats=2, scoring="accuracy")
    display = TransferCurveDisplay.from_estimators(*args, n_labelled=(1, 3), n_repeats=2,
                                                   scoring="accuracy")
    pd.testing.assert_frame_equal(display.results, results)
    drawn = TransferCurveDisplay.from_results(results, score_name="accuracy", per_class=True)
    pd.testing.assert_frame_equal(display.summary_, drawn.summary_)
    for method, line in display.lines_.items():
        np.testing.assert_array_equal(line.get_ydata(), drawn.lines_[method].get_ydata())
    assert display.ax_.get_ylabel() == "accuracy"


# ---------------------------------------------------------------- matplotlib is optional


def test_clear_error_without_matplotlib(monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r"TransferCurveDisplay needs matplotlib.*"
                                          r"pip install matplotlib"):
        TransferCurveDisplay.from_results({"method": ["a"], "n_labelled": [1], "score": [1]})


def test_importing_sknn_plotting_does_not_import_matplotlib():
    code = "import sys, sknn.plotting; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.strip() == "False", result.stderr[-2000:]
