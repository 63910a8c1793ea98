"""The single-layer perceptron: one layer of neurons, no hidden layer."""

from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._tasks import ClassificationTask
from ._validation import StrOptions
from .base import NeuralClassifierMixin, NeuralEstimator, fill_doc, store_parameters
from .layouts import TableLayout
from .modules.mlp import MLP


def _has_log_loss(estimator):
    # available_if turns False into AttributeError; scikit-learn's wording suffices.
    return estimator.loss == "log"


@fill_doc(batch_size="32", learning_rate_init="0.05")
class PerceptronClassifier(NeuralClassifierMixin, NeuralEstimator):
    """Single-layer perceptron: a linear classifier trained by gradient descent.

    Each output neuron computes a weighted sum of the inputs plus a bias; the
    weights are learned by following the gradient of the loss. Like any single layer
    of neurons it can only separate classes by hyperplanes (it cannot learn XOR);
    use :class:`MLPClassifier` for non-linear boundaries.

    Parameters
    ----------
    loss : {"log", "perceptron", "hinge"}, default="log"
        "log" is the sigmoid / softmax cross-entropy (logistic regression, with
        ``predict_proba``); "perceptron" is Rosenblatt's criterion
        ``max(0, -y f(x))`` and "hinge" the SVM loss ``max(0, 1 - y f(x))``, both
        one-vs-rest for more than two classes.
    {categorical_features}
    {common_parameters}

    Two defaults differ from the other estimators: ``batch_size=32`` and
    ``learning_rate_init=0.05``. A linear model tolerates the larger step, and many
    small updates per epoch are what the classic perceptron does (scikit-learn's
    ``Perceptron`` updates after every row): they reach scikit-learn's
    ``Perceptron`` accuracy in the same number of epochs, where the MLP defaults
    need several times more.
    {class_weight}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, sorted.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights, shaped as scikit-learn's linear models (one row when binary).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Biases.
    {fitted_attributes}

    See Also
    --------
    sklearn.linear_model.Perceptron : scikit-learn's perceptron (SGD, hinge-type loss).
    MLPClassifier : With hidden layers, for non-linear problems.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.pipeline import make_pipeline
    >>> from sknn import PerceptronClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), PerceptronClassifier(random_state=0))
    >>> clf.fit(X, y).score(X, y) > 0.97
    True
    """

    _parameter_constraints = {
        **NeuralEstimator._parameter_constraints,
        **NeuralClassifierMixin._parameter_constraints,
        "loss": [StrOptions({"log", "perceptron", "hinge"})],
        "categorical_features": [StrOptions({"from_dtype"}), "array-like", None],
    }

    def __init__(self, loss="log", *, categorical_features="from_dtype", solver="adam",
                 alpha=1e-4, l1=0.0, batch_size=32,
                 learning_rate="constant", learning_rate_init=0.05, power_t=0.5, max_iter=200,
                 shuffle=True, random_state=None, tol=1e-4, verbose=0, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, max_fun=15000, device="cpu", precision="float32",
                 callbacks=None, class_weight=None):
        store_parameters(self, locals())

    def _make_input_layout(self):
        # A linear model reads categories one-hot: one weight per category.
        return TableLayout(categorical_features=self.categorical_features,
                           categorical_encoding="onehot")

    def _build_module(self, layout, n_outputs):
        return MLP(layout.n_features_, n_outputs, hidden_layer_sizes=())

    def _make_task(self):
        return ClassificationTask(self.class_weight, loss=self.loss, allow_multilabel=False,
                                  estimator_name=type(self).__name__)

    def decision_function(self, X):
        """Signed distance to the separating hyperplane(s).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) when binary, else (n_samples, n_classes)
        """
        check_is_fitted(self)
        scores = self._forward(X).numpy()
        return scores[:, 0] if scores.shape[1] == 1 else scores

    @available_if(_has_log_loss)
    def predict_proba(self, X):
        """Class probabilities (``loss="log"`` only).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return super().predict_proba(X)

    @available_if(_has_log_loss)
    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba` (``loss="log"`` only).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        return super().predict_log_proba(X)

    @property
    def coef_(self):
        """Weights, shape (1, n_features) when binary, else (n_classes, n_features)."""
        check_is_fitted(self)
        return self.module_.output.weight.detach().cpu().numpy()

    @property
    def intercept_(self):
        """Biases, shape (1,) when binary, else (n_classes,)."""
        check_is_fitted(self)
        return self.module_.output.bias.detach().cpu().numpy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags
