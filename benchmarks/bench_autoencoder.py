"""AutoEncoder: reconstruction error against PCA, fit time against a plain torch loop.

1. Held-out reconstruction MSE of ``AutoEncoder(n_components=k)`` and ``PCA(k)`` for
   several ``k`` on digits (pixels scaled to [0, 1]) and on breast cancer
   (standardised), with their ratio (below 1: the auto-encoder reconstructs better).
2. Fit time of the same architecture (n_features -> 100 -> 8 -> 100 -> n_features,
   ReLU, linear code and output, Adam 1e-3, batch 200, no L2, fixed epochs) trained by
   sknn, by a plain torch loop, by skorch's ``NeuralNetRegressor`` with its default
   DataLoader, and by scikit-learn's ``MLPRegressor`` fitted on (X, X) (hidden
   (100, 8, 100): its code layer has a ReLU too, the closest scikit-learn gets).
   Prints wall-clock and CPU-time ratios to the torch loop (the contenders take turns,
   best of the repeats) and held-out reconstruction MSE, all in one run.

    python benchmarks/bench_autoencoder.py [--quick]
"""

import argparse
import time
import warnings

import numpy as np
import torch
from _common import header, table, timed
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler
from skorch import NeuralNetRegressor

from sknn import AutoEncoder
from sknn.modules.autoencoder import AutoEncoderNet

BATCH, LR, HIDDEN, CODES = 200, 1e-3, 100, 8


def mse(X, X_hat):
    return float(np.mean((np.asarray(X_hat, dtype=np.float64) - X) ** 2))


# ------------------------------------------------------------------ 1. against PCA


def reconstruction(name, X, components, epochs, repeats):
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        AutoEncoder(max_iter=2).fit(X_train)  # warm-up: first-call costs out of the timings
    rows = []
    for k in components:
        pca = PCA(k).fit(X_train)
        pca_err = mse(X_test, pca.inverse_transform(pca.transform(X_test)))
        errors, times = [], []
        for seed in range(repeats):
            ae = AutoEncoder(n_components=k, hidden_layer_sizes=(128,), learning_rate_init=3e-3,
                             max_iter=epochs, tol=1e-6, random_state=seed)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                ae.fit(X_train)
            times.append(time.perf_counter() - start)
            errors.append(-ae.score(X_test))
        ae_err = float(np.median(errors))
        rows.append({"n_components": k, "PCA MSE": f"{pca_err:.4f}",
                     "AutoEncoder MSE": f"{ae_err:.4f}", "AE / PCA": ae_err / pca_err,
                     "AE fit s": float(np.median(times)), "epochs": ae.n_iter_})
    header(f"{name}: held-out reconstruction MSE, {X_train.shape[0]} x {X_train.shape[1]} "
           f"train rows; AutoEncoder hidden (128,), Adam 3e-3, <= {epochs} epochs, "
           f"median of {repeats} seeds")
    table(rows, ["n_components", "PCA MSE", "AutoEncoder MSE", "AE / PCA", "AE fit s",
                 "epochs"])


# ------------------------------------------------------------------ 2. fit time


def manifold(n, n_features=64, n_latent=4, seed=0):
    """Rows on a noisy 4-dimensional curved manifold in 64 dimensions."""
    rng = np.random.RandomState(seed)
    z = rng.normal(size=(n, n_latent))
    W1, W2 = rng.normal(size=(n_latent, 32)), rng.normal(size=(32, n_features)) / np.sqrt(32)
    X = np.tanh(z @ W1) @ W2 + 0.05 * rng.normal(size=(n, n_features))
    return StandardScaler().fit_transform(X).astype(np.float32)


def plain_torch_fit(X, epochs, seed=0):
    """The reference loop: fused Adam, one permutation per epoch, tensor slices."""
    torch.manual_seed(seed)
    Xt = torch.from_numpy(X)
    model = AutoEncoderNet(X.shape[1], CODES, (HIDDEN,))
    opt = torch.optim.Adam(model.parameters(), lr=LR, fused=True)
    n = len(Xt)
    for _ in range(epochs):
        perm = torch.randperm(n)
        Xp = Xt[perm]
        for i in range(0, n, BATCH):
            batch = Xp[i:i + BATCH]
            opt.zero_grad()
            loss = 0.5 * (model(batch) - batch).pow(2).mean()
            loss.backward()
            opt.step()
    return model.eval()


def round_robin(fits, repeats):
    """Best wall-clock and CPU seconds of each fit, the contenders taking turns.

    On a shared machine the load drifts; taking turns spreads it over all of them,
    and CPU time (one thread) is what load affects least.
    """
    wall = dict.fromkeys(fits, float("inf"))
    cpu = dict.fromkeys(fits, float("inf"))
    fitted = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(repeats):
            for name, fit in fits.items():
                start_cpu = time.process_time()
                seconds, fitted[name] = timed(fit)
                cpu[name] = min(cpu[name], time.process_time() - start_cpu)
                wall[name] = min(wall[name], seconds)
    return wall, cpu, fitted


def fit_time(n, epochs, repeats):
    X = manifold(n + n // 4)
    X_train, X_test = X[:n], X[n:]

    def sknn_fit():
        return AutoEncoder(n_components=CODES, hidden_layer_sizes=(HIDDEN,), alpha=0.0,
                           batch_size=BATCH, learning_rate_init=LR, max_iter=epochs, tol=0,
                           random_state=0).fit(X_train)

    def skorch_fit():
        net = NeuralNetRegressor(AutoEncoderNet, module__n_features=X.shape[1],
                                 module__n_components=CODES, module__hidden_layer_sizes=(HIDDEN,),
                                 optimizer=torch.optim.Adam, lr=LR, batch_size=BATCH,
                                 max_epochs=epochs, train_split=None, verbose=0)
        return net.fit(X_train, X_train)

    def sklearn_fit():
        return MLPRegressor(hidden_layer_sizes=(HIDDEN, CODES, HIDDEN), alpha=0.0,
                            batch_size=BATCH, learning_rate_init=LR, max_iter=epochs, tol=0,
                            shuffle=True, random_state=0).fit(X_train, X_train)

    fits = {"torch": lambda: plain_torch_fit(X_train, epochs), "sknn": sknn_fit,
            "skorch": skorch_fit, "sklearn": sklearn_fit}
    plain_torch_fit(X_train[:1000], 1)  # warm-up: first-call costs out of the timings
    wall, cpu, fitted = round_robin(fits, repeats)
    model, est, net, sk = fitted["torch"], fitted["sknn"], fitted["skorch"], fitted["sklearn"]
    with torch.no_grad():
        torch_err = mse(X_test, model(torch.from_numpy(X_test)).numpy())
    pca = PCA(CODES).fit(X_train)
    one = X_test[:1]
    tr_sknn, _ = timed(lambda: [est.transform(one) for _ in range(200)], 3)
    tr_pca, _ = timed(lambda: [pca.transform(one) for _ in range(200)], 3)
    errors = {"sknn": -est.score(X_test), "torch": torch_err,
              "skorch": mse(X_test, net.predict(X_test)),
              "sklearn": mse(X_test, sk.predict(X_test))}
    names = {"sknn": "sknn AutoEncoder", "torch": "plain torch loop",
             "skorch": "skorch NeuralNetRegressor (X, X)",
             "sklearn": "sklearn MLPRegressor (X, X)"}
    rows = [{"model": names[k], "fit s": wall[k], "fit / torch": wall[k] / wall["torch"],
             "fit CPU s": cpu[k], "CPU / torch": cpu[k] / cpu["torch"],
             "held-out MSE": f"{errors[k]:.4f}"} for k in names]
    pca_err = mse(X_test, pca.inverse_transform(pca.transform(X_test)))
    rows.append({"model": f"PCA({CODES}) (no training loop)", "held-out MSE": f"{pca_err:.4f}"})
    header(f"fit time: {n} x {X.shape[1]} rows on a 4-D curved manifold, {X.shape[1]}-{HIDDEN}-"
           f"{CODES}-{HIDDEN}-{X.shape[1]}, Adam {LR}, batch {BATCH}, {epochs} epochs "
           f"(best of {repeats})")
    table(rows, ["model", "fit s", "fit / torch", "fit CPU s", "CPU / torch", "held-out MSE"])
    print(f"\ntransform of 1 row: sknn {tr_sknn / 200 * 1e6:.0f} us, PCA "
          f"{tr_pca / 200 * 1e6:.0f} us (ratio {tr_sknn / tr_pca:.2f})")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small data, one repeat")
    args = parser.parse_args()
    repeats = 1 if args.quick else 3
    epochs = 50 if args.quick else 300
    X, _ = load_digits(return_X_y=True)
    components = (2, 8) if args.quick else (2, 4, 8, 16, 32)
    reconstruction("digits", X / 16, components, epochs, repeats)
    X, _ = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    components = (2, 8) if args.quick else (2, 4, 8, 16)
    reconstruction("breast cancer (standardised)", X, components, epochs, repeats)
    fit_time(10000 if args.quick else 50000, 5 if args.quick else 10, repeats)
    print(f"\n(measured {time.strftime('%Y-%m-%d')})")


if __name__ == "__main__":
    main()
