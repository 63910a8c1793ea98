"""The training engine: skorch's ``NeuralNet`` fed by an in-memory tensor iterator.

The estimators never subclass skorch; they describe a fit (module, loss, optimizer,
data) and :func:`train` runs it through :class:`SknnNet`, a thin ``NeuralNet``
subclass whose hot loop slices tensors instead of collating samples and keeps the
loss on the device until the epoch ends.
"""

import contextlib
import copy
import os
import sys
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from skorch import NeuralNet
from skorch.callbacks import Callback, EpochTimer, PrintLog

__all__ = [
    "ConvergenceState",
    "InMemoryData",
    "OptimizerSpec",
    "PRECISIONS",
    "autocast",
    "resolve_device",
    "draw_seed",
    "seeded",
    "train",
    "predict_batches",
]

_INT32_MAX = np.iinfo(np.int32).max
PREDICT_BATCH_SIZE = 4096
# A sparse batch is densified before the forward pass: at 4096 rows a 50,000-column
# TF-IDF batch would be 800 MB. Sparse predictions are batched by this many dense
# elements instead (16 MB of float32).
SPARSE_PREDICT_ELEMENTS = 2**22


# --------------------------------------------------------------------------- devices

# The device types of the ``device`` parameter ("cuda:1" has type "cuda").
_DEVICE_TYPES = ("auto", "cpu", "cuda", "mps")


def resolve_device(device):
    """Turn the ``device`` parameter into a :class:`torch.device`.

    ``"auto"`` picks CUDA, then MPS, then the CPU. Asking for a device the machine
    lacks is a ``ValueError`` rather than a torch error deep inside the fit.
    """
    if isinstance(device, torch.device):
        device = str(device)
    if not isinstance(device, str) or device.split(":")[0] not in _DEVICE_TYPES:
        hint = " (CUDA GPUs are 'cuda')" if str(device).lower().startswith("gpu") else ""
        raise ValueError(
            f"device={device!r} is not a device sknn knows{hint}; use 'cpu', 'cuda', "
            "'cuda:N' (the N-th GPU), 'mps' or 'auto'."
        )
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        dev = torch.device(device)
    except RuntimeError as exc:  # "cuda:x", "cpu:0:1"
        raise ValueError(f"device={device!r} is not a valid device string; use 'cpu', "
                         "'cuda', 'cuda:N' (the N-th GPU), 'mps' or 'auto'.") from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this machine; "
            "use device='cpu' or device='auto'."
        )
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        raise ValueError(
            f"device={device!r} was requested but this machine has "
            f"{torch.cuda.device_count()} CUDA device(s), numbered from 0."
        )
    if dev.type == "mps" and not (
        getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    ):
        raise ValueError(f"device={device!r} was requested but MPS is not available.")
    return dev


# --------------------------------------------------------------------------- precision

# The ``precision`` parameter: the dtype torch.autocast computes in (None: plain float32).
PRECISIONS = {"float32": None, "bfloat16": torch.bfloat16, "float16": torch.float16}


def autocast(device, precision):
    """The context a forward pass and its loss run in for ``precision``.

    Mixed precision through ``torch.autocast``: matrix products and convolutions run
    in the lower precision, reductions and losses in float32, and the parameters stay
    float32. ``"float32"`` is no context at all.
    """
    dtype = PRECISIONS[precision]
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


# --------------------------------------------------------------------------- seeding


def draw_seed(random_state):
    """Draw one integer seed from ``random_state`` (int, RandomState or None)."""
    return int(check_random_state(random_state).randint(_INT32_MAX))


def fit_threads():
    """How many intra-op threads a fit uses.

    Decided once, here: ``SKNN_NUM_THREADS`` when set, else torch's own setting,
    which honours ``OMP_NUM_THREADS``. joblib's loky workers, Dask's nanny and Ray
    workers all set that variable to their share of the cores, so a parallel search
    does not oversubscribe the machine.
    """
    value = os.environ.get("SKNN_NUM_THREADS")
    return max(1, int(value)) if value else torch.get_num_threads()


@contextlib.contextmanager
def seeded(seed, device):
    """Run a block with torch's RNG seeded, leaving the caller's global RNG untouched.

    Also pins the number of intra-op threads for the block (see :func:`fit_threads`)
    and restores it afterwards.
    """
    devices = [device.index or 0] if device.type == "cuda" else []
    old_threads = torch.get_num_threads()
    threads = fit_threads()
    with torch.random.fork_rng(devices=devices, device_type=device.type if devices else "cuda"):
        if device.type == "cpu":
            # torch.manual_seed also queues a lazy CUDA seeding that formats a stack
            # trace (about 0.8 ms a fit, a tenth of a small fit): seed the CPU only.
            torch.random.default_generator.manual_seed(seed)
        else:
            torch.manual_seed(seed)
        if threads != old_threads:
            torch.set_num_threads(threads)
        try:
            yield
        finally:
            if threads != old_threads:
                torch.set_num_threads(old_threads)


# --------------------------------------------------------------------------- data


class InMemoryData:
    """Tensors (or a CSR matrix) held for one fit.

    Dense X is moved to the device once. Sparse X stays a scipy CSR matrix on the
    host and is densified one batch at a time, so a TF-IDF matrix never exists as a
    dense array.

    Parameters
    ----------
    X : ndarray or scipy.sparse.csr_matrix
    y : ndarray or None
    sample_weight : ndarray or None
    device : torch.device
    """

    def __init__(self, X, y=None, sample_weight=None, *, device):
        self.device = device
        self.sparse = sp.issparse(X)
        self.X = X.astype(np.float32).tocsr() if self.sparse else as_tensor(X, device)
        self.y = None if y is None else as_tensor(y, device)
        self.w = None if sample_weight is None else as_tensor(sample_weight, device)

    def __len__(self):
        return self.X.shape[0]

    def rows(self, index):
        """Return the batch (X, y, w) for an index tensor or slice."""
        if self.sparse:
            idx = index.cpu().numpy() if isinstance(index, torch.Tensor) else index
            X = torch.from_numpy(self.X[idx].toarray()).to(self.device, non_blocking=True)
        else:
            X = self.X[index]
        y = None if self.y is None else self.y[index]
        w = None if self.w is None else self.w[index]
        return X, y, w


def as_tensor(array, device):
    """Convert an array to a tensor once: float64 becomes float32, ints stay int64."""
    if isinstance(array, torch.Tensor):
        return array.to(device)
    array = np.asarray(array)
    if array.dtype.kind == "f":
        array = array.astype(np.float32, copy=False)
    elif array.dtype.kind in "iub":
        array = array.astype(np.int64, copy=False)
    return torch.from_numpy(np.ascontiguousarray(array)).to(device)


class BatchIterator:
    """Mini-batches by tensor slicing, one permutation per epoch.

    The whole tensor is indexed once with the epoch's permutation, after which every
    batch is a contiguous slice: no per-sample ``__getitem__``, no collate.
    """

    def __init__(self, data, batch_size, shuffle, generator=None):
        self.data = data
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator

    def __len__(self):
        return -(-len(self.data) // self.batch_size)

    def __iter__(self):
        n, bs = len(self.data), self.batch_size
        if self.data.sparse:
            order = torch.randperm(n, generator=self.generator) if self.shuffle else None
            for start in range(0, n, bs):
                stop = start + bs
                index = slice(start, stop) if order is None else order[start:stop]
                yield self.data.rows(index)
            return
        if self.shuffle and n > bs:
            perm = torch.randperm(n, generator=self.generator).to(self.data.device)
            X, y, w = self.data.rows(perm)
        else:
            X, y, w = self.data.X, self.data.y, self.data.w
        for start in range(0, n, bs):
            stop = start + bs
            yield (
                X[start:stop],
                None if y is None else y[start:stop],
                None if w is None else w[start:stop],
            )


# --------------------------------------------------------------------------- optimizers


@dataclass
class OptimizerSpec:
    """What the estimator asks of the optimizer, independent of torch's classes.

    ``alpha`` is scikit-learn's L2 strength: the penalty added per batch is
    ``0.5 * alpha * ||W||^2 / batch_size``. For "adam" and "sgd" it is applied as the
    equivalent ``weight_decay = alpha / batch_size``, which keeps the fused optimizer
    kernels; unlike scikit-learn it then also reaches the biases (a negligible
    difference at the usual strengths, and one fused kernel per step instead of
    two). For "adamw" ``alpha`` is AdamW's decoupled decay; for "lbfgs" it is added
    to the loss, on weights only.

    ``lr_factors`` gives parts of the network their own learning rate: pairs
    ``(prefix, factor)``, where the parameters whose name starts with ``prefix``
    train at ``factor * learning_rate_init`` in a parameter group of their own (for
    example a pretrained base fine-tuned ten times slower than a new head). Every
    group remembers its factor as ``"lr_factor"``, so that the learning-rate
    schedules keep the ratios. Empty (the default) is one group. Not used by
    "lbfgs", which has a single step size.
    """

    solver: str = "adam"
    learning_rate_init: float = 1e-3
    alpha: float = 1e-4
    batch_size: int = 200
    momentum: float = 0.9
    nesterovs_momentum: bool = True
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8
    max_fun: int = 15000
    lr_factors: tuple = ()

    @property
    def penalty_in_loss(self):
        return self.solver == "lbfgs"

    def build(self, module, device):
        """Create the torch optimizer for ``module``'s trainable parameters."""
        params = [p for p in module.parameters() if p.requires_grad]
        lr = self.learning_rate_init
        if self.solver == "lbfgs":
            # As in scikit-learn, learning_rate_init does not apply: the line search
            # chooses the step, and one epoch is one L-BFGS iteration on all rows.
            return torch.optim.LBFGS(
                params,
                lr=1.0,
                max_iter=1,
                max_eval=max(2, min(25, self.max_fun)),
                history_size=10,
                line_search_fn="strong_wolfe",
            )
        # One parameter group (biases decayed too): a second group costs a second
        # fused kernel launch per step, about 7% of an MLP's step at batch 200.
        decay = self.alpha if self.solver == "adamw" else self.alpha / max(1, self.batch_size)
        fused = {"fused": True} if _fused_supported(device) else {}
        if self.lr_factors:
            params = _parameter_groups(module, self.lr_factors, lr)
        if self.solver == "sgd":
            nesterov = self.nesterovs_momentum and self.momentum > 0
            return torch.optim.SGD(params, lr=lr, momentum=self.momentum, nesterov=nesterov,
                                   weight_decay=decay, **fused)
        cls = torch.optim.AdamW if self.solver == "adamw" else torch.optim.Adam
        return cls(params, lr=lr, betas=(self.beta_1, self.beta_2), eps=self.epsilon,
                   weight_decay=decay, **fused)


def _parameter_groups(module, lr_factors, lr):
    """Split the trainable parameters into groups by name prefix (see ``OptimizerSpec``).

    The parameters no prefix matches come first, at factor 1; empty groups are left out.
    """
    groups = {prefix: [] for prefix, _ in lr_factors}
    rest = []
    for name, param in module.named_parameters():
        if param.requires_grad:
            prefix = next((p for p, _ in lr_factors if name.startswith(p)), None)
            (rest if prefix is None else groups[prefix]).append(param)
    out = [{"params": rest, "lr": lr, "lr_factor": 1.0}] if rest else []
    out += [{"params": groups[prefix], "lr": lr * factor, "lr_factor": factor}
            for prefix, factor in lr_factors if groups[prefix]]
    return out


def _fused_supported(device):
    # Fused kernels exist for CPU and CUDA; MPS support varies by torch version.
    return device.type in ("cpu", "cuda")


# --------------------------------------------------------------------------- convergence


@dataclass
class ConvergenceState:
    """Bookkeeping that survives ``warm_start`` and ``partial_fit`` calls.

    Mirrors scikit-learn's MLP: ``loss_curve_``, ``best_loss_``,
    ``validation_scores_``, ``best_validation_score_`` and the no-improvement count.
    """

    loss_curve: list = field(default_factory=list)
    validation_scores: list = field(default_factory=list)
    best_loss: float = np.inf
    best_validation_score: float = -np.inf
    no_improvement: int = 0
    n_iter: int = 0
    samples_seen: int = 0
    history: list = field(default_factory=list)


@dataclass
class StopRules:
    """How the monitor decides to stop or to lower the learning rate."""

    tol: float = 1e-4
    n_iter_no_change: int = 10
    early_stopping: bool = False
    learning_rate: str = "constant"
    learning_rate_init: float = 1e-3
    power_t: float = 0.5
    check_convergence: bool = True


class TrainingMonitor(Callback):
    """Per-epoch bookkeeping, scikit-learn's MLP stopping rules and LR schedules.

    Raises ``ValueError`` when the loss stops being finite, so a diverging fit ends
    with a message instead of a model full of NaN.
    """

    def __init__(self, state, rules):
        self.state = state
        self.rules = rules
        self.converged = False
        self.best_weights = None

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        st, rules = self.state, self.rules
        record = net.history[-1]
        loss = record["train_loss"] + net.l2_penalty_for_report()
        st.n_iter += 1
        st.samples_seen += len(dataset_train)
        if not np.isfinite(loss):
            raise ValueError(
                f"The training loss became {loss} at epoch {st.n_iter}; the fit was "
                f"stopped. Try a lower learning_rate_init (it is "
                f"{net.optimizer_.param_groups[0]['lr']:g}), scale the input features, or "
                "use a smaller batch_size."
            )
        st.loss_curve.append(float(loss))
        record = {k: v for k, v in record.items() if k != "batches"}
        record["epoch"] = st.n_iter
        st.history.append(record)
        if rules.learning_rate == "invscaling":
            lr = rules.learning_rate_init / (st.samples_seen + 1) ** rules.power_t
            _set_lr(net.optimizer_, lr)
        if not rules.check_convergence:
            return
        if rules.early_stopping:
            score = record["valid_score"]
            st.validation_scores.append(score)
            improved = score >= st.best_validation_score + rules.tol
            st.no_improvement = 0 if improved else st.no_improvement + 1
            if score > st.best_validation_score:
                st.best_validation_score = score
                self.best_weights = copy.deepcopy(net.module_.state_dict())
        else:
            st.no_improvement = st.no_improvement + 1 if loss > st.best_loss - rules.tol else 0
            st.best_loss = min(st.best_loss, loss)
        if st.no_improvement > rules.n_iter_no_change:
            lr = _base_lr(net.optimizer_)
            if rules.learning_rate == "adaptive" and lr > 1e-6:
                _set_lr(net.optimizer_, lr / 5)
                st.no_improvement = 0
                return
            self.converged = True
            raise KeyboardInterrupt  # skorch's own way of ending a fit early


def _base_lr(optimizer):
    """The learning rate before any group's ``lr_factor``."""
    group = optimizer.param_groups[0]
    return group["lr"] / group.get("lr_factor", 1.0)


def _set_lr(optimizer, lr):
    """Set every group's learning rate to ``lr`` times its ``lr_factor`` (default 1)."""
    for group in optimizer.param_groups:
        group["lr"] = lr * group.get("lr_factor", 1.0)


# --------------------------------------------------------------------------- the net


class SknnNet(NeuralNet):
    """skorch ``NeuralNet`` with a tensor-slicing iterator and weighted losses.

    Batches are ``(X, y, sample_weight)`` triples of tensors already on the device;
    ``y`` is None for auto-encoding, where the target is the (clean) input batch.
    The criterion returns per-sample losses; they are averaged (weighted when
    weights are given) here. The epoch loss is summed on the device and read back
    once per epoch.
    """

    def __init__(self, module, criterion, *, spec, shuffle, generator, l1=0.0,
                 score_fn=None, precision="float32", **kwargs):
        super().__init__(module, criterion, **kwargs)
        self.spec = spec
        self.shuffle = shuffle
        self.generator = generator
        self.l1 = l1
        self.score_fn = score_fn
        self.precision = precision

    def get_default_callbacks(self):
        callbacks = [("epoch_timer", EpochTimer())]
        if self.verbose:
            callbacks.append(("print_log", PrintLog(floatfmt=".4f")))
        return callbacks

    def initialize_criterion(self, *args, **kwargs):
        super().initialize_criterion(*args, **kwargs)
        # sknn's criteria offer a fused unweighted mean; a user's may not.
        self._fused_mean = callable(getattr(self.criterion_, "mean_loss", None))
        return self

    def initialize_optimizer(self, triggered_directly=None):
        device = self._torch_device = torch.device(self.device)
        self.optimizer_ = self.spec.build(self.module_, device)
        # float16 gradients underflow without loss scaling; bfloat16 has float32's range.
        self.grad_scaler_ = (torch.amp.GradScaler(device.type)
                             if self.precision == "float16" else None)
        return self

    def autocast(self):
        """The mixed-precision context of a forward pass (see :func:`autocast`)."""
        return autocast(self._torch_device, self.precision)

    def get_iterator(self, dataset, training=False):
        batch_size = len(dataset) if self.spec.solver == "lbfgs" else self.batch_size
        return BatchIterator(dataset, max(1, min(batch_size, len(dataset))),
                             shuffle=training and self.shuffle, generator=self.generator)

    # -- loss ------------------------------------------------------------------
    def batch_loss(self, y_pred, y, w, n_rows, X=None):
        target = X if y is None else y
        if w is not None:
            per_sample = self.criterion_(y_pred, target)
            loss = (per_sample * w).sum() / w.sum()
        elif self._fused_mean:
            loss = self.criterion_.mean_loss(y_pred, target)
        else:
            loss = self.criterion_(y_pred, target).mean()
        if self.l1 or self.spec.penalty_in_loss:
            # Scaled by the batch's total weight, so that a row of weight 2 and the
            # same row twice give the same objective.
            loss = loss + self._penalty(n_rows if w is None else w.sum())
        return loss

    def _penalty(self, n_rows):
        total = 0.0
        for p in self.module_.parameters():
            if p.ndim > 1 and p.requires_grad:
                if self.l1:
                    total = total + self.l1 * p.abs().sum()
                if self.spec.penalty_in_loss and self.spec.alpha:
                    total = total + 0.5 * self.spec.alpha * (p * p).sum()
        return total / n_rows

    def l2_penalty_for_report(self):
        """The L2 term scikit-learn adds to ``loss_curve_`` (weight decay is not in the loss)."""
        if self.spec.penalty_in_loss or not self.spec.alpha or self.spec.solver == "adamw":
            return 0.0
        with torch.no_grad():
            sq = sum(float((p * p).sum()) for p in self.module_.parameters() if p.requires_grad)
        return 0.5 * self.spec.alpha * sq / max(1, self.spec.batch_size)

    # -- steps -----------------------------------------------------------------
    def initialize_callbacks(self):
        super().initialize_callbacks()
        # Batch-level hooks are called thousands of times per fit: call only the
        # callbacks that implement them (skorch's base Callback methods are no-ops).
        self._batch_hooks = {
            name: [cb for _, cb in self.callbacks_
                   if getattr(type(cb), name) is not getattr(Callback, name)]
            for name in ("on_batch_begin", "on_batch_end", "on_grad_computed")
        }
        return self

    def notify(self, method_name, **cb_kwargs):
        hooks = self._batch_hooks.get(method_name)
        if hooks is None:
            return super().notify(method_name, **cb_kwargs)
        for cb in hooks:
            getattr(cb, method_name)(self, **cb_kwargs)
        return None

    def train_step(self, batch, **fit_params):
        if self.spec.solver == "lbfgs":  # needs the closure: skorch's own step
            return super().train_step(batch, **fit_params)
        self.optimizer_.zero_grad()
        step = self.train_step_single(batch)
        scaler = self.grad_scaler_
        if self._batch_hooks["on_grad_computed"]:
            if scaler is not None:  # callbacks (gradient clipping) see true gradients
                scaler.unscale_(self.optimizer_)
            self.notify("on_grad_computed", named_parameters=list(self.module_.named_parameters()),
                        batch=batch, training=True)
        if scaler is None:
            self.optimizer_.step()
        else:  # skips the step when the scaled gradients overflowed
            scaler.step(self.optimizer_)
            scaler.update()
        return step

    def train_step_single(self, batch, **fit_params):
        X, y, w = batch
        with self.autocast():
            y_pred = self.module_(X)
            loss = self.batch_loss(y_pred, y, w, len(X), X)
        (loss if self.grad_scaler_ is None else self.grad_scaler_.scale(loss)).backward()
        return {"loss": loss, "y_pred": y_pred}

    def validation_step(self, batch, **fit_params):
        X, y, w = batch
        with torch.no_grad(), self.autocast():
            y_pred = self.module_(X)
            loss = self.batch_loss(y_pred, y, w, len(X), X)
        return {"loss": loss, "y_pred": y_pred}

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        if self.module_.training != training:  # a walk over every submodule
            self.module_.train(training)
        batch_losses, sizes, preds = [], [], []
        begin_hooks = self._batch_hooks["on_batch_begin"]
        end_hooks = self._batch_hooks["on_batch_end"]
        for batch in iterator:
            if begin_hooks:
                self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            # Kept on the device; read back once per epoch (no per-batch sync).
            batch_losses.append(step["loss"].detach())
            sizes.append(len(batch[0]))
            if not training:
                preds.append(step["y_pred"])
            if end_hooks:
                self.notify("on_batch_end", batch=batch, training=training, **step)
        weights = torch.tensor(sizes, dtype=batch_losses[0].dtype, device=batch_losses[0].device)
        epoch_loss = float(torch.stack(batch_losses) @ weights) / sum(sizes)
        self.history.record(prefix + "_loss", epoch_loss)
        self.history.record(prefix + "_batch_count", len(sizes))
        if not training and self.score_fn is not None:
            data = iterator.data
            target = data.y if data.y is not None else data.rows(slice(0, len(data)))[0]
            self.history.record("valid_score", float(self.score_fn(torch.cat(preds), target)))

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        dataset_train, dataset_valid = X, y
        on_epoch_kwargs = {"dataset_train": dataset_train, "dataset_valid": dataset_valid}
        iterator_train = self.get_iterator(dataset_train, training=True)
        iterator_valid = (None if dataset_valid is None
                          else self.get_iterator(dataset_valid, training=False))
        for _ in range(epochs if epochs is not None else self.max_epochs):
            self.notify("on_epoch_begin", **on_epoch_kwargs)
            self.run_single_epoch(iterator_train, training=True, prefix="train",
                                  step_fn=self.train_step)
            self.run_single_epoch(iterator_valid, training=False, prefix="valid",
                                  step_fn=self.validation_step)
            self.notify("on_epoch_end", **on_epoch_kwargs)
        return self


# --------------------------------------------------------------------------- entry points


@dataclass
class FitResult:
    """What a training run hands back to the estimator."""

    module: torch.nn.Module
    optimizer_state: dict
    converged: bool
    stopped_early: bool
    seconds: float


def train(module, criterion, train_data, valid_data, *, spec, rules, state, epochs, device,
          seed, shuffle=True, l1=0.0, score_fn=None, verbose=0, callbacks=(),
          optimizer_state=None, net_cls=None, precision="float32"):
    """Run ``epochs`` epochs of training through skorch.

    Parameters
    ----------
    module : torch.nn.Module
        Trained in place (on ``device``).
    criterion : torch.nn.Module
        Returns per-sample losses.
    train_data, valid_data : InMemoryData or None
    spec : OptimizerSpec
    rules : StopRules
    state : ConvergenceState
        Updated in place.
    epochs : int
    device : torch.device
    seed : int
        Seeds the batch order; weights and dropout are seeded by the caller.
    shuffle : bool
    l1 : float
    score_fn : callable or None
        ``score_fn(y_pred, y_true) -> tensor`` for the validation score.
    verbose : int
    callbacks : sequence of skorch callbacks
        Deep-copied, so the user's objects are not mutated.
    optimizer_state : dict or None
        Resumes the optimizer (warm start, partial fit).
    net_cls : callable or None
        The ``SknnNet`` subclass (or a factory of one) that runs the fit, for
        networks whose training step is not one forward / backward pass (a GAN's
        alternating updates); None is :class:`SknnNet`.
    precision : {"float32", "bfloat16", "float16"}, default="float32"
        Mixed precision of the forward passes (see :func:`autocast`); "float16"
        also scales the loss with a ``torch.amp.GradScaler``.

    Returns
    -------
    FitResult
    """
    generator = torch.Generator().manual_seed(seed)
    monitor = TrainingMonitor(state, rules)
    user_callbacks = [
        (f"user_{i}_{cb[0]}", copy.deepcopy(cb[1])) if isinstance(cb, tuple)  # (name, cb)
        else (f"user_{i}", copy.deepcopy(cb))
        for i, cb in enumerate(callbacks)
    ]
    net = (net_cls or SknnNet)(
        module,
        criterion,
        spec=spec,
        shuffle=shuffle,
        generator=generator,
        l1=l1,
        score_fn=score_fn if valid_data is not None else None,
        precision=precision,
        batch_size=spec.batch_size,
        max_epochs=epochs,
        train_split=None,
        device=str(device),
        verbose=verbose,
        callbacks=[("monitor", monitor), *user_callbacks],
    )
    net.initialize()
    if optimizer_state is not None:
        net.optimizer_.load_state_dict(optimizer_state)
    start = time.perf_counter()
    net.partial_fit(train_data, valid_data)
    seconds = time.perf_counter() - start
    module.eval()  # predictions need eval mode; leaving it set saves a toggle per call
    stopped_early = monitor.converged
    if rules.early_stopping and monitor.best_weights is not None:
        module.load_state_dict(monitor.best_weights)
    return FitResult(
        module=module,
        optimizer_state=net.optimizer_.state_dict(),
        converged=stopped_early,
        stopped_early=stopped_early,
        seconds=seconds,
    )


def warn_not_converged(estimator, max_iter):
    """Emit scikit-learn's ``ConvergenceWarning`` wording for an unfinished fit."""
    import warnings

    warnings.warn(
        f"{type(estimator).__name__}: maximum iterations ({max_iter}) reached and the "
        "optimization hasn't converged yet.",
        ConvergenceWarning,
        stacklevel=user_stacklevel(),
    )


def user_stacklevel():
    """The ``stacklevel`` that points a warning at the first frame outside sknn."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def predict_batches(module, data, fn=None, batch_size=PREDICT_BATCH_SIZE, precision="float32"):
    """Apply ``fn`` (default: the module) to ``data`` in eval mode, batch by batch.

    Returns one tensor on the host (float32 under mixed ``precision``). A single
    small batch skips the concatenation. Sparse input is densified one batch at a
    time, of at most ``SPARSE_PREDICT_ELEMENTS`` dense values, however wide the
    matrix is.
    """
    fn = module if fn is None else fn
    if data.sparse:
        batch_size = max(1, min(batch_size, SPARSE_PREDICT_ELEMENTS // max(1, data.X.shape[1])))
    if module.training:  # a user may have switched it; fitted modules are left in eval
        module.eval()
    mixed = PRECISIONS[precision] is not None

    def run(rows):
        out = fn(data.rows(rows)[0])
        return (out.float() if mixed and out.is_floating_point() else out).cpu()

    with torch.inference_mode(), autocast(data.device, precision):
        n = len(data)
        if n <= batch_size:
            out = run(slice(0, n))
        else:
            out = torch.cat([run(slice(i, i + batch_size)) for i in range(0, n, batch_size)])
    # numpy's isfinite on the (shared) buffer costs a fifth of torch's for one row.
    if out.is_floating_point() and not (
        np.isfinite(out.numpy()).all() if out.dtype in (torch.float32, torch.float64)
        else bool(torch.isfinite(out).all())
    ):
        raise ValueError(_non_finite_output_message(module))
    return out


def _non_finite_output_message(module):
    """Why a network's outputs are NaN or infinite, and what to do about it."""
    weights_ok = all(bool(torch.isfinite(p).all()) for p in module.parameters())
    if not weights_ok:
        return ("The network's weights are not finite (NaN or infinity): its training "
                "diverged. Refit it with scaled input features (StandardScaler), a lower "
                "learning_rate_init or solver='adam'.")
    return ("The network's outputs are not finite (NaN or infinity) for some rows of X: "
            "they overflow float32 inside the network. Either X's values are far outside "
            "those seen in training (scale X as the training data was scaled), or the fit "
            "diverged to huge weights (see loss_curve_; refit with scaled input features or "
            "a lower learning_rate_init).")
