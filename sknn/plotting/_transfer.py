"""TransferCurveDisplay: score against the number of labelled rows."""

import numpy as np
import pandas as pd

from ..model_selection import _counts_per_class, transfer_curve
from ._base import _figure_and_axes


class TransferCurveDisplay:
    """Score against the number of labelled rows, one line per method.

    Made to compare transfer learning (:class:`~sknn.TransferClassifier`,
    frozen or fine-tuned) with training from scratch as labelled data grows; works
    for any set of estimators. Repeated draws give a mean line and a band from the
    lowest to the highest score. :func:`sknn.model_selection.transfer_curve` runs
    the experiment; this display draws its results.

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

    See Also
    --------
    sknn.model_selection.transfer_curve : Computes the results this display draws.

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
        """Run :func:`sknn.model_selection.transfer_curve` and plot its results.

        A convenience for ``from_results(transfer_curve(...))``: each estimator is
        cloned, fitted on growing labelled subsets of ``(X, y)`` (all see the same
        rows) and scored on ``(X_test, y_test)``.

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
        per_class = _counts_per_class(estimators, per_class)
        results = transfer_curve(estimators, X, y, X_test, y_test, n_labelled=n_labelled,
                                 per_class=per_class, n_repeats=n_repeats, scoring=scoring,
                                 random_state=random_state)
        score_name = scoring if isinstance(scoring, str) else "score"
        return cls.from_results(results, score_name=score_name, per_class=per_class, ax=ax,
                                **kwargs)

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
