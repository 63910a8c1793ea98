"""Transfer learning: a trained network cut at a feature layer, with a new head.

Plain PyTorch; usable without sknn. :class:`FeatureExtractor` turns any network into
a map from a batch to a 2-D feature batch (its ``features``, its ``forward``, or the
output of a named inner layer); :class:`TransferNet` puts a new dense head on top
and freezes or unfreezes the base.
"""

import io
import warnings

import torch
from torch import nn

from .cnn import Augment
from .mlp import MLP

__all__ = ["FeatureExtractor", "TransferNet", "default_cut", "head_parts"]


def head_parts(network):
    """The submodules after ``network``'s features, as it declares them.

    sknn's networks (and any module that follows the convention) name them in a
    ``head_part_names`` class attribute, beside ``feature_part_names``; a module
    without one declares no cut.
    """
    return tuple(getattr(network, "head_part_names", ()))


def default_cut(network):
    """Whether ``network``'s default cut is its ``features``.

    True for a module with a ``features`` method that names its head parts
    (``head_part_names``), as every network of :mod:`sknn.modules` does: its
    ``forward`` ends in those parts, its ``features`` is the representation before
    them. Any other module is used whole.
    """
    return bool(head_parts(network)) and callable(getattr(network, "features", None))


class _StopForward(Exception):
    """Raised by the hook at the cut, to end the forward pass there."""


class FeatureExtractor(nn.Module):
    """A network cut at a feature layer: maps a batch to a 2-D feature batch.

    Parameters
    ----------
    network : torch.nn.Module
        The trained network (used as is, not copied; the output parts that a
        ``features`` cut does not use are replaced by ``nn.Identity``).
    layer : str or None, default=None
        Where to cut. None: an sknn network's ``features`` (the last hidden layer
        of a dense net, the flattened convolutional features of a CNN, the final
        hidden state of a recurrent net, the codes of an auto-encoder), any other
        module's whole ``forward``. A name from ``network.named_modules()`` (for
        example ``"hidden.1"``, ``"conv.0"``, ``"head.hidden.1"``): that layer's
        output, flattened to 2-D; the forward pass stops there.

    Attributes
    ----------
    network : torch.nn.Module
    layer : str or None

    Examples
    --------
    >>> import torch
    >>> from sknn.modules import MLP
    >>> net = MLP(4, 3, hidden_layer_sizes=(8, 6))
    >>> x = torch.zeros(2, 4)
    >>> FeatureExtractor(net)(x).shape, FeatureExtractor(net, "hidden.1")(x).shape
    (torch.Size([2, 6]), torch.Size([2, 8]))
    """

    def __init__(self, network, layer=None):
        super().__init__()
        if layer is not None:
            if isinstance(network, torch.jit.ScriptModule):
                raise ValueError(
                    f"feature_layer={layer!r} cannot cut a TorchScript module (it has no "
                    "Python forward hooks); script or trace the part you need, or pass the "
                    "Python module."
                )
            names = [name for name, _ in network.named_modules() if name]
            if layer not in names:
                shown = ", ".join(repr(n) for n in names[:30])
                more = f", ... ({len(names)} in all)" if len(names) > 30 else ""
                raise ValueError(
                    f"feature_layer={layer!r} is not a layer of the base network "
                    f"{type(network).__name__}; its layers are {shown}{more}."
                )
        elif default_cut(network):
            for part in head_parts(network):
                parent, _, name = part.rpartition(".")
                setattr(network.get_submodule(parent) if parent else network, name,
                        nn.Identity())
        self.network = network
        self.layer = layer

    def forward(self, x):
        if self.layer is None:
            out = self.network.features(x) if default_cut(self.network) else self.network(x)
        else:
            out = self._layer_output(x)
        if isinstance(out, torch.Tensor) and out.dim() > 2:
            out = out.flatten(1)
        return out

    def _layer_output(self, x):
        captured = []

        def hook(module, inputs, output):
            captured.append(output)
            raise _StopForward

        handle = self.network.get_submodule(self.layer).register_forward_hook(hook)
        try:
            self.network(x)
        except _StopForward:
            pass
        finally:
            handle.remove()
        if not captured:
            raise ValueError(
                f"feature_layer={self.layer!r} was not run by the base network's forward "
                "pass; choose a layer that its forward uses."
            )
        return captured[0]

    def extra_repr(self):
        return f"layer={self.layer!r}"

    # TorchScript modules cannot be pickled; they travel as TorchScript bytes.
    def __getstate__(self):
        state = self.__dict__.copy()
        network = state["_modules"]["network"]
        if isinstance(network, torch.jit.ScriptModule):
            buffer = io.BytesIO()
            with warnings.catch_warnings():  # torch >= 2.10 deprecates TorchScript
                warnings.simplefilter("ignore", DeprecationWarning)
                torch.jit.save(network, buffer)
            state["_modules"] = {**state["_modules"], "network": None}
            state["_torchscript"] = buffer.getvalue()
        return state

    def __setstate__(self, state):
        blob = state.pop("_torchscript", None)
        super().__setstate__(state)
        if blob is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                network = torch.jit.load(io.BytesIO(blob), map_location="cpu")
            self._modules["network"] = network


class TransferNet(nn.Module):
    """A feature extractor (the base) and a new dense head on its features.

    ``forward(x) = head(base(x))``, ``features(x) = base(x)``. The head is
    ``[Dropout] -> MLP(n_features -> head_layers -> n_outputs)``. While ``frozen``,
    the base's parameters do not train (``requires_grad`` is off) and the base runs
    in evaluation mode even when the net trains (batch normalisation keeps its
    statistics, dropout is off), except for augmentation layers
    (:class:`sknn.modules.cnn.Augment`), which keep augmenting the training
    batches. Unfrozen, the base trains, but its batch normalisation layers still
    normalise with the source's statistics (their scale and shift train): the
    statistics of a few small batches of the new task are too noisy to replace
    them.

    Parameters
    ----------
    base : torch.nn.Module
        Maps a batch to a 2-D feature batch of width ``n_features``.
    n_features : int
        Width of the base's features.
    n_outputs : int
        Width of the output layer (raw scores; no output activation).
    head_layers : sequence of int, default=()
        Hidden layers of the head; empty for a linear head.
    activation : {"relu", "tanh", "logistic", "identity", "gelu"}, default="relu"
        Activation of the head's hidden layers.
    dropout : float, default=0.0
        Dropout on the features and after each hidden layer of the head.
    frozen : bool, default=True
        Whether the base starts frozen (see :meth:`set_frozen`).

    Attributes
    ----------
    base, head : torch.nn.Module
    n_features_out : int
        Width of :meth:`features`.
    frozen : bool

    Examples
    --------
    >>> import torch
    >>> base = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU())
    >>> net = TransferNet(base, 8, 3, head_layers=(4,))
    >>> x = torch.zeros(2, 5)
    >>> net(x).shape, net.features(x).shape, base[0].weight.requires_grad
    (torch.Size([2, 3]), torch.Size([2, 8]), False)
    """

    # What ``features`` uses, and what comes after it (a transfer cut drops the latter).
    feature_part_names = ("base",)
    head_part_names = ("head",)

    def __init__(self, base, n_features, n_outputs, head_layers=(), activation="relu",
                 dropout=0.0, frozen=True):
        super().__init__()
        self.base = base
        layers = [nn.Dropout(dropout)] if dropout else []
        self.head = nn.Sequential(
            *layers, MLP(n_features, n_outputs, tuple(head_layers), activation, dropout)
        )
        self.n_features_out = n_features
        self.set_frozen(frozen)

    def set_frozen(self, frozen):
        """Freeze (True) or unfreeze (False) the base's parameters."""
        self.frozen = bool(frozen)
        for param in self.base.parameters():
            param.requires_grad_(not self.frozen)
        return self.train(self.training)

    @torch.no_grad()
    def start_at(self, features, offset, weights=None):
        """Shift the output layer's bias so that the head's mean output on ``features``
        (the base's features of the training rows) is ``offset``.

        A data-dependent start: a new regression head then begins at the mean target
        and a classification head at the class frequencies, instead of an arbitrary
        value that the first hundred steps would spend correcting.
        """
        training = self.head.training
        self.head.eval()
        mlp = self.head[-1]
        out = self.head(features.to(mlp.output.bias.device))
        if weights is None:
            mean = out.mean(0)
        else:
            weights = weights.to(out.device, out.dtype)
            mean = (weights[:, None] * out).sum(0) / weights.sum()
        mlp.output.bias += offset.to(mean.device, mean.dtype) - mean
        self.head.train(training)

    def augmentation_layers(self):
        """The base's augmentation layers (they act in training mode only)."""
        return [m for m in self.base.modules() if isinstance(m, Augment)]

    def train(self, mode=True):
        super().train(mode)
        if mode and self.frozen:
            self.base.eval()
            for layer in self.augmentation_layers():
                layer.train()
        elif mode:  # fine-tuning: batch normalisation keeps the source's statistics
            for layer in self.base.modules():
                if isinstance(layer, nn.modules.batchnorm._BatchNorm):
                    layer.eval()
        return self

    def features(self, x):
        """The base's features."""
        return self.base(x)

    def forward(self, x):
        return self.head(self.base(x))
