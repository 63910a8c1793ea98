"""MarginalsDisplay and PairPlotDisplay: a synthetic table against the real one."""

import numpy as np
from sklearn.utils import check_random_state

from ..metrics import (
    _as_frames,
    category_frequencies,
    column_distances,
    is_numeric_column,
)
from ._base import _REAL, _SYNTHETIC, _figure_and_axes, _grid_axes


def _table(data):
    """The rows of a table; a sampler's ``(X, y)`` pair gives its ``X``."""
    if isinstance(data, (tuple, list)) and len(data) == 2 and not np.isscalar(data[0]):
        return data[0]
    return data


def _sample(sampler, n_samples, random_state):
    try:
        synthetic = sampler.sample(n_samples, random_state=random_state)
    except TypeError:  # a sampler whose sample() takes no random_state
        synthetic = sampler.sample(n_samples)
    return synthetic


def _matching_frames(real, synthetic):
    # The same pairing of two tables (array columns named x0, x1, ...; the same
    # columns required) as the metrics whose numbers the displays show.
    return _as_frames(_table(real), _table(synthetic))


def _draw_histograms(ax, real, fake, bins):
    """Real and synthetic densities of a numeric column on shared bins."""
    r, f = real.dropna().to_numpy(float), fake.dropna().to_numpy(float)
    edges = np.histogram_bin_edges(np.concatenate([r, f]), bins=bins)
    ax.hist(r, bins=edges, density=True, color=_REAL, alpha=0.45, label="real")
    ax.hist(f, bins=edges, density=True, histtype="step", linewidth=1.8, color=_SYNTHETIC,
            label="synthetic")


def _draw_category_bars(ax, real, fake):
    """Real and synthetic frequencies of each category (those the total variation
    distance compares), side by side."""
    frequencies = category_frequencies(real, fake)
    positions = np.arange(len(frequencies))
    ax.bar(positions - 0.2, frequencies["real"].to_numpy(), width=0.4, color=_REAL,
           label="real")
    ax.bar(positions + 0.2, frequencies["synthetic"].to_numpy(), width=0.4,
           color=_SYNTHETIC, label="synthetic")
    ax.set_xticks(positions, [str(c) for c in frequencies.index], fontsize=7,
                  rotation=30 if len(frequencies) > 3 else 0)


class MarginalsDisplay:
    """Real against synthetic distribution of every column of a table.

    Numeric columns get overlaid histograms on shared bins, other columns (categories,
    strings, booleans) side-by-side bars of category frequencies. Each title carries
    a distance between the two distributions, computed by
    :func:`sknn.metrics.column_distances` (the numbers of
    :func:`~sknn.metrics.quality_report`): the Kolmogorov-Smirnov statistic for
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
        KS statistic or total variation per column, as
        :func:`sknn.metrics.column_distances` gives them.

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
        # The numbers shown are sknn.metrics' (the same as quality_report's);
        # the panels only draw the distributions behind them.
        distances = column_distances(self.real, self.synthetic)
        self.axes_, self.distances_ = {}, {}
        for column_ax, column in zip(grid, columns):
            real, fake = self.real[column], self.synthetic[column]
            kind, metric, distance = distances.loc[column, ["kind", "metric", "distance"]]
            if kind == "numeric":
                _draw_histograms(column_ax, real, fake, bins)
            else:
                _draw_category_bars(column_ax, real, fake)
            self.distances_[column] = float(distance)
            column_ax.set_title(f"{column}  ({metric.upper()} {distance:.2f})", fontsize=9)
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
            columns = [c for c in real.columns if is_numeric_column(real[c])][:4]
        columns = list(columns)
        bad = [c for c in columns
               if not (is_numeric_column(real[c]) and is_numeric_column(synthetic[c]))]
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


