"""TransferRegressor / TransferClassifier: learning curves on a population shift and
on new digit classes, against training from scratch, scikit-learn on the same
features, and a plain torch loop of the same architecture.

1. Penguins (palmerpenguins): body mass (kg) from bill, flipper and sex. Source:
   Adelie + Chinstrap (214 birds), a Pipeline(StandardScaler, MLPRegressor(64, 32)).
   Target: Gentoo (119 birds); n = 5, 10, 20, 50, 80 labelled birds, the rest held
   out, R2 over 5 draws.
2. Digits (scikit-learn): a CNNClassifier trained on 0-4 (defaults, image_shape
   (8, 8)); target 5-9 with 1, 2, 5, 10, 20 labelled images a class (a pool of half
   of them; the other half is the test set), accuracy over 3 draws.

Methods: TransferRegressor / TransferClassifier frozen (default), fine-tuned
(``freeze=False``), gradually unfrozen (``unfreeze_after``), the same network from
scratch, the source as it is (regression), scikit-learn on the same frozen
features (RidgeCV / LogisticRegression), a RidgeCV on the raw target rows, the
digits' dense-layer cut, and plain torch loops (frozen: a linear head on the
precomputed features; fine-tuned: the copied base and a linear head, Adam with the
same two learning rates), run for the epochs the sknn fit ran. Fit seconds are the
mean over the draws at the largest size. A plot of both learning curves goes to
benchmarks/results/transfer_curves.png.

    python benchmarks/bench_transfer.py [--quick]
"""

import argparse
import copy
import os
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
import torch
from _common import header, table
from palmerpenguins import load_penguins
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from sknn import CNNClassifier, MLPRegressor, TransferClassifier, TransferRegressor
from sknn.modules.transfer import FeatureExtractor

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


# --------------------------------------------------------------------------- plain torch


def plain_frozen_head(features, target, test_features, *, epochs, lr, classify):
    """A linear head on precomputed features: full-batch Adam, torch's default init."""
    torch.manual_seed(0)
    F = torch.as_tensor(features, dtype=torch.float32)
    out = int(target.max()) + 1 if classify else 1
    head = nn.Linear(F.shape[1], out)
    opt = torch.optim.Adam(head.parameters(), lr=lr, fused=True)
    y = torch.as_tensor(target, dtype=torch.long if classify else torch.float32)
    for _ in range(epochs):
        opt.zero_grad()
        pred = head(F)
        loss = (nn.functional.cross_entropy(pred, y) if classify
                else 0.5 * ((pred[:, 0] - y) ** 2).mean())
        loss.backward()
        opt.step()
    with torch.no_grad():
        pred = head(torch.as_tensor(test_features, dtype=torch.float32))
    return pred.argmax(1).numpy() if classify else pred[:, 0].numpy()


def plain_fine_tune(network, X, target, X_test, *, epochs, lr, base_factor, classify):
    """The source network's features and a new linear head, all trained: Adam with the
    head at lr and the base at lr * base_factor, full batch, batch norm in eval mode."""
    torch.manual_seed(0)
    base = FeatureExtractor(copy.deepcopy(network))
    Xt = torch.as_tensor(X, dtype=torch.float32)
    with torch.no_grad():
        width = base.eval()(Xt[:2]).shape[1]
    out = int(target.max()) + 1 if classify else 1
    head = nn.Linear(width, out)
    opt = torch.optim.Adam([{"params": head.parameters()},
                            {"params": base.parameters(), "lr": lr * base_factor}],
                           lr=lr, fused=True)
    y = torch.as_tensor(target, dtype=torch.long if classify else torch.float32)
    for _ in range(epochs):
        base.train()
        for m in base.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.eval()
        opt.zero_grad()
        pred = head(base(Xt))
        loss = (nn.functional.cross_entropy(pred, y) if classify
                else 0.5 * ((pred[:, 0] - y) ** 2).mean())
        loss.backward()
        opt.step()
    base.eval()
    with torch.no_grad():
        pred = head(base(torch.as_tensor(X_test, dtype=torch.float32)))
    return pred.argmax(1).numpy() if classify else pred[:, 0].numpy()


def r2(y_true, y_pred):
    y_true = np.asarray(y_true)
    return 1 - np.sum((y_true - y_pred) ** 2) / np.sum((y_true - y_true.mean()) ** 2)


# --------------------------------------------------------------------------- runner


def run(methods, draws, score):
    """Fit every method on every draw; return long-format scores and fit seconds."""
    rows = []
    for n, repeat, train, test in draws:
        for name, fit in methods.items():
            start = time.perf_counter()
            prediction_or_score = fit(train, test)
            seconds = time.perf_counter() - start
            rows.append({"method": name, "n_labelled": n, "repeat": repeat,
                         "score": score(prediction_or_score, test), "seconds": seconds})
    return pd.DataFrame(rows)


def summary(results, title, score_name):
    sizes = sorted(results["n_labelled"].unique())
    means = results.pivot_table(index="method", columns="n_labelled", values="score",
                                sort=False)
    largest = results[results["n_labelled"] == sizes[-1]]
    seconds = largest.groupby("method", sort=False)["seconds"].mean()
    rows = []
    for method in means.index:
        row = {"method": method}
        row.update({f"{score_name} n={n}": float(means.loc[method, n]) for n in sizes})
        row[f"fit s (n={sizes[-1]})"] = float(seconds[method])
        rows.append(row)
    header(title)
    table(rows, ["method", *[f"{score_name} n={n}" for n in sizes], f"fit s (n={sizes[-1]})"])
    return rows


# --------------------------------------------------------------------------- tasks


def penguins_task(sizes, repeats):
    df = load_penguins().dropna()
    X = df[["bill_length_mm", "bill_depth_mm", "flipper_length_mm"]].assign(
        male=(df["sex"] == "male").astype(float))
    y = df["body_mass_g"] / 1000
    gentoo = (df["species"] == "Gentoo").to_numpy()
    X_src, y_src, X_tgt, y_tgt = X[~gentoo], y[~gentoo], X[gentoo], y[gentoo]

    def net(seed=0):
        return make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(64, 32),
                                                            learning_rate_init=0.01,
                                                            random_state=seed))

    source = net().fit(X_src, y_src)
    scaler, network = source[0], source[-1].module_
    draws = []
    for n in sizes:
        for repeat in range(repeats):
            order = np.random.default_rng(repeat).permutation(len(X_tgt))
            draws.append((n, repeat, order[:n], order[n:]))
    epochs = {}

    def sknn(**params):
        def fit(train, test):
            model = TransferRegressor(source, random_state=0, **params)
            model.fit(X_tgt.iloc[train], y_tgt.iloc[train])
            epochs[(params.get("freeze", True), len(train))] = model.n_iter_
            return model.predict(X_tgt.iloc[test])
        return fit

    def features(rows):
        return source[-1].transform(scaler.transform(X_tgt.iloc[rows]))

    methods = {
        "transfer, frozen (default)": sknn(),
        "transfer, fine-tuned": sknn(freeze=False),
        "transfer, gradual (unfreeze_after=20)": sknn(unfreeze_after=20),
        "same network from scratch": lambda tr, te: net().fit(
            X_tgt.iloc[tr], y_tgt.iloc[tr]).predict(X_tgt.iloc[te]),
        "source as it is": lambda tr, te: source.predict(X_tgt.iloc[te]),
        "sklearn RidgeCV on the frozen features": lambda tr, te: RidgeCV(
            alphas=np.logspace(-3, 3, 13)).fit(features(tr), y_tgt.iloc[tr]).predict(
            features(te)),
        "sklearn RidgeCV on the target rows": lambda tr, te: make_pipeline(
            StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 13))).fit(
            X_tgt.iloc[tr], y_tgt.iloc[tr]).predict(X_tgt.iloc[te]),
        "plain torch, frozen head (same epochs)": lambda tr, te: plain_frozen_head(
            features(tr), y_tgt.iloc[tr].to_numpy(), features(te),
            epochs=epochs[(True, len(tr))], lr=0.01, classify=False),
        "plain torch, fine-tuned (same epochs)": lambda tr, te: plain_fine_tune(
            network, scaler.transform(X_tgt.iloc[tr]), y_tgt.iloc[tr].to_numpy(),
            scaler.transform(X_tgt.iloc[te]), epochs=epochs[(False, len(tr))], lr=0.01,
            base_factor=0.1, classify=False),
    }
    results = run(methods, draws, lambda pred, test: r2(y_tgt.iloc[test], pred))
    rows = summary(results, f"penguins: Adelie + Chinstrap -> Gentoo, R2 on held-out Gentoo "
                            f"(mean of {repeats} draws)", "R2")
    return results, rows


def digits_task(per_class, repeats, source_epochs):
    X, y = load_digits(return_X_y=True)
    X = X / 16
    old = y < 5
    X_pool, X_test, y_pool, y_test = train_test_split(X[~old], y[~old], test_size=0.5,
                                                      stratify=y[~old], random_state=0)
    start = time.perf_counter()
    source = CNNClassifier(image_shape=(8, 8), max_iter=source_epochs,
                           random_state=0).fit(X[old], y[old])
    print(f"\nsource CNN on digits 0-4: {source.n_iter_} epochs, "
          f"{time.perf_counter() - start:.1f} s")
    draws = []
    for k in per_class:
        for repeat in range(repeats):
            rng = np.random.default_rng(repeat)
            train = np.concatenate([rng.choice(np.flatnonzero(y_pool == c), k, replace=False)
                                    for c in range(5, 10)])
            draws.append((k, repeat, train, None))
    epochs = {}

    def sknn(**params):
        def fit(train, _):
            model = TransferClassifier(source, random_state=0, **params)
            model.fit(X_pool[train], y_pool[train])
            epochs[(params.get("freeze", True), len(train))] = model.n_iter_
            return model.predict(X_test)
        return fit

    conv = source.transform(X_pool), source.transform(X_test)  # for scikit-learn
    dense_cut = TransferClassifier(source, feature_layer="head.hidden.1", max_iter=1,
                                   random_state=0).fit(X_pool[:10], y_pool[:10])
    dense = dense_cut.transform(X_pool), dense_cut.transform(X_test)
    methods = {
        "transfer, frozen conv features (default)": sknn(),
        "transfer, fine-tuned": sknn(freeze=False),
        "transfer, gradual (unfreeze_after=30)": sknn(unfreeze_after=30),
        "transfer, cut after the dense layer": sknn(feature_layer="head.hidden.1"),
        "CNN from scratch": lambda tr, _: CNNClassifier(image_shape=(8, 8), random_state=0).fit(
            X_pool[tr], y_pool[tr]).predict(X_test),
        "sklearn LogisticRegression on conv features": lambda tr, _: LogisticRegression(
            max_iter=2000).fit(conv[0][tr], y_pool[tr]).predict(conv[1]),
        "sklearn LogisticRegression on dense features": lambda tr, _: LogisticRegression(
            max_iter=2000).fit(dense[0][tr], y_pool[tr]).predict(dense[1]),
        "plain torch, frozen head (same epochs)": lambda tr, _: 5 + plain_frozen_head(
            source.transform(X_pool[tr]), y_pool[tr] - 5, source.transform(X_test),
            epochs=epochs[(True, len(tr))], lr=0.01, classify=True),
        "plain torch, fine-tuned (same epochs)": lambda tr, _: 5 + plain_fine_tune(
            source.module_, X_pool[tr].reshape(-1, 1, 8, 8), y_pool[tr] - 5,
            X_test.reshape(-1, 1, 8, 8), epochs=epochs[(False, len(tr))], lr=0.01,
            base_factor=0.1, classify=True),
    }
    results = run(methods, draws, lambda pred, _: float(np.mean(pred == y_test)))
    rows = summary(results, f"digits: CNN on 0-4 -> 5-9, accuracy on {len(y_test)} held-out "
                            f"images (mean of {repeats} draws; n = images per class)",
                   "accuracy")
    return results, rows


def plot(penguins, digits, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sknn.plotting import TransferCurveDisplay

    keep = {"penguins": ["transfer, frozen (default)", "transfer, fine-tuned",
                         "same network from scratch", "source as it is",
                         "sklearn RidgeCV on the target rows"],
            "digits": ["transfer, frozen conv features (default)", "transfer, fine-tuned",
                       "transfer, cut after the dense layer", "CNN from scratch"]}
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    TransferCurveDisplay.from_results(
        penguins[penguins["method"].isin(keep["penguins"])], score_name="R2 (held-out Gentoo)",
        ax=axes[0])
    axes[0].set_ylim(-1, 1)
    axes[0].set_title("Penguins: Adelie + Chinstrap -> Gentoo body mass")
    TransferCurveDisplay.from_results(
        digits[digits["method"].isin(keep["digits"])], score_name="accuracy (digits 5-9)",
        per_class=True, ax=axes[1])
    axes[1].set_title("Digits: CNN on 0-4 -> 5-9")
    fig.tight_layout()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fig.savefig(path, dpi=110)
    print(f"\nplot: {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="two sizes, one draw")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    if args.quick:
        penguins, _ = penguins_task(sizes=(10, 50), repeats=1)
        digits, _ = digits_task(per_class=(2, 5), repeats=1, source_epochs=10)
        plot(penguins, digits, os.path.join(tempfile.gettempdir(), "transfer_curves_quick.png"))
    else:
        penguins, _ = penguins_task(sizes=(5, 10, 20, 50, 80), repeats=5)
        digits, _ = digits_task(per_class=(1, 2, 5, 10, 20), repeats=3, source_epochs=200)
        plot(penguins, digits, os.path.join(RESULTS, "transfer_curves.png"))
    print(f"\n(measured {time.strftime('%Y-%m-%d')}, torch threads {torch.get_num_threads()})")


if __name__ == "__main__":
    main()
