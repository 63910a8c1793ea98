"""
Auto-encoder: a 2-D code space of handwritten digits, next to PCA's
===================================================================

An :class:`sknn.AutoEncoder` learns, without labels, to squeeze each 8x8 digit
into two numbers and to rebuild the image from them. Its two codes are a
non-linear counterpart of PCA's first two components. We plot both code spaces
coloured by the (unused) labels, compare how well each reconstructs held-out
digits, and how well a nearest-neighbour classifier does on the two codes.
"""

import os
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier

from sknn import AutoEncoder

QUICK = os.environ.get("SKNN_EXAMPLE_QUICK") == "1"
EPOCHS = 40 if QUICK else 300
warnings.simplefilter("ignore", ConvergenceWarning)

# %%
# Pixels are 0..16; scaled to [0, 1] the squared reconstruction error is in
# "pixel intensity" units for both models.
X, y = load_digits(return_X_y=True)
X = X / 16
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y,
                                                    random_state=0)

# %%
# Two models with two components each. The auto-encoder's encoder is
# 64 -> 256 -> 128 -> 64 -> 2 and its decoder mirrors it; labels are never shown to it.
pca = PCA(n_components=2).fit(X_train)
ae = AutoEncoder(n_components=2, hidden_layer_sizes=(256, 128, 64), learning_rate_init=3e-3,
                 max_iter=EPOCHS, tol=1e-6, random_state=0).fit(X_train)
print(f"auto-encoder trained for {ae.n_iter_} epochs")


def held_out_error(model):
    return np.mean((model.inverse_transform(model.transform(X_test)) - X_test) ** 2)


def knn_accuracy(model):
    knn = KNeighborsClassifier(n_neighbors=10).fit(model.transform(X_train), y_train)
    return knn.score(model.transform(X_test), y_test)


for name, model in [("PCA(2)", pca), ("AutoEncoder(2)", ae)]:
    print(f"{name:15s} held-out reconstruction MSE {held_out_error(model):.4f}   "
          f"10-NN accuracy on the 2 codes {knn_accuracy(model):.3f}")

# %%
# The two code spaces of the held-out digits, coloured by the true digit.
fig, axes = plt.subplots(1, 2, figsize=(11, 5))
for ax, (name, model) in zip(axes, [("PCA", pca), ("AutoEncoder", ae)]):
    codes = model.transform(X_test)
    points = ax.scatter(codes[:, 0], codes[:, 1], c=y_test, cmap="tab10", s=12, alpha=0.8)
    for digit in range(10):  # label each cluster at its median
        cx, cy = np.median(codes[y_test == digit], axis=0)
        ax.text(cx, cy, str(digit), fontsize=14, weight="bold", ha="center", va="center")
    ax.set_title(f"{name}: 2-D codes of held-out digits")
    ax.set_xlabel("code 0")
    ax.set_ylabel("code 1")
fig.colorbar(points, ax=axes, ticks=range(10), label="digit")

# %%
# What two numbers can hold: held-out digits (top) rebuilt from PCA's two
# components (middle) and from the auto-encoder's two codes (bottom).
shown = X_test[:10]
rows = [("original", shown), ("PCA", pca.inverse_transform(pca.transform(shown))),
        ("AutoEncoder", ae.inverse_transform(ae.transform(shown)))]
fig, axes = plt.subplots(3, 10, figsize=(10, 3.4))
for r, (name, images) in enumerate(rows):
    for c in range(10):
        axes[r, c].imshow(images[c].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        axes[r, c].set_xticks([])
        axes[r, c].set_yticks([])
    axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center")
plt.show()
