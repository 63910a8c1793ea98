"""A convolutional network for images (2-D) and signals (1-D), with an optional
augmentation layer in front that acts only while training."""

import math

import torch
from torch import nn
from torch.nn import functional as F

from .mlp import ACTIVATIONS, MLP

POOLING = {"max": (nn.MaxPool1d, nn.MaxPool2d), "avg": (nn.AvgPool1d, nn.AvgPool2d)}


class Augment(nn.Module):
    """Random shifts, flips, rotations and zooms of a batch, only in training mode.

    Every row gets its own random transform, drawn from torch's global random
    generator (which sknn seeds for each fit). In evaluation mode, or with nothing
    to do, the input passes through unchanged. Pixels moved in from outside the
    image are zero.

    Parameters
    ----------
    shift : int, default=1
        Largest shift in pixels, drawn uniformly from ``-shift..shift`` along each
        spatial axis (independently).
    hflip : bool, default=False
        Mirror left-right (reverse the time axis of a 1-D signal) half of the time.
    vflip : bool, default=False
        Mirror top-bottom half of the time (images only).
    rotate : float, default=0.0
        Largest rotation in degrees, drawn uniformly from ``-rotate..rotate``
        (images only).
    scale : float, default=0.0
        Largest relative change of size: each image is zoomed by a factor drawn
        uniformly from ``1 - scale..1 + scale`` (images only). Rotations and zooms
        interpolate bilinearly; shifts and flips alone move whole pixels and keep
        the values exact.

    Attributes
    ----------
    active : bool
        False when every transform is off (the layer then passes its input on).

    Examples
    --------
    >>> import torch
    >>> aug = Augment(shift=1)
    >>> x = torch.ones(4, 1, 8, 8)
    >>> aug.eval()(x).equal(x)  # evaluation mode: unchanged
    True
    >>> aug.train()(x).shape
    torch.Size([4, 1, 8, 8])
    """

    def __init__(self, shift=1, hflip=False, vflip=False, rotate=0.0, scale=0.0):
        super().__init__()
        self.shift = int(shift)
        self.hflip = bool(hflip)
        self.vflip = bool(vflip)
        self.rotate = float(rotate)
        self.scale = float(scale)

    def extra_repr(self):
        return (f"shift={self.shift}, hflip={self.hflip}, vflip={self.vflip}, "
                f"rotate={self.rotate}, scale={self.scale}")

    @property
    def active(self):
        """Whether there is anything to do (a layer with everything off is a no-op)."""
        return bool(self.shift or self.hflip or self.vflip or self.rotate or self.scale)

    def forward(self, x):
        if not self.training or not self.active:
            return x
        signal = x.dim() == 3  # (n, C, L): a 1-D signal, seen as an image of height 1
        images = x.unsqueeze(2) if signal else x
        n, _, height, width = images.shape
        theta = self._affine(n, height, width, signal, images.device)
        grid = F.affine_grid(theta.to(images.dtype), list(images.shape), align_corners=False)
        mode = "bilinear" if (self.rotate or self.scale) and not signal else "nearest"
        out = F.grid_sample(images, grid, mode=mode, padding_mode="zeros", align_corners=False)
        return out.squeeze(2) if signal else out

    def _affine(self, n, height, width, signal, device):
        """Per-row 2x3 matrices mapping output to input coordinates (normalised)."""
        ones = torch.ones(n, device=device)
        angle = torch.zeros(n, device=device)
        if self.rotate and not signal:
            angle = (torch.rand(n, device=device) * 2 - 1) * math.radians(self.rotate)
        sx, sy = ones, ones
        if self.scale and not signal:
            # theta maps output to input coordinates: a factor above 1 shrinks the image.
            factor = 1 + (torch.rand(n, device=device) * 2 - 1) * self.scale
            sx, sy = factor, factor
        if self.hflip:
            sx = torch.where(torch.rand(n, device=device) < 0.5, -sx, sx)
        if self.vflip and not signal:
            sy = torch.where(torch.rand(n, device=device) < 0.5, -sy, sy)
        cos, sin = torch.cos(angle), torch.sin(angle)
        theta = torch.zeros(n, 2, 3, device=device)
        # Rotation in pixel units, written in coordinates normalised to [-1, 1].
        theta[:, 0, 0] = cos * sx
        theta[:, 0, 1] = -sin * sy * height / width
        theta[:, 1, 0] = sin * sx * width / height
        theta[:, 1, 1] = cos * sy
        if self.shift:
            steps = torch.randint(-self.shift, self.shift + 1, (n, 2), device=device)
            theta[:, 0, 2] = steps[:, 0] * 2.0 / width
            if not signal:
                theta[:, 1, 2] = steps[:, 1] * 2.0 / height
        return theta


def conv_block(dims, n_in, n_out, kernel_size, activation, batch_norm, pool, pool_size):
    """Convolution -> [BatchNorm] -> activation -> [pooling], as an ``nn.Sequential``."""
    conv = (nn.Conv1d, nn.Conv2d)[dims - 1]
    if kernel_size % 2:
        layers = [conv(n_in, n_out, kernel_size, padding="same")]
    else:
        # An even kernel needs one more zero on one side. Padding explicitly, as torch's
        # padding="same" does (the extra zero after), spares its internal warning.
        before, after = (kernel_size - 1) // 2, kernel_size // 2
        pad = (nn.ConstantPad1d((before, after), 0.0) if dims == 1
               else nn.ZeroPad2d((before, after, before, after)))
        layers = [pad, conv(n_in, n_out, kernel_size)]
    if batch_norm:
        layers.append((nn.BatchNorm1d, nn.BatchNorm2d)[dims - 1](n_out))
    layers.append(ACTIVATIONS[activation]())
    if pool is not None and any(k > 1 for k in pool_size):
        size = pool_size[0] if dims == 1 else pool_size
        layers.append(POOLING[pool][dims - 1](size, stride=size))
    return nn.Sequential(*layers)


class ConvNet(nn.Module):
    """Convolutional network: [augmentation] -> conv blocks -> flatten -> dense head.

    Each conv block is a "same"-padded convolution, optional batch normalisation,
    the activation and, with ``pooling``, a 2x downsampling. The flattened output of
    the last block (``features``) goes through an :class:`~sknn.modules.mlp.MLP`
    head. The parts are ``augment``, ``conv`` (one ``nn.Sequential`` per block) and
    ``head``, so that a network can be cut after ``conv`` and given a new head.

    Parameters
    ----------
    input_shape : tuple of int
        Shape of one input: ``(C, H, W)`` for images, ``(C, L)`` for 1-D signals.
    n_outputs : int
        Width of the output layer (raw scores; no output activation).
    conv_channels : sequence of int, default=(32, 64)
        Output channels of each conv block.
    kernel_size : int, default=3
    pooling : {"max", "avg"} or None, default="max"
        Downsampling by 2 at the end of each block. An axis that is already down to
        one pixel is not pooled further.
    batch_norm : bool, default=True
        Batch normalisation after every convolution whose input has more than one
        position (the dense head has none, so a batch of one row still trains).
    dense_layers : sequence of int, default=(128,)
        Hidden layers of the head.
    activation : {"relu", "tanh", "logistic", "identity", "gelu"}, default="relu"
    dropout : float, default=0.0
        Dropout on the flattened features and after each hidden dense layer.
    augment : Augment or None, default=None
        Applied to the input in training mode only.

    Attributes
    ----------
    n_features_out : int
        Width of ``features(x)``.
    output_shape : tuple of int
        Shape ``(channels, *spatial)`` of the last conv block's output.

    Examples
    --------
    >>> import torch
    >>> net = ConvNet((1, 8, 8), 10)
    >>> x = torch.zeros(5, 1, 8, 8)
    >>> net(x).shape, net.features(x).shape
    (torch.Size([5, 10]), torch.Size([5, 256]))
    >>> net(x.flatten(1)).shape  # flattened rows are reshaped to input_shape
    torch.Size([5, 10])
    """

    # What ``features`` uses, and what comes after it (a transfer cut drops the latter).
    feature_part_names = ("augment", "conv")
    head_part_names = ("dropout", "head")

    def __init__(self, input_shape, n_outputs, conv_channels=(32, 64), kernel_size=3,
                 pooling="max", batch_norm=True, dense_layers=(128,), activation="relu",
                 dropout=0.0, augment=None):
        super().__init__()
        self.input_shape = tuple(int(s) for s in input_shape)
        dims = len(self.input_shape) - 1
        if dims not in (1, 2):
            raise ValueError(
                f"input_shape must be (C, L) or (C, H, W); got {self.input_shape}."
            )
        self.augment = augment if augment is not None else nn.Identity()
        blocks, channels, spatial = [], self.input_shape[0], self.input_shape[1:]
        for width in conv_channels:
            pool_size = tuple(2 if s >= 2 else 1 for s in spatial) if pooling else (1,) * dims
            # A map of one position would leave batch norm nothing to average over in a
            # batch of one row; such blocks (in very short 1-D signals) go without.
            norm = batch_norm and math.prod(spatial) > 1
            blocks.append(conv_block(dims, channels, width, kernel_size, activation, norm,
                                     pooling, pool_size))
            spatial = tuple(s // k for s, k in zip(spatial, pool_size))
            channels = width
        self.conv = nn.Sequential(*blocks)
        self.output_shape = (channels, *spatial)
        self.n_features_out = math.prod(self.output_shape)
        self.dropout = nn.Dropout(dropout) if dropout else nn.Identity()
        self.head = MLP(self.n_features_out, n_outputs, tuple(dense_layers), activation,
                        dropout)

    def _as_input(self, x):
        if x.dim() == 2:  # flattened rows
            return x.reshape(x.shape[0], *self.input_shape)
        return x

    def features(self, x):
        """The flattened output of the last conv block (after augmentation in training)."""
        return self.conv(self.augment(self._as_input(x))).flatten(1)

    def forward(self, x):
        return self.head(self.dropout(self.features(x)))
