"""sknn: neural networks as first-class scikit-learn estimators.

Note: the unmaintained ``scikit-neuralnetwork`` package (2016, Theano) also installs
a top-level ``sknn`` module; the two cannot share an environment.
"""

from ._progress import TqdmProgressBar
from .autoencoder import AutoEncoder
from .cnn import CNNClassifier, CNNRegressor
from .gan import GANSampler
from .mlp import MLPClassifier, MLPRegressor
from .perceptron import PerceptronClassifier
from .recurrent import LSTMClassifier, LSTMRegressor
from .transfer import TransferClassifier, TransferRegressor

__version__ = "0.1.0"

__all__ = [
    "AutoEncoder",
    "CNNClassifier",
    "CNNRegressor",
    "GANSampler",
    "LSTMClassifier",
    "LSTMRegressor",
    "MLPClassifier",
    "MLPRegressor",
    "PerceptronClassifier",
    "TqdmProgressBar",
    "TransferClassifier",
    "TransferRegressor",
    "__version__",
]
