"""Per-sample losses (``reduction="none"``) and validation scores.

The engine averages per-sample losses itself, so every criterion here returns a
vector of shape ``(n_samples,)``; that is what makes ``sample_weight`` a single
multiplication for every network type. Without weights the engine asks for
``mean_loss`` instead: torch's fused ``reduction="mean"`` kernels save a kernel and
an autograd node per step (about 7% of a small MLP's step).
"""

import torch
from torch import nn
from torch.nn import functional as F


class PerSampleLoss(nn.Module):
    """A criterion returning one loss per row, and their plain mean on request.

    Subclasses implement ``forward`` (per-sample losses) and may override
    ``mean_loss`` with a fused kernel that gives the same value.
    """

    def mean_loss(self, prediction, target):
        """The unweighted mean of ``forward``'s per-sample losses."""
        return self(prediction, target).mean()


class CrossEntropy(PerSampleLoss):
    """Softmax cross-entropy for integer class codes (multiclass)."""

    def forward(self, logits, target):
        return F.cross_entropy(logits, target, reduction="none")

    def mean_loss(self, logits, target):
        return F.cross_entropy(logits, target)


class BinaryCrossEntropy(PerSampleLoss):
    """Logistic loss on one logit per row, for 0 / 1 codes (binary)."""

    def forward(self, logits, target):
        return F.binary_cross_entropy_with_logits(
            logits[:, 0], target.to(logits.dtype), reduction="none"
        )

    def mean_loss(self, logits, target):
        return F.binary_cross_entropy_with_logits(logits[:, 0], target.to(logits.dtype))


class MultilabelCrossEntropy(PerSampleLoss):
    """Logistic loss per label, summed over labels as scikit-learn's MLP does."""

    def forward(self, logits, target):
        return F.binary_cross_entropy_with_logits(logits, target, reduction="none").sum(1)

    def mean_loss(self, logits, target):
        return F.binary_cross_entropy_with_logits(logits, target) * logits.shape[1]


class SmoothedCrossEntropy(PerSampleLoss):
    """Cross-entropy against smoothed targets, per sample (``reduction="none"``).

    The one-hot target of every row is mixed with the uniform distribution over
    the classes: ``(1 - smoothing) * one_hot + smoothing / n_classes``, torch's
    ``label_smoothing``. The network is no longer pushed towards infinitely
    confident scores, which regularises it (most useful with augmentation, whose
    training runs are long).

    Parameters
    ----------
    kind : {"binary", "multiclass", "multilabel-indicator"}
        Binary targets are 0 / 1 codes for one logit (two classes: ``0`` becomes
        ``smoothing / 2``); multilabel targets are smoothed label by label and their
        losses summed, as the unsmoothed criteria above do.
    smoothing : float
        In ``[0, 1)``; 0 is the plain cross-entropy.

    Examples
    --------
    >>> import torch
    >>> loss = SmoothedCrossEntropy("multiclass", 0.1)
    >>> loss(torch.zeros(3, 4), torch.tensor([0, 1, 3])).shape
    torch.Size([3])
    """

    def __init__(self, kind, smoothing):
        super().__init__()
        self.kind = kind
        self.smoothing = float(smoothing)

    def forward(self, logits, target):
        if self.kind == "multiclass":
            return F.cross_entropy(logits, target, reduction="none",
                                   label_smoothing=self.smoothing)
        soft = target.to(logits.dtype) * (1 - self.smoothing) + self.smoothing / 2
        if self.kind == "binary":
            return F.binary_cross_entropy_with_logits(logits[:, 0], soft, reduction="none")
        return F.binary_cross_entropy_with_logits(logits, soft, reduction="none").sum(1)

    def mean_loss(self, logits, target):
        if self.kind == "multiclass":
            return F.cross_entropy(logits, target, label_smoothing=self.smoothing)
        return super().mean_loss(logits, target)


class Hinge(PerSampleLoss):
    """One-vs-rest hinge loss, ``max(0, margin - y f(x))`` summed over classes.

    ``margin=0`` is the perceptron criterion, ``margin=1`` the SVM hinge. For binary
    problems (one output) the codes are 0 / 1; for multiclass, integer codes.
    """

    def __init__(self, margin=1.0):
        super().__init__()
        self.margin = margin

    def forward(self, scores, target):
        if scores.shape[1] == 1:
            signs = target.to(scores.dtype).mul(2).sub(1).unsqueeze(1)
        else:
            signs = F.one_hot(target, scores.shape[1]).to(scores.dtype).mul(2).sub(1)
        return F.relu(self.margin - signs * scores).sum(1)


class HalfSquaredError(PerSampleLoss):
    """``0.5 * (y - f(x))^2`` averaged over outputs, as scikit-learn's MLPRegressor."""

    def forward(self, pred, target):
        return 0.5 * (pred - target).pow(2).mean(1)

    def mean_loss(self, pred, target):
        return 0.5 * F.mse_loss(pred, target)


class PoissonDeviance(PerSampleLoss):
    """Half Poisson deviance with a log link: the network outputs ``log(mean)``."""

    def forward(self, log_mean, target):
        return (torch.exp(log_mean) - target * log_mean).mean(1)


# ----------------------------------------------------------------- validation scores


def accuracy_score(logits, target):
    """Accuracy from raw outputs (one logit column = binary, several = multiclass).

    For multilabel targets it is the subset accuracy, as scikit-learn's ``score``.
    """
    if target.ndim == 2:
        return ((logits > 0) == (target > 0.5)).all(1).float().mean()
    if logits.shape[1] == 1:
        return ((logits[:, 0] > 0).long() == target).float().mean()
    return (logits.argmax(1) == target).float().mean()


def perfect_score(logits, target):
    """Accuracy 1: the validation score of a classifier fitted on a single class."""
    return torch.ones((), dtype=logits.dtype)


def r2_score(pred, target):
    """Coefficient of determination, averaged uniformly over outputs.

    scikit-learn's conventions: NaN when a prediction is not finite (a diverged
    network), and for a constant target column 1.0 for a perfect fit, else 0.0.
    """
    if not bool(torch.isfinite(pred).all()):
        return torch.tensor(float("nan"))
    ss_res = (target - pred).pow(2).sum(0)
    ss_tot = (target - target.mean(0)).pow(2).sum(0)
    # Constant columns are found exactly: the mean of equal float32 values can differ
    # from them by a rounding step, which would make ss_tot tiny instead of zero.
    constant = (target == target[:1]).all(0)
    r2 = 1 - ss_res / torch.where(constant, torch.ones_like(ss_tot), ss_tot)
    r2 = torch.where(constant, (ss_res == 0).to(r2.dtype), r2)
    return r2.mean()


def exp_r2_score(log_mean, target):
    """R2 of ``exp(output)``, for networks trained with a log link."""
    return r2_score(torch.exp(log_mean), target)
