"""Tasks: what differs between kinds of learning, in one object each.

An estimator's task says how its target is encoded, which loss the network is
trained with, how the validation split is scored, how class weights become row
weights and how raw network outputs become predictions. The base class and the
engine never branch on the kind of learning; they ask the task.

A task is built from the estimator's parameters at the start of every fit
(:meth:`~sknn.base.NeuralEstimator._make_task`) and fitted by :meth:`Task.encode`;
the fitted estimator keeps it for prediction. A continued fit (``warm_start``,
``partial_fit``) hands the previous task to ``encode``, which checks the new
target against it.
"""

import numpy as np
import torch
from sklearn.utils.class_weight import compute_sample_weight

from ._validation import (
    check_continued_classes,
    encode_classification_target,
    validate_regression_target,
)
from .modules import losses
from .modules.autoencoder import negative_mse

__all__ = [
    "Task",
    "ClassificationTask",
    "RegressionTask",
    "ReconstructionTask",
]


class Task:
    """One kind of learning: target encoding, loss, validation score, row weights.

    Subclasses implement :meth:`encode`, :meth:`criterion` and
    :meth:`score_function`; the rest has defaults.

    Attributes
    ----------
    target_is_input : bool
        The network learns to reproduce its input (the engine trains against the
        input batch; there is no target array).
    loss_stops_training : bool
        The training loss says when training has converged. False for networks
        whose loss does not (a GAN's): they run all epochs unless early stopping
        is on, and do not warn that the loss "hasn't converged".
    """

    target_is_input = False
    loss_stops_training = True
    #: Extra ``validate_data`` options for the target (``y_numeric`` for regression).
    target_validation = {}

    def check_first_partial_fit(self, classes):
        """Raise a ``ValueError`` when the first ``partial_fit`` call lacks something."""

    def check_continued(self, previous, y, classes, incremental):
        """Check the target of a continued fit against the fitted task.

        Called by the base class before :meth:`encode` when a ``warm_start`` fit or
        a later ``partial_fit`` call resumes training. The default checks nothing.

        Parameters
        ----------
        previous : Task
            The fitted task of the model being continued.
        y : array-like or None
            The validated target of this call.
        classes : array-like or None
            ``partial_fit``'s ``classes`` argument.
        incremental : bool
            True for ``partial_fit``, False for a ``warm_start`` refit.
        """

    def encode(self, X, y, *, classes=None, previous=None):
        """Validate and encode the target; fit the task.

        Parameters
        ----------
        X : ndarray or sparse matrix
            The validated input (for tasks whose output width depends on it).
        y : array-like or None
            The target as the user gave it.
        classes : array-like or None
            ``partial_fit``'s ``classes`` on its first call.
        previous : Task or None
            The fitted task of the model being continued (``warm_start``,
            ``partial_fit``); None when fitting from scratch.

        Returns
        -------
        target : ndarray or None
            What the network is trained against (None: nothing, or the input).
        n_outputs : int
            Width of the network's output layer.
        """
        raise NotImplementedError

    def criterion(self):
        """The loss module: per-sample losses with ``reduction="none"`` semantics."""
        raise NotImplementedError

    def score_function(self):
        """``score(y_pred, target) -> tensor``: the validation score, higher is better."""
        raise NotImplementedError

    def sample_weights(self, target):
        """Per-row weights implied by the task (class weights), or None."""
        return None

    def stratify(self, target):
        """Whether the validation split is stratified on ``target``."""
        return False

    def fitted_attributes(self):
        """Public fitted attributes the estimator exposes (``classes_``, ...)."""
        return {}

    def chance_loss(self, target, weights):
        """The training loss of a network that ignores its input, or None if unknown.

        A fit that ends at this loss has learned nothing from X.
        """
        return None

    def net_class(self):
        """The skorch net that trains this kind of network (None: the engine's)."""
        return None


class ClassificationTask(Task):
    """Binary, multiclass and multilabel classification.

    Parameters
    ----------
    class_weight : dict, "balanced" or None
        scikit-learn's ``class_weight``.
    loss : {"log", "hinge", "perceptron"}, default="log"
        Cross-entropy, or a (zero-margin for "perceptron") hinge loss.
    label_smoothing : float, default=0.0
        Label smoothing of the cross-entropy.
    allow_multilabel : bool, default=True
        Accept multilabel indicator matrices.
    allow_single_class : bool, default=False
        Fit a y with a single class (the classifier then always predicts it, as
        scikit-learn's MLP does) rather than refuse it.
    estimator_name : str, default="The estimator"
        Used in error messages.
    """

    def __init__(self, class_weight=None, *, loss="log", label_smoothing=0.0,
                 allow_multilabel=True, allow_single_class=False,
                 estimator_name="The estimator"):
        self.class_weight = class_weight
        self.loss = loss
        self.label_smoothing = label_smoothing
        self.allow_multilabel = allow_multilabel
        self.allow_single_class = allow_single_class
        self.estimator_name = estimator_name

    def check_first_partial_fit(self, classes):
        if classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")

    def check_continued(self, previous, y, classes, incremental):
        # scikit-learn's rules and messages: a warm_start refit needs the fitted
        # classes exactly; a later partial_fit may pass ``classes`` only unchanged.
        if previous.kind != "multilabel-indicator":
            check_continued_classes(previous.classes_, y, classes=classes,
                                    warm_start_refit=not incremental)

    def encode(self, X, y, *, classes=None, previous=None):
        known = None if previous is None else previous.classes_
        if previous is None and classes is not None:
            known = np.unique(np.asarray(classes))
            if len(known) < 2:
                raise ValueError("classes must list at least 2 classes.")
        codes, classes_, kind = encode_classification_target(
            y, known, allow_single_class=self.allow_single_class)
        if previous is not None:
            classes_ = previous.classes_
            if kind != previous.kind and "multilabel-indicator" in (kind, previous.kind):
                raise ValueError(f"y is {kind} but the estimator was fitted on {previous.kind}.")
            kind = previous.kind
        if kind == "multilabel-indicator" and not self.allow_multilabel:
            raise ValueError(
                f"{self.estimator_name} supports binary and multiclass targets, not "
                "multilabel indicator matrices; use MLPClassifier or sklearn's "
                "MultiOutputClassifier."
            )
        self.classes_, self.kind = classes_, kind
        return codes, 1 if kind == "binary" else len(classes_)

    def criterion(self):
        if self.loss != "log":
            return losses.Hinge(margin=0.0 if self.loss == "perceptron" else 1.0)
        if self.label_smoothing:
            return losses.SmoothedCrossEntropy(self.kind, self.label_smoothing)
        return {
            "binary": losses.BinaryCrossEntropy,
            "multiclass": losses.CrossEntropy,
            "multilabel-indicator": losses.MultilabelCrossEntropy,
        }[self.kind]()

    def score_function(self):
        # One class: every prediction is that class, whatever the output says.
        return losses.accuracy_score if len(self.classes_) > 1 else losses.perfect_score

    def sample_weights(self, target):
        if self.class_weight is None:
            return None
        if target.ndim == 2:
            raise ValueError("class_weight is not supported for multilabel targets.")
        class_weight = self.class_weight
        if isinstance(class_weight, dict):
            unknown = set(class_weight) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight has labels {sorted(map(str, unknown))} that are not in "
                    f"classes_ {self.classes_.tolist()}."
                )
            class_weight = {
                int(np.searchsorted(self.classes_, k)): v for k, v in class_weight.items()
            }
        return compute_sample_weight(class_weight, target)

    def stratify(self, target):
        return target.ndim == 1

    def chance_loss(self, target, weights):
        if self.loss != "log" or self.label_smoothing or len(self.classes_) < 2:
            return None
        w = np.ones(len(target)) if weights is None else np.asarray(weights, dtype=float)
        if target.ndim == 2:  # multilabel: a binary entropy per label, summed
            p = np.clip(w @ target / w.sum(), 1e-12, 1 - 1e-12)
            return float(-(p * np.log(p) + (1 - p) * np.log(1 - p)).sum())
        p = np.bincount(target, weights=w, minlength=len(self.classes_)) / w.sum()
        p = p[p > 0]
        return float(-(p * np.log(p)).sum())

    def fitted_attributes(self):
        return {"classes_": self.classes_}

    # -- predictions ----------------------------------------------------------
    def probabilities(self, scores):
        """Class probabilities (a tensor) from raw outputs."""
        if len(self.classes_) == 1:  # fitted on a single class
            return torch.ones((len(scores), 1), dtype=scores.dtype)
        if self.kind == "multiclass":
            return torch.softmax(scores, 1)
        positive = torch.sigmoid(scores)
        if self.kind == "multilabel-indicator":
            return positive
        return torch.cat([1 - positive, positive], 1)

    def labels(self, scores):
        """Predicted labels (an ndarray) from raw outputs (a float CPU tensor)."""
        scores = scores.numpy()  # numpy's argmax costs a fraction of torch's on one row
        if self.kind == "multilabel-indicator":
            return (scores > 0).astype(int)
        if len(self.classes_) == 1:  # fitted on a single class
            return np.repeat(self.classes_, len(scores))
        if scores.shape[1] == 1:
            return self.classes_[(scores[:, 0] > 0).astype(np.intp)]
        return self.classes_[scores.argmax(1)]


class RegressionTask(Task):
    """Regression, with a squared-error or a Poisson (log-link) loss.

    Parameters
    ----------
    poisson : bool, default=False
        Train the log of the mean with the Poisson deviance (non-negative targets).
    scale : bool, default=False
        Standardise each output for the squared-error loss (predictions are mapped
        back). Ignored with ``poisson``.

    Attributes
    ----------
    target_mean_, target_scale_ : ndarray of shape (n_outputs,)
        The standardisation (0 and 1 when not scaled).
    """

    target_validation = {"y_numeric": True}

    def __init__(self, *, poisson=False, scale=False):
        self.poisson = poisson
        self.scale = scale

    def encode(self, X, y, *, classes=None, previous=None):
        target, was_1d = validate_regression_target(y, poisson=self.poisson)
        if previous is not None:
            if target.shape[1] != previous.n_outputs_:
                raise ValueError(
                    f"y has {target.shape[1]} outputs but the estimator was fitted with "
                    f"{previous.n_outputs_}."
                )
            was_1d = previous.y_was_1d
            mean, scale = previous.target_mean_, previous.target_scale_
        elif self.scale and not self.poisson:
            values = target.astype(np.float64)
            mean = values.mean(0)
            scale = values.std(0)
            scale[scale < 1e-12 * np.maximum(1.0, np.abs(mean))] = 1.0  # constant outputs
        else:
            mean, scale = np.zeros(target.shape[1]), np.ones(target.shape[1])
        self.n_outputs_, self.y_was_1d = target.shape[1], was_1d
        self.target_mean_, self.target_scale_ = mean, scale
        if np.any(mean != 0) or np.any(scale != 1):
            target = ((target - mean) / scale).astype(np.float32)
        return target, self.n_outputs_

    def criterion(self):
        return losses.PoissonDeviance() if self.poisson else losses.HalfSquaredError()

    def score_function(self):
        return losses.exp_r2_score if self.poisson else losses.r2_score

    def fitted_attributes(self):
        return {"n_outputs_": self.n_outputs_}

    def chance_loss(self, target, weights):
        if self.poisson:
            return None
        w = np.ones(len(target)) if weights is None else np.asarray(weights, dtype=float)
        mean = w @ target / w.sum()
        return float(0.5 * (w @ ((target - mean) ** 2)).mean() / w.sum())  # outputs averaged

    def predictions(self, outputs):
        """Predicted targets (an ndarray, in the target's units) from raw outputs."""
        out = outputs.double()
        if self.poisson:
            out = torch.exp(out)
        out = out.numpy()
        if np.any(self.target_mean_ != 0) or np.any(self.target_scale_ != 1):
            out = out * self.target_scale_ + self.target_mean_
        return out[:, 0] if self.y_was_1d else out


class ReconstructionTask(Task):
    """Learning to reproduce the input (auto-encoders); ``y`` is ignored."""

    target_is_input = True

    def encode(self, X, y, *, classes=None, previous=None):
        return None, X.shape[1]

    def criterion(self):
        return losses.HalfSquaredError()

    def score_function(self):
        return negative_mse
