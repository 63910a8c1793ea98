"""Stopping rules: the convergence state a fit carries over (``warm_start``,
``partial_fit``), the rules of ``tol`` / ``n_iter_no_change`` / ``early_stopping``
/ the learning-rate schedules, and the skorch callback that applies them after
every epoch.

Split from :mod:`sknn._engine`, which installs :class:`TrainingMonitor` in every fit.
"""

import copy
from dataclasses import dataclass, field

import numpy as np
import torch
from skorch.callbacks import Callback

from ._optim import base_lr, set_lr

__all__ = ["ConvergenceState", "StopRules", "TrainingMonitor", "finite_parameters"]


def finite_parameters(module):
    """True when every parameter of ``module`` is finite (one device sync)."""
    params = [p.detach() for p in module.parameters()]
    if not params:
        return True
    return bool(torch.stack([torch.isfinite(p).all() for p in params]).all())


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
    # ``n_iter`` when the current fit / partial_fit call began: the estimator's
    # ``n_iter_`` counts the epochs of one call (scikit-learn's convention), while
    # ``n_iter`` keeps counting (it seeds the batch order of later calls).
    fit_start: int = 0


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

    A loss that stops being finite ends the fit once the weights are no longer
    finite either (:func:`train` then raises scikit-learn's "Solver produced
    non-finite parameter weights" error, unless early stopping restores finite best
    weights). With ``sink`` set (``verbose`` and scikit-learn's log style) it prints
    scikit-learn's "Iteration N, loss = ..." lines.
    """

    def __init__(self, state, rules, sink=None):
        self.state = state
        self.rules = rules
        self.sink = sink
        self.converged = False
        self.best_weights = None
        self.divergence = None  # (epoch, loss) of the first non-finite training loss

    def _log(self, message):
        if self.sink is not None:
            self.sink(message)

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        st, rules = self.state, self.rules
        record = net.history[-1]
        loss = record["train_loss"] + net.l2_penalty_for_report()
        st.n_iter += 1
        st.samples_seen += len(dataset_train)
        st.loss_curve.append(float(loss))
        record = {k: v for k, v in record.items() if k != "batches"}
        record["epoch"] = st.n_iter
        st.history.append(record)
        self._log(f"Iteration {st.n_iter - st.fit_start}, loss = {loss:.8f}")
        if rules.early_stopping and "valid_score" in record:
            self._log(f"Validation score: {record['valid_score']:f}")
        if rules.learning_rate == "invscaling":
            lr = rules.learning_rate_init / (st.samples_seen + 1) ** rules.power_t
            set_lr(net.optimizer_, lr)
        diverged = False
        if not np.isfinite(loss):
            if self.divergence is None:
                self.divergence = (st.n_iter, float(loss))
            # Nothing recovers from non-finite weights: end the fit (scikit-learn
            # would run the remaining epochs on NaN).
            diverged = not finite_parameters(net.module_)
        if not rules.check_convergence:
            if diverged:
                raise KeyboardInterrupt
            return
        if rules.early_stopping:
            score = float(record["valid_score"])
            st.validation_scores.append(score)
            improved = score >= st.best_validation_score + rules.tol
            st.no_improvement = 0 if improved else st.no_improvement + 1
            if score > st.best_validation_score:
                st.best_validation_score = score
                self.best_weights = copy.deepcopy(net.module_.state_dict())
        elif net.spec.solver == "lbfgs":
            # scipy's L-BFGS-B decides (gtol=tol, maxiter, maxfun), as in scikit-learn.
            st.best_loss = min(st.best_loss, loss)
        else:
            st.no_improvement = st.no_improvement + 1 if loss > st.best_loss - rules.tol else 0
            st.best_loss = min(st.best_loss, loss)
        if diverged:
            raise KeyboardInterrupt
        if st.no_improvement > rules.n_iter_no_change:
            lr = base_lr(net.optimizer_)
            if rules.learning_rate == "adaptive" and lr > 1e-6:
                set_lr(net.optimizer_, lr / 5)
                st.no_improvement = 0
                self._log(f"Setting learning rate to {lr / 5:f}")
                return
            self._log(
                ("Validation score" if rules.early_stopping else "Training loss")
                + f" did not improve more than tol={rules.tol:f} for "
                f"{rules.n_iter_no_change} consecutive epochs. Stopping."
            )
            self.converged = True
            raise KeyboardInterrupt  # skorch's own way of ending a fit early
