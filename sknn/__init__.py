"""sknn: neural networks as first-class scikit-learn estimators.

Note: the unmaintained ``scikit-neuralnetwork`` package (2016, Theano) also installs
a top-level ``sknn`` module; the two cannot share an environment.
"""

from .gan import GANSampler
from .mlp import MLPClassifier, MLPRegressor
from .perceptron import PerceptronClassifier

__version__ = "0.1.0"

__all__ = [
    "GANSampler",
    "MLPClassifier",
    "MLPRegressor",
    "PerceptronClassifier",
    "__version__",
]
