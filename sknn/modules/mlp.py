"""A fully connected network: the multi-layer perceptron (and, with no hidden layer,
the single-layer perceptron)."""

import math
import weakref

import numpy as np
import torch
from scipy import special
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

    def forward_numpy(self, x):
        """:meth:`forward` in eval mode, computed by NumPy in float64, for a few rows.

        torch's fixed cost per layer call (a few microseconds of dispatch) is most of
        a one-row prediction, and NumPy's is a fraction of it: the estimators use this
        for small batches on the CPU. Dropout is off and batch normalisation uses its
        running statistics, as in eval mode; the arithmetic is the same, in float64,
        so the outputs agree with :meth:`forward`'s to float32 rounding. The weights'
        float64 copies are cached until a parameter or buffer changes.

        Parameters
        ----------
        x : ndarray of shape (n_rows, n_features)

        Returns
        -------
        out : ndarray of shape (n_rows, n_outputs), float64, or None
            None when a layer has no NumPy form (a user's layer): use :meth:`forward`.
        """
        layers = (*self.hidden, self.output)
        state = _layer_state(layers)
        cached = _NUMPY_STEPS.get(self)
        if cached is None or cached[0] != state:
            steps = [_numpy_step(layer) for layer in layers]
            cached = _NUMPY_STEPS[self] = (state, None if None in steps else steps)
        steps = cached[1]
        if steps is None:
            return None
        x = np.asarray(x, dtype=np.float64)
        for step in steps:
            x = step(x)
        return x

    def linear_layers(self):
        """The ``nn.Linear`` layers in order, output layer last."""
        return [m for m in self.hidden if isinstance(m, nn.Linear)] + [self.output]


# Each MLP's NumPy layers (see MLP.forward_numpy), with the parameter state they were
# made from; weakly keyed, so they neither pickle with the module nor keep it alive.
_NUMPY_STEPS = weakref.WeakKeyDictionary()


def _layer_state(layers):
    """What identifies the layers' current values: each tensor's storage and its
    in-place version counter (bumped by every optimiser step and ``copy_``)."""
    return tuple((t.data_ptr(), t._version) for layer in layers
                 for t in (*layer._parameters.values(), *layer._buffers.values())
                 if t is not None)


def _float64(tensor):
    return tensor.detach().cpu().numpy().astype(np.float64)


def _gelu(x, approximate):
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + special.erf(x / math.sqrt(2)))


def _numpy_step(layer):
    """``layer`` in eval mode as a function of a float64 array, or None."""
    if isinstance(layer, nn.Linear):
        weight = np.ascontiguousarray(_float64(layer.weight).T)
        bias = None if layer.bias is None else _float64(layer.bias)
        return (lambda x: x @ weight) if bias is None else (lambda x: x @ weight + bias)
    if isinstance(layer, nn.BatchNorm1d) and layer.running_mean is not None:
        scale = 1 / np.sqrt(_float64(layer.running_var) + layer.eps)
        shift = -_float64(layer.running_mean) * scale
        if layer.affine:
            scale, shift = scale * _float64(layer.weight), shift * _float64(layer.weight)
            shift = shift + _float64(layer.bias)
        return lambda x: x * scale + shift
    if isinstance(layer, nn.ReLU):
        return lambda x: np.maximum(x, 0.0)
    if isinstance(layer, nn.Tanh):
        return np.tanh
    if isinstance(layer, nn.Sigmoid):
        return special.expit
    if isinstance(layer, nn.GELU):
        return lambda x: _gelu(x, layer.approximate)
    if isinstance(layer, (nn.Identity, nn.Dropout)):
        return lambda x: x
    return None


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
