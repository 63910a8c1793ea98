"""Display objects that draw fitted sknn estimators, in scikit-learn's convention.

Every display is built with a ``from_*`` class method (``from_estimator`` computes
what it needs from a fitted estimator; ``from_predictions``, ``from_codes``,
``from_data`` or ``from_results`` take precomputed values) and draws with
``plot(ax=...)``. After plotting it holds the matplotlib objects: ``ax_``,
``figure_`` and, per display, the lines, collections or sub-axes it drew, so the
figure can be restyled afterwards.

matplotlib is optional (``pip install sknn[plot]``): it is imported when a display
draws, and its absence is a clear ``ImportError``.

A display draws; it computes no number of its own. The distances in
``MarginalsDisplay`` come from :func:`sknn.metrics.column_distances` and the scores of
``TransferCurveDisplay.from_estimators`` from :func:`sknn.model_selection.transfer_curve`.
One module per group of displays (``_history``, ``_images``, ``_code_space``,
``_synthetic``, ``_transfer``) and ``_base`` for what they share; every display is
imported from ``sknn.plotting``.

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

from ._code_space import CodeSpaceDisplay
from ._history import TrainingHistoryDisplay
from ._images import ImageGridDisplay
from ._synthetic import MarginalsDisplay, PairPlotDisplay
from ._transfer import TransferCurveDisplay

__all__ = [
    "TrainingHistoryDisplay",
    "ImageGridDisplay",
    "CodeSpaceDisplay",
    "MarginalsDisplay",
    "PairPlotDisplay",
    "TransferCurveDisplay",
]
