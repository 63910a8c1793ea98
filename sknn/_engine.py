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
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from skorch import NeuralNet
from skorch.callbacks import Callback, EpochTimer, PrintLog

from ._optim import OptimizerSpec, fit_lbfgs
from ._stopping import ConvergenceState, StopRules, TrainingMonitor, finite_parameters

__all__ = [
    "ConvergenceState",
    "InMemoryData",
    "OptimizerSpec",
    "StopRules",
    "PRECISIONS",
    "autocast",
    "parameter_dtype",
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
# Up to this many rows, a module with a ``forward_numpy`` (the MLP) predicts through
# it on the CPU (see predict_batches): enough to cover scikit-learn's checks that
# compare one-row predictions with whole-batch ones, so both take the same path.
NUMPY_FORWARD_ROWS = 64


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

# The ``precision`` parameter: the dtype torch.autocast computes in (None: no autocast;
# "float64" trains and predicts in plain float64, see :func:`parameter_dtype`).
PRECISIONS = {"float32": None, "bfloat16": torch.bfloat16, "float16": torch.float16,
              "float64": None}


def module_device(module):
    """The device of a module's first parameter (CPU for a module without any).

    Walks the submodules' own parameter dicts directly: ``next(module.parameters())``
    builds torch's full name-prefixed walk, a noticeable share of a one-row predict.
    """
    pending = [module]
    while pending:
        current = pending.pop()
        for parameter in current._parameters.values():
            if parameter is not None:
                return parameter.device
        pending.extend(m for m in reversed(current._modules.values()) if m is not None)
    return torch.device("cpu")


def parameter_dtype(precision):
    """The dtype of the parameters and the input tensors under ``precision``.

    float32 except for ``"float64"``: mixed precision keeps float32 weights.
    """
    return torch.float64 if precision == "float64" else torch.float32


def autocast(device, precision):
    """The context a forward pass and its loss run in for ``precision``.

    Mixed precision through ``torch.autocast``: matrix products and convolutions run
    in the lower precision, reductions and losses in float32, and the parameters stay
    float32. ``"float32"`` and ``"float64"`` are no context at all.
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
    target_is_input : bool, default=False
        The target of every batch is its (dense) input batch (auto-encoders);
        ``y`` must then be None.
    dtype : torch.dtype, default=torch.float32
        The floating dtype of the tensors (``precision="float64"``: float64).
    """

    def __init__(self, X, y=None, sample_weight=None, *, device, target_is_input=False,
                 dtype=torch.float32):
        self.device = device
        self.dtype = dtype
        self.sparse = sp.issparse(X)
        self.target_is_input = target_is_input
        np_dtype = np.float64 if dtype == torch.float64 else np.float32
        self.X = X.astype(np_dtype).tocsr() if self.sparse else as_tensor(X, device, dtype)
        self.y = None if y is None else as_tensor(y, device, dtype)
        self.w = None if sample_weight is None else as_tensor(sample_weight, device, dtype)

    def cast(self, dtype):
        """Convert the floating tensors to ``dtype`` in place (no-op when they are)."""
        if dtype == self.dtype:
            return self
        self.dtype = dtype
        if self.sparse:
            self.X = self.X.astype(np.float64 if dtype == torch.float64 else np.float32)
        for name in ("X", "y", "w"):
            value = getattr(self, name)
            if isinstance(value, torch.Tensor) and value.is_floating_point():
                setattr(self, name, value.to(dtype))
        return self

    def __len__(self):
        return self.X.shape[0]

    def rows(self, index):
        """Return the batch (X, y, w) for an index tensor or slice."""
        if self.sparse:
            idx = index.cpu().numpy() if isinstance(index, torch.Tensor) else index
            X = torch.from_numpy(self.X[idx].toarray()).to(self.device, non_blocking=True)
        else:
            X = self.X[index]
        y = X if self.target_is_input else None if self.y is None else self.y[index]
        w = None if self.w is None else self.w[index]
        return X, y, w

    def targets(self):
        """All the rows' targets (the input itself when ``target_is_input``)."""
        return self.rows(slice(0, len(self)))[1] if self.target_is_input else self.y


def as_tensor(array, device, dtype=torch.float32):
    """Convert an array to a tensor once: floats become ``dtype`` (float32 by default),
    ints stay int64."""
    if isinstance(array, torch.Tensor):
        return array.to(device)
    array = np.asarray(array)
    if array.dtype.kind == "f":
        array = array.astype(np.float64 if dtype == torch.float64 else np.float32, copy=False)
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
            X, y, w = self.data.rows(slice(None))
        for start in range(0, n, bs):
            stop = start + bs
            yield (
                X[start:stop],
                None if y is None else y[start:stop],
                None if w is None else w[start:stop],
            )


# --------------------------------------------------------------------------- the net


class SknnNet(NeuralNet):
    """skorch ``NeuralNet`` with a tensor-slicing iterator and weighted losses.

    Batches are ``(X, y, sample_weight)`` triples of tensors already on the device
    (for auto-encoding, ``y`` is the clean input batch itself).
    The criterion returns per-sample losses; they are averaged (weighted when
    weights are given) here. The epoch loss is summed on the device and read back
    once per epoch.
    """

    def __init__(self, module, criterion, *, spec, shuffle, generator, l1=0.0,
                 score_fn=None, precision="float32", log_style="table", **kwargs):
        super().__init__(module, criterion, **kwargs)
        self.spec = spec
        self.shuffle = shuffle
        self.generator = generator
        self.l1 = l1
        self.score_fn = score_fn
        self.precision = precision
        self.log_style = log_style

    def get_default_callbacks(self):
        callbacks = [("epoch_timer", EpochTimer())]
        if self.verbose and self.log_style == "table":
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
    def batch_loss(self, y_pred, y, w, n_rows):
        if w is not None:
            per_sample = self.criterion_(y_pred, y)
            # A batch whose rows all weigh 0 (small batches, zero sample weights)
            # contributes nothing, instead of 0 / 0 = NaN.
            total = w.sum()
            total = torch.where(total > 0, total, torch.ones_like(total))
            loss = (per_sample * w).sum() / total
        elif self._fused_mean:
            loss = self.criterion_.mean_loss(y_pred, y)
        else:
            loss = self.criterion_(y_pred, y).mean()
        if self.l1 or self.spec.penalty_in_loss:
            # Scaled by the batch's total weight, so that a row of weight 2 and the
            # same row twice give the same objective.
            loss = loss + self._penalty(n_rows if w is None else total)
        return loss

    def training_loss(self, y_pred, y, w):
        """The batch loss in training mode, and the number of ensemble members.

        A module with ``n_members`` > 1 (the ensembles of
        :mod:`sknn.modules.timeseries`) returns its members' outputs stacked,
        ``(members, batch, ...)``, in training mode: each member is scored on the
        whole batch and the loss is the mean of the members' (penalties included).
        Back-propagating ``loss * members`` gives every member the gradient it would
        have alone.
        """
        members = getattr(self.module_, "n_members", 1)
        if members > 1:
            y_pred = y_pred.flatten(0, 1)
            y = y.repeat(members, *(1,) * (y.dim() - 1))
            w = None if w is None else w.repeat(members)
        return self.batch_loss(y_pred, y, w, len(y_pred)), members

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
            sq = sum(float((p * p).sum()) for p in self.module_.parameters()
                     if p.requires_grad and p.ndim > 1)
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
            loss, members = self.training_loss(y_pred, y, w)
        objective = loss if members == 1 else loss * members
        (objective if self.grad_scaler_ is None else self.grad_scaler_.scale(objective)).backward()
        return {"loss": loss, "y_pred": y_pred}

    def validation_step(self, batch, **fit_params):
        X, y, w = batch
        with torch.no_grad(), self.autocast():
            y_pred = self.module_(X)
            loss = self.batch_loss(y_pred, y, w, len(X))
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
            target = iterator.data.targets()
            self.history.record("valid_score", float(self.score_fn(torch.cat(preds), target)))

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        dataset_train, dataset_valid = X, y
        on_epoch_kwargs = {"dataset_train": dataset_train, "dataset_valid": dataset_valid}
        iterator_valid = (None if dataset_valid is None
                          else self.get_iterator(dataset_valid, training=False))
        epochs = epochs if epochs is not None else self.max_epochs
        if self.spec.solver == "lbfgs":
            return fit_lbfgs(self, dataset_train, iterator_valid, epochs, on_epoch_kwargs)
        iterator_train = self.get_iterator(dataset_train, training=True)
        for _ in range(epochs):
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
    """What a training run hands back to the estimator.

    ``converged`` is True when the stopping rules ended the run before its last
    epoch.
    """

    module: torch.nn.Module
    optimizer_state: dict
    converged: bool
    # Why the fit did not converge, for the ConvergenceWarning (None: max_iter ran out).
    message: str = None


NONFINITE_WEIGHTS = ("Solver produced non-finite parameter weights. The input data may "
                     "contain large values and need to be preprocessed.")


def train(module, train_data, valid_data, *, criterion, spec, rules, state, epochs, device,
          seed, shuffle=True, l1=0.0, score_fn=None, verbose=0, callbacks=(),
          optimizer_state=None, net_cls=None, precision="float32", log_style="table"):
    """Run ``epochs`` epochs of training through skorch.

    Parameters
    ----------
    module : torch.nn.Module
        Trained in place (on ``device``).
    train_data, valid_data : InMemoryData or None
    criterion : torch.nn.Module
        Returns per-sample losses.
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
    precision : {"float32", "bfloat16", "float16", "float64"}, default="float32"
        Mixed precision of the forward passes (see :func:`autocast`); "float16"
        also scales the loss with a ``torch.amp.GradScaler``; "float64" converts the
        module and the data to float64.
    log_style : {"table", "sklearn"}, default="table"
        What ``verbose`` prints per epoch: skorch's table, or scikit-learn's
        "Iteration N, loss = ..." lines.

    Returns
    -------
    FitResult

    Raises
    ------
    ValueError
        When the weights end up non-finite (scikit-learn's message).
    """
    generator = torch.Generator().manual_seed(seed)
    dtype = parameter_dtype(precision)
    if dtype != torch.float32:
        module.to(dtype)
        for data in (train_data, valid_data):
            if data is not None:
                data.cast(dtype)
    sink = print if verbose and log_style == "sklearn" else None
    monitor = TrainingMonitor(state, rules, sink=sink)
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
        log_style=log_style,
        batch_size=spec.batch_size,
        max_epochs=epochs,
        train_split=None,
        device=str(device),
        verbose=verbose,
        callbacks=[("monitor", monitor), *user_callbacks],
    )
    net.gtol_ = rules.tol  # scipy's L-BFGS-B gradient tolerance, as in scikit-learn
    net.initialize()
    if optimizer_state is not None and spec.solver != "lbfgs":
        net.optimizer_.load_state_dict(optimizer_state)
    net.partial_fit(train_data, valid_data)
    module.eval()  # predictions need eval mode; leaving it set saves a toggle per call
    converged = monitor.converged
    message = None
    if rules.early_stopping and monitor.best_weights is not None:
        module.load_state_dict(monitor.best_weights)
    lbfgs = getattr(net, "lbfgs_result_", None)
    if lbfgs is not None and not net.lbfgs_stopped_:
        converged = lbfgs.status == 0
        if not converged:
            message = (f"lbfgs failed to converge after {lbfgs.nit} iteration(s) "
                       f"(status={lbfgs.status}): {lbfgs.message}. Increase max_iter "
                       f"(now {epochs}) or max_fun (now {spec.max_fun}), or scale the data.")
    if monitor.divergence is not None:
        epoch, loss = monitor.divergence
        hint = f"The training loss became {loss} at epoch {epoch}"
        if spec.solver != "lbfgs":
            hint += (f"; with scaled input features, try a lower learning_rate_init (it is "
                     f"{spec.learning_rate_init:g}) or a smaller batch_size")
        if not finite_parameters(module):
            raise ValueError(f"{NONFINITE_WEIGHTS} {hint}.")
        if not rules.early_stopping and not np.isfinite(state.loss_curve[-1]):
            # Finite weights whose outputs overflow: no better than non-finite ones.
            raise ValueError(f"{hint}, and it was still {state.loss_curve[-1]} when the "
                             "fit ended; the network's outputs overflow.")
        converged = False
        message = f"{hint}." + (" The weights of the best validation score were kept."
                                if rules.early_stopping else "")
    if not rules.check_convergence and message is None:
        converged = True  # a fixed budget (nothing to converge on) ran as planned
    return FitResult(
        module=module,
        optimizer_state=net.optimizer_.state_dict(),
        converged=converged,
        message=message,
    )


def warn_not_converged(estimator, max_iter, message=None):
    """Emit a ``ConvergenceWarning``: scikit-learn's wording for an unfinished fit, or
    ``message`` (why the fit stopped) when given."""
    import warnings

    if message is None:
        message = (f"{type(estimator).__name__}: maximum iterations ({max_iter}) reached "
                   "and the optimization hasn't converged yet.")
    warnings.warn(message, ConvergenceWarning, stacklevel=user_stacklevel())


def warn_if_not_learned(estimator, losses, chance_loss=None):
    """Warn (``ConvergenceWarning``) when a fit ended without learning anything.

    That is, when the last epoch's training loss is not below the first epoch's, or
    not clearly below ``chance_loss`` (what a network that ignores its input scores,
    such as predicting the class frequencies).
    """
    if not losses:
        return
    first, last = losses[0], losses[-1]
    if len(losses) > 1 and last >= first:
        reason = f"not below the first epoch's ({first:.4g})"
    elif chance_loss and last >= 0.99 * chance_loss:  # 0: a constant target, no signal
        reason = (f"not below the chance level of the targets ({chance_loss:.4g}, the "
                  "loss of a network that ignores X)")
    else:
        return
    import warnings

    warnings.warn(
        f"{type(estimator).__name__}: the training loss ended at {last:.4g} after "
        f"{len(losses)} epochs, {reason}: the network has not learned from X. Try a "
        "lower learning_rate_init (a diverging fit), more max_iter or a smaller "
        "batch_size (more optimiser steps), or scaled input features.",
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

    ``data`` is an :class:`InMemoryData`, or X already in the network's layout (a dense
    array or a sparse matrix), moved to the module's device one batch at a time.
    Returns one tensor on the host (float32 under mixed ``precision``). A single
    small batch skips the concatenation. Sparse input is densified one batch at a
    time, of at most ``SPARSE_PREDICT_ELEMENTS`` dense values, however wide the
    matrix is.
    """
    fn = module if fn is None else fn
    if module.training:  # a user may have switched it; fitted modules are left in eval
        module.eval()
    # The parameters' dtype (the engine trains every module in it); not read from the
    # module, whose parameter walk costs a sixth of a one-row predict.
    dtype = parameter_dtype(precision)
    if not isinstance(data, (InMemoryData, np.ndarray)):
        data = InMemoryData(data, device=module_device(module), dtype=dtype)
    if isinstance(data, np.ndarray):
        # Dense X straight to tensors: no data object, no whole-array copy (one row
        # in, one row converted).
        device = module_device(module)

        def batch(rows):
            return as_tensor(data[rows], device, dtype)
    else:
        device = data.device
        if data.sparse:
            batch_size = max(1, min(batch_size,
                                    SPARSE_PREDICT_ELEMENTS // max(1, data.X.shape[1])))

        def batch(rows):
            x = data.rows(rows)[0]
            # Data kept in float32 for a float64 module (or the reverse).
            return x.to(dtype) if x.is_floating_point() and x.dtype != dtype else x
    mixed = PRECISIONS[precision] is not None
    if (fn is module and isinstance(data, np.ndarray) and len(data) <= NUMPY_FORWARD_ROWS
            and device.type == "cpu" and not mixed and hasattr(module, "forward_numpy")):
        # A few rows: the module's NumPy form, a fraction of torch's per-layer cost,
        # on X rounded to the parameters' dtype as torch's path would see it.
        np_dtype = np.float64 if dtype == torch.float64 else np.float32
        out = module.forward_numpy(data.astype(np_dtype, copy=False))
        if out is not None:
            return _checked_output(module, torch.from_numpy(out.astype(np_dtype)))

    def run(rows):
        out = fn(batch(rows))
        return (out.float() if mixed and out.is_floating_point() else out).cpu()

    with torch.inference_mode(), autocast(device, precision):
        n = len(data)
        if n <= batch_size:
            out = run(slice(0, n))
        else:
            out = torch.cat([run(slice(i, i + batch_size)) for i in range(0, n, batch_size)])
    return _checked_output(module, out)


def _checked_output(module, out):
    """``out``, once checked finite (a ValueError that says why otherwise)."""
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
