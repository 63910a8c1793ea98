"""Optimizers: what an estimator asks of one (:class:`OptimizerSpec`), the torch
optimizer built from it, the learning-rate helpers the stopping rules use, and
scipy's L-BFGS-B run on a skorch net's flattened parameters (``solver="lbfgs"``).

Split from :mod:`sknn._engine`, which trains through these.
"""

import time
from dataclasses import dataclass

import torch

__all__ = ["OptimizerSpec", "base_lr", "fit_lbfgs", "set_lr"]


@dataclass
class OptimizerSpec:
    """What the estimator asks of the optimizer, independent of torch's classes.

    ``alpha`` is scikit-learn's L2 strength: the penalty added per batch is
    ``0.5 * alpha * ||W||^2 / batch_size``, on the weights (parameters of two or more
    dimensions), not the biases. For "adam" and "sgd" it is applied as the
    equivalent ``weight_decay = alpha / batch_size`` on a parameter group of the
    weights (the biases are a second group without decay), which keeps the fused
    optimizer kernels. For "adamw" ``alpha`` is AdamW's decoupled decay (one group);
    for "lbfgs" it is added to the loss, on weights only.

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

    @classmethod
    def parameter_names(cls):
        """The fields that are estimator parameters of the same name."""
        return ("solver", "learning_rate_init", "alpha", "momentum", "nesterovs_momentum",
                "beta_1", "beta_2", "epsilon", "max_fun")

    @property
    def penalty_in_loss(self):
        return self.solver == "lbfgs"

    def build(self, module, device):
        """Create the torch optimizer for ``module``'s trainable parameters."""
        params = [p for p in module.parameters() if p.requires_grad]
        lr = self.learning_rate_init
        if self.solver == "lbfgs":
            # Never stepped: SknnNet runs scipy's L-BFGS-B on the flattened parameters
            # (as scikit-learn does). The object only carries the parameter list for
            # callbacks that read ``net.optimizer_``.
            return torch.optim.SGD(params, lr=1.0)
        decay = self.alpha if self.solver == "adamw" else self.alpha / max(1, self.batch_size)
        fused = {"fused": True} if _fused_supported(device) else {}
        if self.lr_factors:
            params = _parameter_groups(module, self.lr_factors, lr)
        if decay and self.solver != "adamw":
            # The L2 penalty is on the weights only: the biases (and other 1-D
            # parameters such as batch-norm scales) get a group without decay.
            params = _weights_apart(module, params, decay)
            decay = 0.0
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


def _weights_apart(module, params, decay):
    """Split parameters (a list, or groups of dicts) into decayed weights and undecayed rest.

    Each group becomes two: its parameters of two or more dimensions with
    ``weight_decay=decay``, and the others with none. Empty groups are left out.
    """
    groups = params if params and isinstance(params[0], dict) else [{"params": params}]
    out = []
    for group in groups:
        weights = [p for p in group["params"] if p.ndim > 1]
        rest = [p for p in group["params"] if p.ndim <= 1]
        out += [{**group, "params": weights, "weight_decay": decay}] if weights else []
        out += [{**group, "params": rest, "weight_decay": 0.0}] if rest else []
    return out


def _fused_supported(device):
    # Fused kernels exist for CPU and CUDA; MPS support varies by torch version.
    return device.type in ("cpu", "cuda")


def base_lr(optimizer):
    """The learning rate before any group's ``lr_factor``."""
    group = optimizer.param_groups[0]
    return group["lr"] / group.get("lr_factor", 1.0)


def set_lr(optimizer, lr):
    """Set every group's learning rate to ``lr`` times its ``lr_factor`` (default 1)."""
    for group in optimizer.param_groups:
        group["lr"] = lr * group.get("lr_factor", 1.0)


def fit_lbfgs(net, dataset_train, iterator_valid, epochs, on_epoch_kwargs):
    """Run scipy's L-BFGS-B on ``net``'s flattened parameters, as scikit-learn's MLP
    does; the body of ``SknnNet.fit_loop`` for ``solver="lbfgs"``.

    ``tol`` (``net.gtol_``, set by :func:`sknn._engine.train`) is the
    projected-gradient tolerance, ``max_iter`` (``epochs``) the iterations and
    ``max_fun`` the loss evaluations of the whole fit; the torch
    loss and its gradient on all training rows are the objective. Every
    iteration is one epoch for the callbacks (history, monitor, early stopping,
    user callbacks), with the iterate loaded into the module. The result is
    kept as ``net.lbfgs_result_``, and whether a
    callback stopped the fit as ``net.lbfgs_stopped_``. Returns ``net``.
    """
    import scipy.optimize  # only lbfgs fits pay for the import

    module = net.module_
    params = [p for p in module.parameters() if p.requires_grad]
    X, y, w = dataset_train.rows(slice(0, len(dataset_train)))
    device, dtype = params[0].device, params[0].dtype
    timer = dict(net.callbacks_).get("epoch_timer")
    stopped = []
    last = {"x": None, "time": time.time()}

    def load(x):
        with torch.no_grad():
            torch.nn.utils.vector_to_parameters(
                torch.from_numpy(x).to(device=device, dtype=dtype), params)

    def objective(x):
        load(x)
        if not module.training:
            module.train()
        for p in params:
            p.grad = None
        with net.autocast():
            loss = net.training_loss(module(X), y, w)[0]
        loss.backward()
        grad = torch.cat([torch.zeros_like(p).reshape(-1) if p.grad is None
                          else p.grad.reshape(-1) for p in params])
        return float(loss.detach()), grad.detach().to("cpu", torch.float64).numpy()

    def callback(intermediate_result):
        last["x"] = intermediate_result.x
        load(intermediate_result.x)
        net.notify("on_epoch_begin", **on_epoch_kwargs)
        if timer is not None:  # the epoch is the iteration that just ended
            timer.epoch_start_time_ = last["time"]
        net.history.record("train_loss", float(intermediate_result.fun))
        net.history.record("train_batch_count", 1)
        net.run_single_epoch(iterator_valid, training=False, prefix="valid",
                             step_fn=net.validation_step)
        try:
            net.notify("on_epoch_end", **on_epoch_kwargs)
        except KeyboardInterrupt:  # the monitor or a user's callback stops the fit
            stopped.append(True)
            raise StopIteration from None
        finally:
            last["time"] = time.time()

    x0 = torch.nn.utils.parameters_to_vector(params).detach().to("cpu", torch.float64)
    result = scipy.optimize.minimize(
        objective, x0.numpy(), method="L-BFGS-B", jac=True, callback=callback,
        options={"maxiter": epochs, "maxfun": net.spec.max_fun, "gtol": net.gtol_},
    )
    load(result.x if not stopped or last["x"] is None else last["x"])
    for p in params:
        p.grad = None
    net.lbfgs_result_ = result
    net.lbfgs_stopped_ = bool(stopped)
    return net
