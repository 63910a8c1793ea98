"""GANSampler: a generative adversarial network that learns a table and samples
new rows like it.

The table is encoded once (numbers through a quantile transform to a normal
distribution, which keeps skewed and multi-modal columns; categories one-hot),
a generator learns to produce encoded rows from noise against a critic that
scores packs of rows, and :meth:`GANSampler.sample` decodes generated rows back
into the user's columns and dtypes (numbers through a calibration, learned after
training, that gives each column the real column's distribution). skorch runs the
training loop through :class:`GANNet`, the engine's net with a training step that
alternates critic and generator updates.
"""

import copy
import numbers
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from sklearn.preprocessing import QuantileTransformer
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _engine
from ._validation import (
    Interval,
    StrOptions,
    architecture,
    check_architecture_unchanged,
    check_network_size,
    encode_classification_target,
    validate_features,
)
from .base import (
    COMMON_PARAMETERS_DOC,
    NeuralEstimator,
    _positive_int_tuple,
    fill_doc,
    store_parameters,
)
from .metrics import is_numeric_column
from .modules.gan import (
    CATEGORICAL,
    NUMERIC,
    NUMERIC_MISSING,
    AdversarialLoss,
    TabularGAN,
    block_width,
    critic_scores,
    negative_energy_distance,
    row_layout,
)

__all__ = ["GANSampler", "GANNet"]

_STRATEGIES = {"auto", "minority", "not minority", "not majority", "all"}


# --------------------------------------------------------------------------- encoding


def _dtype_family(dtype):
    """Coarse dtype kind used to notice a column whose dtype changed since fit."""
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        return "string"
    return str(dtype)


def _sorted_values(values):
    try:
        return sorted(values)
    except TypeError:  # mixed types: keep the order of first appearance
        return list(values)


def _value_grid(values, dtype):
    """The regular grid ``(origin, step, decimals)`` the values lie on, or None.

    Recorded values usually have a resolution: whole numbers, 0.1 mm, multiples of
    25 g. Generated values are rounded onto it, so that they look like the data
    (off-grid values are easy to spot) and integers stay integers.
    """
    values = np.unique(values)
    if len(values) < 2 or np.abs(values).max() >= 1e12:
        return None
    eps = 100 * np.finfo(dtype if np.dtype(dtype).kind == "f" else np.float64).eps
    for decimals in range(7):
        scaled = values * 10.0 ** decimals
        ints = np.rint(scaled)
        if np.all(np.abs(scaled - ints) <= eps * np.maximum(1.0, np.abs(scaled))):
            ints = ints.astype(np.int64)
            # a coarser step (multiples of 25) only when enough values show it
            step = int(np.gcd.reduce(ints[1:] - ints[0])) if len(values) >= 10 else 1
            return float(ints[0]) / 10**decimals, step / 10**decimals, decimals
    return None


def _snap(values, grid, low, high):
    origin, step, decimals = grid
    values = origin + step * np.rint((values - origin) / step)
    return np.clip(np.round(values, decimals), low, high)


# Numeric columns with at most this many distinct values are learned as categories.
_MAX_DISCRETE_VALUES = 10


@dataclass
class _Column:
    """How one column is encoded and decoded."""

    name: object
    numeric: bool
    dtype: object
    has_missing: bool
    categories: list = None  # categorical: observed values, one-hot order
    integer: bool = False
    low: float = None
    high: float = None
    grid: tuple = None  # numeric: (origin, step, decimals) of the values' resolution
    discrete: bool = False  # numbers learned as categories

    @property
    def block(self):
        if not self.numeric:
            return (CATEGORICAL, len(self.categories) + self.has_missing)
        return (NUMERIC_MISSING if self.has_missing else NUMERIC, 1)


class _TableCodec:
    """Encodes a table (DataFrame or numeric array) as float rows, and back.

    Numbers: quantile transform to a standard normal (missing values become 0
    plus a "missing" state); categories (booleans, strings, pandas categories):
    one-hot, with missing values as one more state.
    """

    def __init__(self, columns, frame, array_dtype):
        self.columns = columns
        self.frame = frame
        self.array_dtype = array_dtype
        self.numeric_index = [i for i, c in enumerate(columns) if c.numeric]
        self.quantiles = None
        self.calibration = None

    @property
    def blocks(self):
        return [c.block for c in self.columns]

    # -- fitting ---------------------------------------------------------------
    @classmethod
    def fit(cls, frame=None, X=None, array_dtype=None):
        """Learn the encoding of a DataFrame, or of a validated float array ``X``
        whose original dtype (what :meth:`decode` returns) is ``array_dtype``."""
        if frame is not None:
            columns = [cls._describe(name, frame[name]) for name in frame.columns]
            codec = cls(columns, True, None)
            numbers = codec._numeric_matrix(frame)
        else:
            integer = array_dtype.kind in "biu"
            columns = [cls._describe(i, pd.Series(X[:, i]), integer=integer)
                       for i in range(X.shape[1])]
            codec = cls(columns, False, array_dtype)
            numbers = X[:, codec.numeric_index].astype(np.float64, copy=False)
        if codec.numeric_index:
            codec.quantiles = QuantileTransformer(
                n_quantiles=max(2, min(1000, len(numbers))), output_distribution="normal",
                subsample=None,
            ).fit(numbers)
            scores = codec.quantiles.transform(numbers)
            # the real scores' quantiles: what the calibration maps generated scores to
            codec.score_knots = np.nanquantile(scores, codec._calibration_levels(), axis=0).T
            codec._fit_whitening(scores)
        return codec

    @classmethod
    def _calibration_levels(cls):
        return np.linspace(0.0, 1.0, cls._CALIBRATION_QUANTILES)

    # Eigenvalues below this share of the largest are raised to it: a direction in
    # which the data hardly vary (two nearly equal columns) stays invertible.
    _EIGEN_FLOOR = 1e-6

    def _fit_whitening(self, scores):
        """ZCA-whiten the normal scores of the numeric columns without missing values.

        Tight linear relations between columns (one measurement nearly another one
        times a constant) become directions of unit variance: the critic sees their
        errors at full scale, and the generator's errors along them shrink back by
        their small standard deviation when decoded.
        """
        self.whitening = None
        complete = [k for k, i in enumerate(self.numeric_index)
                    if not self.columns[i].has_missing]
        if len(complete) < 2:
            return
        Z = scores[:, complete]
        mean = Z.mean(0)
        eigval, eigvec = np.linalg.eigh(np.cov(Z, rowvar=False))
        eigval = np.maximum(eigval, self._EIGEN_FLOOR * eigval.max())
        whiten = (eigvec / np.sqrt(eigval)) @ eigvec.T
        color = (eigvec * np.sqrt(eigval)) @ eigvec.T
        self.whitening = (np.asarray(complete), mean, whiten, color)

    def _whiten(self, scores, inverse=False):
        if getattr(self, "whitening", None) is None:
            return scores
        complete, mean, whiten, color = self.whitening
        scores = scores.copy()
        if inverse:
            scores[:, complete] = scores[:, complete] @ color + mean
        else:
            scores[:, complete] = (scores[:, complete] - mean) @ whiten
        return scores

    @staticmethod
    def _describe(name, series, integer=None):
        kind = _dtype_family(series.dtype)
        if kind not in ("category", "bool", "integer", "float", "string"):
            raise ValueError(
                f"Column {name!r} has dtype {series.dtype}, which GANSampler cannot learn; "
                "convert it to numbers or categories first."
            )
        missing = series.isna()
        if missing.all():
            raise ValueError(
                f"Column {name!r} has only missing values; there is nothing to learn from "
                "it. Drop it."
            )
        if is_numeric_column(series):
            values = series[~missing].to_numpy(dtype=np.float64)
            if not np.all(np.isfinite(values)):
                raise ValueError(f"Column {name!r} contains infinity.")
            low, high = float(values.min()), float(values.max())
            distinct = np.unique(values)
            if 2 <= len(distinct) <= _MAX_DISCRETE_VALUES:
                # a few distinct numbers (flags, counts, ratings) are learned as
                # categories: exact frequencies, no spikes for the generator to chase
                return _Column(name, False, series.dtype, bool(missing.any()),
                               categories=distinct.tolist(), discrete=True)
            if low == high:
                raise ValueError(
                    f"Column {name!r} is constant ({low:g}"
                    f"{', or missing' if missing.any() else ''}); a generator has nothing "
                    "to learn from it. Drop it and add it back to the samples."
                )
            integer = (pd.api.types.is_integer_dtype(series.dtype) if integer is None
                       else integer)
            dtype = series.dtype.numpy_dtype if hasattr(series.dtype, "numpy_dtype") \
                else series.dtype
            grid = _value_grid(values, np.int64 if integer else dtype)
            if integer and grid is None:  # integers beyond 1e12
                grid = (0.0, 1.0, 0)
            return _Column(name, True, series.dtype, bool(missing.any()), integer=integer,
                           low=low, high=high, grid=grid)
        present = series[~missing]
        if isinstance(series.dtype, pd.CategoricalDtype):
            seen = set(present.unique())
            categories = [c for c in series.dtype.categories if c in seen]
        else:
            categories = _sorted_values(pd.unique(present.astype(object)))
        if len(categories) + bool(missing.any()) < 2:
            raise ValueError(
                f"Column {name!r} is constant ({categories[0]!r}); a generator has nothing "
                "to learn from it. Drop it and add it back to the samples."
            )
        return _Column(name, False, series.dtype, bool(missing.any()), categories=categories)

    # -- encoding --------------------------------------------------------------
    def _numeric_matrix(self, frame):
        cols = [self.columns[i].name for i in self.numeric_index]
        if not cols:
            return np.empty((len(frame), 0))
        return np.column_stack(
            [frame[c].astype("float64").to_numpy(dtype=np.float64, na_value=np.nan)
             for c in cols])

    def check_frame(self, frame):
        """Raise if a column's dtype changed since fit."""
        for column in self.columns:
            dtype = frame[column.name].dtype
            if _dtype_family(dtype) != _dtype_family(column.dtype):
                raise ValueError(
                    f"Column {column.name!r} has dtype {dtype} but was {column.dtype} when "
                    "GANSampler was fitted; convert it back first."
                )

    def encode(self, frame=None, X=None):
        """Encoded float32 rows of a DataFrame (``frame``) or a validated array (``X``)."""
        if frame is not None:
            self.check_frame(frame)
            numbers = self._numeric_matrix(frame)
            n = len(frame)
        else:
            numbers = X[:, self.numeric_index].astype(np.float64, copy=False)
            n = len(X)
        for k, i in enumerate(self.numeric_index):
            if not self.columns[i].has_missing and np.isnan(numbers[:, k]).any():
                raise ValueError(
                    f"Column {self.columns[i].name!r} has missing values, but had none "
                    "when GANSampler was fitted."
                )
        scores = (self._whiten(self.quantiles.transform(numbers)) if self.numeric_index
                  else numbers)
        parts, k = [], 0
        for column in self.columns:
            if column.numeric:
                value = scores[:, k]
                k += 1
                missing = np.isnan(value)
                if column.has_missing:
                    parts.append(np.c_[np.where(missing, 0.0, value), ~missing, missing])
                else:
                    parts.append(value[:, None])
                continue
            series = (frame[column.name] if frame is not None
                      else pd.Series(X[:, column.name]))
            if column.discrete:
                series = series.astype("float64")
            series = series.astype(object)
            missing = series.isna().to_numpy()
            # unseen categories encode as all zeros: maximally unlike the training rows
            codes = pd.Categorical(series.where(~missing, None),
                                   categories=column.categories).codes
            width = len(column.categories) + column.has_missing
            onehot = np.zeros((n, width))
            rows = np.flatnonzero(codes >= 0)
            onehot[rows, codes[rows]] = 1.0
            if column.has_missing:
                onehot[missing, -1] = 1.0
            parts.append(onehot)
        return np.hstack(parts).astype(np.float32)

    # -- decoding --------------------------------------------------------------
    def _split(self, rows):
        """Generated encoded rows -> (per-column normal scores of the numeric columns
        or None, each column's state: missing flags or None for a number, the
        category code for a category)."""
        rows = np.asarray(rows, dtype=np.float64)
        start, scores, states = 0, [], []
        for column in self.columns:
            width = block_width(*column.block)
            chunk = rows[:, start:start + width]
            start += width
            if column.numeric:
                scores.append(chunk[:, 0])
                states.append(chunk[:, 2] > 0.5 if column.has_missing else None)
            else:
                states.append(chunk.argmax(1))
        scores = self._whiten(np.column_stack(scores), inverse=True) if scores else None
        return scores, states

    # Quantiles per column of the marginal calibration (see fit_calibration).
    _CALIBRATION_QUANTILES = 512

    def fit_calibration(self, rows):
        """Learn, per numeric column, the increasing map that gives the generator's
        normal scores (``rows``: many generated encoded rows) the distribution of
        the real column's scores.

        The map is ``z -> Q(F(z))``, with ``F`` the empirical distribution of the
        generated scores and ``Q`` the quantile function of the real ones (both
        at 512 levels, linearly interpolated). Applied to every generated row, it
        corrects each column's marginal (the generator's small biases in the
        tails and near spikes) and, being increasing, keeps the rank dependence
        between columns that the generator learned: rows stay independent draws.
        """
        self.calibration = None
        scores, states = self._split(rows)
        if scores is None:
            return
        levels = self._calibration_levels()
        knots = np.empty((scores.shape[1], len(levels)))
        for j, i in enumerate(self.numeric_index):
            missing = states[i]
            values = scores[:, j] if missing is None else scores[~missing, j]
            if len(values) < len(levels):  # too few present values: no calibration
                knots[j] = np.nan
                continue
            knots[j] = np.maximum.accumulate(np.quantile(values, levels))
        self.calibration = (knots, self.score_knots)

    def _calibrate(self, scores):
        if getattr(self, "calibration", None) is None:
            return scores
        knots, targets = self.calibration
        scores = scores.copy()
        for j in range(scores.shape[1]):
            if not np.isnan(knots[j, 0]):
                scores[:, j] = np.interp(scores[:, j], knots[j], targets[j])
        return scores

    def decode(self, rows):
        """Generated encoded rows (one-hot categories) -> the user's table."""
        scores, states = self._split(rows)
        numbers = (self.quantiles.inverse_transform(self._calibrate(scores))
                   if scores is not None else None)
        out, k = {}, 0
        for column, state in zip(self.columns, states):
            if column.numeric:
                values = numbers[:, k]
                k += 1
                if column.grid is not None:
                    values = _snap(values, column.grid, column.low, column.high)
                if state is not None:
                    values = np.where(state, np.nan, values)
                out[column.name] = values
            else:
                known = state < len(column.categories)  # else the missing state
                values = np.asarray(column.categories,
                                    dtype=np.float64 if column.discrete else object)
                labels = np.where(known, values[np.where(known, state, 0)], np.nan)
                out[column.name] = labels
        if not self.frame:
            X = np.column_stack([out[c.name] for c in self.columns])
            return X.astype(self.array_dtype)
        return pd.DataFrame({c.name: pd.Series(out[c.name]).astype(c.dtype)
                             for c in self.columns})


# --------------------------------------------------------------------------- training


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
        return torch.nn.functional.one_hot(labels, gan.n_conditions).to(torch.float32)

    def _noise(self, n, device):
        return torch.randn(n, self.module_.latent_dim, device=device)

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
                                     hard=True).float()
        critic_losses = []
        for k in range(steps):
            rows = slice(k * n, (k + 1) * n)
            real, fake = all_real[rows], all_fake[rows]
            cond = None if all_cond is None else all_cond[rows]
            with self.autocast():  # mixed precision: the losses are taken in float32
                d_real, d_fake, penalty = critic_scores(gan.critic, real, fake, cond,
                                                        penalty=adversarial.uses_penalty())
            d_real, d_fake = d_real.float(), d_fake.float()
            penalty = None if penalty is None else penalty.float()
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
            g_loss = adversarial.generator_loss(scores.float()).mean()
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
            fake = gan(self._noise(n, real.device), self._conditions(labels)).float()
            score = float(self.score_fn(fake, real)) if self.score_fn else float("nan")
        self.history.record("valid_loss", -score)
        self.history.record("valid_score", score)


# --------------------------------------------------------------------------- estimator


def _check_sizes(name, value):
    try:
        sizes = (value,) if isinstance(value, numbers.Integral) else tuple(value)
    except TypeError:  # None, a float: not a sequence
        sizes = None
    if sizes is None or not _positive_int_tuple(sizes):
        raise ValueError(f"{name} must be positive integers; got {value!r}.")
    return sizes


def _gan_doc(cls):
    """Fill ``{gan_common_parameters}``: the shared parameter text, with the entries
    whose default or meaning differs for a GAN rewritten."""
    text = COMMON_PARAMETERS_DOC
    for old, new in _GAN_PARAMETER_CHANGES:
        text = text.replace(old, new)
    cls.__doc__ = cls.__doc__.replace("    {gan_common_parameters}", text)
    return cls


_GAN_PARAMETER_CHANGES = [
    ("""    solver : {"adam", "adamw", "sgd", "lbfgs"}, default="adam"
        The optimizer. "lbfgs" works on the whole training set at once (one epoch is
        one L-BFGS iteration) and suits small data, as in scikit-learn.""",
     """    solver : {"adam", "adamw", "sgd"}, default="adam"
        The optimizer of both networks ("lbfgs" cannot alternate two players'
        updates)."""),
    ("""    batch_size : int or "auto", default="auto"
        Rows per mini-batch; "auto" is ``min(200, n_samples)``.""",
     """    batch_size : int or "auto", default="auto"
        Rows per mini-batch, rounded down to a multiple of ``pac``; "auto" is
        ``min(256, max(32, n_samples // 40))``: small batches, and about 40 steps
        per epoch on mid-sized tables, trained best per second here. A batch
        larger than the table is topped up with random rows; a ``batch_size``
        larger than both the table and "auto"'s choice is clipped to the larger
        of the two, with a warning."""),
    ("""    max_iter : int, default=200
        Number of epochs (passes over the training data); for "lbfgs", iterations.""",
     """    max_iter : int or "auto", default="auto"
        Number of epochs (passes over the training data). "auto" runs as many
        epochs as give 1.75 generator steps per training row, at least 1,000
        and at most 10,000 steps (see Notes). Adversarial losses say nothing about
        convergence, so all epochs run unless ``early_stopping`` is on (and there
        is no ConvergenceWarning)."""),
    ("""    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training rows (stratified for
        classifiers), stop when its score stops improving, and restore the best
        weights.""",
     """    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows (stratified by ``y``), score
        each epoch by minus the energy distance between them and as many
        generated rows, stop when that has not improved by ``tol`` for
        ``n_iter_no_change`` epochs, and keep the best networks."""),
    ("""    beta_1, beta_2 : float, default=0.9, 0.999
        Adam's moment decay rates.""",
     """    beta_1, beta_2 : float, default=0.5, 0.9
        Adam's moment decay rates: WGAN-GP's usual values (Adam's own defaults
        trained clearly worse here)."""),
    ("""    max_fun : int, default=15000
        For "lbfgs", the most loss evaluations per iteration's line search
        (capped at 25).""",
     """    max_fun : int, default=15000
        Not used (kept so that every estimator shares one parameter list)."""),
]


@_gan_doc
@fill_doc
class GANSampler(NeuralEstimator):
    """Generative adversarial network that learns a table and samples new rows like it.

    A generator turns random noise into rows; a critic scores packs of rows as
    real or generated; each is trained against the other until generated rows
    cannot be told from real ones. Works on numeric arrays and on DataFrames with
    float, integer, boolean, categorical and string columns:
    :meth:`sample` returns the same kind of table, with the same columns, dtypes and
    category sets. With labels ``y`` the GAN is conditional: :meth:`sample` draws
    rows of a chosen class, and :meth:`fit_resample` oversamples minority classes
    as imbalanced-learn's samplers do.

    How a table is learned:

    - numbers go through a quantile transform to a normal distribution, so skewed
      and multi-modal columns keep their shape, and the numeric columns are then
      whitened together (ZCA), so that tight relations between columns (a length
      and a width that nearly determine each other) are learned as precisely as
      the spread of each column; generated values map back through the observed
      quantiles, within the observed range and onto the data's resolution (whole
      numbers, 0.1 mm, multiples of 25 g: integers come back as integers).
      After training, each numeric column's generated scores are calibrated to
      the distribution of the real ones by an increasing map learned on 32,768
      generated rows: marginals come out about as close to the real ones as a
      resample of the real rows, and the dependence the generator learned is
      kept;
    - categories (booleans, strings, pandas categories) are one-hot encoded and
      generated through a straight-through Gumbel-softmax: the critic sees exact
      one-hot rows, real and generated alike (so it cannot tell them apart by
      their softness), and the generator gets the relaxation's gradients; only
      categories seen in
      ``fit`` are ever generated. Numeric columns with at most 10 distinct values
      (flags, ratings, small counts) are learned the same way and come back as
      numbers of their dtype, with only the observed values. After training, the
      categories' logits are shifted so that each category (and each column's
      missing values) comes out at its frequency in the training rows (in each
      class's rows, for a GAN fitted with ``y``);
    - the generator draws a row's categories first and computes its numbers from
      its hidden features *and the drawn categories* (see
      :class:`~sknn.modules.Generator`), so a number that depends on a
      category (a price on a grade) is made knowing it;
    - missing values are learned as their own state: a column with missing values
      in ``fit`` gets missing values in :meth:`sample` at about the same rate (and
      in the same company). A column with only missing values, a constant column
      and infinite values are errors;
    - the default objective is WGAN-GP (Wasserstein critic with gradient penalty,
      ``critic_steps`` critic updates per generator update); ``loss="bce"`` is the
      classic GAN. Samples come from a moving average of the generator's weights.
      Against mode collapse, WGAN-GP's critic already sees every mode; ``pac``
      packs several rows per critic input (PacGAN) for harder cases (it is off by
      default because, on the tables measured here, it made training slower for
      the same result).

    Parameters
    ----------
    generator_layer_sizes : array-like of int, default=(128, 128)
        Hidden layers of the generator (ReLU).
    critic_layer_sizes : array-like of int, default=(128, 128)
        Hidden layers of the critic (leaky ReLU).
    loss : {"wgan-gp", "bce"}, default="wgan-gp"
        "wgan-gp": Wasserstein loss with gradient penalty; "bce": binary
        cross-entropy with the non-saturating generator loss (the original GAN).
    latent_dim : int, default=64
        Width of the generator's noise input.
    critic_steps : int, default=5
        Critic updates per generator update (5 also trained best with
        ``loss="bce"`` here; 1 or 2 left the generator far behind).
    pac : int, default=1
        Rows per critic pack (PacGAN); 1 turns packing off. The batch size is
        rounded down to a multiple of it.
    gradient_penalty : float, default=10.0
        Weight of WGAN-GP's gradient penalty.
    temperature : float, default=0.2
        Gumbel-softmax temperature for categories during training.
    critic_dropout : float, default=0.0
        Dropout after each hidden layer of the critic.
    average_decay : float, default=0.999
        Rows are generated by an exponential moving average of the generator's
        weights (Polyak averaging: it smooths out the oscillations of adversarial
        training). The decay grows as ``(1 + t) / (10 + t)`` over the generator
        steps ``t`` up to this value, so the average covers about the last tenth
        of training, at most about the last 1,000 steps; 0 samples from the last
        weights.
    sampling_strategy : float, str, dict or callable, default="auto"
        Which classes :meth:`fit_resample` oversamples, with imbalanced-learn's
        meaning: "auto" (= "not majority"), "minority", "not minority",
        "not majority" or "all" bring the chosen classes to the majority's count;
        a float (binary ``y`` only) is the wanted minority / majority ratio; a dict
        maps classes to their wanted counts; a callable takes ``y`` and returns such
        a dict.
    {gan_common_parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Labels of a conditional GAN (fitted with ``y``); absent otherwise.
    n_features_in_ : int
        Number of columns seen during fit.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame seen during fit.
    n_iter_ : int
        Epochs run (accumulated over ``warm_start`` fits).
    t_ : int
        Training rows processed, summed over epochs.
    loss_curve_ : list of float
        The critic's loss per epoch (for WGAN-GP, minus the estimated Wasserstein
        distance between real and generated rows: it rises towards 0 as the
        generator improves).
    critic_loss_curve_ : list of float
        Same as ``loss_curve_``.
    generator_loss_curve_ : list of float
        The generator's loss per epoch.
    best_loss_ : None
        Adversarial losses have no best value.
    validation_scores_ : list of float or None
        Minus the energy distance between held-out and generated rows, per epoch,
        with ``early_stopping``.
    best_validation_score_ : float or None
        Best of ``validation_scores_``.
    history_ : list of dict
        One record per epoch: both losses, validation score, seconds.
    module_ : TabularGAN
        The trained networks: ``module_.generator`` and ``module_.critic``.

    See Also
    --------
    sknn.metrics.quality_report : How close the samples are to the real table.

    Notes
    -----
    Training length. An epoch of a small table is only a few steps (333 rows at
    batch 32 are 11), so a fixed number of epochs trains small tables too little
    or large ones too long. ``max_iter="auto"`` fixes the number of generator
    steps instead: 1.75 per training row, at least 1,000 (on the 333
    penguins of ``benchmarks/bench_gan.py``, real and synthetic rows were told
    apart at a detection AUC of 0.61 after 900 steps and 0.55 after 1,100) and
    at most 10,000 (which bounds the time on large tables; pass an int to
    train longer). Larger tables get more steps because they hold finer
    structure: on a 5,000-row diamonds-like table, a price model trained on
    synthetic rows predicted real ones better with each step up to the cap
    (R2 0.93 after 4,000 steps, 0.94 after 7,500, measured before the value
    head; 0.946 at the default 8,750 steps with it, 3 seeds). 1.75 steps per
    row keeps the fit within CTGAN's default time with a margin (0.8 to 0.9 of
    it on both tables of the benchmark). With the default batch size, the fit
    time grows about linearly with the table up to the cap, as CTGAN's does at
    its default 300 epochs.

    Mixed precision. ``precision`` takes "float32" and "bfloat16" only: the
    gradient penalty differentiates through the critic's gradients, which
    float16's loss scaling would distort.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sknn import GANSampler
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=300)
    >>> table = pd.DataFrame({"x": x, "y": 2 * x + rng.normal(0.3, size=300),
    ...                       "group": np.where(x > 0, "high", "low")})
    >>> sampler = GANSampler(max_iter=40, random_state=0).fit(table)
    >>> fake = sampler.sample(200)
    >>> fake.dtypes.equals(table.dtypes), sorted(fake["group"].unique())
    (True, ['high', 'low'])
    >>> bool(np.corrcoef(fake["x"], fake["y"])[0, 1] > 0.6)
    True
    """

    _parameter_constraints = {
        **NeuralEstimator._parameter_constraints,
        "generator_layer_sizes": ["array-like", Interval(numbers.Integral, 1, None,
                                                         closed="left")],
        "critic_layer_sizes": ["array-like", Interval(numbers.Integral, 1, None,
                                                      closed="left")],
        "loss": [StrOptions({"wgan-gp", "bce"})],
        "latent_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "critic_steps": [Interval(numbers.Integral, 1, None, closed="left")],
        "pac": [Interval(numbers.Integral, 1, None, closed="left")],
        "gradient_penalty": [Interval(numbers.Real, 0, None, closed="left")],
        # No "float16": loss scaling would distort the gradient penalty, which
        # differentiates through the critic's gradients.
        "precision": [StrOptions({"float32", "bfloat16"})],
        "temperature": [Interval(numbers.Real, 0, None, closed="neither")],
        "critic_dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "average_decay": [Interval(numbers.Real, 0, 1, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left"),
                     StrOptions({"auto"})],
        "sampling_strategy": [Interval(numbers.Real, 0, 1, closed="right"),
                              StrOptions(_STRATEGIES), dict, callable],
    }

    _accept_sparse = False
    _allow_nan = True
    _loss_stops_training = False

    def __init__(self, generator_layer_sizes=(128, 128), critic_layer_sizes=(128, 128), *,
                 loss="wgan-gp", latent_dim=64, critic_steps=5, pac=1, gradient_penalty=10.0,
                 temperature=0.2, critic_dropout=0.0, average_decay=0.999,
                 sampling_strategy="auto",
                 solver="adam", alpha=1e-4, l1=0.0, batch_size="auto",
                 learning_rate="constant", learning_rate_init=1e-3, power_t=0.5, max_iter="auto",
                 shuffle=True, random_state=None, tol=1e-4, verbose=0, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.5, beta_2=0.9, epsilon=1e-8,
                 n_iter_no_change=10, max_fun=15000, device="cpu", precision="float32",
                 callbacks=None):
        store_parameters(self, locals())

    def fit(self, X, y=None):
        """Learn the table X (conditional on the labels y, when given).

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            The table: a numeric array, or a DataFrame with float, integer,
            boolean, categorical and string columns. Missing values are learned.
        y : array-like of shape (n_samples,), default=None
            Class labels; with them :meth:`sample` can draw rows of a given class.

        Returns
        -------
        self : object
            The fitted sampler.
        """
        return self._fit(X, y, incremental=False)

    # ------------------------------------------------------------- base hooks
    def _net_class(self):
        return _GANNetFactory(self.critic_steps)

    def _criterion(self):
        return AdversarialLoss(self.loss, self.gradient_penalty)

    def _score_function(self):
        return negative_energy_distance

    def _class_weights(self, target):
        return None

    def _stratify_split(self, target):
        return target is not None

    # max_iter="auto": generator steps per training row, and their floor and cap.
    _AUTO_STEPS_PER_ROW = 1.75
    _AUTO_MIN_STEPS = 1000
    _AUTO_MAX_STEPS = 10_000

    def _auto_epochs(self, n_train, batch_size):
        """Epochs of ``max_iter="auto"`` for ``n_train`` training rows."""
        steps = min(self._AUTO_MAX_STEPS,
                    max(self._AUTO_MIN_STEPS, self._AUTO_STEPS_PER_ROW * n_train))
        per_epoch = -(-n_train // batch_size)
        return max(1, round(steps / per_epoch))

    def _start_fit_feedback(self, X, y, sample_weight, epochs):
        # "auto" epochs are known once the data are validated (see _train_module)
        return super()._start_fit_feedback(X, y, sample_weight,
                                           None if epochs == "auto" else epochs)

    def _train_module(self, module, train_data, valid_data, *, epochs, **kwargs):
        self._set_state_frequencies(module, [train_data, valid_data])
        if epochs == "auto":
            epochs = self._auto_epochs(len(train_data), kwargs["spec"].batch_size)
        return super()._train_module(module, train_data, valid_data, epochs=epochs,
                                     **kwargs)

    def _effective_batch_size(self, n_samples):
        auto = min(256, max(32, n_samples // 40))
        size = auto if self.batch_size == "auto" else self.batch_size
        # Batches are topped up with random rows to ``size`` (see GANNet): clip a size
        # beyond the data, as the other estimators do, but not below "auto"'s.
        limit = max(auto, n_samples)
        if size > limit:
            warnings.warn(
                f"Got batch_size={self.batch_size} larger than the {n_samples} training "
                f"rows; it is clipped to {limit}.",
                UserWarning,
                stacklevel=_engine.user_stacklevel(),
            )
            size = limit
        return max(self.pac, size - size % self.pac)

    # What the network is built from: warm_start refuses to continue after a change.
    _architecture_params = ("generator_layer_sizes", "critic_layer_sizes", "loss",
                            "latent_dim", "pac", "temperature", "critic_dropout",
                            "average_decay")

    def _build_module(self, n_features, n_outputs):
        generator = _check_sizes("generator_layer_sizes", self.generator_layer_sizes)
        critic = _check_sizes("critic_layer_sizes", self.critic_layer_sizes)
        width = sum(block_width(kind, size) for kind, size in self._codec.blocks)
        check_network_size([self.latent_dim + n_outputs, *generator, width],
                           f"generator_layer_sizes={self.generator_layer_sizes!r} and "
                           f"latent_dim={self.latent_dim!r}")
        check_network_size([(width + n_outputs) * self.pac, *critic, 1],
                           f"critic_layer_sizes={self.critic_layer_sizes!r} and "
                           f"pac={self.pac!r}")
        self._architecture_ = architecture(self)
        return TabularGAN(
            self._codec.blocks, n_conditions=n_outputs, latent_dim=self.latent_dim,
            generator_layer_sizes=generator, critic_layer_sizes=critic,
            pac=self.pac, temperature=self.temperature, critic_dropout=self.critic_dropout,
            average_decay=self.average_decay,
        )

    def _fit(self, X, y, **kwargs):
        if self.solver == "lbfgs":
            raise ValueError("GANSampler needs solver 'adam', 'adamw' or 'sgd', not 'lbfgs': "
                             "a GAN alternates two players' mini-batch updates.")
        _check_sizes("generator_layer_sizes", self.generator_layer_sizes)
        _check_sizes("critic_layer_sizes", self.critic_layer_sizes)
        check_architecture_unchanged(self, self._is_continuation(kwargs["incremental"]))
        return super()._fit(X, y, **kwargs)

    def _validate_training_data(self, X, y, reset):
        frame, array, dtype = self._validate_table(X, reset=reset)
        if reset:
            self._codec = _TableCodec.fit(frame, array, dtype)
        encoded = self._codec.encode(frame, array)
        if y is not None:
            y = self._validate_labels(y, len(encoded))
        return encoded, y

    def _encode_target(self, y, classes, reset):
        if y is None:
            if not reset and hasattr(self, "classes_"):
                raise ValueError("This GANSampler was fitted with y; pass y again to "
                                 "continue training (warm_start).")
            if reset and hasattr(self, "classes_"):
                del self.classes_
            return None, 0
        known = None if reset else getattr(self, "classes_", None)
        if not reset and known is None:
            raise ValueError("This GANSampler was fitted without y; warm_start cannot add "
                             "labels. Refit with warm_start=False.")
        codes, classes_, kind = encode_classification_target(y, known)
        if kind == "multilabel-indicator":
            raise ValueError("y must be one class label per row, not a multilabel indicator "
                             "matrix.")
        if reset:
            self.classes_ = classes_
            self._class_counts = np.bincount(codes, minlength=len(classes_))
        return codes, len(self.classes_)

    # Generated rows from which the marginal calibration is learned.
    _CALIBRATION_ROWS = 32768
    # Rounds of the categories' calibration (each generates _CALIBRATION_ROWS rows).
    _STATE_CALIBRATION_ROUNDS = 3

    def _set_fitted_attributes(self, state, early_stopping):
        super()._set_fitted_attributes(state, early_stopping)
        # Calibrate the numeric marginals on generated rows (their classes drawn at
        # the training frequencies), seeded by random_state.
        seed = (_engine.draw_seed(self.random_state) + 1) % _engine._INT32_MAX
        n = self._CALIBRATION_ROWS
        codes = (np.random.default_rng(seed).choice(len(self.classes_), size=n,
                                                    p=self._class_prior)
                 if hasattr(self, "classes_") else None)
        self._codec = copy.copy(self._codec)  # a failed refit leaves the old one as it was
        self._calibrate_states(n, seed)
        self._codec.fit_calibration(self._generate(n, codes, seed))
        self.best_loss_ = None
        self.critic_loss_curve_ = list(self.loss_curve_)
        self.generator_loss_curve_ = [float(h["generator_loss"]) for h in self.history_]

    def _set_state_frequencies(self, module, datasets):
        """Store in ``module`` each state's frequency in the training rows (all of
        them, validation rows included) of each class, what :meth:`_calibrate_states`
        aims at, and clear the calibration of an earlier fit (``warm_start``: the
        data may have changed). A state a class never has counts half a row."""
        module.state_bias.zero_()
        if not module.generator.n_states:
            return
        state_index = torch.as_tensor(row_layout(self._codec.blocks)[1])
        sums = torch.zeros(module.state_frequencies.shape, dtype=torch.float64)  # on the CPU
        counts = torch.zeros(len(sums), dtype=torch.float64)
        for data in filter(None, datasets):
            X, labels, _ = data.rows(slice(0, len(data)))
            states = X[:, state_index.to(X.device)].double().cpu()
            group = (torch.zeros(len(X), dtype=torch.long) if labels is None
                     or not module.n_conditions else labels.cpu())
            sums.index_add_(0, group, states)
            counts += torch.bincount(group, minlength=len(sums))
        counts = counts.clamp(min=1)[:, None]
        frequencies = torch.maximum(sums / counts, 0.5 / counts)
        module.state_frequencies.copy_(frequencies)

    def _calibrate_states(self, n, seed):
        """Shift the generated rows' state logits (``module_.state_bias``) so that
        categories and missing values come out, in each class, at their frequencies
        in that class's training rows.

        Each round adds ``log(p / q)`` to every state's logit, with ``p`` the
        state's frequency in the training rows and ``q`` in ``n`` generated rows
        (as many of each class; the same draws each round): the prior-shift
        correction of Saerens et al. (2002), iterated towards its fixed point. A
        shift of a logit keeps the ranking of the rows' odds, so the dependence the
        generator learned is kept, and the value head then makes each row's
        numbers for the states it got.
        """
        gan = self.module_
        if not gan.generator.n_states:
            return
        n_groups = len(gan.state_bias)
        group = np.arange(n) % n_groups
        codes = group if hasattr(self, "classes_") else None
        state_index = row_layout(self._codec.blocks)[1]
        target = np.log(gan.state_frequencies.double().cpu().numpy())
        per_group = np.bincount(group, minlength=n_groups)[:, None]
        for _ in range(self._STATE_CALIBRATION_ROUNDS):
            states = self._generate(n, codes, seed)[:, state_index].astype(np.float64)
            generated = np.zeros((n_groups, len(state_index)))
            np.add.at(generated, group, states)
            # a state never generated counts half a row
            generated = np.maximum(generated / per_group, 0.5 / per_group)
            step = np.clip(target - np.log(generated), -2.0, 2.0)
            gan.state_bias += torch.as_tensor(step, dtype=gan.state_bias.dtype,
                                              device=gan.state_bias.device)

    # ---------------------------------------------------------- validation
    def _validate_table(self, X, reset):
        """``(frame, None, None)`` for a DataFrame, else ``(None, float array, original
        dtype)``."""
        is_frame = isinstance(X, pd.DataFrame)
        if is_frame if reset else self._codec.frame:
            if not is_frame:
                raise ValueError("This GANSampler was fitted on a DataFrame; pass a DataFrame "
                                 "with the same columns.")
            validate_data(self, X, reset=reset, skip_check_array=True)
            if X.shape[1] == 0 or len(X) == 0:
                raise ValueError(f"Found array with shape {X.shape}; GANSampler needs at "
                                 "least one column and one row.")
            if not X.columns.is_unique:
                raise ValueError("X has duplicated column names.")
            if reset and len(X) < 2:
                raise ValueError("GANSampler needs at least 2 rows; got 1 sample.")
            return X, None, None
        dtype = getattr(X, "dtype", None)
        if not isinstance(dtype, np.dtype):
            dtype = np.float64 if hasattr(X, "toarray") else np.asarray(X).dtype
        # Columns are encoded in float64 (quantiles, ranges): any finite value is fine.
        array = validate_features(self, X, reset=reset, accept_sparse=False, allow_nan=True,
                                  check_range=False)
        if reset and len(array) < 2:
            raise ValueError("GANSampler needs at least 2 rows; got 1 sample.")
        dtype = np.dtype(dtype)
        return None, array, dtype if dtype.kind in "biuf" else np.dtype(np.float64)

    @staticmethod
    def _validate_labels(y, n_samples):
        y = np.asarray(y.astype(object) if isinstance(y, pd.Series)
                       and isinstance(y.dtype, pd.CategoricalDtype) else y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D class labels; got shape {y.shape}.")
        if len(y) != n_samples:
            raise ValueError(f"X has {n_samples} rows but y has {len(y)}.")
        if pd.isna(y).any():
            raise ValueError("y contains missing values; every row needs a label.")
        return y

    # ------------------------------------------------------------- sampling
    def _label_codes(self, n_samples, y, rng):
        """Class codes for ``n_samples`` rows, or None for an unconditional GAN."""
        if not hasattr(self, "classes_"):
            if y is not None:
                raise ValueError("This GANSampler was fitted without y; it cannot sample "
                                 "rows of a class. Fit it with labels: fit(X, y).")
            return None
        if y is None:
            return rng.choice(len(self.classes_), size=n_samples, p=self._class_prior)
        labels = np.asarray(y, dtype=object if isinstance(y, str) else None)
        if labels.ndim == 0:
            labels = np.full(n_samples, labels.item(), dtype=object)
        elif labels.shape != (n_samples,):
            raise ValueError(f"y must be one label or {n_samples} labels (one per sample); "
                             f"got shape {labels.shape}.")
        codes = np.empty(n_samples, dtype=np.int64)
        for label in pd.unique(labels):
            match = np.flatnonzero(self.classes_ == label) if label == label else []
            if not len(match):
                raise ValueError(f"y={label!r} is not a class the GANSampler was fitted "
                                 f"with; classes_ is {self.classes_.tolist()}.")
            codes[labels == label] = match[0]
        return codes

    @property
    def _class_prior(self):
        return self._class_counts / self._class_counts.sum()

    def _generate(self, n_samples, codes, seed):
        gan = self.module_
        device = self._device()
        chunks = []
        with (_engine.seeded(seed, device), torch.inference_mode(),
              _engine.autocast(device, self.precision)):
            for start in range(0, n_samples, _engine.PREDICT_BATCH_SIZE):
                stop = min(n_samples, start + _engine.PREDICT_BATCH_SIZE)
                noise = torch.randn(stop - start, gan.latent_dim, device=device)
                cond = None
                if codes is not None:
                    labels = torch.as_tensor(codes[start:stop], device=device)
                    cond = torch.nn.functional.one_hot(labels, gan.n_conditions).float()
                chunks.append(gan(noise, cond).float().cpu())
        return torch.cat(chunks).numpy() if chunks else np.empty((0, 0))

    def sample(self, n_samples=1, y=None, random_state=None, return_y=False):
        """Generate new rows.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows.
        y : label, array-like of shape (n_samples,) or None, default=None
            For a GANSampler fitted with labels: the class of every row (one label)
            or of each row. None draws classes at their training frequencies.
        random_state : int, RandomState instance or None, default=None
            Seeds the draw; None uses the estimator's ``random_state``, so that an
            int ``random_state`` gives the same rows on every call (pass different
            values to draw different rows).
        return_y : bool, default=False
            Also return the rows' labels (conditional GAN only).

        Returns
        -------
        X : DataFrame or ndarray of shape (n_samples, n_features)
            A DataFrame with the training columns and dtypes when fitted on one,
            else an array of the training dtype.
        y : ndarray of shape (n_samples,)
            Only with ``return_y=True``.
        """
        check_is_fitted(self)
        if not isinstance(n_samples, numbers.Integral) or isinstance(n_samples, bool) \
                or n_samples < 1:
            raise ValueError(f"n_samples must be a positive integer; got {n_samples!r}.")
        if return_y and not hasattr(self, "classes_"):
            raise ValueError("return_y=True needs a GANSampler fitted with y.")
        seed = _engine.draw_seed(self.random_state if random_state is None else random_state)
        rng = np.random.default_rng(seed)
        codes = self._label_codes(int(n_samples), y, rng)
        X = self._codec.decode(self._generate(int(n_samples), codes, seed))
        return (X, self.classes_[codes]) if return_y else X

    # ------------------------------------------------------------- resampling
    def _sampling_targets(self, labels):
        """imbalanced-learn's over-sampling targets: {class: rows to add}, sorted."""
        classes, counts = np.unique(labels, return_counts=True)
        if len(classes) < 2:
            raise ValueError(f"y has only one class ({classes[0]!r}); fit_resample needs at "
                             "least 2 classes to balance.")
        stats = dict(zip(classes.tolist(), counts.tolist()))
        strategy = self.sampling_strategy
        majority = max(stats.values())
        if callable(strategy):
            strategy = strategy(labels)
        if isinstance(strategy, str):
            if strategy in ("auto", "not majority"):
                majority_class = max(stats, key=stats.get)
                chosen = [c for c in stats if c != majority_class]
            elif strategy == "minority":
                chosen = [min(stats, key=stats.get)]
            elif strategy == "not minority":
                minority = min(stats, key=stats.get)
                chosen = [c for c in stats if c != minority]
            else:
                chosen = list(stats)
            return {c: majority - stats[c] for c in sorted(chosen)}
        if isinstance(strategy, dict):
            unknown = [k for k in strategy if k not in stats]
            if unknown:
                raise ValueError(f"sampling_strategy has classes {unknown} that are not in y "
                                 f"({list(stats)}).")
            out = {}
            for c, wanted in strategy.items():
                if wanted < stats[c]:
                    raise ValueError(
                        "With over-sampling methods, the number of samples in a class should "
                        f"be greater or equal to the original number of samples. Originally, "
                        f"there is {stats[c]} samples and {wanted} samples are asked "
                        f"(class {c!r}).")
                out[c] = int(wanted) - stats[c]
            return dict(sorted(out.items()))
        if isinstance(strategy, numbers.Real):
            if len(stats) != 2:
                raise ValueError('"sampling_strategy" can be a float only when y is binary; '
                                 "for multi-class y, use a dict.")
            majority_class = max(stats, key=stats.get)
            out = {c: int(majority * strategy - n) for c, n in stats.items()
                   if c != majority_class}
            if any(v < 0 for v in out.values()):
                raise ValueError("The specified ratio required to remove samples from the "
                                 "minority class while trying to generate new samples. "
                                 "Please increase the ratio.")
            return out
        raise ValueError(f"sampling_strategy={strategy!r} is not a float, str, dict or "
                         "callable returning a dict.")

    def fit_resample(self, X, y):
        """Fit on (X, y), then add generated rows to the classes ``sampling_strategy``
        chooses, as imbalanced-learn's over-samplers do.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels (at least 2 classes).

        Returns
        -------
        X_resampled : DataFrame or ndarray of shape (n_samples_new, n_features)
            The original rows followed by the generated ones.
        y_resampled : Series or ndarray of shape (n_samples_new,)
        """
        self._validate_params()
        labels = self._validate_labels(y, len(X) if hasattr(X, "__len__") else -1)
        targets = self._sampling_targets(labels)
        self.fit(X, y)
        seeds = np.random.default_rng(_engine.draw_seed(self.random_state))
        new_X, new_y = [], []
        for label, count in targets.items():
            if count > 0:
                seed = int(seeds.integers(_engine._INT32_MAX))
                new_X.append(self.sample(count, y=label, random_state=seed))
                new_y.append(np.full(count, label, dtype=self.classes_.dtype))
        y_out = np.concatenate([np.asarray(y).reshape(-1), *new_y])
        if isinstance(X, pd.DataFrame):
            X_out = pd.concat([X, *new_X], ignore_index=True).astype(X.dtypes.to_dict())
            if isinstance(y, pd.Series):
                y_out = pd.Series(y_out, name=y.name).astype(y.dtype)
            return X_out, y_out
        X_arr = np.asarray(X)
        return np.concatenate([X_arr, *new_X]).astype(self._codec.array_dtype), y_out

    # -------------------------------------------------------------- scoring
    _N_COMPANION_PACKS = 8

    def _companions(self):
        """Fixed generated rows that accompany a scored row in the critic's packs (no
        training rows are kept in the fitted estimator)."""
        n = self._N_COMPANION_PACKS * (self.module_.pac - 1)
        rng = np.random.default_rng(0)
        codes = (rng.choice(len(self.classes_), size=n, p=self._class_prior)
                 if hasattr(self, "classes_") else None)
        rows = torch.as_tensor(self._generate(n, codes, seed=0))
        return rows, None if codes is None else torch.as_tensor(codes)

    def score_samples(self, X, y=None):
        """The critic's realness score of each row: higher looks more real.

        The critic is trained to score real rows above the generator's, so the
        score ranks rows by how real they look *compared with what the generator
        makes* (on the tables tested here, real rows above generated ones with an
        ROC AUC of 0.7 to 0.8). It is not a calibrated probability nor a density:
        far from the training data a Wasserstein critic's values are arbitrary, so
        do not use it as an outlier detector.

        With ``pac > 1`` a row is scored in packs with fixed generated rows (the
        mean over 8 such packs). For a conditional GAN without ``y``, the score is
        averaged over the classes, weighted by their training frequencies.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows with the training columns and dtypes.
        y : array-like of shape (n_samples,) or None, default=None
            The rows' labels, for a conditional GAN.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        frame, array, _ = self._validate_table(X, reset=False)
        rows = torch.as_tensor(self._codec.encode(frame, array))
        n = len(rows)
        if hasattr(self, "classes_"):
            if y is None:
                options = [(np.full(n, k), w) for k, w in enumerate(self._class_prior) if w]
            else:
                options = [(self._label_codes(n, self._validate_labels(y, n), None), 1.0)]
        else:
            if y is not None:
                raise ValueError("This GANSampler was fitted without y; score_samples "
                                 "takes no y.")
            options = [(None, 1.0)]
        total = torch.zeros(n, dtype=torch.float64)
        for codes, weight in options:
            total += weight * self._critic_scores(rows, codes).double()
        return total.numpy()

    def _critic_scores(self, rows, codes):
        gan = self.module_
        device = self._device()
        critic = gan.critic
        n_cond = gan.n_conditions

        def with_cond(x, c):
            if not n_cond:
                return x
            return torch.cat([x, torch.nn.functional.one_hot(c, n_cond).float()], 1)

        x = with_cond(rows, None if codes is None else torch.as_tensor(codes))
        if gan.pac == 1:
            packs = [x]
        else:
            ref_rows, ref_codes = self._companions()
            ref = with_cond(ref_rows, ref_codes).reshape(-1, (gan.pac - 1) * x.shape[1])
            packs = [torch.cat([x, r.expand(len(x), -1)], 1) for r in ref]
        gan.eval()
        with torch.inference_mode(), _engine.autocast(device, self.precision):
            scores = [torch.cat([critic.score_packs(p[i:i + _engine.PREDICT_BATCH_SIZE]
                                                    .to(device)).float().cpu()
                                 for i in range(0, len(p), _engine.PREDICT_BATCH_SIZE)])
                      for p in packs]
        return torch.stack(scores).mean(0)

    # ---------------------------------------------------------------- tags
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = False
        tags.input_tags.categorical = True
        tags.target_tags.required = False
        return tags


class _GANNetFactory:
    """Builds :class:`GANNet` with the estimator's ``critic_steps`` (picklable, unlike
    a lambda)."""

    def __init__(self, critic_steps):
        self.critic_steps = critic_steps

    def __call__(self, module, criterion, **kwargs):
        return GANNet(module, criterion, critic_steps=self.critic_steps, **kwargs)
