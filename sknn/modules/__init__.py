"""Plain PyTorch modules behind the estimators; usable without sknn.

Every module maps a batch to raw outputs in ``forward`` and exposes the learned
representation that ``transform`` returns through ``features``.
"""

from .autoencoder import AutoEncoderNet, GaussianNoise
from .cnn import Augment, ConvNet
from .gan import Critic, Generator, TabularGAN
from .losses import (
    BinaryCrossEntropy,
    CrossEntropy,
    HalfSquaredError,
    Hinge,
    MultilabelCrossEntropy,
    PoissonDeviance,
)
from .mlp import MLP
from .recurrent import RecurrentNet
from .tabular import TabularInput, TabularMLP
from .timeseries import FCN, ConvRecurrentNet, InceptionNet, ResNet
from .transfer import FeatureExtractor, TransferNet

__all__ = [
    "MLP",
    "AutoEncoderNet",
    "GaussianNoise",
    "ConvNet",
    "Augment",
    "RecurrentNet",
    "FCN",
    "ResNet",
    "InceptionNet",
    "TabularInput",
    "TabularMLP",
    "ConvRecurrentNet",
    "TabularGAN",
    "Generator",
    "Critic",
    "FeatureExtractor",
    "TransferNet",
    "BinaryCrossEntropy",
    "CrossEntropy",
    "HalfSquaredError",
    "Hinge",
    "MultilabelCrossEntropy",
    "PoissonDeviance",
]
