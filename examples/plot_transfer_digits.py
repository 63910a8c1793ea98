"""
Transfer learning on images: new digit classes from five examples each
======================================================================

A convolutional network (:class:`sknn.CNNClassifier`) learns the digits 0-4.
:class:`sknn.TransferClassifier` then reuses its convolutional features for the
digits 5-9, classes the source never saw, from a handful of labelled images. Where
the network is cut matters more than anything else: the default cut, before the
dense head, is compared with a cut after the dense layer, with fine-tuning the
whole network and with a CNN trained from scratch on the same images.
"""

import os
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sknn import CNNClassifier, TransferClassifier
from sknn.plotting import TransferCurveDisplay

QUICK = os.environ.get("SKNN_EXAMPLE_QUICK") == "1"
SOURCE_EPOCHS = 5 if QUICK else 200
PER_CLASS = (2, 5) if QUICK else (1, 2, 5, 10, 20)
REPEATS = 1 if QUICK else 3
warnings.simplefilter("ignore", ConvergenceWarning)

# %%
# Source task: the digits 0-4 (about 900 images). New task: the digits 5-9, split
# into a pool of images that could be labelled and a test set.
X, y = load_digits(return_X_y=True)
X = X / 16
old = y < 5
X_pool, X_test, y_pool, y_test = train_test_split(X[~old], y[~old], test_size=0.5,
                                                  stratify=y[~old], random_state=0)
source = CNNClassifier(image_shape=(8, 8), max_iter=SOURCE_EPOCHS, batch_size=64,
                       random_state=0).fit(X[old], y[old])

# %%
# Five labelled images of each new digit. The default cut takes the flattened
# output of the convolutional blocks (64 channels x 2 x 2 = 256 features) and
# trains a new output layer on it; the base stays frozen, so its features are
# computed once and the fit takes a fraction of a second.
rng = np.random.default_rng(0)
few = np.concatenate([rng.choice(np.flatnonzero(y_pool == c), 5, replace=False)
                      for c in range(5, 10)])
start = time.perf_counter()
clf = TransferClassifier(source, random_state=0).fit(X_pool[few], y_pool[few])
print(f"transfer, 25 images: accuracy {clf.score(X_test, y_test):.3f} "
      f"({time.perf_counter() - start:.2f} s), {clf.n_features_base_} features")
print("classes:", clf.classes_)

# %%
# Learning curves: each method is cloned and fitted on the same labelled images
# (``clone`` keeps the fitted source network), then scored on the test set.
methods = {
    "transfer (frozen, conv features)": TransferClassifier(source, random_state=0),
    "transfer (fine-tuned)": TransferClassifier(source, freeze=False, random_state=0),
    "transfer (cut after the dense layer)": TransferClassifier(
        source, feature_layer="head.hidden.1", random_state=0),
    "CNN from scratch": CNNClassifier(image_shape=(8, 8), random_state=0),
}
display = TransferCurveDisplay.from_estimators(
    methods, X_pool, y_pool, X_test, y_test, n_labelled=PER_CLASS, n_repeats=REPEATS,
    random_state=0)
display.ax_.set_title("Digits 5-9 from a CNN trained on 0-4")
print(display.summary_.round(3).to_string())

# %%
# The convolutional features transfer: with a few images a class the frozen base
# is about as good as a CNN trained from scratch, and fine-tuning adds a little.
# Digits are easy enough that a CNN from scratch catches up fast, so transfer does
# not win by much here. The dense layer is too specialised to the source classes:
# cutting there loses several points.
plt.show()
