"""The GAN's torch side, beside the engine: :class:`GANNet`, the skorch net whose
training step alternates critic and generator updates, and the functions that run a
trained :class:`~sknn.modules.TabularGAN` (generating rows, calibrating the
categories' frequencies, scoring rows with the critic).

:class:`~sknn.GANSampler` is the estimator; this module knows nothing of tables or
labels beyond encoded rows and class codes.
"""

import numpy as np
import torch

from . import _engine
from ._tasks import Task
from ._validation import encode_classification_target
from .modules.gan import AdversarialLoss, critic_scores, negative_energy_distance, row_layout

__all__ = ["GANNet", "generate", "set_state_frequencies", "calibrate_states",
           "companion_rows", "critic_row_scores"]


class GANNet(_engine.SknnNet):
    """The engine's skorch net with a GAN's training step.

    Each step trains the critic ``critic_steps`` times (on the iterator's batch,
    then on batches of random rows) and the generator once. Both networks live in
    one :class:`~sknn.modules.gan.TabularGAN` and share one optimizer: a step
    updates only the network whose gradients it computed (the other's are None,
    which Adam and SGD skip). ``train_loss`` is the critic's loss (for WGAN-GP,
    minus the estimated Wasserstein distance), ``generator_loss`` the generator's.
    With a validation set, ``valid_score`` is minus the energy distance between
    held-out rows and as many generated rows.

    Parameters
    ----------
    module : TabularGAN
    criterion : AdversarialLoss
    critic_steps : int, default=5
    **kwargs
        See :class:`sknn._engine.SknnNet`.
    """

    MAX_VALIDATION_ROWS = 2000

    def __init__(self, module, criterion, *, critic_steps=5, **kwargs):
        super().__init__(module, criterion, **kwargs)
        self.critic_steps = critic_steps

    def l2_penalty_for_report(self):
        return 0.0  # the adversarial losses are reported as they are

    @property
    def _dtype(self):
        """The parameters' dtype: noise, conditions and losses are made in it (float32
        under mixed precision, whose forward passes return half-precision scores)."""
        return _engine.parameter_dtype(self.precision)

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        self._train_data = X
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        finally:
            self._train_data = None

    # -- batches ---------------------------------------------------------------
    def _random_rows(self, n):
        data = self._train_data
        index = torch.randint(len(data), (n,), generator=self.generator).to(data.device)
        X, y, _ = data.rows(index)
        return X, y

    def _full_batch(self, X, y):
        """The iterator's batch topped up with random rows to ``batch_size`` rows (a
        multiple of the pack size), in random order (packs differ every step)."""
        missing = self.batch_size - len(X)
        if missing > 0:
            X2, y2 = self._random_rows(missing)
            X = torch.cat([X, X2])
            y = None if y is None else torch.cat([y, y2])
        order = torch.randperm(len(X), generator=self.generator).to(X.device)
        return X[order], None if y is None else y[order]

    def _conditions(self, labels):
        gan = self.module_
        if labels is None or not gan.n_conditions:
            return None
        return _one_hot(labels, gan.n_conditions, self._dtype)

    def _noise(self, n, device):
        return torch.randn(n, self.module_.latent_dim, device=device, dtype=self._dtype)

    def _l1(self, network, n_rows):
        if not self.l1:
            return 0.0
        return self.l1 * sum(p.abs().sum() for p in network.parameters() if p.ndim > 1) / n_rows

    def _optimizer_step(self, loss, network):
        self.optimizer_.zero_grad(set_to_none=True)
        loss.backward()
        if self._batch_hooks["on_grad_computed"]:
            self.notify("on_grad_computed", named_parameters=list(network.named_parameters()),
                        batch=None, training=True)
        self.optimizer_.step()

    # -- the step --------------------------------------------------------------
    def train_step(self, batch, **fit_params):
        gan, adversarial = self.module_, self.criterion_
        X, y, _ = batch
        real, labels = self._full_batch(X, y)
        n, device, steps = len(real), real.device, self.critic_steps
        if steps > 1:  # the later critic steps train on random rows, drawn at once
            more, more_labels = self._random_rows(n * (steps - 1))
            real = torch.cat([real, more])
            labels = None if labels is None else torch.cat([labels, more_labels])
        all_real, all_cond = real, self._conditions(labels)
        # the generator is fixed while the critic learns: one pass makes every
        # critic step's generated rows
        with torch.no_grad(), self.autocast():
            all_fake = gan.generator(self._noise(n * steps, device), all_cond,
                                     hard=True).to(self._dtype)
        critic_losses = []
        for k in range(steps):
            rows = slice(k * n, (k + 1) * n)
            real, fake = all_real[rows], all_fake[rows]
            cond = None if all_cond is None else all_cond[rows]
            with self.autocast():  # mixed precision: the losses are taken in float32
                d_real, d_fake, penalty = critic_scores(gan.critic, real, fake, cond,
                                                        penalty=adversarial.uses_penalty())
            d_real, d_fake = d_real.to(self._dtype), d_fake.to(self._dtype)
            penalty = None if penalty is None else penalty.to(self._dtype)
            loss = adversarial.critic_loss(d_real, d_fake).mean()
            total = loss + self._l1(gan.critic, n)
            if penalty is not None:
                total = total + adversarial.penalty * penalty.mean()
            self._optimizer_step(total, gan.critic)
            critic_losses.append(loss.detach())
        gan.critic.requires_grad_(False)
        try:  # the generator step uses the iterator batch's labels
            cond = None if all_cond is None else all_cond[:n]
            with self.autocast():
                scores = gan.critic(gan.generator(self._noise(n, device), cond, hard=True),
                                    cond)
            g_loss = adversarial.generator_loss(scores.to(self._dtype)).mean()
            self._optimizer_step(g_loss + self._l1(gan.generator, n), gan.generator)
        finally:
            gan.critic.requires_grad_(True)
        gan.update_average()
        self._generator_losses.append(g_loss.detach())
        return {"loss": torch.stack(critic_losses).mean(), "y_pred": None}

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        if not training:
            self._validation_epoch(iterator.data)
            return
        self._generator_losses = []
        super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)
        self.history.record("generator_loss", float(torch.stack(self._generator_losses).mean()))

    def _validation_epoch(self, data):
        gan = self.module_
        gan.eval()
        n = min(len(data), self.MAX_VALIDATION_ROWS)
        real, labels, _ = data.rows(slice(0, n))
        with torch.no_grad(), self.autocast():
            fake = gan(self._noise(n, real.device), self._conditions(labels)).to(self._dtype)
            score = float(self.score_fn(fake, real)) if self.score_fn else float("nan")
        self.history.record("valid_loss", -score)
        self.history.record("valid_score", score)



class _GANNetFactory:
    """Builds :class:`GANNet` with the estimator's ``critic_steps`` (picklable, unlike
    a lambda)."""

    def __init__(self, critic_steps):
        self.critic_steps = critic_steps

    def __call__(self, module, criterion, **kwargs):
        return GANNet(module, criterion, critic_steps=self.critic_steps, **kwargs)


# --------------------------------------------------------------------------- trained GAN


def _one_hot(codes, n_conditions, dtype):
    return torch.nn.functional.one_hot(codes, n_conditions).to(dtype)


def generate(gan, n_samples, codes, seed, precision):
    """Encoded rows generated by a trained GAN, in batches, under a fixed seed.

    Parameters
    ----------
    gan : TabularGAN
        The trained networks (rows come from its averaged generator).
    n_samples : int
        Number of rows.
    codes : ndarray of shape (n_samples,) or None
        Each row's class code, for a conditional GAN; None for an unconditional one.
    seed : int
        Seeds the noise (on the GAN's device); the caller's random state is left as
        it was.
    precision : str
        The estimator's ``precision`` (autocast dtype).

    Returns
    -------
    rows : ndarray of shape (n_samples, n_encoded)
        float32 (float64 for ``precision="float64"``).
    """
    device = _engine.module_device(gan)
    dtype = _engine.parameter_dtype(precision)
    chunks = []
    with (_engine.seeded(seed, device), torch.inference_mode(),
          _engine.autocast(device, precision)):
        for start in range(0, n_samples, _engine.PREDICT_BATCH_SIZE):
            stop = min(n_samples, start + _engine.PREDICT_BATCH_SIZE)
            noise = torch.randn(stop - start, gan.latent_dim, device=device, dtype=dtype)
            cond = None
            if codes is not None:
                labels = torch.as_tensor(codes[start:stop], device=device)
                cond = _one_hot(labels, gan.n_conditions, dtype)
            chunks.append(gan(noise, cond).to(dtype).cpu())
    return torch.cat(chunks).numpy() if chunks else np.empty((0, 0))


def set_state_frequencies(gan, blocks, datasets):
    """Store in ``gan`` each state's frequency in the training rows, per class.

    The states are the categories' and the missing flags' one-hot columns of
    ``blocks``; the frequencies (``gan.state_frequencies``) are what
    :func:`calibrate_states` aims at. All the rows count, validation rows
    included; a state a class never has counts half a row. The calibration of an
    earlier fit (``gan.state_bias``) is cleared (``warm_start``: the data may
    have changed).

    Parameters
    ----------
    gan : TabularGAN
    blocks : list of (str, int)
        The table's blocks, as the GAN was built with.
    datasets : list of InMemoryData or None
        The encoded training rows with their class codes (None entries are skipped).
    """
    gan.state_bias.zero_()
    if not gan.generator.n_states:
        return
    state_index = torch.as_tensor(row_layout(blocks)[1])
    sums = torch.zeros(gan.state_frequencies.shape, dtype=torch.float64)  # on the CPU
    counts = torch.zeros(len(sums), dtype=torch.float64)
    for data in filter(None, datasets):
        X, labels, _ = data.rows(slice(0, len(data)))
        states = X[:, state_index.to(X.device)].double().cpu()
        group = (torch.zeros(len(X), dtype=torch.long) if labels is None
                 or not gan.n_conditions else labels.cpu())
        sums.index_add_(0, group, states)
        counts += torch.bincount(group, minlength=len(sums))
    counts = counts.clamp(min=1)[:, None]
    frequencies = torch.maximum(sums / counts, 0.5 / counts)
    gan.state_frequencies.copy_(frequencies)


def calibrate_states(gan, blocks, n, seed, precision, *, conditional, rounds):
    """Shift the generated rows' state logits (``gan.state_bias``) so that categories
    and missing values come out, in each class, at their frequencies in that class's
    training rows (``gan.state_frequencies``).

    Each round adds ``log(p / q)`` to every state's logit, with ``p`` the state's
    frequency in the training rows and ``q`` in ``n`` generated rows (as many of
    each class; the same draws each round): the prior-shift correction of Saerens
    et al. (2002), iterated towards its fixed point. A shift of a logit keeps the
    ranking of the rows' odds, so the dependence the generator learned is kept, and
    the value head then makes each row's numbers for the states it got.

    Parameters
    ----------
    gan : TabularGAN
    blocks : list of (str, int)
        The table's blocks, as the GAN was built with.
    n : int
        Generated rows per round.
    seed : int
        Seeds the generated rows (the same in every round).
    precision : str
        The estimator's ``precision``.
    conditional : bool
        Whether the GAN was fitted with labels.
    rounds : int
        Correction rounds.
    """
    if not gan.generator.n_states:
        return
    n_groups = len(gan.state_bias)
    group = np.arange(n) % n_groups
    codes = group if conditional else None
    state_index = row_layout(blocks)[1]
    target = np.log(gan.state_frequencies.double().cpu().numpy())
    per_group = np.bincount(group, minlength=n_groups)[:, None]
    for _ in range(rounds):
        states = generate(gan, n, codes, seed, precision)[:, state_index].astype(np.float64)
        generated = np.zeros((n_groups, len(state_index)))
        np.add.at(generated, group, states)
        # a state never generated counts half a row
        generated = np.maximum(generated / per_group, 0.5 / per_group)
        step = np.clip(target - np.log(generated), -2.0, 2.0)
        gan.state_bias += torch.as_tensor(step, dtype=gan.state_bias.dtype,
                                          device=gan.state_bias.device)


def companion_rows(gan, n_packs, class_prior, precision):
    """Fixed generated rows that fill the other places of a scored row's critic packs.

    Parameters
    ----------
    gan : TabularGAN
        A trained GAN with ``pac > 1``.
    n_packs : int
        Packs per scored row: ``n_packs * (pac - 1)`` rows are generated.
    class_prior : ndarray of shape (n_classes,) or None
        The training frequencies of the classes, from which the rows' classes are
        drawn; None for an unconditional GAN.
    precision : str
        The estimator's ``precision``.

    Returns
    -------
    rows : tensor of shape (n_packs * (pac - 1), n_encoded)
    codes : tensor of shape (n_packs * (pac - 1),) or None
    """
    n = n_packs * (gan.pac - 1)
    rng = np.random.default_rng(0)
    codes = None if class_prior is None else rng.choice(len(class_prior), size=n,
                                                        p=class_prior)
    rows = torch.as_tensor(generate(gan, n, codes, 0, precision))
    return rows, None if codes is None else torch.as_tensor(codes)


def critic_row_scores(gan, rows, codes, class_prior, *, n_packs, precision):
    """The critic's score of each encoded row.

    Parameters
    ----------
    gan : TabularGAN
    rows : tensor of shape (n_rows, n_encoded)
        Encoded rows.
    codes : ndarray of shape (n_rows,) or None
        Their class codes, for a conditional GAN; None averages the scores over
        the classes, weighted by ``class_prior``.
    class_prior : ndarray of shape (n_classes,) or None
        The classes' training frequencies (None for an unconditional GAN).
    n_packs : int
        With ``gan.pac > 1``, a row is scored in ``n_packs`` packs whose other
        places hold fixed generated rows (:func:`companion_rows`): its score is
        the mean over them.
    precision : str
        The estimator's ``precision``.

    Returns
    -------
    scores : ndarray of shape (n_rows,), float64
    """
    n = len(rows)
    if class_prior is None or codes is not None:
        options = [(codes, 1.0)]
    else:
        options = [(np.full(n, k), w) for k, w in enumerate(class_prior) if w]
    companions = (companion_rows(gan, n_packs, class_prior, precision) if gan.pac > 1
                  else None)
    total = torch.zeros(n, dtype=torch.float64)
    for codes, weight in options:
        total += weight * _critic_scores(gan, rows, codes, companions, precision).double()
    return total.numpy()


def _critic_scores(gan, rows, codes, companions, precision):
    """The mean critic score of each row, over its packs with ``companions``."""
    device = _engine.module_device(gan)
    dtype = _engine.parameter_dtype(precision)
    critic = gan.critic
    n_cond = gan.n_conditions

    def with_cond(x, c):
        if not n_cond:
            return x
        return torch.cat([x, _one_hot(c, n_cond, dtype)], 1)

    x = with_cond(rows.to(dtype), None if codes is None else torch.as_tensor(codes))
    if gan.pac == 1:
        packs = [x]
    else:
        ref_rows, ref_codes = companions
        ref = with_cond(ref_rows.to(dtype), ref_codes).reshape(-1, (gan.pac - 1) * x.shape[1])
        packs = [torch.cat([x, r.expand(len(x), -1)], 1) for r in ref]
    gan.eval()
    batch = _engine.PREDICT_BATCH_SIZE
    with torch.inference_mode(), _engine.autocast(device, precision):
        scores = [torch.cat([critic.score_packs(p[i:i + batch].to(device)).to(dtype).cpu()
                             for i in range(0, len(p), batch)])
                  for p in packs]
    return torch.stack(scores).mean(0)


class AdversarialTask(Task):
    """The GAN's kind of learning: a generator against a critic.

    The target is optional class labels (a conditional GAN); the "loss" pair is
    :class:`~sknn.modules.gan.AdversarialLoss`, the validation score minus the
    energy distance between generated and held-out rows, and the training step
    :class:`GANNet`'s alternating updates.

    Parameters
    ----------
    loss : {"wgan-gp", "bce"}
    gradient_penalty : float
    critic_steps : int
    """

    loss_stops_training = False  # a GAN's losses say nothing about convergence

    def __init__(self, loss="wgan-gp", gradient_penalty=10.0, critic_steps=5):
        self.loss = loss
        self.gradient_penalty = gradient_penalty
        self.critic_steps = critic_steps

    def encode(self, X, y, *, classes=None, previous=None):
        if y is None:
            if previous is not None and previous.classes_ is not None:
                raise ValueError("This GANSampler was fitted with y; pass y again to "
                                 "continue training (warm_start).")
            self.classes_ = self.class_counts_ = None
            return None, 0
        if previous is not None and previous.classes_ is None:
            raise ValueError("This GANSampler was fitted without y; warm_start cannot add "
                             "labels. Refit with warm_start=False.")
        known = None if previous is None else previous.classes_
        codes, classes_, kind = encode_classification_target(y, known)
        if kind == "multilabel-indicator":
            raise ValueError("y must be one class label per row, not a multilabel indicator "
                             "matrix.")
        if previous is None:
            self.classes_ = classes_
            self.class_counts_ = np.bincount(codes, minlength=len(classes_))
        else:
            self.classes_, self.class_counts_ = previous.classes_, previous.class_counts_
        return codes, len(self.classes_)

    def criterion(self):
        return AdversarialLoss(self.loss, self.gradient_penalty)

    def score_function(self):
        return negative_energy_distance

    def stratify(self, target):
        return target is not None

    def fitted_attributes(self):
        return {} if self.classes_ is None else {"classes_": self.classes_}

    def net_class(self):
        return _GANNetFactory(self.critic_steps)

    @property
    def class_prior(self):
        """Training frequency of each class (None for an unconditional GAN)."""
        if self.class_counts_ is None:
            return None
        return self.class_counts_ / self.class_counts_.sum()
