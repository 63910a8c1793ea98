"""What feedback during fit costs: sknn's MLPClassifier with and without progress.

Same data, same network (one hidden layer of 100), Adam 1e-3, batch 200, 10 epochs, all
in one run: a plain fit; ``verbose=1`` (a line per epoch); the tqdm bar (``verbose=2``'s
bar, forced on and drawn into a null stream so it does all its work); scikit-learn's
``ProgressBar`` (rich, when installed) and ``ScoringMonitor`` (scores the training data
every epoch) through ``set_callbacks``; and, as anchors, the plain torch loop of the same
architecture and scikit-learn's MLPClassifier. Prints fit-time ratios against the plain
sknn fit and the torch loop, and checks that feedback leaves the model bit-identical.

    python benchmarks/bench_progress.py [--quick]
"""

import argparse
import contextlib
import io
import os
import time
import warnings

import numpy as np
from _common import header, table, timed
from bench_mlp import BATCH, EPOCHS, HIDDEN, LR, plain_torch_fit
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLP
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier, TqdmProgressBar
from sknn._progress import SKLEARN_CALLBACKS


def network(**params):
    return MLPClassifier(hidden_layer_sizes=(HIDDEN,), batch_size=BATCH, max_iter=EPOCHS,
                         learning_rate_init=LR, tol=0, random_state=0, **params)


def variants():
    """(name, function returning a fitted estimator) for every kind of feedback."""
    null = open(os.devnull, "w")  # noqa: SIM115 (kept open for the whole run)
    yield "sknn, no feedback", lambda X, y: network().fit(X, y)
    yield "sknn, verbose=1", lambda X, y: network(verbose=1).fit(X, y)
    yield "sknn, tqdm bar", lambda X, y: network(
        callbacks=[TqdmProgressBar(force=True, file=null)]).fit(X, y)
    if not SKLEARN_CALLBACKS:
        return
    from sklearn.callback import ScoringMonitor

    try:
        from sklearn.callback import ProgressBar

        ProgressBar()
        yield "sknn, sklearn ProgressBar", lambda X, y: network().set_callbacks(
            ProgressBar()).fit(X, y)
    except ImportError:
        print("(rich is not installed: sklearn's ProgressBar is left out)")
    yield "sknn, sklearn ScoringMonitor", lambda X, y: network().set_callbacks(
        ScoringMonitor(scoring="accuracy")).fit(X, y)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small data, one repeat")
    args = parser.parse_args()
    n, repeats = (10000, 1) if args.quick else (100000, 5)
    X, y = make_classification(n_samples=n, n_features=50, n_informative=30, n_classes=5,
                               random_state=0)
    X = StandardScaler().fit_transform(X).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)

    rows, reference = [], None
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain_torch_fit(Xtr[:2000], ytr[:2000], len(np.unique(y)))  # warm-up: first-call
        network().fit(Xtr[:2000], ytr[:2000])                       # costs not timed
        fits = [*variants(),
                ("torch", lambda X, y: plain_torch_fit(X, y, len(np.unique(y)))),
                ("sklearn", lambda X, y: SkMLP(hidden_layer_sizes=(HIDDEN,), batch_size=BATCH,
                                               max_iter=EPOCHS, learning_rate_init=LR, tol=0,
                                               random_state=0).fit(X, y))]
        # Round robin (every fit once per round, best round kept) so that load from other
        # processes on a shared machine does not favour whichever fit ran at a quiet time.
        best = {}
        for _ in range(repeats):
            for name, fit in fits:
                seconds, model = timed(lambda fit=fit: fit(Xtr, ytr))
                if name not in best or seconds < best[name][0]:
                    best[name] = (seconds, model)
        t_torch, t_sk, sk = best.pop("torch")[0], *best.pop("sklearn")
        timings = [(name, *best[name]) for name, _ in fits if name in best]
    for name, seconds, est in timings:
        proba = est.predict_proba(Xte)
        if reference is None:
            reference, t_plain = proba, seconds
        rows.append({"fit": name, "fit s": seconds, "/ no feedback": seconds / t_plain,
                     "/ torch loop": seconds / t_torch,
                     "same model": "yes" if np.array_equal(proba, reference) else "NO",
                     "accuracy": est.score(Xte, yte)})
    rows.append({"fit": "plain torch loop", "fit s": t_torch,
                 "/ no feedback": t_torch / t_plain, "/ torch loop": 1.0})
    rows.append({"fit": "sklearn MLPClassifier", "fit s": t_sk, "/ no feedback": t_sk / t_plain,
                 "/ torch loop": t_sk / t_torch, "accuracy": sk.score(Xte, yte)})
    batches = -(-len(Xtr) // BATCH) * EPOCHS
    header(f"feedback during fit: {Xtr.shape[0]} x {Xtr.shape[1]}, hidden {HIDDEN}, batch "
           f"{BATCH}, {EPOCHS} epochs = {batches} batches (best of {repeats})")
    table(rows, ["fit", "fit s", "/ no feedback", "/ torch loop", "same model", "accuracy"])
    print(f"\n(measured {time.strftime('%Y-%m-%d')})")


if __name__ == "__main__":
    main()
