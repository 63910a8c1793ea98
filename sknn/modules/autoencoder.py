"""A fully connected auto-encoder: an encoder down to a code layer and a mirrored decoder.

Plain PyTorch; usable without sknn. ``forward`` reconstructs the input,
``features`` (or ``encode``) gives the codes and ``decode`` maps codes back.
"""

import torch
from torch import nn

from .mlp import dense_block

__all__ = ["AutoEncoderNet", "GaussianNoise", "negative_mse"]


class GaussianNoise(nn.Module):
    """Add ``N(0, std^2)`` noise to the input in training mode; the identity otherwise.

    The layer in front of a denoising auto-encoder: the network sees a corrupted
    input but is asked to reconstruct the clean one. In evaluation mode (``transform``,
    ``score_samples``, validation) it does nothing.

    Parameters
    ----------
    std : float, default=0.1
        Standard deviation of the noise, in the units of the input.

    Examples
    --------
    >>> import torch
    >>> layer = GaussianNoise(0.5).eval()
    >>> bool(torch.equal(layer(torch.ones(2, 3)), torch.ones(2, 3)))
    True
    """

    def __init__(self, std=0.1):
        super().__init__()
        self.std = std

    def forward(self, x):
        if not self.training or not self.std:
            return x
        return x + self.std * torch.randn_like(x)

    def extra_repr(self):
        return f"std={self.std}"


class AutoEncoderNet(nn.Module):
    """Encoder (dense blocks, then a linear code layer) and a mirrored decoder.

    ``n_features -> hidden_layer_sizes -> n_components -> reversed(hidden_layer_sizes)
    -> n_features``. The code layer and the output layer are linear, so with no
    hidden layer and the identity activation the network spans PCA's subspace.

    Parameters
    ----------
    n_features : int
        Width of the input (and of the reconstruction).
    n_components : int
        Width of the code layer.
    hidden_layer_sizes : sequence of int, default=(100,)
        Widths of the encoder's hidden layers; the decoder uses them in reverse.
    activation : {"relu", "tanh", "logistic", "identity", "gelu"}, default="relu"
        Activation of the hidden layers.
    dropout : float, default=0.0
        Dropout after each hidden activation.
    batch_norm : bool, default=False
        Batch normalisation after each hidden linear layer.
    noise : float, default=0.0
        Standard deviation of the Gaussian noise added to the input in training mode
        (a denoising auto-encoder when > 0).

    Attributes
    ----------
    encoder, decoder : torch.nn.Sequential
    n_features_out : int
        Width of the codes (``n_components``).

    Examples
    --------
    >>> import torch
    >>> net = AutoEncoderNet(6, 2, hidden_layer_sizes=(4,))
    >>> x = torch.zeros(3, 6)
    >>> net(x).shape, net.features(x).shape, net.decode(torch.zeros(3, 2)).shape
    (torch.Size([3, 6]), torch.Size([3, 2]), torch.Size([3, 6]))
    """

    # What ``features`` uses, and what comes after it (a transfer cut drops the latter).
    feature_part_names = ("encoder",)
    head_part_names = ("decoder",)

    def __init__(self, n_features, n_components, hidden_layer_sizes=(100,), activation="relu",
                 dropout=0.0, batch_norm=False, noise=0.0):
        super().__init__()
        encoder = [GaussianNoise(noise)] if noise else []
        width = n_features
        for size in hidden_layer_sizes:
            encoder += dense_block(width, size, activation, dropout, batch_norm)
            width = size
        encoder.append(nn.Linear(width, n_components))
        decoder, width = [], n_components
        for size in reversed(tuple(hidden_layer_sizes)):
            decoder += dense_block(width, size, activation, dropout, batch_norm)
            width = size
        decoder.append(nn.Linear(width, n_features))
        self.encoder = nn.Sequential(*encoder)
        self.decoder = nn.Sequential(*decoder)
        self.n_features_out = n_components

    def features(self, x):
        """The codes (the code layer's values)."""
        return self.encoder(x)

    encode = features

    def decode(self, z):
        """Reconstructions from codes."""
        return self.decoder(z)

    def forward(self, x):
        return self.decoder(self.encoder(x))

    def reconstruction_error(self, x):
        """Mean squared error of each row's reconstruction, shape ``(n_rows,)``."""
        return (self.forward(x) - x).pow(2).mean(1)

    def linear_layers(self):
        """The ``nn.Linear`` layers in order: encoder first, decoder's output last."""
        return [m for m in (*self.encoder, *self.decoder) if isinstance(m, nn.Linear)]


def negative_mse(reconstruction, target):
    """Validation score for early stopping: minus the mean squared error (higher is better)."""
    return -(reconstruction - target).pow(2).mean()
