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
