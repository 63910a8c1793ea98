"""ImageGridDisplay: images titled with their true and predicted labels."""

import numpy as np
import pandas as pd

from ._base import _HIGHLIGHT, _figure_and_axes, _final_param, _grid_axes


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


