"""MLPClassifier: sknn against scikit-learn, skorch and a plain torch loop.

Same data, same architecture (one hidden layer of 100), Adam 1e-3, batch 200,
10 epochs, all in one run. Prints fit-time ratios (lower is better for sknn),
one-row predict-time ratios and accuracies.

    python benchmarks/bench_mlp.py [--quick]
"""

import argparse
import time
import warnings

import numpy as np
import torch
from _common import header, table, timed
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLP
from sklearn.preprocessing import StandardScaler
from skorch import NeuralNetClassifier
from torch import nn

from sknn import MLPClassifier

EPOCHS, BATCH, LR, HIDDEN = 10, 200, 1e-3, 100


def plain_torch_fit(X, y, n_classes, seed=0):
    """The reference loop: fused Adam, one permutation per epoch, tensor slices."""
    torch.manual_seed(seed)
    Xt, yt = torch.from_numpy(X.astype(np.float32)), torch.from_numpy(y.astype(np.int64))
    model = nn.Sequential(nn.Linear(X.shape[1], HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, n_classes))
    opt = torch.optim.Adam(model.parameters(), lr=LR, fused=True)
    loss_fn = nn.CrossEntropyLoss()
    n = len(Xt)
    for _ in range(EPOCHS):
        perm = torch.randperm(n)
        Xp, yp = Xt[perm], yt[perm]
        for i in range(0, n, BATCH):
            opt.zero_grad()
            loss = loss_fn(model(Xp[i:i + BATCH]), yp[i:i + BATCH])
            loss.backward()
            opt.step()
    return model


class SkorchModule(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, n_out))

    def forward(self, X):
        return self.net(X)


def run(name, X, y, repeats):
    X = StandardScaler().fit_transform(X).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    n_classes = len(np.unique(y))
    rows = []

    def sknn_fit():
        return MLPClassifier(hidden_layer_sizes=(HIDDEN,), batch_size=BATCH, max_iter=EPOCHS,
                             learning_rate_init=LR, tol=0, random_state=0).fit(Xtr, ytr)

    def sklearn_fit():
        return SkMLP(hidden_layer_sizes=(HIDDEN,), batch_size=BATCH, max_iter=EPOCHS,
                     learning_rate_init=LR, tol=0, random_state=0).fit(Xtr, ytr)

    def skorch_fit():
        net = NeuralNetClassifier(SkorchModule, module__n_in=X.shape[1],
                                  module__n_out=n_classes, criterion=nn.CrossEntropyLoss,
                                  optimizer=torch.optim.Adam, lr=LR, batch_size=BATCH,
                                  max_epochs=EPOCHS, train_split=None, verbose=0)
        return net.fit(Xtr, ytr.astype(np.int64))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t_torch, torch_model = timed(lambda: plain_torch_fit(Xtr, ytr, n_classes), repeats)
        t_sknn, est = timed(sknn_fit, repeats)
        t_sk, sk = timed(sklearn_fit, repeats)
        t_skorch, skorch_net = timed(skorch_fit, repeats)

    with torch.no_grad():
        acc_torch = float((torch_model(torch.from_numpy(Xte)).argmax(1).numpy() == yte).mean())
    one = Xte[:1]
    p_sknn, _ = timed(lambda: [est.predict(one) for _ in range(200)], 5)
    p_sk, _ = timed(lambda: [sk.predict(one) for _ in range(200)], 5)
    pp_sknn, _ = timed(lambda: [est.predict_proba(one) for _ in range(200)], 5)
    pp_sk, _ = timed(lambda: [sk.predict_proba(one) for _ in range(200)], 5)
    rows.append({"model": "sknn MLPClassifier", "fit s": t_sknn, "fit / torch": t_sknn / t_torch,
                 "fit / sklearn": t_sknn / t_sk, "predict 1 row / sklearn": p_sknn / p_sk,
                 "predict_proba 1 row / sklearn": pp_sknn / pp_sk,
                 "accuracy": est.score(Xte, yte)})
    rows.append({"model": "sklearn MLPClassifier", "fit s": t_sk, "fit / torch": t_sk / t_torch,
                 "fit / sklearn": 1.0, "predict 1 row / sklearn": 1.0,
                 "predict_proba 1 row / sklearn": 1.0, "accuracy": sk.score(Xte, yte)})
    rows.append({"model": "skorch NeuralNetClassifier", "fit s": t_skorch,
                 "fit / torch": t_skorch / t_torch, "fit / sklearn": t_skorch / t_sk,
                 "accuracy": skorch_net.score(Xte, yte.astype(np.int64))})
    rows.append({"model": "plain torch loop", "fit s": t_torch, "fit / torch": 1.0,
                 "fit / sklearn": t_torch / t_sk, "accuracy": acc_torch})
    header(f"{name}: {Xtr.shape[0]} x {Xtr.shape[1]}, {n_classes} classes, "
           f"hidden {HIDDEN}, Adam {LR}, batch {BATCH}, {EPOCHS} epochs (best of {repeats})")
    table(rows, ["model", "fit s", "fit / torch", "fit / sklearn", "predict 1 row / sklearn",
                 "predict_proba 1 row / sklearn", "accuracy"])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small data, one repeat")
    args = parser.parse_args()
    n = 10000 if args.quick else 100000
    repeats = 1 if args.quick else 3
    X, y = make_classification(n_samples=n, n_features=50, n_informative=30, n_classes=5,
                               random_state=0)
    run("synthetic", X, y, repeats)
    X, y = load_digits(return_X_y=True)
    run("digits", X, y, repeats)
    print(f"\n(measured {time.strftime('%Y-%m-%d')})")


if __name__ == "__main__":
    main()
