"""Multi-layer perceptrons: MLPClassifier and MLPRegressor.

Drop-in replacements for scikit-learn's estimators of the same names (same
parameters and defaults), trained by PyTorch through skorch, with dropout,
batch normalisation, L1, sample weights, class weights and GPUs on top.
"""

import numbers

from sklearn.utils.validation import check_is_fitted

from ._validation import (
    Interval,
    StrOptions,
    architecture,
    check_architecture_unchanged,
    check_network_size,
)
from .base import (
    FeaturesMixin,
    NeuralClassifierMixin,
    NeuralEstimator,
    NeuralRegressorMixin,
    _positive_int_tuple,
    fill_doc,
    store_parameters,
)
from .modules.mlp import ACTIVATIONS, MLP


class _MLPBase(FeaturesMixin, NeuralEstimator):
    """What the two MLPs share: the architecture parameters and scikit-learn's
    ``coefs_`` / ``intercepts_`` views of the weights."""

    _parameter_constraints = {
        **NeuralEstimator._parameter_constraints,
        "hidden_layer_sizes": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
    }

    # What the network is built from: warm_start refuses to continue after a change.
    _architecture_params = ("hidden_layer_sizes", "activation", "dropout", "batch_norm")

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        try:
            sizes = (sizes,) if isinstance(sizes, numbers.Integral) else tuple(sizes)
        except TypeError:  # None, a float: not a sequence
            sizes = None
        if sizes is None or not _positive_int_tuple(sizes):
            raise ValueError(
                f"hidden_layer_sizes must be positive integers; got {self.hidden_layer_sizes!r}."
            )
        return sizes

    def _build_module(self, n_features, n_outputs):
        sizes = self._hidden_sizes()
        check_network_size([n_features, *sizes, n_outputs],
                           f"hidden_layer_sizes={self.hidden_layer_sizes!r}")
        self._architecture_ = architecture(self)
        return MLP(n_features, n_outputs, sizes, self.activation, self.dropout,
                   self.batch_norm)

    def _fit(self, X, y, **kwargs):
        self._hidden_sizes()  # invalid sizes fail before anything else happens
        check_architecture_unchanged(self, self._is_continuation(kwargs["incremental"]))
        return super()._fit(X, y, **kwargs)

    @property
    def coefs_(self):
        """Weight matrices, ``coefs_[i]`` of shape (n_in, n_out) as in scikit-learn."""
        check_is_fitted(self)
        return [layer.weight.detach().cpu().numpy().T for layer in self.module_.linear_layers()]

    @property
    def intercepts_(self):
        """Bias vectors, ``intercepts_[i]`` of shape (n_out,)."""
        check_is_fitted(self)
        return [layer.bias.detach().cpu().numpy() for layer in self.module_.linear_layers()]

    @property
    def n_layers_(self):
        """Number of layers, input and output included."""
        check_is_fitted(self)
        return len(self.module_.linear_layers()) + 1


@fill_doc
class MLPClassifier(NeuralClassifierMixin, _MLPBase):
    """Multi-layer perceptron classifier.

    Input -> hidden layers (linear, activation) -> output layer, trained by
    backpropagation of the cross-entropy loss. Binary, multiclass and multilabel
    (an indicator matrix y); labels of any type. Same parameters and defaults as
    :class:`sklearn.neural_network.MLPClassifier`, plus ``dropout``,
    ``batch_norm``, ``l1``, ``class_weight``, ``device`` and ``callbacks``.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(100,)
        Width of each hidden layer.
    activation : {"relu", "tanh", "logistic", "identity", "gelu"}, default="relu"
        Activation of the hidden layers.
    dropout : float, default=0.0
        Dropout probability after each hidden layer.
    batch_norm : bool, default=False
        Batch normalisation after each hidden linear layer.
    {common_parameters}
    {class_weight}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, sorted.
    {fitted_attributes}

    See Also
    --------
    sklearn.neural_network.MLPClassifier : scikit-learn's NumPy implementation.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.pipeline import make_pipeline
    >>> from sknn import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), MLPClassifier(learning_rate_init=0.01,
    ...                     max_iter=100, random_state=0))
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
    """

    _parameter_constraints = {
        **_MLPBase._parameter_constraints,
        **NeuralClassifierMixin._parameter_constraints,
    }

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, dropout=0.0,
                 batch_norm=False, solver="adam", alpha=1e-4, l1=0.0, batch_size="auto",
                 learning_rate="constant", learning_rate_init=1e-3, power_t=0.5, max_iter=200,
                 shuffle=True, random_state=None, tol=1e-4, verbose=0, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, max_fun=15000, device="cpu", precision="float32",
                 callbacks=None, class_weight=None):
        store_parameters(self, locals())


@fill_doc
class MLPRegressor(NeuralRegressorMixin, _MLPBase):
    """Multi-layer perceptron regressor.

    Input -> hidden layers -> a linear output layer, trained by backpropagation of
    the squared error (or the Poisson deviance). Single and multi-output targets.
    Same parameters and defaults as :class:`sklearn.neural_network.MLPRegressor`,
    plus ``dropout``, ``batch_norm``, ``l1``, ``device`` and ``callbacks``.

    Parameters
    ----------
    loss : {"squared_error", "poisson"}, default="squared_error"
        "poisson" uses a log link (the network predicts ``log(mean)``) and needs
        non-negative targets, for counts and rates.
    hidden_layer_sizes : array-like of int, default=(100,)
        Width of each hidden layer.
    activation : {"relu", "tanh", "logistic", "identity", "gelu"}, default="relu"
        Activation of the hidden layers.
    dropout : float, default=0.0
        Dropout probability after each hidden layer.
    batch_norm : bool, default=False
        Batch normalisation after each hidden linear layer.
    {common_parameters}

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.
    {fitted_attributes}

    See Also
    --------
    sklearn.neural_network.MLPRegressor : scikit-learn's NumPy implementation.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.pipeline import make_pipeline
    >>> from sknn import MLPRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(32,),
    ...                     learning_rate_init=0.01, max_iter=60, random_state=0))
    >>> reg.fit(X, y / 100).score(X, y / 100) > 0.5
    True
    """

    _parameter_constraints = {
        **_MLPBase._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu", *,
                 dropout=0.0, batch_norm=False, solver="adam", alpha=1e-4, l1=0.0,
                 batch_size="auto", learning_rate="constant", learning_rate_init=1e-3,
                 power_t=0.5, max_iter=200, shuffle=True, random_state=None, tol=1e-4,
                 verbose=0, warm_start=False, momentum=0.9, nesterovs_momentum=True,
                 early_stopping=False, validation_fraction=0.1, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, n_iter_no_change=10, max_fun=15000, device="cpu",
                 precision="float32", callbacks=None):
        store_parameters(self, locals())

    @property
    def _poisson(self):
        return self.loss == "poisson"
