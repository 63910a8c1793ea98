"""AutoEncoder: unsupervised deep learning as a scikit-learn transformer.

A network learns to compress its input into ``n_components`` codes and to
reconstruct the input from them. The codes are a learned, non-linear feature space
(``transform``, like PCA's components); the reconstruction error is an anomaly
score (``score_samples``).
"""

import numbers

import numpy as np
from sklearn.utils.validation import check_array, check_is_fitted

from . import _engine
from ._tasks import ReconstructionTask
from ._validation import Interval, check_float32_range, check_network_size
from .base import fill_doc, store_parameters
from .layouts import TableLayout
from .mlp import _MLPBase
from .modules.autoencoder import AutoEncoderNet

__all__ = ["AutoEncoder"]


@fill_doc
class AutoEncoder(_MLPBase):
    """Auto-encoder: a neural network that learns to compress and reconstruct its input.

    The encoder maps each row through ``hidden_layer_sizes`` to ``n_components``
    codes; the decoder mirrors it back to the input's width. Training minimises
    the squared reconstruction error, so no target is needed (``y`` is ignored).
    ``transform`` returns the codes, a non-linear counterpart of
    :class:`sklearn.decomposition.PCA`'s projection, ``inverse_transform`` the
    reconstructions and ``score_samples`` minus each row's reconstruction error
    (low = unusual, as scikit-learn's outlier detectors orient their scores).

    With ``noise > 0`` it is a denoising auto-encoder: Gaussian noise corrupts the
    input during training only, and the network learns to reconstruct the clean
    input. Scale the features first (``StandardScaler``, ``MinMaxScaler``): the loss
    and ``noise`` are in the input's units.

    Parameters
    ----------
    n_components : int, default=2
        Number of codes (width of the code layer).
    hidden_layer_sizes : array-like of int, default=(100,)
        Widths of the encoder's hidden layers; the decoder uses them in reverse.
        ``()`` gives a linear encoder and decoder around the code layer.
    activation : {"relu", "tanh", "logistic", "identity", "gelu"}, default="relu"
        Activation of the hidden layers. The code layer and the output are linear.
    dropout : float, default=0.0
        Dropout probability after each hidden layer (encoder and decoder).
    batch_norm : bool, default=False
        Batch normalisation after each hidden linear layer.
    noise : float, default=0.0
        Standard deviation of the Gaussian noise added to the input during training
        (a denoising auto-encoder when > 0). Not applied by ``transform``,
        ``inverse_transform`` or ``score_samples``.
    {categorical_features}
    {common_parameters}

    Attributes
    ----------
    n_components_ : int
        Number of codes.
    {fitted_attributes}

    See Also
    --------
    sklearn.decomposition.PCA : The linear counterpart (an auto-encoder with linear
        layers and squared loss spans the same subspace).
    sklearn.neural_network.BernoulliRBM : Another unsupervised neural feature learner.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sknn import AutoEncoder
    >>> X, _ = load_digits(return_X_y=True)
    >>> X = X / 16
    >>> ae = AutoEncoder(n_components=8, hidden_layer_sizes=(32,), learning_rate_init=0.01,
    ...                  random_state=0)
    >>> codes = ae.fit_transform(X)
    >>> codes.shape, ae.inverse_transform(codes).shape, ae.score_samples(X).shape
    ((1797, 8), (1797, 64), (1797,))
    >>> ae.get_feature_names_out()[:3].tolist()
    ['autoencoder0', 'autoencoder1', 'autoencoder2']
    """

    _parameter_constraints = {
        **_MLPBase._parameter_constraints,
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        "noise": [Interval(numbers.Real, 0, None, closed="left")],
    }

    def __init__(self, n_components=2, hidden_layer_sizes=(100,), activation="relu", *,
                 dropout=0.0, batch_norm=False, categorical_features="from_dtype", noise=0.0,
                 solver="adam", alpha=1e-4, l1=0.0,
                 batch_size="auto", learning_rate="constant", learning_rate_init=1e-3,
                 power_t=0.5, max_iter=200, shuffle=True, random_state=None, tol=1e-4,
                 verbose=0, warm_start=False, momentum=0.9, nesterovs_momentum=True,
                 early_stopping=False, validation_fraction=0.1, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, n_iter_no_change=10, max_fun=15000, device="cpu",
                 precision="float32", callbacks=None):
        store_parameters(self, locals())

    # ------------------------------------------------------------------ hooks
    def _make_task(self):
        return ReconstructionTask()

    def _make_input_layout(self):
        # The input is the target: categories are reconstructed as one-hot vectors.
        return TableLayout(categorical_features=self.categorical_features,
                           categorical_encoding="onehot")

    _architecture_params = (*_MLPBase._architecture_params, "n_components", "noise")
    _tabular_recipe = False  # not measured for reconstruction: scikit-learn's rules

    def _build_module(self, layout, n_outputs):
        sizes = self._hidden_sizes()
        check_network_size(
            [layout.n_features_, *sizes, self.n_components, *sizes[::-1], layout.n_features_],
            f"hidden_layer_sizes={self.hidden_layer_sizes!r} and "
            f"n_components={self.n_components!r}",
        )
        return AutoEncoderNet(layout.n_features_, self.n_components, sizes,
                              self.activation, self.dropout, self.batch_norm, self.noise)

    def _train_module(self, module, train_data, valid_data, **kwargs):
        result = super()._train_module(module, train_data, valid_data, **kwargs)
        # A diverged fit can end with weights that are finite but so large that the
        # codes and reconstruction errors overflow: one pass over the training rows
        # tells, so that such a model is refused rather than returned.
        try:
            _engine.predict_batches(module, train_data, module.reconstruction_error,
                                    precision=self.precision)
        except ValueError as exc:
            raise ValueError(
                "Solver produced non-finite parameter weights or outputs: the training "
                f"diverged (last training loss {self._last_loss(kwargs)}), and the codes or "
                "reconstruction errors of the training rows are NaN or infinite. Scale the "
                "input features first (StandardScaler, MinMaxScaler), lower "
                "learning_rate_init, or use solver='adam'."
            ) from exc
        return result

    @staticmethod
    def _last_loss(train_kwargs):
        curve = train_kwargs["state"].loss_curve
        return f"{curve[-1]:.3g}" if curve else "unknown"

    @property
    def n_components_(self):
        """Number of codes of the fitted network."""
        check_is_fitted(self)
        return self.module_.n_features_out

    # ---------------------------------------------------------------- fitting
    def fit(self, X, y=None, sample_weight=None):
        """Train the auto-encoder to reconstruct X.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Training data. Sparse input stays sparse; each mini-batch is densified
            on its own.
        y : None
            Ignored; present for scikit-learn's API.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-row weights of the reconstruction loss.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, None, sample_weight=sample_weight, incremental=False)

    def partial_fit(self, X, y=None, sample_weight=None):
        """One pass over X, continuing from the current network.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        return self._fit(X, None, sample_weight=sample_weight, incremental=True)

    # ------------------------------------------------------------- prediction
    def transform(self, X):
        """Encode X: the codes of each row.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
        """
        return super().transform(X)

    def inverse_transform(self, X):
        """Decode codes back to the input space: the reconstructions.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_components)
            Codes, as ``transform`` returns them.

        Returns
        -------
        X_reconstructed : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        codes = check_array(X, dtype=(np.float32, np.float64), input_name="X")
        check_float32_range(codes)
        if codes.shape[1] != self.n_components_:
            raise ValueError(
                f"X has {codes.shape[1]} columns but inverse_transform expects codes with "
                f"n_components={self.n_components_} columns (X.shape={codes.shape})."
            )
        return _engine.predict_batches(self.module_, codes, self.module_.decode,
                                       precision=self.precision).numpy()

    def score_samples(self, X):
        """Minus the reconstruction error of each row (higher = more normal).

        The error is the mean squared difference between a row and its
        reconstruction, over the features, in the input's units.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        errors = self._forward(X, self.module_.reconstruction_error)
        return -errors.double().numpy()

    def score(self, X, y=None):
        """Mean of :meth:`score_samples`: minus the mean squared reconstruction error.

        Lets model selection (``GridSearchCV``) compare auto-encoders without a
        scorer, as it does PCA models.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        return float(np.mean(self.score_samples(X)))
