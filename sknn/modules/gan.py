"""A generative adversarial network for tables, in plain PyTorch.

A row is encoded as a vector of *blocks*: a numeric column is one value (already
normalised), a categorical column a one-hot block, and a numeric column with missing
values a value followed by a two-state (present, missing) block. The generator maps
noise (and an optional one-hot condition) to the logits of the states (categories,
missing flags), draws them through a Gumbel-softmax (soft relaxed draws, or one-hot
samples), then computes the numeric values from its hidden features and the drawn
states (see :class:`Generator`).

The critic scores *packs* of ``pac`` rows at once (PacGAN): seeing several rows
together, it can tell when the generator keeps producing the same few rows, which
counters mode collapse.
"""

import copy

import torch
from torch import nn
from torch.nn import functional as F

__all__ = [
    "AdversarialLoss",
    "Critic",
    "Generator",
    "TabularGAN",
    "block_width",
    "critic_scores",
    "draw_states",
    "negative_energy_distance",
    "row_layout",
]

NUMERIC, CATEGORICAL, NUMERIC_MISSING = "numeric", "categorical", "numeric_missing"


def block_width(kind, size):
    """Width of a block in an encoded row."""
    return {NUMERIC: 1, CATEGORICAL: size, NUMERIC_MISSING: 3}[kind]


def draw_states(logits, sizes, temperature=0.2, hard=False):
    """Draw each group of state logits through a Gumbel-softmax.

    Parameters
    ----------
    logits : tensor of shape (n, sum(sizes))
        Consecutive groups of logits, one group per categorical variable.
    sizes : sequence of int
        Width of each group.
    temperature : float, default=0.2
        Gumbel-softmax temperature of the soft draws.
    hard : bool, default=False
        One-hot samples (with the soft draws' gradients: straight-through) instead
        of soft relaxed ones.

    Returns
    -------
    states : tensor of shape (n, sum(sizes))

    Examples
    --------
    >>> import torch
    >>> states = draw_states(torch.zeros(4, 5), [2, 3], hard=True)
    >>> states.sum(1).tolist()
    [2.0, 2.0, 2.0, 2.0]
    """
    if len(sizes) == 1:
        return F.gumbel_softmax(logits, tau=temperature, hard=hard)
    return torch.cat([F.gumbel_softmax(chunk, tau=temperature, hard=hard)
                      for chunk in logits.split(list(sizes), dim=1)], 1)


def _mlp(n_in, sizes, activation):
    layers, width = [], n_in
    for size in sizes:
        layers += [nn.Linear(width, size), activation()]
        width = size
    return nn.Sequential(*layers), width


def row_layout(blocks):
    """Where a row's numeric values and its states (category one-hots, and the
    present / missing pair of a numeric column with missing values) sit.

    Parameters
    ----------
    blocks : sequence of (kind, size)
        The row layout: ``("numeric", 1)``, ``("categorical", n_categories)`` or
        ``("numeric_missing", 1)`` per column.

    Returns
    -------
    value_index, state_index : list of int
        Positions in the encoded row.
    state_sizes : list of int
        The width of each group of states (a category's one-hot, a present /
        missing pair), in row order.
    present_index : list of int
        For each value, the position among the states of its "present" entry, or
        -1 for a column without missing values.
    """
    value_index, state_index, state_sizes, present_index, start = [], [], [], [], 0
    for kind, size in blocks:
        if kind == NUMERIC:
            value_index.append(start)
            present_index.append(-1)
        elif kind == CATEGORICAL:
            state_index += range(start, start + size)
            state_sizes.append(size)
        else:
            value_index.append(start)
            present_index.append(len(state_index))
            state_index += [start + 1, start + 2]
            state_sizes.append(2)
        start += block_width(kind, size)
    return value_index, state_index, state_sizes, present_index


class Generator(nn.Module):
    """Noise (+ condition) -> hidden ReLU layers -> an encoded row, in two heads.

    The *state* head turns the hidden features into logits of the categories (and
    of "missing" for numeric columns with missing values), which are then drawn
    (Gumbel-softmax). The *value* head computes the numeric values from the hidden
    features **and the drawn states**: a number is made knowing which category the
    row got, as a price knows the grade of its stone. Without that, numbers and
    categories are computed side by side from the same features and the
    categories' Gumbel noise, which the numbers never see, blurs the dependence
    between them (see ``benchmarks/bench_gan.py``).

    Parameters
    ----------
    latent_dim : int
        Width of the noise vector.
    n_conditions : int
        Width of the one-hot condition (0 for an unconditional generator).
    blocks : sequence of (kind, size)
        The row layout: ``("numeric", 1)``, ``("categorical", n_categories)`` or
        ``("numeric_missing", 1)`` per column.
    hidden_layer_sizes : sequence of int
    temperature : float
        Gumbel-softmax temperature of the soft (training) draws.
    """

    def __init__(self, latent_dim, n_conditions, blocks, hidden_layer_sizes=(128, 128),
                 temperature=0.2):
        super().__init__()
        self.latent_dim = latent_dim
        self.n_conditions = n_conditions
        self.blocks = [(str(kind), int(size)) for kind, size in blocks]
        self.temperature = temperature
        self.n_features_out = sum(block_width(k, s) for k, s in self.blocks)
        values, states, self._state_sizes, present = row_layout(self.blocks)
        self.n_values, self.n_states = len(values), len(states)
        # cat([values, states], 1)[:, order] puts each entry at its place in the row
        order = torch.argsort(torch.tensor(values + states))
        identity = torch.equal(order, torch.arange(len(order)))
        self.register_buffer("_order", None if identity else order, persistent=False)
        has_missing = any(p >= 0 for p in present)
        self.register_buffer(
            "_present", torch.tensor(present) if has_missing else None, persistent=False)
        self.hidden, width = _mlp(latent_dim + n_conditions, hidden_layer_sizes, nn.ReLU)
        self.state_logits = nn.Linear(width, self.n_states) if self.n_states else None
        self.values = (nn.Linear(width + self.n_states, self.n_values) if self.n_values
                       else None)

    def forward(self, noise, conditions=None, hard=False, state_bias=None):
        """Encoded rows.

        Parameters
        ----------
        noise : tensor of shape (n, latent_dim)
        conditions : tensor of shape (n, n_conditions) or None
        hard : bool, default=False
            One-hot states (straight-through) instead of soft relaxed ones.
        state_bias : tensor broadcastable to (n, n_states) or None
            Added to the state logits (the calibration of the categories'
            frequencies).

        Returns
        -------
        rows : tensor of shape (n, n_features_out)
        """
        x = noise if conditions is None else torch.cat([noise, conditions], 1)
        h = self.hidden(x)
        parts = []
        states = None
        if self.state_logits is not None:
            logits = self.state_logits(h)
            if state_bias is not None:
                logits = logits + state_bias
            states = draw_states(logits, self._state_sizes, self.temperature, hard)
        if self.values is not None:
            values = self.values(h if states is None else torch.cat([h, states], 1))
            if self._present is not None:  # a missing value carries no number
                present = torch.cat([torch.ones_like(values[:, :1]), states], 1)
                values = values * present[:, self._present + 1]
            parts.append(values)
        if states is not None:
            parts.append(states)
        rows = torch.cat(parts, 1) if len(parts) > 1 else parts[0]
        return rows if self._order is None else rows[:, self._order]


class Critic(nn.Module):
    """Scores packs of ``pac`` rows (with their conditions): higher is more real.

    Parameters
    ----------
    n_features : int
        Width of an encoded row.
    n_conditions : int
        Width of the one-hot condition.
    hidden_layer_sizes : sequence of int
    pac : int
        Rows per pack; the batch size must be a multiple of it.
    dropout : float
        Dropout after each hidden layer.
    """

    def __init__(self, n_features, n_conditions=0, hidden_layer_sizes=(128, 128), pac=1,
                 dropout=0.0):
        super().__init__()
        self.pac = pac
        self.n_inputs = n_features + n_conditions
        layers, width = [], self.n_inputs * pac
        for size in hidden_layer_sizes:
            layers += [nn.Linear(width, size), nn.LeakyReLU(0.2)]
            if dropout:
                layers.append(nn.Dropout(dropout))
            width = size
        self.hidden = nn.Sequential(*layers)
        self.output = nn.Linear(width, 1)

    def pack(self, rows, conditions=None):
        """(n, d) rows -> (n / pac, pac * (d + n_conditions)) packs."""
        x = rows if conditions is None else torch.cat([rows, conditions], 1)
        return x.reshape(-1, self.pac * self.n_inputs)

    def score_packs(self, packs):
        """One score per pack."""
        return self.output(self.hidden(packs))[:, 0]

    def forward(self, rows, conditions=None):
        return self.score_packs(self.pack(rows, conditions))


class TabularGAN(nn.Module):
    """A generator and its critic, in one module (what ``GANSampler.module_`` holds).

    Calling the module generates encoded rows (one-hot categories) with
    ``generator_average``, an exponential moving average of the trained
    ``generator``'s weights (Polyak averaging, which smooths out the last steps'
    oscillations of adversarial training), or with ``generator`` itself when
    ``average_decay`` is 0.

    Parameters
    ----------
    blocks : sequence of (kind, size)
        The row layout.
    n_conditions : int, default=0
        Number of classes of a conditional GAN (0: unconditional).
    latent_dim : int, default=64
    generator_layer_sizes, critic_layer_sizes : sequence of int, default=(128, 128)
    pac : int, default=1
    temperature : float, default=0.2
    critic_dropout : float, default=0.0
    average_decay : float, default=0.99
        Decay of the moving average; 0 keeps no average.

    Attributes
    ----------
    state_frequencies : tensor of shape (max(1, n_conditions), n_states)
        A buffer: each state's frequency in the training rows of each class
        (``GANSampler`` sets it before training; what its calibration aims at).
    state_bias : tensor of shape (max(1, n_conditions), n_states)
        A buffer added to the state logits of the generated rows of each class (0
        while training; ``GANSampler`` sets it after training so that categories
        and missing values come out at their training frequencies).

    Examples
    --------
    >>> import torch
    >>> gan = TabularGAN([("numeric", 1), ("categorical", 3)], latent_dim=8, pac=2)
    >>> rows = gan(torch.zeros(4, 8))
    >>> rows.shape, gan.critic(rows).shape
    (torch.Size([4, 4]), torch.Size([2]))
    """

    def __init__(self, blocks, n_conditions=0, latent_dim=64, generator_layer_sizes=(128, 128),
                 critic_layer_sizes=(128, 128), pac=1, temperature=0.2, critic_dropout=0.0,
                 average_decay=0.99):
        super().__init__()
        self.n_conditions = n_conditions
        self.average_decay = average_decay
        self.generator = Generator(latent_dim, n_conditions, blocks, generator_layer_sizes,
                                   temperature)
        self.critic = Critic(self.generator.n_features_out, n_conditions, critic_layer_sizes,
                             pac, critic_dropout)
        self.generator_average = None
        if average_decay:
            self.generator_average = copy.deepcopy(self.generator).requires_grad_(False)
        self.register_buffer("n_averaged", torch.zeros((), dtype=torch.long))
        # GANSampler's calibration of the categories' frequencies, one row per class
        # (one row for an unconditional GAN): the training rows' state frequencies,
        # and the shift of the state logits learned after training (0 while training)
        groups = (max(1, n_conditions), self.generator.n_states)
        self.register_buffer("state_frequencies", torch.ones(groups))
        self.register_buffer("state_bias", torch.zeros(groups))

    @property
    def latent_dim(self):
        return self.generator.latent_dim

    @property
    def pac(self):
        return self.critic.pac

    def forward(self, noise, conditions=None):
        generator = self.generator if self.generator_average is None else self.generator_average
        bias = None
        if self.generator.n_states:
            bias = (self.state_bias[0] if conditions is None or not self.n_conditions
                    else self.state_bias[conditions.argmax(1)])
        return generator(noise, conditions, hard=True, state_bias=bias)

    @torch.no_grad()
    def update_average(self):
        """Move ``generator_average`` towards ``generator`` (call after each generator
        step). The decay warms up as ``(1 + t) / (10 + t)`` over the first steps, so
        that the average forgets the untrained start."""
        if self.generator_average is None:
            return
        t = int(self.n_averaged)
        self.n_averaged += 1
        decay = min(self.average_decay, (1 + t) / (10 + t))
        torch._foreach_lerp_(list(self.generator_average.parameters()),
                             list(self.generator.parameters()), 1 - decay)


def critic_scores(critic, real, fake, conditions=None, penalty=False):
    """Critic scores of the real and the generated packs, and (with ``penalty``) the
    gradient penalty per pack, from one forward pass over all three sets of packs.

    The penalty is WGAN-GP's ``(||grad critic(x_hat)|| - 1)^2`` at random points
    ``x_hat`` between real and generated packs (Gulrajani et al., 2017).
    """
    real_packs = critic.pack(real, conditions)
    fake_packs = critic.pack(fake, conditions)
    n = real_packs.shape[0]
    if not penalty:
        scores = critic.score_packs(torch.cat([real_packs, fake_packs]))
        return scores[:n], scores[n:], None
    alpha = torch.rand(n, 1, device=real.device, dtype=real.dtype)
    mixed = torch.lerp(fake_packs, real_packs, alpha).detach().requires_grad_(True)
    scores = critic.score_packs(torch.cat([real_packs, fake_packs, mixed]))
    (grad,) = torch.autograd.grad(scores[2 * n:].sum(), mixed, create_graph=True)
    return scores[:n], scores[n:2 * n], (grad.norm(2, dim=1) - 1).pow(2)


class AdversarialLoss(nn.Module):
    """The two players' per-pack losses.

    Parameters
    ----------
    kind : {"wgan-gp", "bce"}, default="wgan-gp"
        "wgan-gp": Wasserstein critic with gradient penalty; "bce": the classic GAN
        (binary cross-entropy on logits, non-saturating generator loss).
    penalty : float, default=10.0
        Weight of the gradient penalty ("wgan-gp" only).
    """

    def __init__(self, kind="wgan-gp", penalty=10.0):
        super().__init__()
        self.kind = kind
        self.penalty = penalty

    def critic_loss(self, real_scores, fake_scores):
        if self.kind == "bce":
            return F.softplus(-real_scores) + F.softplus(fake_scores)
        return fake_scores - real_scores

    def generator_loss(self, fake_scores):
        if self.kind == "bce":
            return F.softplus(-fake_scores)
        return -fake_scores

    def uses_penalty(self):
        return self.kind == "wgan-gp" and self.penalty > 0


def negative_energy_distance(fake, real):
    """Minus the energy distance ``2 E|X - Y| - E|X - X'| - E|Y - Y'|`` between two sets
    of encoded rows: 0 for identical distributions, negative otherwise (higher is
    better, as a validation score)."""
    between = torch.cdist(fake, real).mean()
    return -(2 * between - torch.cdist(fake, fake).mean() - torch.cdist(real, real).mean())
