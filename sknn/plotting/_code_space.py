"""CodeSpaceDisplay: a 2-D code space coloured by a label."""

import numpy as np
import pandas as pd

from ..metrics import is_numeric_column
from ._base import _figure_and_axes


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
        if not is_numeric_column(pd.Series(labels)):
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


