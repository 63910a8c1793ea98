"""
Classifying time series from the UCR archive
============================================

GunPoint, from the UCR/UEA time-series classification archive: the x-coordinate of an
actor's hand over 150 frames, while drawing a gun from a holster and pointing it, or
pointing a finger. 50 series to train on, 150 to test, in aeon's layout
``(n_cases, n_channels, n_timepoints)``. (A copy of the archive's official split ships
in ``examples/data``; with aeon installed, ``aeon.datasets.load_classification``
gives the same arrays.)

:class:`sknn.CNNClassifier` with ``conv_dims=1`` reads that layout directly and trains a
fully convolutional network with global average pooling over time (FCN, Wang et al.,
2017). It is compared with a 1-nearest-neighbour classifier on the raw series, the
archive's classic baseline.
"""

import os
import pathlib
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.neighbors import KNeighborsClassifier

from sknn import CNNClassifier

QUICK = os.environ.get("SKNN_EXAMPLE_QUICK") == "1"
EPOCHS = 15 if QUICK else 200
warnings.simplefilter("ignore", ConvergenceWarning)

# %%
# The data, and a few series of each class.
data = np.load(pathlib.Path(__file__).parent / "data" / "gunpoint.npz")
X_train, y_train = data["X_train"], data["y_train"]
X_test, y_test = data["X_test"], data["y_test"]
print(X_train.shape, X_test.shape, np.unique(y_train))

fig, axes = plt.subplots(1, 2, figsize=(9, 3), sharey=True)
for ax, label, name in zip(axes, ["1", "2"], ["gun", "point"]):
    for series in X_train[y_train == label][:5]:
        ax.plot(series[0], alpha=0.7)
    ax.set(title=f"class {label} ({name})", xlabel="frame")
axes[0].set_ylabel("hand x-coordinate")
fig.tight_layout()

# %%
# The network, and the nearest-neighbour baseline on the same series.
clf = CNNClassifier(conv_dims=1, max_iter=EPOCHS, random_state=0).fit(X_train, y_train)
knn = KNeighborsClassifier(n_neighbors=1).fit(X_train[:, 0], y_train)
print(f"FCN (sknn)  accuracy: {clf.score(X_test, y_test):.3f}")
print(f"1-NN        accuracy: {knn.score(X_test[:, 0], y_test):.3f}")

# %%
# Where the network errs.
ConfusionMatrixDisplay.from_estimator(clf, X_test, y_test, cmap="Blues")
plt.title("CNNClassifier(conv_dims=1) on GunPoint")
plt.show()
