"""TrainingHistoryDisplay: losses and scores per epoch."""

import numbers

import numpy as np

from ._base import _figure_and_axes, _inner_estimator

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


