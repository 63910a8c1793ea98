"""Display objects that draw fitted sknn estimators, in scikit-learn's convention.

Every display is built with a ``from_*`` class method (``from_estimator`` computes
what it needs from a fitted estimator; ``from_predictions``, ``from_codes``,
``from_data`` or ``from_results`` take precomputed values) and draws with
``plot(ax=...)``. After plotting it holds the matplotlib objects: ``ax_``,
``figure_`` and, per display, the lines, collections or sub-axes it drew, so the
figure can be restyled afterwards.

matplotlib is optional (``pip install sknn[plot]``): it is imported when a display
draws, and its absence is a clear ``ImportError``.

==========================  ============================================================
Display                     draws
==========================  ============================================================
TrainingHistoryDisplay      losses and validation score per epoch, best epoch marked
ImageGridDisplay            images with true and predicted labels, mistakes in red
CodeSpaceDisplay            a 2-D code (feature) space coloured by a label
MarginalsDisplay            real against synthetic distribution of every column
PairPlotDisplay             real against synthetic pairs of columns
TransferCurveDisplay        score against number of labelled rows, one line per method
==========================  ============================================================
"""

import numbers

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "TrainingHistoryDisplay",
    "ImageGridDisplay",
    "CodeSpaceDisplay",
    "MarginalsDisplay",
    "PairPlotDisplay",
    "TransferCurveDisplay",
]

_HIGHLIGHT = "tab:red"
_REAL, _SYNTHETIC = "tab:blue", "tab:orange"


# ----------------------------------------------------------------------------- helpers


def _pyplot(caller):
    """Import matplotlib's pyplot, or say clearly how to get it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller} needs matplotlib. Install it with `pip install matplotlib` "
            "(or `pip install sknn[plot]`)."
        ) from exc
    return plt


def _figure_and_axes(ax, caller, figsize=None):
    plt = _pyplot(caller)
    if ax is None:
        figure, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax.figure, ax


def _inner_estimator(estimator, attribute):
    """Find the estimator holding ``attribute`` in a Pipeline, search or wrapper."""
    seen = estimator
    for _ in range(10):
        if hasattr(seen, attribute):
            return seen
        if hasattr(seen, "steps"):  # Pipeline
            seen = seen.steps[-1][1]
        elif hasattr(seen, "best_estimator_"):  # GridSearchCV and friends
            seen = seen.best_estimator_
        elif hasattr(seen, "regressor_"):  # TransformedTargetRegressor
            seen = seen.regressor_
        else:
            break
    check_is_fitted(estimator)
    raise ValueError(
        f"{type(estimator).__name__} has no {attribute}: pass a fitted sknn estimator "
        "(or a Pipeline or search that ends with one)."
    )


def _final_param(estimator, name):
    """A constructor parameter of the last step (``image_shape``, ...), or None."""
    while True:
        if hasattr(estimator, "steps"):
            estimator = estimator.steps[-1][1]
        elif hasattr(estimator, "best_estimator_"):
            estimator = estimator.best_estimator_
        else:
            break
    return estimator.get_params().get(name) if hasattr(estimator, "get_params") else None


def _grid_axes(bounding_ax, n, n_cols, gap=0.12):
    """Lay out ``n`` inset axes in a grid inside ``bounding_ax``; return them."""
    n_cols = max(1, min(n_cols, n))
    n_rows = -(-n // n_cols)
    width, height = 1 / n_cols, 1 / n_rows
    axes = []
    for i in range(n):
        row, col = divmod(i, n_cols)
        axes.append(bounding_ax.inset_axes([
            col * width + gap * width / 2, 1 - (row + 1) * height + gap * height / 2,
            width * (1 - gap), height * (1 - gap),
        ]))
    return np.asarray(axes, dtype=object)


def _as_frame(data, name):
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, (tuple, list)) and len(data) == 2 and not np.isscalar(data[0]):
        data = data[0]  # a sampler that returned (X, y)
    array = np.asarray(data)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D table; got shape {array.shape}.")
    return pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])


def _is_numeric(series):
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


# --------------------------------------------------------------------- training history

_READABLE = {"train_loss": "training loss", "valid_loss": "validation loss",
             "valid_score": "validation score"}


class TrainingHistoryDisplay:
    """Training curves of a fitted estimator: losses and scores per epoch.

    The losses (every ``*_loss`` entry of ``history_``: training and validation
    loss, or a GAN's generator and discriminator losses) go on the left axis; the
    validation score (with ``early_stopping``) on a right axis. The best epoch
    (highest validation score, else lowest validation loss, else lowest training
    loss; with ``early_stopping`` these are the weights the estimator kept) is
    marked by a vertical line.

    Build it with :meth:`from_estimator`; the constructor takes the history itself.

    Parameters
    ----------
    history : list of dict
        One record per epoch, as an estimator's ``history_``: keys such as
        ``"epoch"``, ``"train_loss"``, ``"valid_loss"``, ``"valid_score"``.
    estimator_name : str, default=None
        Used in the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes with the losses.
    score_ax_ : matplotlib Axes or None
        The twin axes with the scores, when the history has any.
    figure_ : matplotlib Figure
    lines_ : dict of str to matplotlib Line2D
        One line per plotted history key.
    best_epoch_ : int or None
        The epoch marked as best.
    best_line_ : matplotlib Line2D or None
        The vertical line at the best epoch.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : Score against training-set size.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sknn import MLPClassifier
    >>> from sknn.plotting import TrainingHistoryDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier(max_iter=30, early_stopping=True, learning_rate_init=0.01,
    ...                     random_state=0).fit(X, y)
    >>> display = TrainingHistoryDisplay.from_estimator(clf)
    >>> sorted(display.lines_)
    ['train_loss', 'valid_loss', 'valid_score']
    >>> display.best_epoch_ == 1 + clf.validation_scores_.index(clf.best_validation_score_)
    True
    """

    def __init__(self, history, *, estimator_name=None):
        self.history = history
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, mark_best=True):
        """Plot the ``history_`` of a fitted estimator.

        Parameters
        ----------
        estimator : fitted sknn estimator, or a Pipeline / search ending with one
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        name : str, default=None
            Title; the estimator's class name when None.
        mark_best : bool, default=True
            Mark the best epoch.

        Returns
        -------
        display : TrainingHistoryDisplay
        """
        inner = _inner_estimator(estimator, "history_")
        display = cls(inner.history_, estimator_name=name or type(inner).__name__)
        return display.plot(ax=ax, mark_best=mark_best)

    def _keys(self):
        keys = []
        for record in self.history:
            keys += [k for k in record if k not in keys and isinstance(record[k], numbers.Real)]
        losses = [k for k in keys if k.endswith("_loss")]
        scores = [k for k in keys if k.endswith("_score")]
        return losses, scores

    def _best_epoch(self, epochs, losses, scores):
        for key, pick in (("valid_score", np.nanargmax), ("valid_loss", np.nanargmin),
                          ("train_loss", np.nanargmin)):
            if key in scores or key in losses:
                values = np.array([r.get(key, np.nan) for r in self.history], dtype=float)
                if np.isfinite(values).any():
                    return int(epochs[pick(values)])
        return None

    def plot(self, ax=None, *, mark_best=True):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        mark_best : bool, default=True
            Mark the best epoch.

        Returns
        -------
        display : TrainingHistoryDisplay
            ``self``, with the matplotlib objects stored.
        """
        figure, ax = _figure_and_axes(ax, type(self).__name__)
        if not self.history:
            raise ValueError("history is empty: the estimator has not run an epoch.")
        epochs = np.array([r.get("epoch", i + 1) for i, r in enumerate(self.history)])
        losses, scores = self._keys()
        self.lines_ = {}
        for i, key in enumerate(losses):
            values = [r.get(key, np.nan) for r in self.history]
            (self.lines_[key],) = ax.plot(epochs, values, color=f"C{i}",
                                          label=_READABLE.get(key, key))
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        self.score_ax_ = None
        if scores:
            self.score_ax_ = ax.twinx()
            for i, key in enumerate(scores, start=len(losses)):
                values = [r.get(key, np.nan) for r in self.history]
                (self.lines_[key],) = self.score_ax_.plot(
                    epochs, values, color=f"C{i}", linestyle="--",
                    label=_READABLE.get(key, key))
            self.score_ax_.set_ylabel("score")
        self.best_epoch_ = self._best_epoch(epochs, losses, scores) if mark_best else None
        self.best_line_ = None
        if self.best_epoch_ is not None:
            self.best_line_ = ax.axvline(self.best_epoch_, color="0.4", linestyle=":",
                                         label=f"best epoch ({self.best_epoch_})")
        handles = [h for a in (ax, self.score_ax_) if a is not None
                   for h in a.get_legend_handles_labels()[0]]
        ax.legend(handles=handles, loc="best")
        if self.estimator_name:
            ax.set_title(self.estimator_name)
        self.ax_, self.figure_ = ax, figure
        return self


# --------------------------------------------------------------------------- image grid


def _to_display_images(images, image_shape, channels_last):
    """(n, ...) images of any accepted layout -> (n, H, W) or (n, H, W, C) for imshow."""
    images = images.to_numpy() if isinstance(images, pd.DataFrame) else np.asarray(images)
    n = images.shape[0]
    if images.ndim == 2:
        if image_shape is None:
            side = int(round(np.sqrt(images.shape[1])))
            if side * side != images.shape[1]:
                raise ValueError(
                    f"Cannot tell the image size of rows of {images.shape[1]} pixels; pass "
                    "image_shape=(height, width) or (channels, height, width)."
                )
            image_shape = (side, side)
        image_shape = tuple(int(v) for v in image_shape)
        if int(np.prod(image_shape)) != images.shape[1] or len(image_shape) not in (2, 3):
            raise ValueError(
                f"image_shape={image_shape} does not match rows of {images.shape[1]} "
                "pixels; it must be (height, width) or (channels, height, width) with "
                "that many values."
            )
        images = images.reshape((n, *image_shape))
        if images.ndim == 4 and not channels_last:
            images = images.transpose(0, 2, 3, 1)
    elif images.ndim == 4:
        if not channels_last:
            images = images.transpose(0, 2, 3, 1)
    elif images.ndim != 3:
        raise ValueError(
            f"images must be 2-D rows of pixels, 3-D (n, height, width) or 4-D; got shape "
            f"{images.shape}."
        )
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim == 4 and images.shape[-1] not in (3, 4):
        raise ValueError(
            f"Colour images need 3 or 4 channels to be drawn; got {images.shape[-1]} "
            "(check image_shape and channels_last)."
        )
    return images


class ImageGridDisplay:
    """A grid of images titled with their true and predicted labels.

    Misclassified images get a red title and a red frame, so the model's mistakes
    stand out. Made for :class:`~sknn.CNNClassifier` (``from_estimator`` reads
    its ``image_shape`` and ``channels_last``), it works with any classifier whose
    input rows are pixels.

    Parameters
    ----------
    images : ndarray of shape (n, height, width) or (n, height, width, channels)
        The images to draw, in matplotlib's layout.
    y_true : array-like of shape (n,)
    y_pred : array-like of shape (n,)
    indices : array-like of shape (n,), default=None
        Row numbers of the images in the data they came from (shown nowhere; kept so
        that a user can look the rows up).

    Attributes
    ----------
    ax_ : matplotlib Axes
        The bounding axes (hidden) that holds the grid.
    axes_ : ndarray of matplotlib Axes
        One axes per image.
    figure_ : matplotlib Figure
    misclassified_ : ndarray of bool
        Which of the drawn images are misclassified (highlighted).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sknn.plotting import ImageGridDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = LogisticRegression(max_iter=50).fit(X[:300], y[:300])
    >>> display = ImageGridDisplay.from_estimator(clf, X[300:], y[300:], n_images=16,
    ...                                           image_shape=(8, 8))
    >>> len(display.axes_)
    16
    >>> display.axes_[0].get_title().startswith("true ")
    True
    """

    def __init__(self, images, y_true, y_pred, *, indices=None):
        self.images = images
        self.y_true = y_true
        self.y_pred = y_pred
        self.indices = indices

    @classmethod
    def from_estimator(cls, estimator, X, y, *, image_shape=None, channels_last=None,
                       n_images=25, only_misclassified=False, n_cols=None, cmap="gray_r",
                       ax=None):
        """Predict ``X`` and draw its images with true and predicted labels.

        Parameters
        ----------
        estimator : fitted classifier
            A CNNClassifier, or any classifier (or Pipeline) taking pixel rows.
        X : array-like
            Images as the estimator takes them: rows of pixels, (n, H, W) or
            (n, C, H, W) / (n, H, W, C).
        y : array-like of shape (n_samples,)
            True labels.
        image_shape : tuple, default=None
            (H, W) or (C, H, W) for rows of pixels; by default the estimator's
            ``image_shape`` parameter, else square grey images.
        channels_last : bool, default=None
            Whether colour images are (H, W, C); by default the estimator's
            ``channels_last`` parameter, else False.
        n_images : int, default=25
            How many images to draw (the first ones).
        only_misclassified : bool, default=False
            Draw the first misclassified images instead.
        n_cols : int, default=None
            Images per row; about a square grid when None.
        cmap : str, default="gray_r"
            Colour map of grey images.
        ax : matplotlib Axes, default=None
            Bounding axes to draw the grid in; a new figure when None.

        Returns
        -------
        display : ImageGridDisplay
        """
        y_pred = estimator.predict(X)
        if image_shape is None:
            image_shape = _final_param(estimator, "image_shape")
        if channels_last is None:
            channels_last = bool(_final_param(estimator, "channels_last"))
        return cls.from_predictions(
            X, y, y_pred, image_shape=image_shape, channels_last=channels_last,
            n_images=n_images, only_misclassified=only_misclassified, n_cols=n_cols,
            cmap=cmap, ax=ax)

    @classmethod
    def from_predictions(cls, images, y_true, y_pred, *, image_shape=None,
                         channels_last=False, n_images=25, only_misclassified=False,
                         n_cols=None, cmap="gray_r", ax=None):
        """Draw images with given true and predicted labels.

        Parameters
        ----------
        images : array-like
            Rows of pixels (with ``image_shape``), (n, H, W), or 4-D colour images.
        y_true, y_pred : array-like of shape (n,)
        image_shape, channels_last, n_images, only_misclassified, n_cols, cmap, ax
            As in :meth:`from_estimator`.

        Returns
        -------
        display : ImageGridDisplay
        """
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        images = _to_display_images(images, image_shape, channels_last)
        if not len(images) == len(y_true) == len(y_pred):
            raise ValueError(
                f"images, y_true and y_pred must have the same length; got {len(images)}, "
                f"{len(y_true)} and {len(y_pred)}."
            )
        candidates = np.arange(len(images))
        if only_misclassified:
            candidates = candidates[y_true != y_pred]
        chosen = candidates[:n_images]
        display = cls(images[chosen], y_true[chosen], y_pred[chosen], indices=chosen)
        return display.plot(ax=ax, n_cols=n_cols, cmap=cmap)

    def plot(self, ax=None, *, n_cols=None, cmap="gray_r"):
        """Draw the grid.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Bounding axes for the grid; a new figure when None.
        n_cols : int, default=None
            Images per row.
        cmap : str, default="gray_r"

        Returns
        -------
        display : ImageGridDisplay
        """
        n = len(self.images)
        if n == 0:
            raise ValueError("There are no images to draw (no misclassified ones?).")
        n_cols = n_cols or int(np.ceil(np.sqrt(n)))
        n_rows = -(-n // min(n_cols, n))
        figsize = (1.3 * min(n_cols, n), 1.5 * n_rows)
        figure, ax = _figure_and_axes(ax, type(self).__name__, figsize=figsize)
        ax.set_axis_off()
        self.axes_ = _grid_axes(ax, n, n_cols, gap=0.25)
        self.misclassified_ = self.y_true != self.y_pred
        for image_ax, image, true, pred, wrong in zip(self.axes_, self.images, self.y_true,
                                                      self.y_pred, self.misclassified_):
            image_ax.imshow(image, cmap=cmap if image.ndim == 2 else None)
            image_ax.set_xticks([])
            image_ax.set_yticks([])
            image_ax.set_title(f"true {true}\npred {pred}", fontsize=8,
                               color=_HIGHLIGHT if wrong else "black")
            for spine in image_ax.spines.values():
                spine.set_visible(bool(wrong))
                if wrong:
                    spine.set_edgecolor(_HIGHLIGHT)
                    spine.set_linewidth(2.5)
        self.ax_, self.figure_ = ax, figure
        return self


# --------------------------------------------------------------------------- code space


class CodeSpaceDisplay:
    """Points in a 2-D code space (an auto-encoder's codes), coloured by a label.

    Made for :class:`~sknn.AutoEncoder` (``transform`` gives the codes), it
    takes any transformer's output: PCA, an MLP's hidden features. A label with
    few values (classes) gets one colour and one legend entry per value; a numeric
    label with many values gets a colour scale.

    Parameters
    ----------
    codes : ndarray of shape (n_samples, 2)
    labels : array-like of shape (n_samples,), default=None
    component_names : tuple of str, default=None
        Axis labels.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    scatters_ : dict
        One PathCollection per label value (key None for a colour scale or no label).
    colorbar_ : matplotlib Colorbar or None

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from sknn.plotting import CodeSpaceDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> display = CodeSpaceDisplay.from_estimator(PCA(2).fit(X), X, y)
    >>> len(display.scatters_)
    10
    """

    max_discrete = 20

    def __init__(self, codes, labels=None, *, component_names=None):
        self.codes = codes
        self.labels = labels
        self.component_names = component_names

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, components=(0, 1), ax=None, **kwargs):
        """Transform ``X`` and plot two of the code dimensions.

        Parameters
        ----------
        estimator : fitted transformer
            An AutoEncoder, or any fitted transformer (Pipeline included).
        X : array-like
            Input rows.
        y : array-like of shape (n_samples,), default=None
            Labels that colour the points.
        components : tuple of 2 int, default=(0, 1)
            Which code dimensions to draw.
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to :meth:`plot` (``alpha``, ``s``, ``cmap``).

        Returns
        -------
        display : CodeSpaceDisplay
        """
        codes = estimator.transform(X)
        names = None
        if hasattr(estimator, "get_feature_names_out"):
            try:
                names = list(estimator.get_feature_names_out())
            except (AttributeError, ValueError, TypeError):
                names = None
        return cls.from_codes(codes, y, components=components, component_names=names,
                              ax=ax, **kwargs)

    @classmethod
    def from_codes(cls, codes, labels=None, *, components=(0, 1), component_names=None,
                   ax=None, **kwargs):
        """Plot precomputed codes.

        Parameters
        ----------
        codes : array-like of shape (n_samples, n_components)
            At least 2 columns.
        labels : array-like of shape (n_samples,), default=None
        components : tuple of 2 int, default=(0, 1)
        component_names : list of str, default=None
            Names of all the code columns (a DataFrame's columns are used when None).
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : CodeSpaceDisplay
        """
        if isinstance(codes, pd.DataFrame):
            component_names = component_names or [str(c) for c in codes.columns]
        codes = np.asarray(codes, dtype=float)
        if codes.ndim != 2 or codes.shape[1] < 2:
            raise ValueError(
                f"codes must have at least 2 columns to draw a 2-D code space; got shape "
                f"{codes.shape}."
            )
        i, j = components
        if labels is not None and len(labels) != len(codes):
            raise ValueError(
                f"labels has {len(labels)} values but codes has {len(codes)} rows."
            )
        names = None
        if component_names is not None:
            names = (component_names[i], component_names[j])
        display = cls(codes[:, [i, j]], labels, component_names=names)
        return display.plot(ax=ax, **kwargs)

    def _discrete(self, labels):
        if not _is_numeric(pd.Series(labels)):
            return True
        return len(np.unique(labels)) <= self.max_discrete

    def plot(self, ax=None, *, alpha=0.7, s=12, cmap=None):
        """Draw the points.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        alpha : float, default=0.7
        s : float, default=12
            Marker size.
        cmap : str, default=None
            Colour map for a numeric label (viridis when None).

        Returns
        -------
        display : CodeSpaceDisplay
        """
        figure, ax = _figure_and_axes(ax, type(self).__name__)
        codes = np.asarray(self.codes)
        self.scatters_, self.colorbar_ = {}, None
        if self.labels is None:
            self.scatters_[None] = ax.scatter(codes[:, 0], codes[:, 1], s=s, alpha=alpha)
        else:
            labels = np.asarray(self.labels)
            if self._discrete(labels):
                for k, value in enumerate(np.unique(labels)):
                    mask = labels == value
                    self.scatters_[value] = ax.scatter(
                        codes[mask, 0], codes[mask, 1], s=s, alpha=alpha, label=str(value),
                        color=f"C{k % 10}" if len(np.unique(labels)) <= 10 else None)
                ax.legend(title="label", markerscale=1.5, fontsize="small",
                          loc="center left", bbox_to_anchor=(1.0, 0.5))
            else:
                self.scatters_[None] = ax.scatter(codes[:, 0], codes[:, 1], c=labels, s=s,
                                                  alpha=alpha, cmap=cmap or "viridis")
                self.colorbar_ = figure.colorbar(self.scatters_[None], ax=ax)
        names = self.component_names or ("code 0", "code 1")
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])
        self.ax_, self.figure_ = ax, figure
        return self


# ------------------------------------------------------------------ real vs synthetic


def _sample(sampler, n_samples, random_state):
    try:
        synthetic = sampler.sample(n_samples, random_state=random_state)
    except TypeError:  # a sampler whose sample() takes no random_state
        synthetic = sampler.sample(n_samples)
    return synthetic


def _matching_frames(real, synthetic):
    real = _as_frame(real, "real")
    named = isinstance(synthetic, pd.DataFrame)
    synthetic = _as_frame(synthetic, "synthetic")
    if list(real.columns) != list(synthetic.columns):
        if real.shape[1] == synthetic.shape[1] and not named:
            synthetic.columns = real.columns  # an array sampled from a DataFrame's model
        else:
            raise ValueError(
                f"real and synthetic must have the same columns; got {list(real.columns)} "
                f"and {list(synthetic.columns)}."
            )
    return real, synthetic


class MarginalsDisplay:
    """Real against synthetic distribution of every column of a table.

    Numeric columns get overlaid histograms on shared bins, other columns (categories,
    strings, booleans) side-by-side bars of category frequencies. Each title carries
    a distance between the two distributions: the Kolmogorov-Smirnov statistic for
    numbers, the total variation distance for categories (0 is identical, 1 disjoint).
    Made for :class:`~sknn.GANSampler`; ``from_data`` compares any two tables.

    Parameters
    ----------
    real : DataFrame
    synthetic : DataFrame
        Same columns as ``real``.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The bounding axes (hidden) that holds the grid.
    axes_ : dict of str to matplotlib Axes
        One axes per column.
    figure_ : matplotlib Figure
    distances_ : dict of str to float
        KS statistic or total variation per column.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sknn.plotting import MarginalsDisplay
    >>> rng = np.random.default_rng(0)
    >>> real = pd.DataFrame({"size": rng.normal(size=300),
    ...                      "kind": rng.choice(["a", "b"], size=300)})
    >>> copy = real.sample(frac=1.0, replace=True, random_state=0)
    >>> display = MarginalsDisplay.from_data(real, copy)
    >>> sorted(display.axes_)
    ['kind', 'size']
    >>> display.distances_["size"] < 0.15
    True
    """

    def __init__(self, real, synthetic):
        self.real = real
        self.synthetic = synthetic

    @classmethod
    def from_estimator(cls, sampler, X, *, n_samples=None, columns=None, random_state=0,
                       ax=None, **kwargs):
        """Sample from a fitted sampler and compare with the real table.

        Parameters
        ----------
        sampler : fitted GANSampler
            Anything with ``sample(n_samples, random_state=...)``.
        X : DataFrame or array-like
            The real table.
        n_samples : int, default=None
            Synthetic rows to draw; as many as ``X`` has when None.
        columns : list, default=None
            Columns to draw; all when None.
        random_state : int, default=0
            Passed to ``sample``.
        ax : matplotlib Axes, default=None
            Bounding axes.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : MarginalsDisplay
        """
        synthetic = _sample(sampler, n_samples or len(X), random_state)
        return cls.from_data(X, synthetic, columns=columns, ax=ax, **kwargs)

    @classmethod
    def from_data(cls, real, synthetic, *, columns=None, ax=None, **kwargs):
        """Compare two tables with the same columns.

        Parameters
        ----------
        real, synthetic : DataFrame or array-like
        columns : list, default=None
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to :meth:`plot` (``bins``, ``n_cols``).

        Returns
        -------
        display : MarginalsDisplay
        """
        real, synthetic = _matching_frames(real, synthetic)
        if columns is not None:
            real, synthetic = real[list(columns)], synthetic[list(columns)]
        return cls(real, synthetic).plot(ax=ax, **kwargs)

    def plot(self, ax=None, *, bins=30, n_cols=None):
        """Draw one panel per column.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Bounding axes; a new figure when None.
        bins : int, default=30
            Histogram bins of numeric columns.
        n_cols : int, default=None
            Panels per row (up to 4 when None).

        Returns
        -------
        display : MarginalsDisplay
        """
        columns = list(self.real.columns)
        n_cols = n_cols or min(4, len(columns))
        n_rows = -(-len(columns) // n_cols)
        figure, ax = _figure_and_axes(ax, type(self).__name__,
                                      figsize=(3.2 * n_cols, 2.6 * n_rows))
        ax.set_axis_off()
        grid = _grid_axes(ax, len(columns), n_cols, gap=0.3)
        self.axes_, self.distances_ = {}, {}
        for column_ax, column in zip(grid, columns):
            real, fake = self.real[column], self.synthetic[column]
            if _is_numeric(real) and _is_numeric(fake):
                r, f = real.dropna().to_numpy(float), fake.dropna().to_numpy(float)
                edges = np.histogram_bin_edges(np.concatenate([r, f]), bins=bins)
                column_ax.hist(r, bins=edges, density=True, color=_REAL, alpha=0.45,
                               label="real")
                column_ax.hist(f, bins=edges, density=True, histtype="step", linewidth=1.8,
                               color=_SYNTHETIC, label="synthetic")
                distance, name = stats.ks_2samp(r, f).statistic, "KS"
            else:
                p = real.astype(str).value_counts(normalize=True)
                q = fake.astype(str).value_counts(normalize=True)
                categories = list(p.index) + [c for c in q.index if c not in p.index]
                p, q = p.reindex(categories, fill_value=0), q.reindex(categories, fill_value=0)
                positions = np.arange(len(categories))
                column_ax.bar(positions - 0.2, p.to_numpy(), width=0.4, color=_REAL,
                              label="real")
                column_ax.bar(positions + 0.2, q.to_numpy(), width=0.4, color=_SYNTHETIC,
                              label="synthetic")
                column_ax.set_xticks(positions, [str(c) for c in categories], fontsize=7,
                                     rotation=30 if len(categories) > 3 else 0)
                distance, name = 0.5 * float(np.abs(p - q).sum()), "TV"
            self.distances_[column] = float(distance)
            column_ax.set_title(f"{column}  ({name} {distance:.2f})", fontsize=9)
            column_ax.tick_params(labelsize=7)
            self.axes_[column] = column_ax
        grid[0].legend(fontsize=7)
        self.ax_, self.figure_ = ax, figure
        return self


class PairPlotDisplay:
    """Pairs of columns, real rows against synthetic rows, in a grid.

    Off the diagonal, a scatter plot of two columns with the real rows in blue and
    the synthetic ones in orange: whether the synthetic table keeps the columns'
    joint shape (correlations, clusters) shows at a glance. On the diagonal, each
    column's histograms. Numeric columns only.

    Parameters
    ----------
    real : DataFrame
    synthetic : DataFrame
        Same columns as ``real``.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The bounding axes (hidden) that holds the grid.
    axes_ : ndarray of matplotlib Axes, shape (n_columns, n_columns)
    figure_ : matplotlib Figure
    columns_ : list
        The columns drawn, in order.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sknn.plotting import PairPlotDisplay
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=200)
    >>> real = pd.DataFrame({"x": x, "y": 2 * x + rng.normal(scale=0.3, size=200)})
    >>> copy = real.sample(frac=1.0, replace=True, random_state=0)
    >>> display = PairPlotDisplay.from_data(real, copy)
    >>> display.axes_.shape
    (2, 2)
    """

    def __init__(self, real, synthetic):
        self.real = real
        self.synthetic = synthetic

    @classmethod
    def from_estimator(cls, sampler, X, *, columns=None, n_samples=None, random_state=0,
                       ax=None, **kwargs):
        """Sample from a fitted sampler and draw pairs of columns.

        Parameters
        ----------
        sampler : fitted GANSampler
            Anything with ``sample(n_samples, random_state=...)``.
        X : DataFrame or array-like
            The real table.
        columns : list, default=None
            Numeric columns to pair; the first four numeric ones when None.
        n_samples : int, default=None
            Synthetic rows; as many as ``X`` has when None.
        random_state : int, default=0
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : PairPlotDisplay
        """
        synthetic = _sample(sampler, n_samples or len(X), random_state)
        return cls.from_data(X, synthetic, columns=columns, ax=ax, **kwargs)

    @classmethod
    def from_data(cls, real, synthetic, *, columns=None, ax=None, **kwargs):
        """Draw pairs of columns of two tables.

        Parameters
        ----------
        real, synthetic : DataFrame or array-like
        columns : list, default=None
            Numeric columns; the first four numeric ones when None.
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : PairPlotDisplay
        """
        real, synthetic = _matching_frames(real, synthetic)
        if columns is None:
            columns = [c for c in real.columns if _is_numeric(real[c])][:4]
        columns = list(columns)
        bad = [c for c in columns if not (_is_numeric(real[c]) and _is_numeric(synthetic[c]))]
        if len(columns) < 2 or bad:
            raise ValueError(
                f"A pair plot needs at least 2 numeric columns; got columns={columns}"
                + (f", of which {bad} are not numeric." if bad else ".")
            )
        return cls(real[columns], synthetic[columns]).plot(ax=ax, **kwargs)

    def plot(self, ax=None, *, max_points=1000, alpha=0.5, s=6, random_state=0):
        """Draw the grid.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Bounding axes; a new figure when None.
        max_points : int, default=1000
            At most this many rows of each table are drawn (a random subset).
        alpha : float, default=0.5
        s : float, default=6
            Marker size.
        random_state : int, default=0
            Chooses the subset when a table has more than ``max_points`` rows.

        Returns
        -------
        display : PairPlotDisplay
        """
        self.columns_ = list(self.real.columns)
        k = len(self.columns_)
        figure, ax = _figure_and_axes(ax, type(self).__name__, figsize=(2.6 * k, 2.4 * k))
        ax.set_axis_off()
        self.axes_ = _grid_axes(ax, k * k, k, gap=0.22).reshape(k, k)
        rng = check_random_state(random_state)

        def subset(frame):
            if len(frame) <= max_points:
                return frame
            return frame.iloc[np.sort(rng.choice(len(frame), max_points, replace=False))]

        real, fake = subset(self.real), subset(self.synthetic)
        for i, row_column in enumerate(self.columns_):
            for j, col_column in enumerate(self.columns_):
                pair_ax = self.axes_[i, j]
                if i == j:
                    values = np.concatenate([real[row_column].to_numpy(float),
                                             fake[row_column].to_numpy(float)])
                    edges = np.histogram_bin_edges(values[np.isfinite(values)], bins=20)
                    pair_ax.hist(real[row_column], bins=edges, density=True, color=_REAL,
                                 alpha=0.45)
                    pair_ax.hist(fake[row_column], bins=edges, density=True,
                                 histtype="step", color=_SYNTHETIC, linewidth=1.5)
                else:
                    pair_ax.scatter(real[col_column], real[row_column], s=s, alpha=alpha,
                                    color=_REAL, label="real")
                    pair_ax.scatter(fake[col_column], fake[row_column], s=s, alpha=alpha,
                                    color=_SYNTHETIC, label="synthetic")
                pair_ax.tick_params(labelsize=6)
                if i == k - 1:
                    pair_ax.set_xlabel(str(col_column), fontsize=8)
                if j == 0:
                    pair_ax.set_ylabel(str(row_column), fontsize=8)
        self.axes_[0, 1].legend(fontsize=7, markerscale=2)
        self.ax_, self.figure_ = ax, figure
        return self


# ------------------------------------------------------------------- transfer curves


class TransferCurveDisplay:
    """Score against the number of labelled rows, one line per method.

    Made to compare transfer learning (:class:`~sknn.TransferClassifier`,
    frozen or fine-tuned) with training from scratch as labelled data grows; works
    for any set of estimators. Repeated draws give a mean line and a band from the
    lowest to the highest score.

    Parameters
    ----------
    results : DataFrame
        Long format: one row per (method, number of labelled rows, repeat) with
        columns ``method``, ``n_labelled`` and ``score``.
    score_name : str, default="score"
        The y-axis label.
    per_class : bool, default=False
        Whether ``n_labelled`` counts rows per class (x-axis label).

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    lines_ : dict of str to matplotlib Line2D
        The mean line of each method.
    bands_ : dict of str to matplotlib PolyCollection
        The min-max band of each method (only with repeats).
    summary_ : DataFrame
        Mean, min and max score per method and number of labelled rows.

    Examples
    --------
    >>> import pandas as pd
    >>> from sknn.plotting import TransferCurveDisplay
    >>> results = pd.DataFrame({
    ...     "method": ["transfer"] * 3 + ["scratch"] * 3,
    ...     "n_labelled": [5, 10, 20] * 2,
    ...     "score": [0.80, 0.86, 0.90, 0.55, 0.70, 0.85]})
    >>> display = TransferCurveDisplay.from_results(results)
    >>> sorted(display.lines_)
    ['scratch', 'transfer']
    """

    def __init__(self, results, *, score_name="score", per_class=False):
        self.results = results
        self.score_name = score_name
        self.per_class = per_class

    @classmethod
    def from_results(cls, results, *, method="method", n_labelled="n_labelled",
                     score="score", score_name=None, per_class=False, ax=None, **kwargs):
        """Plot a table of scores.

        Parameters
        ----------
        results : DataFrame or dict of columns
        method, n_labelled, score : str
            Names of the three columns.
        score_name : str, default=None
            y-axis label; the ``score`` column's name when None.
        per_class : bool, default=False
            Whether the counts are per class.
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : TransferCurveDisplay
        """
        results = pd.DataFrame(results)
        missing = [c for c in (method, n_labelled, score) if c not in results.columns]
        if missing:
            raise ValueError(
                f"results has no column {missing}; it needs one for the method, one for the "
                f"number of labelled rows and one for the score (got {list(results.columns)})."
            )
        table = results.rename(columns={method: "method", n_labelled: "n_labelled",
                                        score: "score"})
        return cls(table, score_name=score_name or score, per_class=per_class).plot(
            ax=ax, **kwargs)

    @classmethod
    def from_estimators(cls, estimators, X, y, X_test, y_test, *,
                        n_labelled=(1, 2, 5, 10, 20), per_class=None, n_repeats=3,
                        scoring=None, random_state=0, ax=None, **kwargs):
        """Fit each estimator on growing labelled subsets and plot its test score.

        For every ``n`` in ``n_labelled`` and every repeat, ``n`` rows per class (or
        ``n`` rows in all) are drawn from ``(X, y)``; each estimator is cloned, fitted
        on them and scored on ``(X_test, y_test)``. All methods see the same rows.

        Parameters
        ----------
        estimators : dict of str to estimator
            For example ``{"transfer": TransferClassifier(base=cnn),
            "scratch": CNNClassifier()}``.
        X, y : array-like
            The pool of rows that can be labelled.
        X_test, y_test : array-like
            Held-out rows for the score.
        n_labelled : sequence of int, default=(1, 2, 5, 10, 20)
        per_class : bool, default=None
            Count rows per class; True when the first estimator is a classifier.
        n_repeats : int, default=3
            Draws per size.
        scoring : str or callable, default=None
            scikit-learn scoring; each estimator's ``score`` when None.
        random_state : int, default=0
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : TransferCurveDisplay
        """
        if not estimators:
            raise ValueError("estimators must name at least one estimator.")
        first = next(iter(estimators.values()))
        per_class = is_classifier(first) if per_class is None else per_class
        y_array = np.asarray(y)
        rng = check_random_state(random_state)
        rows = []
        for n in n_labelled:
            for repeat in range(n_repeats):
                if per_class:
                    index = np.concatenate([
                        rng.choice(np.flatnonzero(y_array == label),
                                   min(n, int(np.sum(y_array == label))), replace=False)
                        for label in np.unique(y_array)])
                else:
                    index = rng.choice(len(y_array), min(n, len(y_array)), replace=False)
                X_part = X.iloc[index] if hasattr(X, "iloc") else np.asarray(X)[index]
                y_part = y.iloc[index] if hasattr(y, "iloc") else y_array[index]
                for name, estimator in estimators.items():
                    fitted = clone(estimator).fit(X_part, y_part)
                    scorer = check_scoring(fitted, scoring=scoring)
                    rows.append({"method": name, "n_labelled": n, "repeat": repeat,
                                 "score": float(scorer(fitted, X_test, y_test))})
        score_name = scoring if isinstance(scoring, str) else "score"
        display = cls(pd.DataFrame(rows), score_name=score_name, per_class=per_class)
        return display.plot(ax=ax, **kwargs)

    def plot(self, ax=None, *, log_x=True):
        """Draw one line per method.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        log_x : bool, default=True
            Logarithmic x axis (labelled-data sizes usually grow geometrically).

        Returns
        -------
        display : TransferCurveDisplay
        """
        figure, ax = _figure_and_axes(ax, type(self).__name__)
        summary = (self.results.groupby(["method", "n_labelled"], sort=False)["score"]
                   .agg(["mean", "min", "max", "count"]).reset_index())
        self.summary_ = summary
        self.lines_, self.bands_ = {}, {}
        for k, (name, part) in enumerate(summary.groupby("method", sort=False)):
            part = part.sort_values("n_labelled")
            (self.lines_[name],) = ax.plot(part["n_labelled"], part["mean"], marker="o",
                                           color=f"C{k}", label=str(name))
            if (part["count"] > 1).any():
                self.bands_[name] = ax.fill_between(part["n_labelled"], part["min"],
                                                    part["max"], color=f"C{k}", alpha=0.2)
        if log_x:
            ax.set_xscale("log")
        sizes = np.sort(summary["n_labelled"].unique())
        ax.set_xticks(sizes, [str(v) for v in sizes])
        ax.minorticks_off()
        ax.set_xlabel("labelled rows per class" if self.per_class else "labelled rows")
        ax.set_ylabel(self.score_name)
        ax.legend(loc="lower right")
        self.ax_, self.figure_ = ax, figure
        return self
