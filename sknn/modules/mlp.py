"""A fully connected network: the multi-layer perceptron (and, with no hidden layer,
the single-layer perceptron)."""

import math

import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "logistic": nn.Sigmoid,
    "identity": nn.Identity,
    "gelu": nn.GELU,
}


def dense_block(n_in, n_out, activation="relu", dropout=0.0, batch_norm=False):
    """Linear -> [BatchNorm] -> activation -> [Dropout], as a list of layers."""
    layers = [nn.Linear(n_in, n_out)]
    if batch_norm:
        layers.append(nn.BatchNorm1d(n_out))
    layers.append(ACTIVATIONS[activation]())
    if dropout:
        layers.append(nn.Dropout(dropout))
    return layers


class MLP(nn.Module):
    """Stack of dense blocks followed by a linear output layer.

    Parameters
    ----------
    n_features : int
        Width of the input.
    n_outputs : int
        Width of the output layer (raw scores; no output activation).
    hidden_layer_sizes : sequence of int, default=(100,)
        Width of each hidden layer; empty for a single-layer perceptron.
    activation : {"relu", "tanh", "logistic", "identity", "gelu"}, default="relu"
    dropout : float, default=0.0
        Dropout after each hidden activation.
    batch_norm : bool, default=False
        Batch normalisation after each hidden linear layer.

    Examples
    --------
    >>> import torch
    >>> net = MLP(4, 3, hidden_layer_sizes=(8,))
    >>> net(torch.zeros(2, 4)).shape, net.features(torch.zeros(2, 4)).shape
    (torch.Size([2, 3]), torch.Size([2, 8]))
    """

    # What ``features`` uses, and what comes after it (a transfer cut drops the latter).
    feature_part_names = ("hidden",)
    head_part_names = ("output",)

    def __init__(self, n_features, n_outputs, hidden_layer_sizes=(100,), activation="relu",
                 dropout=0.0, batch_norm=False):
        super().__init__()
        layers, width = [], n_features
        for size in hidden_layer_sizes:
            layers += dense_block(width, size, activation, dropout, batch_norm)
            width = size
        self.hidden = nn.Sequential(*layers)
        self.output = nn.Linear(width, n_outputs)
        self.n_features_out = width
        glorot_init(self, activation)

    def features(self, x):
        """The last hidden layer's activations (the input itself with no hidden layer)."""
        return self.hidden(x)

    def forward(self, x):
        return self.output(self.hidden(x))

    def linear_layers(self):
        """The ``nn.Linear`` layers in order, output layer last."""
        return [m for m in self.hidden if isinstance(m, nn.Linear)] + [self.output]


def glorot_init(module, activation="relu"):
    """scikit-learn's MLP initialisation: weights and biases uniform in
    ``+-sqrt(factor / (fan_in + fan_out))``, factor 2 for "logistic", else 6.

    Wider than torch's default for ``nn.Linear``: an MLP trains faster in the
    first epochs, which is what matches scikit-learn's accuracy at the same number
    of epochs.
    """
    factor = 2.0 if activation == "logistic" else 6.0
    with torch.no_grad():
        for layer in module.modules():
            if isinstance(layer, nn.Linear):
                bound = math.sqrt(factor / (layer.in_features + layer.out_features))
                layer.weight.uniform_(-bound, bound)
                if layer.bias is not None:
                    layer.bias.uniform_(-bound, bound)
