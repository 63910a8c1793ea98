"""imbalanced-learn's ``sampling_strategy`` for over-samplers, without depending on
imbalanced-learn: how many rows :meth:`sknn.GANSampler.fit_resample` adds to each
class."""

import numbers

import numpy as np
import pandas as pd

__all__ = ["STRATEGIES", "oversampling_targets", "append_rows"]

STRATEGIES = {"auto", "minority", "not minority", "not majority", "all"}


def oversampling_targets(labels, strategy):
    """Rows to add to each class, as imbalanced-learn's over-samplers count them.

    Parameters
    ----------
    labels : ndarray of shape (n_samples,)
        The class labels (at least 2 classes).
    strategy : float, str, dict or callable
        imbalanced-learn's ``sampling_strategy``: "auto" (= "not majority"),
        "minority", "not minority", "not majority" or "all" bring the chosen
        classes to the majority's count; a float (binary labels only) is the
        wanted minority / majority ratio; a dict maps classes to their wanted
        counts; a callable takes the labels and returns such a dict.

    Returns
    -------
    targets : dict
        ``{class: rows to add}``, sorted by class (for a float: the classes other
        than the majority, in the labels' sorted order).

    Raises
    ------
    ValueError
        For a single class, a dict with unknown classes or counts below a class's
        size, a float with multi-class labels or one that would remove rows, or a
        strategy of another type; with imbalanced-learn's wording where it has one.
    """
    classes, counts = np.unique(labels, return_counts=True)
    if len(classes) < 2:
        raise ValueError(f"y has only one class ({classes[0]!r}); fit_resample needs at "
                         "least 2 classes to balance.")
    stats = dict(zip(classes.tolist(), counts.tolist()))
    majority = max(stats.values())
    if callable(strategy):
        strategy = strategy(labels)
    if isinstance(strategy, str):
        if strategy in ("auto", "not majority"):
            majority_class = max(stats, key=stats.get)
            chosen = [c for c in stats if c != majority_class]
        elif strategy == "minority":
            chosen = [min(stats, key=stats.get)]
        elif strategy == "not minority":
            minority = min(stats, key=stats.get)
            chosen = [c for c in stats if c != minority]
        else:
            chosen = list(stats)
        return {c: majority - stats[c] for c in sorted(chosen)}
    if isinstance(strategy, dict):
        unknown = [k for k in strategy if k not in stats]
        if unknown:
            raise ValueError(f"sampling_strategy has classes {unknown} that are not in y "
                             f"({list(stats)}).")
        out = {}
        for c, wanted in strategy.items():
            if wanted < stats[c]:
                raise ValueError(
                    "With over-sampling methods, the number of samples in a class should "
                    f"be greater or equal to the original number of samples. Originally, "
                    f"there is {stats[c]} samples and {wanted} samples are asked "
                    f"(class {c!r}).")
            out[c] = int(wanted) - stats[c]
        return dict(sorted(out.items()))
    if isinstance(strategy, numbers.Real):
        if len(stats) != 2:
            raise ValueError('"sampling_strategy" can be a float only when y is binary; '
                             "for multi-class y, use a dict.")
        majority_class = max(stats, key=stats.get)
        out = {c: int(majority * strategy - n) for c, n in stats.items()
               if c != majority_class}
        if any(v < 0 for v in out.values()):
            raise ValueError("The specified ratio required to remove samples from the "
                             "minority class while trying to generate new samples. "
                             "Please increase the ratio.")
        return out
    raise ValueError(f"sampling_strategy={strategy!r} is not a float, str, dict or "
                     "callable returning a dict.")


def append_rows(X, y, new_X, new_y, array_dtype):
    """The original rows followed by the generated ones, in the input's container.

    Parameters
    ----------
    X : {array-like, DataFrame} of shape (n_samples, n_features)
        The original rows.
    y : array-like or Series of shape (n_samples,)
        Their labels.
    new_X : list of DataFrame or ndarray
        Generated rows, one block per class.
    new_y : list of ndarray
        Their labels.
    array_dtype : dtype
        The dtype of the returned array, when X is not a DataFrame.

    Returns
    -------
    X_resampled : DataFrame or ndarray
        A DataFrame with X's dtypes and a fresh index, or an array.
    y_resampled : Series or ndarray
        A Series with y's name and dtype when y is one.
    """
    y_out = np.concatenate([np.asarray(y).reshape(-1), *new_y])
    if isinstance(X, pd.DataFrame):
        X_out = pd.concat([X, *new_X], ignore_index=True).astype(X.dtypes.to_dict())
        if isinstance(y, pd.Series):
            y_out = pd.Series(y_out, name=y.name).astype(y.dtype)
        return X_out, y_out
    return np.concatenate([np.asarray(X), *new_X]).astype(array_dtype), y_out
