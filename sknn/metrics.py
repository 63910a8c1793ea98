"""How close is a synthetic table to the real one?

:func:`quality_report` compares a real and a synthetic table column by column
(Kolmogorov-Smirnov for numbers, total variation for categories), on the numeric
correlations, by how well a gradient-boosting classifier tells them apart
(detection ROC AUC, 0.5 is perfect) and by how well a model trained on the
synthetic rows predicts a target on the real rows. The pieces are also available
one by one.

A column is *numeric* when its dtype is a number (not boolean); every other column
(boolean, category, string, object) is *categorical*.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp
from sklearn.base import clone, is_classifier
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score, r2_score, roc_auc_score
from sklearn.model_selection import KFold, StratifiedKFold

__all__ = [
    "QualityReport",
    "category_frequencies",
    "column_distances",
    "correlation_difference",
    "detection_score",
    "quality_report",
    "train_synthetic_test_real",
]

# HistGradientBoosting's native categorical support stops at this many categories.
_MAX_NATIVE_CATEGORIES = 255


def is_numeric_column(series):
    """Whether a column counts as numeric for the distances of this module.

    Parameters
    ----------
    series : pandas Series

    Returns
    -------
    numeric : bool
        True for numbers (ints and floats, nullable ones too), False for booleans,
        categories, strings and objects.
    """
    dtype = series.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _as_frames(real, synthetic):
    """Both tables as DataFrames with the real table's column order."""
    if not isinstance(real, pd.DataFrame):
        real = np.asarray(real)
        if real.ndim != 2:
            raise ValueError(f"real must be a 2-D table; got shape {real.shape}.")
        real = pd.DataFrame(real, columns=[f"x{i}" for i in range(real.shape[1])])
    if not isinstance(synthetic, pd.DataFrame):
        synthetic = np.asarray(synthetic)
        if synthetic.ndim != 2 or synthetic.shape[1] != real.shape[1]:
            raise ValueError(
                f"synthetic has shape {synthetic.shape}; it needs {real.shape[1]} columns "
                "like real."
            )
        synthetic = pd.DataFrame(synthetic, columns=real.columns)
    missing = [c for c in real.columns if c not in synthetic.columns]
    if missing or len(synthetic.columns) != len(real.columns):
        raise ValueError(
            f"real and synthetic need the same columns; real has {list(real.columns)}, "
            f"synthetic has {list(synthetic.columns)}."
        )
    if len(real) < 2 or len(synthetic) < 2:
        raise ValueError(
            f"Both tables need at least 2 rows; got {len(real)} real and "
            f"{len(synthetic)} synthetic rows."
        )
    return real, synthetic[list(real.columns)]


_MISSING = "<missing>"


def _frequencies(values, name):
    """Relative frequency of each value of one column, missing values as a category."""
    if not isinstance(values, pd.Series):
        array = np.asarray(values, dtype=object)
        if array.ndim != 1:
            raise ValueError(f"{name} must be one column (1-D); got shape {array.shape}.")
        values = pd.Series(array)
    return values.astype(object).where(values.notna(), _MISSING).value_counts(normalize=True)


def category_frequencies(real, synthetic):
    """Relative frequency of every category of one column in two tables.

    What the total variation distance of :func:`column_distances` compares: half
    the sum of ``abs(frequencies["real"] - frequencies["synthetic"])``. Missing
    values count as a category, ``"<missing>"``.

    Parameters
    ----------
    real, synthetic : Series or array-like of shape (n_samples,)
        The same column of the real and the synthetic table.

    Returns
    -------
    frequencies : DataFrame
        Indexed by category: the real column's categories from the most to the
        least frequent, then those only the synthetic column has. Columns
        ``real`` and ``synthetic`` (each sums to 1; 0 for a category the column
        lacks).

    Examples
    --------
    >>> frequencies = category_frequencies(["a", "a", "b", None], ["a", "c", "c", "c"])
    >>> frequencies
               real  synthetic
    a          0.50       0.25
    b          0.25       0.00
    <missing>  0.25       0.00
    c          0.00       0.75
    >>> 0.5 * float((frequencies["real"] - frequencies["synthetic"]).abs().sum())
    0.75
    """
    p, q = _frequencies(real, "real"), _frequencies(synthetic, "synthetic")
    categories = pd.Index(list(p.index) + [c for c in q.index if c not in p.index])
    return pd.DataFrame({"real": p.reindex(categories, fill_value=0.0),
                         "synthetic": q.reindex(categories, fill_value=0.0)})


def _total_variation(a, b):
    # align() orders the categories as it always has, so the sum keeps its last bit;
    # category_frequencies orders them for a reader.
    p, q = _frequencies(a, "real").align(_frequencies(b, "synthetic"), fill_value=0.0)
    return 0.5 * float(np.abs(p - q).sum())


def column_distances(real, synthetic):
    """Per-column distribution distance between two tables.

    Numeric columns: the two-sample Kolmogorov-Smirnov statistic of the observed
    (non-missing) values. Other columns: the total variation distance of the
    category frequencies (missing values count as a category). Both lie in [0, 1]:
    0 means identical distributions. :func:`category_frequencies` gives the
    frequencies behind a total variation distance.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like of shape (n_samples, n_features)
        The two tables, with the same columns.

    Returns
    -------
    distances : DataFrame
        Indexed by column name, with columns ``kind`` ("numeric" or
        "categorical"), ``metric`` ("ks" or "tv") and ``distance``.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": ["a", "a", "b", "b"]})
    >>> fake = pd.DataFrame({"x": [1.0, 2.0, 3.0, 9.0], "c": ["a", "b", "b", "b"]})
    >>> column_distances(real, fake)["distance"].round(2).tolist()
    [0.25, 0.25]
    """
    real, synthetic = _as_frames(real, synthetic)
    rows = []
    for name in real.columns:
        a, b = real[name], synthetic[name]
        if is_numeric_column(a) and is_numeric_column(b):
            x = a.dropna().to_numpy(dtype=float)
            z = b.dropna().to_numpy(dtype=float)
            dist = float(ks_2samp(x, z).statistic) if len(x) and len(z) else 1.0
            rows.append((name, "numeric", "ks", dist))
        else:
            rows.append((name, "categorical", "tv", _total_variation(a, b)))
    return pd.DataFrame(rows, columns=["column", "kind", "metric", "distance"]).set_index(
        "column"
    )


def correlation_difference(real, synthetic):
    """Mean absolute difference of the numeric columns' Pearson correlations.

    Averaged over the pairs of distinct numeric columns (the upper triangle of the
    correlation matrices). A correlation that cannot be computed (a constant
    synthetic column) counts as 0. Independent columns give about the mean
    absolute real correlation; a perfect copy gives 0.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like of shape (n_samples, n_features)

    Returns
    -------
    difference : float
        NaN when there are fewer than 2 numeric columns.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=500)
    >>> real = np.c_[x, x + 0.1 * rng.normal(size=500)]
    >>> shuffled = np.c_[x, rng.permutation(real[:, 1])]
    >>> round(correlation_difference(real, real), 3), correlation_difference(real, shuffled) > 0.8
    (0.0, True)
    """
    real, synthetic = _as_frames(real, synthetic)
    numeric = [c for c in real.columns if is_numeric_column(real[c])
               and is_numeric_column(synthetic[c])]
    if len(numeric) < 2:
        return float("nan")
    a = real[numeric].astype(float).corr().fillna(0.0).to_numpy()
    b = synthetic[numeric].astype(float).corr().fillna(0.0).to_numpy()
    upper = np.triu_indices(len(numeric), k=1)
    return float(np.abs(a - b)[upper].mean())


def _model_frame(frames):
    """Features for gradient boosting: categories as pandas categoricals with the
    union of the tables' values (native categorical splits), numbers as floats."""
    out = [pd.DataFrame(index=f.index) for f in frames]
    for name in frames[0].columns:
        columns = [f[name] for f in frames]
        if all(is_numeric_column(c) for c in columns):
            for o, c in zip(out, columns):
                o[name] = c.astype(float)
            continue
        values = [c.astype(object).where(c.notna(), None) for c in columns]
        categories = pd.unique(pd.concat([v.dropna() for v in values]).astype(str))
        for o, v in zip(out, values):
            cat = pd.Categorical(v.map(lambda s: None if s is None else str(s)),
                                 categories=categories)
            if len(categories) > _MAX_NATIVE_CATEGORIES:
                o[name] = np.where(cat.codes < 0, np.nan, cat.codes).astype(float)
            else:
                o[name] = cat
    return out


def detection_score(real, synthetic, *, n_splits=5, random_state=0, clamp=True):
    """ROC AUC of a gradient-boosting classifier telling real from synthetic rows.

    The rows of both tables are stacked, labelled, and scored by shuffled
    stratified ``n_splits``-fold cross-validation of a
    :class:`~sklearn.ensemble.HistGradientBoostingClassifier` (categories as native
    categorical features). 0.5 means the tables cannot be told apart, 1.0 that
    every synthetic row is recognised. Cross-validated AUCs of indistinguishable
    tables scatter below 0.5 as well as above (a copy of the real rows lands far
    below), so the score is clamped at 0.5 by default.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like of shape (n_samples, n_features)
    n_splits : int, default=5
        Cross-validation folds.
    random_state : int, default=0
        Seeds the folds and the classifier.
    clamp : bool, default=True
        Return ``max(0.5, auc)``; False gives the raw mean AUC.

    Returns
    -------
    auc : float

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(300, 3))
    >>> detection_score(real, rng.normal(size=(300, 3))) < 0.6
    True
    >>> detection_score(real, rng.normal(2.0, 1.0, size=(300, 3))) > 0.9
    True
    """
    real, synthetic = _as_frames(real, synthetic)
    fr, fs = _model_frame([real, synthetic])
    X = pd.concat([fr, fs], ignore_index=True)
    y = np.r_[np.zeros(len(fr), dtype=int), np.ones(len(fs), dtype=int)]
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    model = HistGradientBoostingClassifier(categorical_features="from_dtype",
                                           random_state=random_state)
    aucs = []
    for train, test in folds.split(X, y):
        fitted = clone(model).fit(X.iloc[train], y[train])
        aucs.append(roc_auc_score(y[test], fitted.predict_proba(X.iloc[test])[:, 1]))
    auc = float(np.mean(aucs))
    return max(0.5, auc) if clamp else auc


def _target_model(target_is_numeric, estimator, random_state):
    if estimator is not None:
        return clone(estimator)
    if target_is_numeric:
        return HistGradientBoostingRegressor(categorical_features="from_dtype",
                                             random_state=random_state)
    return HistGradientBoostingClassifier(categorical_features="from_dtype",
                                          random_state=random_state)


def _fit_score(model, X_train, y_train, X_test, y_test, classification):
    if classification and y_train.nunique() < 2:
        # A synthetic table with one class left: the model can only predict it.
        pred = np.full(len(y_test), y_train.iloc[0], dtype=object)
        return float(accuracy_score(y_test.astype(object), pred))
    model.fit(X_train, y_train)
    pred = model.predict(X_test)
    if classification:
        return float(accuracy_score(y_test, pred))
    return float(r2_score(y_test, pred))


def _target_split(real, synthetic, target):
    if target not in real.columns:
        raise ValueError(f"target={target!r} is not a column; the columns are "
                         f"{list(real.columns)}.")
    real = real[real[target].notna()]
    synthetic = synthetic[synthetic[target].notna()]
    if len(real) < 2 or len(synthetic) < 2:
        raise ValueError(f"target={target!r} has fewer than 2 non-missing values.")
    numeric = is_numeric_column(real[target]) and is_numeric_column(synthetic[target])
    features = [c for c in real.columns if c != target]
    if not features:
        raise ValueError("The tables need at least one column besides the target.")
    Xr, Xs = _model_frame([real[features], synthetic[features]])
    yr, ys = real[target], synthetic[target]
    if not numeric:
        yr = yr.astype(object).astype(str)
        ys = ys.astype(object).astype(str)
    else:
        yr, ys = yr.astype(float), ys.astype(float)
    return Xr, yr, Xs, ys, numeric


def train_synthetic_test_real(real, synthetic, target, *, estimator=None, random_state=0):
    """Train on the synthetic rows, score on the real rows ("TSTR").

    Does a model trained on the synthetic table predict ``target`` on real data?
    A categorical target is scored by accuracy, a numeric one by R2.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like of shape (n_samples, n_features)
        ``real`` is the test set: for an honest score, pass real rows that the
        generator did not see.
    target : column name
        The column to predict from the others.
    estimator : estimator or None, default=None
        The model; None uses histogram gradient boosting (classifier for a
        categorical target, regressor for a numeric one).
    random_state : int, default=0
        Seeds the default model.

    Returns
    -------
    score : float
        Accuracy (categorical target) or R2 (numeric target) on the real rows.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> iris = load_iris(as_frame=True).frame
    >>> iris["target"] = iris["target"].astype("category")
    >>> train_synthetic_test_real(iris, iris, "target") > 0.95
    True
    """
    real, synthetic = _as_frames(real, synthetic)
    Xr, yr, Xs, ys, numeric = _target_split(real, synthetic, target)
    model = _target_model(numeric, estimator, random_state)
    classification = not numeric if estimator is None else is_classifier(model)
    return _fit_score(model, Xs, ys, Xr, yr, classification)


def _train_real_test_real(real, target, estimator, n_splits, random_state):
    """The same model trained and tested on real rows, by cross-validation: the
    score a synthetic table would reach at best."""
    Xr, yr, _, _, numeric = _target_split(real, real, target)
    model = _target_model(numeric, estimator, random_state)
    classification = not numeric if estimator is None else is_classifier(model)
    if classification and yr.value_counts().min() >= n_splits:
        folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    else:
        folds = KFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    scores = [
        _fit_score(clone(model), Xr.iloc[tr], yr.iloc[tr], Xr.iloc[te], yr.iloc[te],
                   classification)
        for tr, te in folds.split(Xr, yr)
    ]
    return float(np.mean(scores))


@dataclass
class QualityReport:
    """What :func:`quality_report` measured. ``str(report)`` is a readable summary.

    Attributes
    ----------
    columns : DataFrame
        Per-column distances (see :func:`column_distances`).
    mean_column_distance : float
        Mean of ``columns["distance"]``.
    correlation_difference : float
        See :func:`correlation_difference`.
    detection_auc : float
        See :func:`detection_score` (clamped at 0.5).
    target : str or None
        The target column of the train-on-synthetic score.
    target_metric : {"accuracy", "r2"} or None
    train_synthetic_test_real : float or None
        Score of a model trained on the synthetic rows, tested on the real rows.
    train_real_test_real : float or None
        The same model trained and tested on real rows by cross-validation: the
        reference for the score above.
    """

    columns: pd.DataFrame
    mean_column_distance: float
    correlation_difference: float
    detection_auc: float
    target: object = None
    target_metric: str = None
    train_synthetic_test_real: float = None
    train_real_test_real: float = None
    extra: dict = field(default_factory=dict, repr=False)

    def summary(self):
        """The scalar results as a dict (what a benchmark table needs).

        Returns
        -------
        summary : dict
        """
        out = {
            "mean column distance": self.mean_column_distance,
            "correlation difference": self.correlation_difference,
            "detection AUC": self.detection_auc,
        }
        if self.target is not None:
            out[f"train synthetic, test real ({self.target_metric})"] = (
                self.train_synthetic_test_real
            )
            out[f"train real, test real ({self.target_metric})"] = self.train_real_test_real
        return out

    def __str__(self):
        lines = ["Synthetic data quality (0 is best for distances, 0.5 for detection)"]
        width = max(len(k) for k in self.summary())
        for key, value in self.summary().items():
            lines.append(f"  {key:<{width}}  {value:.3f}")
        lines.append("  per column:")
        for name, row in self.columns.iterrows():
            lines.append(f"    {name!s:<24} {row['metric']:>3} {row['distance']:.3f}")
        return "\n".join(lines)


def quality_report(real, synthetic, target=None, *, n_splits=5, random_state=0,
                   estimator=None):
    """Compare a synthetic table with the real one.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like of shape (n_samples, n_features)
        The tables, with the same columns (arrays get columns ``x0, x1, ...``).
    target : column name or None, default=None
        When given, also train a model on the synthetic rows to predict this
        column and score it on the real rows (accuracy or R2), next to the same
        model cross-validated on the real rows.
    n_splits : int, default=5
        Cross-validation folds of the detection score and the real-data
        reference.
    random_state : int, default=0
        Seeds the folds and the models.
    estimator : estimator or None, default=None
        The target model; None is histogram gradient boosting.

    Returns
    -------
    report : QualityReport

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> iris = load_iris(as_frame=True).frame
    >>> report = quality_report(iris, iris.sample(frac=1.0, random_state=0))
    >>> report.mean_column_distance, round(report.correlation_difference, 6)
    (0.0, 0.0)
    """
    real, synthetic = _as_frames(real, synthetic)
    columns = column_distances(real, synthetic)
    report = QualityReport(
        columns=columns,
        mean_column_distance=float(columns["distance"].mean()),
        correlation_difference=correlation_difference(real, synthetic),
        detection_auc=detection_score(real, synthetic, n_splits=n_splits,
                                      random_state=random_state),
    )
    if target is not None:
        numeric = is_numeric_column(real[target]) if target in real.columns else False
        report.target = target
        report.target_metric = "r2" if numeric else "accuracy"
        report.train_synthetic_test_real = train_synthetic_test_real(
            real, synthetic, target, estimator=estimator, random_state=random_state)
        report.train_real_test_real = _train_real_test_real(
            real, target, estimator, n_splits, random_state)
    return report
