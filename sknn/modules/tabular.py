"""A front end for mixed-type tables: numeric columns and categorical codes in, one
float vector out; and an MLP behind it.

Takes what :class:`sknn._tabular.TableEncoder` returns: ``numeric`` (float, already
scaled, with missing indicators) and ``codes`` (int64, one column per categorical
column; code 0 = missing, 1 = unknown, 2... = categories). Categorical columns of
small cardinality are one-hot encoded, larger ones learn an embedding. The unknown
slot is a zero vector in both and never trained (no training row uses it), so an
unseen category contributes nothing instead of a random vector.
"""

import torch
from torch import nn

from .mlp import MLP

UNKNOWN = 1


def embedding_dim_rule(cardinality, rule="auto"):
    """Width of the embedding of a column with ``cardinality`` codes.

    Parameters
    ----------
    cardinality : int
        Number of codes, reserved slots included.
    rule : "auto" or int, default="auto"
        An int is a fixed width. "auto" is ``min(16, round(1.6 * cardinality ** 0.56))``
        (fastai's rule, capped at 16: wider measured no better on the benchmark's tables).

    Returns
    -------
    int
    """
    if rule == "auto":
        return int(min(16, max(2, round(1.6 * cardinality ** 0.56))))
    return int(rule)


class TabularInput(nn.Module):
    """Concatenate numeric columns with one-hot or embedded categorical columns.

    Parameters
    ----------
    n_numeric : int
        Width of the numeric input (scaled columns and missing indicators).
    cardinalities : sequence of int
        Number of codes of each categorical column (categories + the missing and
        unknown slots).
    embedding_dim : "auto" or int, default="auto"
        Width of each embedding (see :func:`embedding_dim_rule`).
    onehot_max_cardinality : int, default=10
        Columns with at most this many codes (reserved slots included) are one-hot
        encoded; larger ones are embedded. 0 embeds every column.

    Attributes
    ----------
    n_features_out : int
        Width of the output vector.
    onehot_columns, embedded_columns : list of int
        Which categorical columns take which path.

    Examples
    --------
    >>> import torch
    >>> front = TabularInput(3, [4, 40])
    >>> front(torch.zeros(2, 3), torch.tensor([[2, 5], [1, 0]])).shape[1] == front.n_features_out
    True
    """

    def __init__(self, n_numeric, cardinalities, embedding_dim="auto", onehot_max_cardinality=10):
        super().__init__()
        self.n_numeric = int(n_numeric)
        self.cardinalities = [int(c) for c in cardinalities]
        self.onehot_columns = [j for j, c in enumerate(self.cardinalities)
                               if c <= onehot_max_cardinality]
        self.embedded_columns = [j for j, c in enumerate(self.cardinalities)
                                 if c > onehot_max_cardinality]
        # One-hot for all such columns at once: one scatter into the concatenated code
        # ranges, then the "unknown" columns (always 0) are dropped.
        offsets, rows, keep = [], 0, []
        for j in self.onehot_columns:
            offsets.append(rows)
            keep += [rows + code for code in range(self.cardinalities[j]) if code != UNKNOWN]
            rows += self.cardinalities[j]
        self.n_onehot_codes = rows
        self.register_buffer("onehot_offsets", torch.tensor(offsets, dtype=torch.long))
        self.register_buffer("onehot_keep", torch.tensor(keep, dtype=torch.long))
        width = len(keep)
        self.embeddings = nn.ModuleList()
        for j in self.embedded_columns:
            card = self.cardinalities[j]
            emb = nn.Embedding(card, embedding_dim_rule(card, embedding_dim))
            with torch.no_grad():
                nn.init.normal_(emb.weight, std=1.0)
                emb.weight[UNKNOWN].zero_()
            self.embeddings.append(emb)
            width += emb.embedding_dim
        self.register_buffer("onehot_index", torch.tensor(self.onehot_columns, dtype=torch.long))
        self.n_features_out = self.n_numeric + width

    def forward(self, numeric, codes=None):
        parts = [numeric]
        if self.onehot_columns:
            rows = codes.index_select(1, self.onehot_index) + self.onehot_offsets
            onehot = numeric.new_zeros(len(codes), self.n_onehot_codes)
            onehot.scatter_(1, rows, 1.0)
            parts.append(onehot.index_select(1, self.onehot_keep))
        for k, emb in enumerate(self.embeddings):
            parts.append(emb(codes[:, self.embedded_columns[k]]))
        return torch.cat(parts, dim=1) if len(parts) > 1 else numeric


class TabularMLP(nn.Module):
    """:class:`TabularInput` followed by :class:`sknn.modules.MLP`.

    Parameters
    ----------
    n_numeric : int
    cardinalities : sequence of int
    n_outputs : int
    hidden_layer_sizes : sequence of int, default=(100,)
    activation : str, default="relu"
    dropout : float, default=0.0
    batch_norm : bool, default=False
    embedding_dim : "auto" or int, default="auto"
    onehot_max_cardinality : int, default=10
        See :class:`TabularInput`.

    Attributes
    ----------
    input : TabularInput
    mlp : MLP
    n_features_out : int
        Width of :meth:`features` (the last hidden layer).

    Examples
    --------
    >>> import torch
    >>> net = TabularMLP(3, [4, 40], n_outputs=2, hidden_layer_sizes=(8,))
    >>> net(torch.zeros(5, 3), torch.full((5, 2), 2)).shape
    torch.Size([5, 2])
    """

    # What ``features`` uses, and what comes after it (a transfer cut drops the latter).
    feature_part_names = ("input", "mlp.hidden")
    head_part_names = ("mlp.output",)

    def __init__(self, n_numeric, cardinalities, n_outputs, hidden_layer_sizes=(100,),
                 activation="relu", dropout=0.0, batch_norm=False, embedding_dim="auto",
                 onehot_max_cardinality=10):
        super().__init__()
        self.input = TabularInput(n_numeric, cardinalities, embedding_dim,
                                  onehot_max_cardinality)
        self.mlp = MLP(self.input.n_features_out, n_outputs, hidden_layer_sizes, activation,
                       dropout, batch_norm)
        self.n_features_out = self.mlp.n_features_out

    def _inputs(self, numeric, codes):
        if codes is None and self.input.cardinalities:
            # One tensor, as sknn's table layout makes it: the numbers, then the codes.
            n = self.input.n_numeric
            numeric, codes = numeric[:, :n], numeric[:, n:].long()
        return self.input(numeric, codes)

    def features(self, numeric, codes=None):
        """The last hidden layer's activations.

        ``numeric`` may also be one tensor of the numeric columns followed by the
        codes (as floats), with ``codes`` None.
        """
        return self.mlp.features(self._inputs(numeric, codes))

    def forward(self, numeric, codes=None):
        return self.mlp(self._inputs(numeric, codes))

    def linear_layers(self):
        """The MLP's ``nn.Linear`` layers in order, output layer last (for the L2 term)."""
        return self.mlp.linear_layers()
