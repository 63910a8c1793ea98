"""LSTMRegressor / LSTMClassifier: forecasts against persistence and Ridge, fit time
against a plain torch loop of the same architecture, and the long-memory defaults.

1. co2 (Mauna Loa, statsmodels; this series is used here only, never in the tests),
   monthly means, windows of 24 months, the last 60 months held out. RMSE of the
   persistence forecast, Ridge and the LSTM, all on the same windows; fit time of
   sknn against a plain torch loop (same network, optimizer, clipping, epochs).
2. The long-memory task (the label is the first value of a 60-step noisy sequence):
   accuracy of the default LSTMClassifier and of the same network with PyTorch's
   initialisation and no gradient clipping, over several seeds; fit time against the
   plain torch loop, and the cost of variable-length (NaN-padded) sequences.

    python benchmarks/bench_recurrent.py [--quick]
"""

import argparse
import time
import warnings

import numpy as np
import statsmodels.api as sm
import torch
from _common import header, table, timed
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from torch import nn

from sknn import LSTMClassifier, LSTMRegressor
from sknn.preprocessing import make_windows

WINDOW, N_TEST = 24, 60


def timed_interleaved(fns, repeats):
    """Best seconds and last result of each function, the runs interleaved (A B C A B C)
    so that a load change on a shared machine hits every contender alike."""
    best, results = [float("inf")] * len(fns), [None] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            seconds, results[i] = timed(fn)
            best[i] = min(best[i], seconds)
    return list(zip(best, results))


class PlainLSTM(nn.Module):
    """The same network as sknn's RecurrentNet: LSTM, final hidden state, linear."""

    def __init__(self, n_features, n_outputs, hidden):
        super().__init__()
        self.rnn = nn.LSTM(n_features, hidden, batch_first=True)
        self.out = nn.Linear(hidden, n_outputs)
        with torch.no_grad():  # forget-gate bias 1, as sknn's default
            self.rnn.bias_ih_l0[hidden:2 * hidden] = 1.0
            self.rnn.bias_hh_l0[hidden:2 * hidden] = 0.0

    def forward(self, x):
        _, (h, _) = self.rnn(x)
        return self.out(h[-1])


def plain_torch_fit(X, y, *, hidden, epochs, batch, lr, loss_fn, seed=0):
    """Reference loop: fused Adam, one permutation per epoch, tensor slices, clipping 1."""
    torch.manual_seed(seed)
    Xt = torch.from_numpy(X.astype(np.float32))
    yt = torch.from_numpy(y)
    model = PlainLSTM(Xt.shape[2], 1, hidden)
    opt = torch.optim.Adam(model.parameters(), lr=lr, fused=True)
    n = len(Xt)
    for _ in range(epochs):
        perm = torch.randperm(n)
        Xp, yp = Xt[perm], yt[perm]
        for i in range(0, n, batch):
            opt.zero_grad()
            loss = loss_fn(model(Xp[i:i + batch])[:, 0], yp[i:i + batch])
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
    return model.eval()


def co2_forecast(epochs, repeats):
    series = sm.datasets.co2.load_pandas().data["co2"].resample("MS").mean().interpolate()
    values = series.to_numpy()
    X, y = make_windows(values, window=WINDOW)
    last = X[:, -1]
    truth = y[-N_TEST:]

    def rmse(pred):
        return float(np.sqrt(np.mean((pred - truth) ** 2)))

    # Two representations of the same windows: levels, and month-to-month changes
    # (the target is then the next change). Both are standardised with training
    # statistics only.
    reps = {"levels": (X, y, np.zeros_like(last)), "changes": (np.diff(X, axis=1), y - last, last)}
    hidden, batch, lr = 32, 32, 3e-3
    rows = [{"model": "persistence (next = last)", "RMSE": rmse(last[-N_TEST:])}]
    for rep, (Xr, yr, offset) in reps.items():
        Xtr, ytr, Xte = Xr[:-N_TEST], yr[:-N_TEST], Xr[-N_TEST:]
        mx, sx, my, sy = Xtr.mean(), Xtr.std(), ytr.mean(), ytr.std()
        Xs, ys, Xtes = (Xtr - mx) / sx, (ytr - my) / sy, (Xte - mx) / sx

        def back(pred, my=my, sy=sy, offset=offset):
            return pred * sy + my + offset[-N_TEST:]

        ridge = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(Xs, ys)
        rows.append({"model": f"Ridge, {rep}", "RMSE": rmse(back(ridge.predict(Xtes)))})

        def sknn_fit(Xs=Xs, ys=ys):
            return LSTMRegressor(hidden_size=hidden, batch_size=batch, learning_rate_init=lr,
                                 alpha=0.0, max_iter=epochs, tol=0.0, n_iter_no_change=epochs,
                                 random_state=0).fit(Xs, ys)

        if rep == "changes":
            def torch_fit(Xs=Xs, ys=ys):
                return plain_torch_fit(Xs[:, :, None], ys.astype(np.float32), hidden=hidden,
                                       epochs=epochs, batch=batch, lr=lr,
                                       loss_fn=lambda p, t: 0.5 * ((p - t) ** 2).mean())

            (t_sknn, est), (t_torch, model) = timed_interleaved([sknn_fit, torch_fit], repeats)
            with torch.no_grad():
                pred = model(torch.from_numpy(Xtes[:, :, None].astype(np.float32)))[:, 0]
            rows.append({"model": f"sknn LSTMRegressor, {rep}",
                         "RMSE": rmse(back(est.predict(Xtes))), "fit s": t_sknn,
                         "fit / torch": t_sknn / t_torch})
            rows.append({"model": "plain torch loop, changes", "RMSE": rmse(back(pred.numpy())),
                         "fit s": t_torch, "fit / torch": 1.0})
        else:
            t_sknn, est = timed(sknn_fit)
            rows.append({"model": f"sknn LSTMRegressor, {rep}",
                         "RMSE": rmse(back(est.predict(Xtes))), "fit s": t_sknn})
    header(f"co2 monthly ({len(values)} months), window {WINDOW}, last {N_TEST} months "
           f"held out; LSTM hidden {hidden}, Adam {lr}, batch {batch}, {epochs} epochs "
           f"(fit time: best of {repeats}, interleaved)")
    table(rows, ["model", "RMSE", "fit s", "fit / torch"])


def long_memory_data(n, seed, n_steps=60):
    rng = np.random.default_rng(seed)
    X = rng.normal(0, 1, (n, n_steps, 1))
    y = rng.integers(0, 2, n)
    X[:, 0, 0] = 2 * y - 1
    return X, y


def long_memory(seeds, epochs, repeats):
    X, y = long_memory_data(400, seed=0)
    X_test, y_test = long_memory_data(500, seed=1)
    rows = []
    for label, extra in [("sknn LSTMClassifier, defaults (forget bias 1, clip 1)", {}),
                         ("same, torch's init, no clipping",
                          dict(forget_bias=None, max_grad_norm=None))]:
        scores = [LSTMClassifier(batch_size=32, max_iter=epochs, random_state=seed,
                                 **extra).fit(X, y).score(X_test, y_test) for seed in seeds]
        rows.append({"model": label, "accuracy per seed": " ".join(f"{s:.2f}" for s in scores),
                     "mean accuracy": float(np.mean(scores))})
    header(f"long memory: 400 sequences x 60 steps, label = sign of step 0; hidden 64, "
           f"Adam 1e-3, batch 32, {epochs} epochs; accuracy on 500 new sequences")
    table(rows, ["model", "accuracy per seed", "mean accuracy"])

    # Fit time, every fit running all epochs: sknn against the plain loop (same
    # network, init and clipping), and with variable lengths (the same sequences
    # NaN-padded to random lengths 30-60).
    padded = X.copy()
    for i, n in enumerate(np.random.default_rng(2).integers(30, 61, len(X))):
        padded[i, n:] = np.nan

    def sknn_fit(data):
        return LSTMClassifier(batch_size=32, max_iter=epochs, tol=0.0, n_iter_no_change=epochs,
                              random_state=0).fit(data, y)

    def torch_fit():
        return plain_torch_fit(X, y.astype(np.float32), hidden=64, epochs=epochs, batch=32,
                               lr=1e-3, loss_fn=nn.functional.binary_cross_entropy_with_logits)

    (t_plain, _), (t_sknn, _), (t_padded, _) = timed_interleaved(
        [torch_fit, lambda: sknn_fit(X), lambda: sknn_fit(padded)], repeats)
    rows = [
        {"model": "sknn LSTMClassifier, 60 steps", "fit s": t_sknn,
         "fit / torch": t_sknn / t_plain},
        {"model": "sknn LSTMClassifier, NaN-padded lengths 30-60", "fit s": t_padded,
         "fit / torch": t_padded / t_plain},
        {"model": "plain torch loop, 60 steps", "fit s": t_plain, "fit / torch": 1.0},
    ]
    header(f"long memory fit time: {epochs} epochs (best of {repeats}, interleaved)")
    table(rows, ["model", "fit s", "fit / torch"])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few epochs, one seed, one repeat")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    # Warm-up: the first LSTM call of a process pays one-time kernel set-up costs.
    X, y = long_memory_data(64, seed=0, n_steps=10)
    LSTMClassifier(max_iter=2, random_state=0).fit(X, y)
    plain_torch_fit(X, y.astype(np.float32), hidden=64, epochs=2, batch=32, lr=1e-3,
                    loss_fn=nn.functional.binary_cross_entropy_with_logits)
    if args.quick:
        co2_forecast(epochs=10, repeats=1)
        long_memory(seeds=[0], epochs=10, repeats=1)
    else:
        co2_forecast(epochs=60, repeats=3)
        long_memory(seeds=[0, 1, 2, 3], epochs=60, repeats=3)
    print(f"\n(measured {time.strftime('%Y-%m-%d')})")


if __name__ == "__main__":
    main()
