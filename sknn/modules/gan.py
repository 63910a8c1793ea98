"""A generative adversarial network for tables, in plain PyTorch.

A row is encoded as a vector of *blocks*: a numeric column is one value (already
normalised), a categorical column a one-hot block, and a numeric column with missing
values a value followed by a two-state (present, missing) block. The generator maps
noise (and an optional one-hot condition) to raw block outputs; :func:`activate`
turns them into rows: values stay as they are, categorical logits go through a
Gumbel-softmax (soft while training, a hard one-hot sample when generating).

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
    "activate",
    "block_width",
    "critic_scores",
    "gradient_penalty",
    "negative_energy_distance",
]

NUMERIC, CATEGORICAL, NUMERIC_MISSING = "numeric", "categorical", "numeric_missing"


def block_width(kind, size):
    """Width of a block in an encoded row."""
    return {NUMERIC: 1, CATEGORICAL: size, NUMERIC_MISSING: 3}[kind]


def _segments(blocks):
    """Group the blocks into runs the activation treats alike: (kind, start, stop, size)."""
    segments, start = [], 0
    for kind, size in blocks:
        width = block_width(kind, size)
        if kind == NUMERIC and segments and segments[-1][0] == NUMERIC:
            segments[-1] = (NUMERIC, segments[-1][1], start + width, 1)
        else:
            segments.append((kind, start, start + width, size))
        start += width
    return segments


def activate(raw, blocks, temperature=0.2, hard=False):
    """Turn raw generator outputs into encoded rows.

    Parameters
    ----------
    raw : tensor of shape (n, width)
    blocks : sequence of (kind, size)
        ``("numeric", 1)``, ``("categorical", n_categories)`` or
        ``("numeric_missing", 1)``.
    temperature : float
        Gumbel-softmax temperature.
    hard : bool
        One-hot samples (generation) instead of soft relaxed ones (training).

    Returns
    -------
    rows : tensor of shape (n, width)
    """
    return _activate(raw, _segments(blocks), temperature, hard)


def _activate(raw, segments, temperature, hard):
    if len(segments) == 1 and segments[0][0] == NUMERIC:
        return raw
    parts = []
    for kind, start, stop, _ in segments:
        chunk = raw[:, start:stop]
        if kind == NUMERIC:
            parts.append(chunk)
        elif kind == CATEGORICAL:
            parts.append(F.gumbel_softmax(chunk, tau=temperature, hard=hard))
        else:
            state = F.gumbel_softmax(chunk[:, 1:], tau=temperature, hard=hard)
            # a missing value carries no number: the value is scaled by "present"
            parts += [chunk[:, :1] * state[:, :1], state]
    return torch.cat(parts, 1)


def _mlp(n_in, sizes, activation):
    layers, width = [], n_in
    for size in sizes:
        layers += [nn.Linear(width, size), activation()]
        width = size
    return nn.Sequential(*layers), width


class Generator(nn.Module):
    """Noise (+ condition) -> hidden ReLU layers -> raw block outputs.

    Parameters
    ----------
    latent_dim : int
        Width of the noise vector.
    n_conditions : int
        Width of the one-hot condition (0 for an unconditional generator).
    blocks : sequence of (kind, size)
        The row layout (see :func:`activate`).
    hidden_layer_sizes : sequence of int
    temperature : float
        Gumbel-softmax temperature used by :meth:`rows`.
    """

    def __init__(self, latent_dim, n_conditions, blocks, hidden_layer_sizes=(128, 128),
                 temperature=0.2):
        super().__init__()
        self.latent_dim = latent_dim
        self.n_conditions = n_conditions
        self.blocks = [(str(kind), int(size)) for kind, size in blocks]
        self._segments = _segments(self.blocks)
        self.temperature = temperature
        self.n_features_out = sum(block_width(k, s) for k, s in self.blocks)
        self.hidden, width = _mlp(latent_dim + n_conditions, hidden_layer_sizes, nn.ReLU)
        self.output = nn.Linear(width, self.n_features_out)

    def forward(self, noise, conditions=None):
        """Raw outputs (numeric values and categorical logits)."""
        x = noise if conditions is None else torch.cat([noise, conditions], 1)
        return self.output(self.hidden(x))

    def rows(self, noise, conditions=None, hard=False):
        """Encoded rows: soft Gumbel-softmax categories, or one-hot samples if ``hard``."""
        return _activate(self(noise, conditions), self._segments, self.temperature, hard)


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

    @property
    def latent_dim(self):
        return self.generator.latent_dim

    @property
    def pac(self):
        return self.critic.pac

    def forward(self, noise, conditions=None):
        generator = self.generator if self.generator_average is None else self.generator_average
        return generator.rows(noise, conditions, hard=True)

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


def gradient_penalty(critic, real, fake, conditions=None):
    """WGAN-GP's penalty ``(||grad critic(x_hat)|| - 1)^2`` per pack, at random points
    ``x_hat`` between real and generated packs (Gulrajani et al., 2017)."""
    _, _, penalty = critic_scores(critic, real, fake, conditions, penalty=True)
    return penalty


def critic_scores(critic, real, fake, conditions=None, penalty=False):
    """Critic scores of the real and the generated packs, and (with ``penalty``) the
    gradient penalty per pack, from one forward pass over all three sets of packs."""
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
