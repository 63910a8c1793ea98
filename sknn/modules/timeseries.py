"""One-dimensional convolutional networks for time-series classification and regression.

The architectures the time-series literature benchmarks on the UCR/UEA archive (Wang et
al. 2017, "Time series classification from scratch with deep neural networks"; Fawaz et
al. 2019 and 2020): convolutions along time with batch normalisation, and *global
average pooling* over time instead of flattening, so that one network reads series of
any length.

- :class:`FCN`: three conv blocks (the fully convolutional network).
- :class:`ResNet`: three residual blocks of three convolutions each.
- :class:`InceptionNet`: InceptionTime's blocks (a bottleneck, then convolutions of
  several kernel sizes side by side, and a max-pooling branch), with residual
  connections every three blocks.
- :class:`ConvRecurrentNet`: a recurrent network for the same data: an optional conv
  front end, an LSTM (GRU, RNN), its outputs averaged over time (or its last state).

A batch is a float tensor of shape ``(batch, channels, length)`` (a 2-D batch is read
as univariate series). Series of unequal length come NaN-padded at the end (every
channel of the trailing steps NaN) or with an explicit ``mask``: the network then
reads each series only up to its true length. Padded steps are set to zero before every
convolution (which is what a convolution's own zero padding does at the end of an
unpadded series), batch normalisation takes its statistics over the observed steps
only, and the global average pool averages over them. In evaluation mode, a series
padded with NaN therefore gives the same output as the series alone. NaN inside a
series (before its last observed step) reads as 0.

Every network has the same surface: ``features(x, mask=None)`` is the pooled
representation (width ``n_features_out``), ``forward(x, mask=None)`` the raw outputs;
``feature_part_names`` and ``head_part_names`` name the submodules on each side of the
cut between them (for transfer learning: keep the first, replace the second).
"""

import math

import torch
from torch import nn
from torch.nn import functional as F

from .mlp import ACTIVATIONS

__all__ = [
    "ConvRecurrentNet",
    "FCN",
    "InceptionNet",
    "MaskedBatchNorm1d",
    "ResNet",
    "combine_members",
    "fold_steps",
    "masked_global_average",
    "series_mask",
]


def series_mask(x, mask=None):
    """Zero-filled input and a mask of the observed steps (None when all are observed).

    Parameters
    ----------
    x : torch.Tensor of shape (batch, channels, length) or (batch, length)
        NaN at every channel of a step marks padding; a series ends at its last step
        with any channel observed.
    mask : torch.Tensor or None, default=None
        Boolean ``(batch, length)`` (True = observed) or integer ``(batch,)`` lengths.
        None: taken from the NaN padding of ``x``.

    Returns
    -------
    x : torch.Tensor of shape (batch, channels, length)
        The input with NaN and the steps outside ``mask`` replaced by 0.
    mask : torch.Tensor of shape (batch, length) or None
        True up to each series' true length; None when no step is padded (the fast
        path: nothing to mask).
    """
    if x.dim() == 2:
        x = x.unsqueeze(1)
    if x.dim() != 3:
        raise ValueError(
            f"a time-series batch is (batch, channels, length); got shape {tuple(x.shape)}."
        )
    length = x.shape[2]
    steps = torch.arange(length, device=x.device)
    missing = torch.isnan(x)
    any_missing = bool(missing.any())
    if mask is None and any_missing:
        observed = ~missing.all(1)  # (batch, length)
        # The true length: one past the last observed step (inner NaN are values).
        last = torch.where(observed, steps + 1, torch.zeros_like(steps)).amax(1)
        mask = steps < last.unsqueeze(1)
    elif mask is not None:
        mask = torch.as_tensor(mask, device=x.device)
        if mask.dim() == 1:  # lengths
            mask = steps < mask.unsqueeze(1)
        mask = mask.to(torch.bool)
        if mask.shape != (x.shape[0], length):
            raise ValueError(
                f"mask must be (batch, length) = {(x.shape[0], length)} or (batch,) "
                f"lengths; got shape {tuple(mask.shape)}."
            )
    if any_missing:
        x = x.masked_fill(missing, 0.0)
    if mask is not None and bool(mask.all()):
        mask = None
    if mask is not None:  # steps past a given length read as padding, whatever they hold
        x = _zero_padding(x, mask)
    return x, mask


def fold_steps(x, mask, size):
    """Windows of ``size`` steps as one step each: ``(batch, channels, length)`` ->
    ``(batch, channels * size, ceil(length / size))``, channel ``c * size + i`` holding
    the window's step ``i`` of channel ``c`` (the last window zero-filled); a window is
    observed if any of its steps is."""
    if size <= 1:
        return x, mask
    n, channels, length = x.shape
    extra = -length % size
    if extra:
        x = F.pad(x, (0, extra))
        if mask is not None:
            mask = F.pad(mask, (0, extra), value=False)
    steps = (length + extra) // size
    x = x.view(n, channels, steps, size).transpose(2, 3).reshape(n, channels * size, steps)
    if mask is not None:
        mask = mask.view(n, steps, size).any(2)
    return x, mask


def masked_global_average(h, mask=None):
    """Average of ``h`` (batch, channels, length) over time, observed steps only."""
    if mask is None:
        return h.mean(2)
    weight = mask.unsqueeze(1).to(h.dtype)
    return (h * weight).sum(2) / weight.sum(2).clamp_min(1.0)


class SameConv1d(nn.Conv1d):
    """``Conv1d`` with "same" padding for any kernel size (even ones pad one more on
    the right), without the padded copy and warning torch's ``padding="same"`` makes."""

    def __init__(self, n_in, n_out, kernel_size, bias=True, groups=1):
        super().__init__(n_in, n_out, kernel_size, bias=bias, groups=groups)
        total = int(kernel_size) - 1
        self.same_padding = (total // 2, total - total // 2)

    def forward(self, x):
        left, right = self.same_padding
        if left == right:
            return F.conv1d(x, self.weight, self.bias, padding=left, groups=self.groups)
        return F.conv1d(F.pad(x, (left, right)), self.weight, self.bias, groups=self.groups)


def _zero_padding(h, mask):
    return h if mask is None else h * mask.unsqueeze(1).to(h.dtype)


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """``BatchNorm1d`` whose training statistics come from the observed steps only.

    With ``mask=None`` (or in evaluation mode) it is ``nn.BatchNorm1d``; with a
    ``(batch, length)`` mask in training mode the mean, the variance and the running
    statistics are those of the unmasked steps, so that padding does not shift the
    normalisation of the steps that are there.
    """

    def forward(self, x, mask=None):
        if mask is None or not self.training:
            return super().forward(x)
        weight = mask.unsqueeze(1).to(x.dtype)  # (batch, 1, length)
        count = weight.sum()
        mean = (x * weight).sum((0, 2)) / count
        centred = (x - mean[None, :, None]) * weight
        var = (centred * centred).sum((0, 2)) / count
        if self.track_running_stats:
            with torch.no_grad():
                self.num_batches_tracked += 1
                momentum = (self.momentum if self.momentum is not None
                            else 1.0 / float(self.num_batches_tracked))
                unbiased = var * (count / (count - 1).clamp_min(1.0))
                self.running_mean.lerp_(mean, momentum)
                self.running_var.lerp_(unbiased, momentum)
        out = (x - mean[None, :, None]) * torch.rsqrt(var + self.eps)[None, :, None]
        if self.affine:
            out = out * self.weight[None, :, None] + self.bias[None, :, None]
        return out


class ConvBlock(nn.Module):
    """Convolution ("same" padding) -> batch norm -> [activation], padding kept at zero.

    ``groups`` > 1 splits the channels into that many independent groups (the members
    of an ensemble, see :class:`FCN`); batch norm is per channel, so it keeps them
    apart too.
    """

    def __init__(self, n_in, n_out, kernel_size, activation="relu", batch_norm=True,
                 groups=1):
        super().__init__()
        self.conv = SameConv1d(n_in, n_out, kernel_size, bias=not batch_norm, groups=groups)
        self.norm = MaskedBatchNorm1d(n_out) if batch_norm else None
        self.act = ACTIVATIONS[activation]() if activation is not None else nn.Identity()

    def forward(self, x, mask=None):
        h = self.conv(x)
        if self.norm is not None:
            h = self.norm(h, mask)
        return _zero_padding(self.act(h), mask)


# How the members of an ensemble become one output in evaluation mode.
MEMBER_COMBINATIONS = ("mean", "softmax", "sigmoid")


def combine_members(outputs, combine="mean"):
    """One output from the members' raw outputs, shape (batch, members, outputs).

    "mean" averages them (regression); "softmax" gives the log of the members' mean
    class probabilities, "sigmoid" the logit of their mean probability: raw scores
    whose softmax (sigmoid) is the ensemble's probability, as InceptionTime averages
    its networks.
    """
    if combine == "mean":
        return outputs.mean(1)
    if combine == "softmax":
        return torch.logsumexp(F.log_softmax(outputs, 2), 1) - math.log(outputs.shape[1])
    if combine == "sigmoid":  # log(mean p) - log(mean (1 - p)); the 1 / k cancels
        return (torch.logsumexp(F.logsigmoid(outputs), 1)
                - torch.logsumexp(F.logsigmoid(-outputs), 1))
    raise ValueError(f"combine must be one of {MEMBER_COMBINATIONS}; got {combine!r}.")


class MemberLinear(nn.Conv1d):
    """One linear layer per ensemble member: (batch, members * width) ->
    (batch, members * n_outputs), a grouped 1x1 convolution (each member's weights
    initialised as ``nn.Linear(width, n_outputs)``'s are)."""

    def __init__(self, n_members, width, n_outputs):
        super().__init__(n_members * width, n_members * n_outputs, 1, groups=n_members)

    def forward(self, h):
        return super().forward(h.unsqueeze(2)).squeeze(2)


def _check_members(n_members, combine):
    if int(n_members) != n_members or n_members < 1:
        raise ValueError(f"n_members must be an int >= 1; got {n_members!r}.")
    if combine not in MEMBER_COMBINATIONS:
        raise ValueError(f"combine must be one of {MEMBER_COMBINATIONS}; got {combine!r}.")
    return int(n_members)


class _TimeSeriesNet(nn.Module):
    """Shared surface: input handling, masked pooling, dropout and a linear head.

    With ``n_members`` > 1 the network is an ensemble of that many independent
    networks of the same shape, run as one: every convolution after the first is
    grouped by member, batch norm is per channel, and each member has its own head.
    In training mode ``forward`` returns the members' outputs stacked, shape
    ``(members, batch, outputs)`` (the engine averages their losses and
    back-propagates their sum, so that each member trains as it would alone); in
    evaluation mode, their combination (:func:`combine_members`).
    """

    feature_part_names = ("blocks",)
    head_part_names = ("dropout", "head")

    def _init_input(self, n_channels, downsample):
        """Record the input's channels and folding; the first layer's input width."""
        if int(downsample) != downsample or downsample < 1:
            raise ValueError(f"downsample must be an int >= 1; got {downsample!r}.")
        self.n_channels, self.downsample = int(n_channels), int(downsample)
        return self.n_channels * self.downsample

    def _init_head(self, width, n_outputs, dropout, n_members=1, combine="mean"):
        self.n_members = _check_members(n_members, combine)
        self.combine = combine
        self.n_features_out = int(width) * self.n_members
        self.dropout = nn.Dropout(dropout) if dropout else nn.Identity()
        self.head = (nn.Linear(int(width), n_outputs) if self.n_members == 1
                     else MemberLinear(self.n_members, int(width), n_outputs))

    def _check_channels(self, x):
        if x.shape[1] != self.n_channels:
            raise ValueError(
                f"expected {self.n_channels} channel(s) (batch, channels, length); got "
                f"a batch of shape {tuple(x.shape)}."
            )

    def features(self, x, mask=None):
        """The time-pooled representation, shape (batch, ``n_features_out``)."""
        x, mask = series_mask(x, mask)
        self._check_channels(x)
        # Long series: each window of ``downsample`` steps becomes one step whose
        # channels are the window's values (nothing averaged away).
        x, mask = fold_steps(x, mask, getattr(self, "downsample", 1))
        return masked_global_average(self.encode(x, mask), mask)

    def forward(self, x, mask=None):
        out = self.head(self.dropout(self.features(x, mask)))
        if self.n_members == 1:
            return out
        out = out.view(out.shape[0], self.n_members, -1)
        return out.transpose(0, 1) if self.training else combine_members(out, self.combine)

    def encode(self, x, mask=None):
        """The feature maps (batch, channels, length) before pooling; padding zero."""
        for block in self.blocks:
            x = block(x, mask)
        return x


class FCN(_TimeSeriesNet):
    """Fully convolutional network (Wang et al., 2017): conv blocks, global average pool.

    Each block is a "same"-padded convolution, batch normalisation and the
    activation; the feature maps of the last block are averaged over time and a
    linear layer gives the outputs.

    Parameters
    ----------
    n_channels : int
        Channels (variables) of each series.
    n_outputs : int
        Width of the output layer (raw scores; no output activation).
    channels : sequence of int, default=(128, 256, 128)
        Output channels of each block (the published network's widths).
    kernel_sizes : sequence of int, default=(8, 5, 3)
        Kernel size of each block (as long as ``channels``).
    activation : {"relu", "tanh", "logistic", "identity", "gelu"}, default="relu"
    dropout : float, default=0.0
        Dropout on the pooled features.
    n_members : int, default=1
        Networks of this shape trained side by side as one ensemble (see
        :class:`_TimeSeriesNet`): InceptionTime's recipe of averaging a few
        independently initialised networks, at the cost of one wider network.
    combine : {"mean", "softmax", "sigmoid"}, default="mean"
        How the members' outputs become one in evaluation mode
        (:func:`combine_members`): "softmax" or "sigmoid" average class
        probabilities, "mean" the raw outputs.
    downsample : int, default=1
        Fold windows of this many steps into one step before the first block
        (:func:`fold_steps`): a series of ``length`` steps and ``c`` channels is read
        as ``ceil(length / downsample)`` steps of ``c * downsample`` channels. Each
        epoch is about that many times cheaper and the kernels see further back;
        unlike averaging, nothing is lost (a sample-to-sample alternation stays
        visible).

    Attributes
    ----------
    n_features_out : int
        Width of :meth:`features` (the last block's channels, times ``n_members``).
    feature_part_names : tuple of str
        ``("blocks",)``: the submodules that :meth:`features` uses.
    head_part_names : tuple of str
        ``("dropout", "head")``: the submodules after the cut.

    Examples
    --------
    >>> import torch
    >>> net = FCN(n_channels=2, n_outputs=3, channels=(8, 16, 8))
    >>> x = torch.randn(4, 2, 50)
    >>> net(x).shape, net.features(x).shape
    (torch.Size([4, 3]), torch.Size([4, 8]))
    >>> x[0, :, 30:] = float("nan")  # the first series is 30 steps long
    >>> bool(torch.isfinite(net(x)).all())
    True
    """

    def __init__(self, n_channels, n_outputs, channels=(128, 256, 128), kernel_sizes=(8, 5, 3),
                 activation="relu", dropout=0.0, n_members=1, combine="mean",
                 downsample=1):
        super().__init__()
        channels, kernel_sizes = tuple(channels), tuple(kernel_sizes)
        if len(channels) != len(kernel_sizes) or not channels:
            raise ValueError(
                f"channels and kernel_sizes must be non-empty and of the same length; got "
                f"{channels} and {kernel_sizes}."
            )
        n_in = self._init_input(n_channels, downsample)
        members = _check_members(n_members, combine)
        # The first block reads the input whole; the later ones are grouped by member.
        widths = (n_in, *(members * c for c in channels))
        self.blocks = nn.ModuleList(
            ConvBlock(n_in, n_out, k, activation, groups=1 if i == 0 else members)
            for i, (n_in, n_out, k) in enumerate(zip(widths[:-1], widths[1:], kernel_sizes))
        )
        self._init_head(channels[-1], n_outputs, dropout, members, combine)


class ResidualBlock(nn.Module):
    """Convolutions with a shortcut: ``act(convs(x) + shortcut(x))``.

    The shortcut is a 1x1 convolution with batch norm when the width changes, batch
    norm alone otherwise (as in Wang et al., 2017). ``groups_in`` groups the first
    convolution and the shortcut, ``groups`` the others (ensemble members).
    """

    def __init__(self, n_in, n_out, kernel_sizes=(8, 5, 3), activation="relu", groups_in=1,
                 groups=1):
        super().__init__()
        widths = (n_in,) + (n_out,) * len(kernel_sizes)
        self.convs = nn.ModuleList(
            ConvBlock(a, b, k, activation if i < len(kernel_sizes) - 1 else None,
                      groups=groups_in if i == 0 else groups)
            for i, (a, b, k) in enumerate(zip(widths[:-1], widths[1:], kernel_sizes))
        )
        same = n_in == n_out and groups_in == groups  # an ensemble's members line up
        self.shortcut = (nn.Identity() if same
                         else nn.Conv1d(n_in, n_out, 1, bias=False, groups=groups_in))
        self.shortcut_norm = MaskedBatchNorm1d(n_out)
        self.act = ACTIVATIONS[activation]()

    def forward(self, x, mask=None):
        h = x
        for conv in self.convs:
            h = conv(h, mask)
        shortcut = self.shortcut_norm(self.shortcut(x), mask)
        return _zero_padding(self.act(h + shortcut), mask)


class ResNet(_TimeSeriesNet):
    """Residual network for time series (Wang et al., 2017): residual blocks, average pool.

    Parameters
    ----------
    n_channels : int
        Channels (variables) of each series.
    n_outputs : int
        Width of the output layer.
    channels : sequence of int, default=(64, 128, 128)
        Width of each residual block (the published network's widths).
    kernel_sizes : sequence of int, default=(8, 5, 3)
        Kernel sizes of the convolutions inside every block.
    activation : {"relu", "tanh", "logistic", "identity", "gelu"}, default="relu"
    dropout : float, default=0.0
        Dropout on the pooled features.
    n_members : int, default=1
        Networks of this shape trained side by side as one ensemble (see
        :class:`_TimeSeriesNet`): InceptionTime's recipe of averaging a few
        independently initialised networks, at the cost of one wider network.
    combine : {"mean", "softmax", "sigmoid"}, default="mean"
        How the members' outputs become one in evaluation mode
        (:func:`combine_members`): "softmax" or "sigmoid" average class
        probabilities, "mean" the raw outputs.
    downsample : int, default=1
        Fold windows of this many steps into one step before the first block
        (:func:`fold_steps`): a series of ``length`` steps and ``c`` channels is read
        as ``ceil(length / downsample)`` steps of ``c * downsample`` channels. Each
        epoch is about that many times cheaper and the kernels see further back;
        unlike averaging, nothing is lost (a sample-to-sample alternation stays
        visible).

    Attributes
    ----------
    n_features_out : int
        Width of :meth:`features` (the last block's width, times ``n_members``).
    feature_part_names, head_part_names : tuple of str
        ``("blocks",)`` and ``("dropout", "head")``.

    Examples
    --------
    >>> import torch
    >>> net = ResNet(1, 2, channels=(8, 16, 16))
    >>> net(torch.randn(3, 1, 40)).shape
    torch.Size([3, 2])
    """

    def __init__(self, n_channels, n_outputs, channels=(64, 128, 128), kernel_sizes=(8, 5, 3),
                 activation="relu", dropout=0.0, n_members=1, combine="mean",
                 downsample=1):
        super().__init__()
        channels = tuple(channels)
        if not channels or not tuple(kernel_sizes):
            raise ValueError(
                f"channels and kernel_sizes must be non-empty; got {channels} and "
                f"{tuple(kernel_sizes)}."
            )
        n_in = self._init_input(n_channels, downsample)
        members = _check_members(n_members, combine)
        widths = (n_in, *(members * c for c in channels))
        self.blocks = nn.ModuleList(
            ResidualBlock(n_in, n_out, tuple(kernel_sizes), activation,
                          groups_in=1 if i == 0 else members, groups=members)
            for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:]))
        )
        self._init_head(channels[-1], n_outputs, dropout, members, combine)


class InceptionModule(nn.Module):
    """InceptionTime's module: bottleneck, parallel convolutions and a max-pool branch.

    The input goes through a 1x1 "bottleneck" convolution (when it has more than one
    channel), then through convolutions of each kernel size side by side; a fourth
    branch max-pools the input (3 wide, stride 1) and applies a 1x1 convolution. The
    branches are concatenated, batch-normalised and activated.
    """

    def __init__(self, n_in, n_filters=32, kernel_sizes=(40, 20, 10), bottleneck=32,
                 activation="relu", groups_in=1, groups=1):
        super().__init__()
        use_bottleneck = bottleneck and n_in // groups_in > 1
        self.bottleneck = (nn.Conv1d(n_in, groups * bottleneck, 1, bias=False,
                                     groups=groups_in) if use_bottleneck else nn.Identity())
        width = groups * bottleneck if use_bottleneck else n_in
        self.convs = nn.ModuleList(
            SameConv1d(width, groups * n_filters, k, bias=False,
                       groups=groups if use_bottleneck else groups_in)
            for k in kernel_sizes
        )
        self.pool_conv = nn.Conv1d(n_in, groups * n_filters, 1, bias=False, groups=groups_in)
        self.groups = groups
        self.n_out = groups * n_filters * (len(kernel_sizes) + 1)
        self.norm = MaskedBatchNorm1d(self.n_out)
        self.act = ACTIVATIONS[activation]()

    def forward(self, x, mask=None):
        b = self.bottleneck(x)
        branches = [conv(b) for conv in self.convs]
        # Padding must not win the max at a series' end: pool with -inf there.
        pooled_in = x if mask is None else x.masked_fill(~mask.unsqueeze(1), float("-inf"))
        pooled = F.max_pool1d(pooled_in, 3, stride=1, padding=1)
        if mask is not None:
            pooled = pooled.masked_fill(~mask.unsqueeze(1), 0.0)
        branches.append(self.pool_conv(pooled))
        if self.groups == 1:
            h = torch.cat(branches, 1)
        else:  # each member's branches side by side: (batch, members * branches * filters)
            h = torch.stack(branches, 1)
            n, n_branches, _, length = h.shape
            h = (h.view(n, n_branches, self.groups, -1, length).transpose(1, 2)
                 .reshape(n, self.n_out, length))
        h = self.norm(h, mask)
        return _zero_padding(self.act(h), mask)


class _InceptionShortcut(nn.Module):
    def __init__(self, n_in, n_out, groups=1):
        super().__init__()
        self.conv = nn.Conv1d(n_in, n_out, 1, bias=False, groups=groups)
        self.norm = MaskedBatchNorm1d(n_out)

    def forward(self, x, mask=None):
        return self.norm(self.conv(x), mask)


class InceptionNet(_TimeSeriesNet):
    """One InceptionTime network (Fawaz et al., 2020): inception modules, average pool.

    InceptionTime itself is an ensemble of five of these (average their
    probabilities).

    Parameters
    ----------
    n_channels : int
        Channels (variables) of each series.
    n_outputs : int
        Width of the output layer.
    n_filters : int, default=32
        Filters of each branch (a module's output has ``4 * n_filters`` channels with
        three kernel sizes).
    depth : int, default=6
        Inception modules.
    kernel_sizes : sequence of int, default=(40, 20, 10)
        Kernel sizes of the parallel convolutions.
    bottleneck : int, default=32
        Width of the 1x1 bottleneck; 0 for none.
    residual : bool, default=True
        A shortcut (1x1 convolution and batch norm) around every three modules.
    activation : {"relu", "tanh", "logistic", "identity", "gelu"}, default="relu"
    dropout : float, default=0.0
        Dropout on the pooled features.
    n_members : int, default=1
        Networks of this shape trained side by side as one ensemble (see
        :class:`FCN`); InceptionTime is ``n_members=5, combine="softmax"``.
    combine : {"mean", "softmax", "sigmoid"}, default="mean"
        How the members' outputs become one in evaluation mode.
    downsample : int, default=1
        Fold windows of this many steps into one step first (see :class:`FCN`).

    Attributes
    ----------
    n_features_out : int
        Width of :meth:`features`.
    feature_part_names, head_part_names : tuple of str
        ``("blocks", "shortcuts")`` and ``("dropout", "head")``.

    Examples
    --------
    >>> import torch
    >>> net = InceptionNet(1, 2, n_filters=4, depth=3, kernel_sizes=(9, 5, 3))
    >>> net(torch.randn(3, 1, 40)).shape, net.n_features_out
    (torch.Size([3, 2]), 16)
    """

    feature_part_names = ("blocks", "shortcuts")

    def __init__(self, n_channels, n_outputs, n_filters=32, depth=6, kernel_sizes=(40, 20, 10),
                 bottleneck=32, residual=True, activation="relu", dropout=0.0, n_members=1,
                 combine="mean", downsample=1):
        super().__init__()
        if depth < 1 or not tuple(kernel_sizes):
            raise ValueError(
                f"depth must be >= 1 and kernel_sizes non-empty; got depth={depth}, "
                f"kernel_sizes={tuple(kernel_sizes)}."
            )
        width = self._init_input(n_channels, downsample)
        self.residual = bool(residual)
        members = _check_members(n_members, combine)
        blocks, shortcuts = [], []
        # The input is read whole; everything after the first module is per member.
        residual_in, residual_groups = width, 1
        for i in range(depth):
            block = InceptionModule(width, n_filters, tuple(kernel_sizes), bottleneck,
                                    activation, groups_in=1 if i == 0 else members,
                                    groups=members)
            blocks.append(block)
            width = block.n_out
            if self.residual and i % 3 == 2:
                shortcuts.append(_InceptionShortcut(residual_in, width, residual_groups))
                residual_in, residual_groups = width, members
        self.blocks = nn.ModuleList(blocks)
        self.shortcuts = nn.ModuleList(shortcuts)
        self.act = ACTIVATIONS[activation]()
        self._init_head(width // members, n_outputs, dropout, members, combine)

    def encode(self, x, mask=None):
        residual = x
        for i, block in enumerate(self.blocks):
            x = block(x, mask)
            if self.residual and i % 3 == 2:
                x = self.act(x + self.shortcuts[i // 3](residual, mask))
                x = _zero_padding(x, mask)
                residual = x
        return x


CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


def masked_average_pool(h, mask, stride):
    """Average pool ``h`` (batch, channels, length) over windows of ``stride`` steps,
    observed steps only; a window is observed if any of its steps is (the last window
    may be partial)."""
    if stride <= 1:
        return h, mask
    if mask is None:
        return F.avg_pool1d(h, stride, stride, ceil_mode=True), None
    weight = mask.unsqueeze(1).to(h.dtype)
    total = F.avg_pool1d(h * weight, stride, stride, ceil_mode=True)
    count = F.avg_pool1d(weight, stride, stride, ceil_mode=True)
    pooled_mask = count[:, 0] > 0
    return _zero_padding(total / count.clamp_min(1e-12), pooled_mask), pooled_mask


class ConvRecurrentNet(nn.Module):
    """A recurrent network for time series: [conv front end ->] LSTM -> pooling over time.

    The front end (LSTM-FCN's idea, Karim et al. 2017) is "same"-padded conv blocks
    with batch norm; its output is average-pooled by ``downsample`` steps, so that the
    recurrent layer reads long series in a few hundred steps; the recurrent layer's
    outputs are averaged over each series' observed steps (``pool="mean"``) or its
    state after the last observed step is taken (``pool="last"``, the classic
    reading). Input, masking and unequal lengths as for :class:`FCN`:
    ``(batch, channels, length)``, NaN padding at the end.

    Parameters
    ----------
    n_channels : int
        Channels (variables, features per step) of each series.
    n_outputs : int
        Width of the output layer.
    cell : {"lstm", "gru", "rnn"}, default="lstm"
    hidden_size : int, default=64
    num_layers : int, default=1
        Stacked recurrent layers (dropout between them when ``dropout`` > 0).
    front_channels : sequence of int, default=(64, 64)
        Channels of each conv block of the front end; empty for none (the recurrent
        layer then reads the series itself).
    front_kernel_sizes : sequence of int, default=(8, 5)
        Kernel sizes of the front end's blocks.
    downsample : int, default=1
        Average-pool the front end's output by this many steps (fixed when the
        network is built, so that a series reads the same in any batch; for example
        ``ceil(training length / 128)``).
    pool : {"mean", "last"}, default="mean"
        Average of the recurrent outputs over the observed steps, or the final state
        (both directions' final states, concatenated, when bidirectional).
    bidirectional : bool, default=False
    dropout : float, default=0.0
        Dropout on the pooled features (and between stacked recurrent layers).
    forget_bias : float or None, default=1.0
        Initial forget-gate bias of an LSTM (as :class:`~sknn.modules.RecurrentNet`).

    Attributes
    ----------
    n_features_out : int
    feature_part_names, head_part_names : tuple of str
        ``("front", "rnn")`` and ``("dropout", "head")``.

    Examples
    --------
    >>> import torch
    >>> net = ConvRecurrentNet(3, 2, hidden_size=8, front_channels=(8,), front_kernel_sizes=(3,))
    >>> net(torch.randn(4, 3, 20)).shape
    torch.Size([4, 2])
    """

    feature_part_names = ("front", "rnn")
    head_part_names = ("dropout", "head")

    def __init__(self, n_channels, n_outputs, cell="lstm", hidden_size=64,
                 front_channels=(64, 64), front_kernel_sizes=(8, 5), downsample=1,
                 pool="mean", bidirectional=False, dropout=0.0, forget_bias=1.0,
                 num_layers=1):
        super().__init__()
        front_channels, front_kernel_sizes = tuple(front_channels), tuple(front_kernel_sizes)
        if len(front_channels) != len(front_kernel_sizes):
            raise ValueError(
                f"front_channels and front_kernel_sizes must be of the same length; got "
                f"{front_channels} and {front_kernel_sizes}."
            )
        if pool not in ("mean", "last"):
            raise ValueError(f"pool must be 'mean' or 'last'; got {pool!r}.")
        if int(downsample) < 1:
            raise ValueError(f"downsample must be >= 1; got {downsample}.")
        self.n_channels, self.pool, self.downsample = int(n_channels), pool, int(downsample)
        widths = (self.n_channels, *front_channels)
        self.front = nn.ModuleList(
            ConvBlock(a, b, k) for a, b, k in zip(widths[:-1], widths[1:], front_kernel_sizes)
        )
        self.cell = cell
        self.rnn = CELLS[cell](widths[-1], hidden_size, num_layers=int(num_layers),
                               batch_first=True, bidirectional=bidirectional,
                               dropout=dropout if num_layers > 1 else 0.0)
        if cell == "lstm" and forget_bias is not None:
            with torch.no_grad():  # torch's gate order: input, forget, cell, output
                for name, param in self.rnn.named_parameters():
                    if name.startswith("bias_ih"):
                        param[hidden_size:2 * hidden_size] = forget_bias
                    elif name.startswith("bias_hh"):
                        param[hidden_size:2 * hidden_size] = 0.0
        self.n_features_out = hidden_size * (2 if bidirectional else 1)
        self.dropout = nn.Dropout(dropout) if dropout else nn.Identity()
        self.head = nn.Linear(self.n_features_out, n_outputs)

    def features(self, x, mask=None):
        """The recurrent outputs pooled over time, shape (batch, ``n_features_out``)."""
        x, mask = series_mask(x, mask)
        if x.shape[1] != self.n_channels:
            raise ValueError(
                f"expected {self.n_channels} channel(s) (batch, channels, length); got "
                f"a batch of shape {tuple(x.shape)}."
            )
        for block in self.front:
            x = block(x, mask)
        x, mask = masked_average_pool(x, mask, self.downsample)
        seq = x.transpose(1, 2)  # (batch, time, channels)
        if mask is not None and self.rnn.bidirectional:
            # Backwards, the padding would come first: pack.
            lengths = mask.sum(1).clamp_min(1).cpu()
            packed = nn.utils.rnn.pack_padded_sequence(seq, lengths, batch_first=True,
                                                       enforce_sorted=False)
            out, state = self.rnn(packed)
            out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True,
                                                      total_length=seq.shape[1])
        else:
            # One direction: reading on into the padding cannot change the past.
            out, state = self.rnn(seq)
        if self.pool == "mean":
            return masked_global_average(out.transpose(1, 2), mask)
        if self.rnn.bidirectional:
            # Each direction's final state (the backward one ends at the first step).
            hidden = state[0] if self.cell == "lstm" else state
            return torch.cat((hidden[-2], hidden[-1]), 1)
        if mask is None:
            return out[:, -1]
        last = mask.sum(1).clamp_min(1) - 1
        return out[torch.arange(len(out), device=out.device), last]

    def forward(self, x, mask=None):
        return self.head(self.dropout(self.features(x, mask)))
