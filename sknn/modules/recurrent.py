"""Recurrent networks (LSTM, GRU, simple RNN) over batches of sequences.

A batch is a float tensor of shape (batch, time steps, features). Sequences shorter
than the batch's length are marked by NaN padding at the end (every feature of the
trailing steps NaN): the module takes each sequence's state at its last observed
step, so the padding never reaches the result. A batch without NaN runs the
recurrent layer on the whole tensor at once; with NaN, a one-directional network
still does (and reads the outputs at each sequence's end), a bidirectional one
packs the sequences (``pack_padded_sequence``) so that the backward pass starts at
each true end.
"""

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


class RecurrentNet(nn.Module):
    """Recurrent layers, then a linear output layer on the final hidden state.

    Parameters
    ----------
    n_features : int
        Features per time step.
    n_outputs : int
        Width of the output layer (raw scores; no output activation).
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        The recurrent cell: long short-term memory, gated recurrent unit, or the
        simple (Elman, tanh) recurrent layer.
    hidden_size : int, default=64
        Width of the hidden state of each layer (and direction).
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=False
        Also read every sequence backwards; the features are both directions'
        final states, concatenated.
    dropout : float, default=0.0
        Dropout between stacked layers and on the final hidden state.
    forget_bias : float or None, default=1.0
        Initial bias of the LSTM's forget gate (the sum of torch's two bias
        vectors for that gate), so that the cell starts by remembering
        (Gers et al., 2000; Jozefowicz et al., 2015). None keeps torch's
        initialisation. Not used by "gru" and "rnn".

    Attributes
    ----------
    n_features_out : int
        Width of :meth:`features`: ``hidden_size`` times 2 if bidirectional.

    Examples
    --------
    >>> import torch
    >>> net = RecurrentNet(3, 2, hidden_size=8)
    >>> x = torch.zeros(4, 10, 3)
    >>> net(x).shape, net.features(x).shape
    (torch.Size([4, 2]), torch.Size([4, 8]))
    >>> x[0, 6:] = float("nan")  # the first sequence is 6 steps long
    >>> bool(torch.isfinite(net(x)).all())
    True
    """

    # What ``features`` uses, and what comes after it (a transfer cut drops the latter).
    feature_part_names = ("rnn",)
    head_part_names = ("dropout", "output")

    def __init__(self, n_features, n_outputs, cell="lstm", hidden_size=64, num_layers=1,
                 bidirectional=False, dropout=0.0, forget_bias=1.0):
        super().__init__()
        self.cell = cell
        self.rnn = CELLS[cell](
            n_features, hidden_size, num_layers=num_layers, batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0, bidirectional=bidirectional,
        )
        self.n_directions = 2 if bidirectional else 1
        self.n_features_out = hidden_size * self.n_directions
        self.dropout = nn.Dropout(dropout) if dropout else nn.Identity()
        self.output = nn.Linear(self.n_features_out, n_outputs)
        if cell == "lstm" and forget_bias is not None:
            self.init_forget_bias(forget_bias)

    @torch.no_grad()
    def init_forget_bias(self, value):
        """Set every LSTM layer's forget-gate bias to ``value`` (torch's gate order i, f, g, o)."""
        size = self.rnn.hidden_size
        for name, param in self.rnn.named_parameters():
            if name.startswith("bias_ih"):
                param[size:2 * size] = value
            elif name.startswith("bias_hh"):
                param[size:2 * size] = 0.0

    def features(self, x):
        """Final hidden state of the last layer, both directions concatenated.

        For a NaN-padded sequence this is the state after its last observed step.
        """
        missing = torch.isnan(x)
        if missing.any():
            lengths = (~missing.all(2)).sum(1).clamp_min(1)
            x = x.masked_fill(missing, 0.0)
            if self.n_directions == 1:
                # Reading on into the padding cannot change the past: the output at
                # each sequence's last step is exact, and whole-batch kernels stay
                # several times faster than a packed sequence on the CPU.
                out, _ = self._run(x)
                return out[torch.arange(len(x), device=x.device), lengths - 1]
            # Backwards, the padding would come first: pack.
            x = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, state = self._run(x)
        hidden = state[0] if self.cell == "lstm" else state
        last = hidden[-self.n_directions:]  # (directions, batch, hidden)
        return last[0] if self.n_directions == 1 else torch.cat(tuple(last), 1)

    def _run(self, x):
        """The recurrent layers; in float32 on the CPU, even under ``torch.autocast``.

        oneDNN, which runs torch's CPU LSTM, has no float16 or bfloat16 kernel for it
        on most CPUs (a RuntimeError deep inside the fit), so mixed precision applies
        to the other layers only there.
        """
        data = x.data if isinstance(x, PackedSequence) else x
        if data.device.type == "cpu" and _cpu_autocast_enabled():
            with torch.autocast("cpu", enabled=False):
                return self.rnn(x)
        return self.rnn(x)

    def forward(self, x):
        return self.output(self.dropout(self.features(x)))


def _cpu_autocast_enabled():
    try:
        return torch.is_autocast_enabled("cpu")
    except TypeError:  # torch < 2.4
        return torch.is_autocast_cpu_enabled()
