"""Multi-layer perceptrons: MLPClassifier and MLPRegressor.

Drop-in replacements for scikit-learn's estimators of the same names (same
parameters and defaults), trained by PyTorch through skorch, with dropout,
batch normalisation, L1, sample weights, class weights and GPUs on top.
"""

import math
import numbers

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._validation import Interval, StrOptions, check_layer_sizes, check_network_size, float_dtype
from .base import (
    FeaturesMixin,
    NeuralClassifierMixin,
    NeuralEstimator,
    NeuralRegressorMixin,
    fill_doc,
    store_parameters,
)
from .layouts import TableLayout
from .modules.mlp import ACTIVATIONS, MLP
from .modules.tabular import TabularMLP

# The tabular budget: max_iter passes over at most this many rows each (max_iter x
# 2,000 rows in all, 400,000 at the default), never fewer than TABULAR_MIN_EPOCHS.
TABULAR_ROWS_PER_ITER = 2000
TABULAR_MIN_EPOCHS = 20


def tabular_epochs(max_iter, n_rows):
    """Epochs of the tabular budget for ``n_rows`` training rows.

    ``max_iter`` for up to 2,000 rows; ``max_iter * 2000 / n_rows`` (rounded up)
    above, at least 20 and at most ``max_iter``. Measured on bench_tabular's four
    largest tables (3,000-7,000 rows, two sets of three splits): as good as or
    better than all ``max_iter`` epochs on each, in about half the time.
    """
    epochs = math.ceil(max_iter * min(1.0, TABULAR_ROWS_PER_ITER / max(1, n_rows)))
    return min(max_iter, max(TABULAR_MIN_EPOCHS, epochs))


_TABULAR_NOTES = {
    "max_iter": "On a mixed DataFrame, the length of a fixed budget with a cosine decay "
                "of the learning rate; fewer epochs above 2,000 rows (see Notes).",
    "tol": "On a mixed DataFrame used only with early_stopping (see Notes).",
}

TABULAR_RECIPE_DOC = """\
    A mixed DataFrame (any categorical, string, bool or nullable column, or
    ``categorical_features`` naming columns), which scikit-learn's MLP refuses,
    is encoded inside and trains with a fixed budget, the learning rate decayed
    from ``learning_rate_init`` to 0 along a cosine over it: ``max_iter`` epochs
    for up to 2,000 training rows, and ``max_iter * 2000 / n_rows`` (at least 20)
    above, so that every table gets about ``max_iter * 2000`` rows of training
    (76 epochs for 5,282 rows at the default). The training loss does not stop
    the fit (``tol`` and ``n_iter_no_change`` watch the validation score with
    ``early_stopping=True`` only), and running to the end is no
    ``ConvergenceWarning``. scikit-learn's rule, a constant rate until the
    training loss stalls, overfitted the largest tables of
    ``benchmarks/bench_tabular.py`` (see the user guide, "Mixed DataFrames").
    ``warm_start``, ``partial_fit``, "lbfgs" and the "invscaling" / "adaptive"
    schedules of "sgd" keep scikit-learn's rules, and so does numeric input
    (arrays and all-numeric DataFrames): encode a table to numbers first to train
    it exactly as scikit-learn's MLP would."""


def _mlp_doc(cls):
    cls.__doc__ = cls.__doc__.replace("    {tabular_recipe}", TABULAR_RECIPE_DOC)
    return fill_doc(cls, notes=_TABULAR_NOTES)


class _MLPBase(FeaturesMixin, NeuralEstimator):
    """What the two MLPs share: the architecture parameters and scikit-learn's
    ``coefs_`` / ``intercepts_`` views of the weights."""

    _parameter_constraints = {
        **NeuralEstimator._parameter_constraints,
        "hidden_layer_sizes": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "categorical_features": [StrOptions({"from_dtype"}), "array-like", None],
    }

    # What the network is built from: warm_start refuses to continue after a change.
    _architecture_params = ("hidden_layer_sizes", "activation", "dropout", "batch_norm")

    def _hidden_sizes(self):
        return check_layer_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")

    def _check_architecture(self):
        self._hidden_sizes()

    def _make_input_layout(self):
        return TableLayout(categorical_features=self.categorical_features)

    def _build_module(self, layout, n_outputs):
        check_network_size([layout.n_features_, *self._hidden_sizes(), n_outputs],
                           f"hidden_layer_sizes={self.hidden_layer_sizes!r}")
        if layout.cardinalities_:  # categorical codes: embedded (or one-hot) inside
            return TabularMLP(layout.n_numeric_, layout.cardinalities_, n_outputs,
                              self._hidden_sizes(), self.activation, self.dropout,
                              self.batch_norm)
        return MLP(layout.n_features_, n_outputs, self._hidden_sizes(), self.activation,
                   self.dropout, self.batch_norm)

    # scikit-learn's "Iteration N, loss = ..." lines for verbose.
    _log_style = "sklearn"

    # Whether a mixed DataFrame (the table encoder's path) trains with the tabular
    # recipe (see _uses_tabular_recipe); the AutoEncoder keeps scikit-learn's rules.
    _tabular_recipe = True

    def _uses_tabular_recipe(self, rules, epochs):
        """Whether this fit trains with the tabular recipe: a fixed budget of
        :func:`tabular_epochs` epochs with a cosine decay of the learning rate to 0,
        no ``tol`` stopping.

        Only for input that the table encoder takes (a mixed DataFrame; scikit-learn's
        MLP refuses those, so no scikit-learn behaviour changes), from scratch
        (``warm_start`` and ``partial_fit`` keep scikit-learn's rules) and with a
        constant learning rate ("invscaling" / "adaptive" for "sgd" and "lbfgs"
        keep theirs). See TABULAR_RECIPE_DOC for why.
        """
        layout = getattr(self, "input_layout_", None)
        return (self._tabular_recipe and getattr(layout, "encoder_", None) is not None
                and not self.warm_start and epochs > 1 and self.solver != "lbfgs"
                and rules.learning_rate == "constant")

    def _train_module(self, module, train_data, valid_data, *, rules, epochs, **kwargs):
        if not self._uses_tabular_recipe(rules, epochs):
            return super()._train_module(module, train_data, valid_data, rules=rules,
                                         epochs=epochs, **kwargs)
        epochs = tabular_epochs(epochs, train_data.X.shape[0])
        rules, kwargs = self._fixed_budget(rules, epochs, kwargs, floor=0.0)
        return super()._train_module(module, train_data, valid_data, rules=rules,
                                     epochs=epochs, **kwargs)

    @property
    def coefs_(self):
        """Weight matrices, ``coefs_[i]`` of shape (n_in, n_out) as in scikit-learn.

        A copy of the module's weights. Assigning a list of arrays of the same shapes
        writes them into ``module_`` (changing an element of the returned list does
        not).
        """
        check_is_fitted(self)
        return [layer.weight.detach().cpu().numpy().T for layer in self.module_.linear_layers()]

    @coefs_.setter
    def coefs_(self, values):
        _assign(self, "coefs_", values, lambda layer: layer.weight, transpose=True)

    @property
    def intercepts_(self):
        """Bias vectors, ``intercepts_[i]`` of shape (n_out,); assignable like ``coefs_``."""
        check_is_fitted(self)
        return [layer.bias.detach().cpu().numpy() for layer in self.module_.linear_layers()]

    @intercepts_.setter
    def intercepts_(self, values):
        _assign(self, "intercepts_", values, lambda layer: layer.bias, transpose=False)

    @property
    def _no_improvement_count(self):
        """Epochs since the last improvement by ``tol``: scikit-learn's private counter,
        which its own tests read."""
        check_is_fitted(self)
        return self._convergence.no_improvement

    @property
    def n_layers_(self):
        """Number of layers, input and output included."""
        check_is_fitted(self)
        return len(self.module_.linear_layers()) + 1


def _assign(estimator, name, values, parameter, transpose):
    """Write scikit-learn-layout arrays into the module's linear layers, in place.

    The shapes must match the fitted network; nothing is written unless all do.
    """
    check_is_fitted(estimator)
    layers = estimator.module_.linear_layers()
    values = list(values)
    if len(values) != len(layers):
        raise ValueError(f"{name} needs {len(layers)} arrays, one per layer; got {len(values)}.")
    arrays = []
    for i, (layer, value) in enumerate(zip(layers, values)):
        target = parameter(layer)
        array = np.asarray(value, dtype=np.float64)
        array = array.T if transpose else array
        if array.shape != tuple(target.shape):
            expected = tuple(target.shape)[::-1] if transpose else tuple(target.shape)
            raise ValueError(f"{name}[{i}] must have shape {expected}; got {np.shape(value)}.")
        arrays.append(torch.as_tensor(array, dtype=target.dtype, device=target.device))
    with torch.no_grad():
        for layer, array in zip(layers, arrays):
            parameter(layer).copy_(array)


@_mlp_doc
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
    {categorical_features}
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

    Notes
    -----
    {tabular_recipe}

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
    def _make_task(self):
        task = super()._make_task()
        task.allow_single_class = True  # as scikit-learn's MLP: predicts that class
        return task

    @property
    def n_outputs_(self):
        """Width of the output layer: 1 for binary y, else the classes or labels."""
        check_is_fitted(self)
        return self.module_.linear_layers()[-1].out_features

    @property
    def out_activation_(self):
        """scikit-learn's name of the output function: "softmax" or "logistic"."""
        check_is_fitted(self)
        return "softmax" if self._task.kind == "multiclass" else "logistic"

    def predict_proba(self, X):
        """Class probabilities, in X's floating dtype (float64 for other input).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame}

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns ordered as ``classes_``.
        """
        return super().predict_proba(X).astype(float_dtype(X), copy=False)

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, dropout=0.0,
                 batch_norm=False, categorical_features="from_dtype", solver="adam",
                 alpha=1e-4, l1=0.0, batch_size="auto",
                 learning_rate="constant", learning_rate_init=1e-3, power_t=0.5, max_iter=200,
                 shuffle=True, random_state=None, tol=1e-4, verbose=0, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, max_fun=15000, device="cpu", precision="float32",
                 callbacks=None, class_weight=None):
        store_parameters(self, locals())


@_mlp_doc
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
    {categorical_features}
    {common_parameters}
    {scale_target}

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.
    {fitted_attributes}

    See Also
    --------
    sklearn.neural_network.MLPRegressor : scikit-learn's NumPy implementation.

    Notes
    -----
    {tabular_recipe}

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
        **NeuralRegressorMixin._parameter_constraints,
        **_MLPBase._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu", *,
                 dropout=0.0, batch_norm=False, categorical_features="from_dtype",
                 solver="adam", alpha=1e-4, l1=0.0,
                 batch_size="auto", learning_rate="constant", learning_rate_init=1e-3,
                 power_t=0.5, max_iter=200, shuffle=True, random_state=None, tol=1e-4,
                 verbose=0, warm_start=False, momentum=0.9, nesterovs_momentum=True,
                 early_stopping=False, validation_fraction=0.1, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, n_iter_no_change=10, max_fun=15000, device="cpu",
                 precision="float32", callbacks=None, scale_target=True):
        store_parameters(self, locals())

    @property
    def out_activation_(self):
        """scikit-learn's name of the output function: "identity", or "exp" for Poisson."""
        check_is_fitted(self)
        return "exp" if self.loss == "poisson" else "identity"

    def predict(self, X):
        """Predict targets, in X's floating dtype (float64 for other input).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame}

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        return super().predict(X).astype(float_dtype(X), copy=False)
