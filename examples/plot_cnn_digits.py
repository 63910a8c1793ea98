"""
Handwritten digits with a convolutional network
===============================================

:class:`sknn.CNNClassifier` reads scikit-learn's 8x8 digits as images
(``image_shape=(8, 8)`` turns each row of 64 pixels back into a picture),
learns them with two convolutional blocks, and is compared with scikit-learn's
``MLPClassifier`` on the test images and on the same images moved one pixel to
the right. A grid of test images shows the predicted labels, and the learning
curve comes from the fitted ``history_``.
"""

import os
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from sknn import CNNClassifier

QUICK = os.environ.get("SKNN_EXAMPLE_QUICK") == "1"
EPOCHS = 8 if QUICK else 200
warnings.simplefilter("ignore", ConvergenceWarning)

# %%
# The data: 1797 digits of 8x8 pixels, flattened to 64 columns with values 0..16.
X, y = load_digits(return_X_y=True)
X = X / 16
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

# %%
# A convolutional network: two blocks of 3x3 convolutions (32 and 64 channels),
# batch normalisation and max pooling, then a dense layer of 128. ``augment=True``
# moves every training image by up to one pixel at random, each epoch anew, so the
# network learns that a digit one pixel over is the same digit. Augmented training
# is noisier and longer: the learning rate is divided by 5 whenever the validation
# accuracy stops improving, and the labels are smoothed (``label_smoothing="auto"``
# is 0.1 with augmentation). ``early_stopping`` holds out 10% of the training rows,
# ends the fit once the learning rate has run down and keeps the best weights.
cnn = CNNClassifier(image_shape=(8, 8), augment=True, early_stopping=True,
                    n_iter_no_change=20, max_iter=EPOCHS, random_state=0)
cnn.fit(X_train, y_train)
mlp = MLPClassifier(max_iter=EPOCHS, random_state=0).fit(X_train, y_train)


def shift_right(rows):
    """Move every digit one pixel to the right (zeros come in on the left)."""
    images = rows.reshape(-1, 8, 8)
    shifted = np.zeros_like(images)
    shifted[:, :, 1:] = images[:, :, :-1]
    return shifted.reshape(len(rows), -1)


print(f"epochs run: {cnn.n_iter_}")
print("                        test    test shifted by 1 px")
for name, model in [("sknn CNNClassifier", cnn), ("sklearn MLPClassifier", mlp)]:
    print(f"{name:22s}  {model.score(X_test, y_test):.3f}   "
          f"{model.score(shift_right(X_test), y_test):.3f}")

# %%
# Test images with the network's predictions (wrong ones in red).
predicted = cnn.predict(X_test)
fig, axes = plt.subplots(4, 8, figsize=(8, 4.6))
for ax, image, label, truth in zip(axes.ravel(), X_test, predicted, y_test):
    ax.imshow(image.reshape(8, 8), cmap="gray_r")
    ax.set_title(f"{label}", color="black" if label == truth else "red", fontsize=10)
    ax.set_axis_off()
fig.suptitle("CNNClassifier on test digits: predicted labels")
fig.tight_layout()

# %%
# The learning curve: the training loss of every epoch and the accuracy on the
# held-out validation rows, both recorded in ``history_``.
epochs = [record["epoch"] for record in cnn.history_]
fig, ax = plt.subplots(figsize=(6, 3.5))
lines = ax.plot(epochs, [record["train_loss"] for record in cnn.history_], label="training loss")
ax.set_xlabel("epoch")
ax.set_ylabel("cross-entropy (smoothed labels)")
ax.set_yscale("log")
right = ax.twinx()
lines += right.plot(epochs, cnn.validation_scores_, color="tab:orange",
                    label="validation accuracy")
right.set_ylabel("validation accuracy")
right.legend(lines, [line.get_label() for line in lines], loc="center right")
fig.tight_layout()
plt.show()
