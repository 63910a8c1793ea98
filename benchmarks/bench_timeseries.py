"""Time-series classification on the UCR/UEA sets that aeon ships (offline).

Per dataset (official train/test split): 1-NN with Euclidean distance, MiniRocket
(aeon), scikit-learn's MLP, sknn's estimators with their defaults (``sknn-cnn``:
``CNNClassifier(conv_dims=1)``, ``sknn-lstm``: ``LSTMClassifier(channels_last=False)``,
``sknn-lstm-plain``: the same with ``architecture="plain"``; the regressors with
``--task regression``), fed the data as aeon gives it ((n, channels, length) arrays,
or lists of (channels, length_i) arrays for unequal lengths, not z-normalised by the
script), and plain-PyTorch training of the networks of :mod:`sknn.modules.timeseries`
and of a few recurrent recipes. Prints accuracy and fit seconds (CPU seconds of this
process, which shared machines disturb less than wall seconds) and appends one JSON
record per fit to ``--out``.

``--epoch-time``: fit seconds per epoch of the default ``CNNClassifier(conv_dims=1)``
against the plain torch loop of the same FCN (same batches, schedule and z-normalised
data), interleaved, and the default fit on each dataset (wall and CPU seconds).

aeon pins pandas < 3.1, so this runs in its own environment, not the project's::

    python3 -m venv /work/bench-venv
    /work/bench-venv/bin/pip install torch==2.13.0 aeon scikit-learn skorch
    /work/bench-venv/bin/pip install -e . --no-deps
    OMP_NUM_THREADS=1 /work/bench-venv/bin/python benchmarks/bench_timeseries.py \\
        --models fcn64 resnet32 --baselines

The training recipe (``train``): Adam 1e-3, batches of ``min(16, n // 10)``, an epoch
budget ``clip(work / (n * length), min_epochs, max_epochs)`` (equal work per fit, so
the longest set, 100 x 1,460, gets about a minute on one core), a learning-rate
schedule (``plateau``: halve when the training loss has not improved for
``max(10, epochs // 10)`` epochs; ``cosine``: cosine decay to 1 % over the budget),
per-series z-normalisation of univariate series (``--znorm auto``). Unequal lengths
are NaN-padded at the end; the networks read each series only up to its length.

Published deep-learning figures on these sets are quoted, as such, from sknn's issue 16
(Fawaz et al. 2019, "Deep learning for time series classification: a review";
Ismail Fawaz et al. 2020, InceptionTime): FCN, ResNet and InceptionTime "reach
90-100 % on most of these"; Time-CNN (conv blocks, flatten, dense) gets 33-48 % on the
long series where FCN gets 90-98 %. They were trained for 1,500-2,000 epochs on GPUs.
"""

import argparse
import json
import math
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from sknn.modules.timeseries import FCN, ConvRecurrentNet, InceptionNet, ResNet, series_mask

CLASSIFICATION = ["GunPoint", "BasicMotions", "JapaneseVowels", "ArrowHead",
                  "ItalyPowerDemand", "OSULeaf", "PickupGestureWiimoteZ", "ACSF1"]
PUBLISHED = ("published (quoted from issue 16, Fawaz et al. 2019 / InceptionTime 2020): "
             "FCN, ResNet, InceptionTime reach 90-100 % on most of these; Time-CNN 33-48 % "
             "on the long series where FCN gets 90-98 %; 1,500-2,000 epochs on GPUs.")


# ----------------------------------------------------------------------------- data
def nan_pad(X):
    """aeon's data (an array, or a list of (channels, length_i) arrays) as a float32
    (n, channels, max length) array, NaN after each series' end."""
    if isinstance(X, np.ndarray):
        return X.astype(np.float32)
    length = max(x.shape[1] for x in X)
    out = np.full((len(X), X[0].shape[0], length), np.nan, dtype=np.float32)
    for i, x in enumerate(X):
        out[i, :, :x.shape[1]] = x
    return out


def load(name, task="classification", raw=False):
    """The official split; ``raw=True`` also returns aeon's own X (arrays or lists)."""
    from aeon.datasets import load_classification, load_regression

    loader = load_classification if task == "classification" else load_regression
    raw_train, y_train = loader(name, split="train")
    raw_test, y_test = loader(name, split="test")
    X_train, X_test = nan_pad(raw_train), nan_pad(raw_test)
    if task == "classification":
        classes, y_train = np.unique(y_train, return_inverse=True)
        y_test = np.searchsorted(classes, y_test)
    else:
        y_train, y_test = y_train.astype(np.float32), y_test.astype(np.float32)
    if raw:
        return X_train, y_train, X_test, y_test, raw_train, raw_test
    return X_train, y_train, X_test, y_test


def znormalise(X):
    """Each series and channel to mean 0, standard deviation 1 (NaN padding kept)."""
    with np.errstate(invalid="ignore"), __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(X, axis=2, keepdims=True)
        std = np.nanstd(X, axis=2, keepdims=True)
    std = np.where(std > 1e-8, std, 1.0)
    return ((X - mean) / std).astype(np.float32)


def dense(X_train, X_test):
    """Zero-padded to a common length and flattened, for the baselines."""
    length = max(X_train.shape[2], X_test.shape[2])

    def flat(X):
        out = np.zeros((len(X), X.shape[1], length), dtype=np.float32)
        out[:, :, :X.shape[2]] = np.nan_to_num(X)
        return out

    return flat(X_train), flat(X_test)


# ----------------------------------------------------------------------------- baselines
def baselines(X_train, y_train, X_test, y_test, task):
    from sklearn.linear_model import RidgeCV
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    A, B = dense(X_train, X_test)
    rows = []

    def run(name, est, a, b):
        start = time.process_time()
        est.fit(a, y_train)
        seconds = time.process_time() - start
        pred = est.predict(b)
        rows.append({"model": name, "score": score(task, y_test, pred), "fit_s": seconds})

    classif = task == "classification"
    run("1-NN", (KNeighborsClassifier if classif else KNeighborsRegressor)(1),
        A.reshape(len(A), -1), B.reshape(len(B), -1))
    mlp = (MLPClassifier if classif else MLPRegressor)(max_iter=500, random_state=0)
    run("sklearn MLP", mlp, A.reshape(len(A), -1), B.reshape(len(B), -1))
    if not classif:
        run("Ridge", RidgeCV(), A.reshape(len(A), -1), B.reshape(len(B), -1))
    try:
        if classif:
            from aeon.classification.convolution_based import MiniRocketClassifier as MR
        else:
            from aeon.regression.convolution_based import MiniRocketRegressor as MR
        # Compile numba's kernels first: the timed fit is the fit, not the JIT.
        warm = np.arange(min(8, len(A))) if not classif else \
            np.unique(y_train, return_index=True)[1]  # one series of each class
        MR(random_state=0).fit(A[warm].astype(np.float64), y_train[warm])
        run("MiniRocket", MR(random_state=0), A.astype(np.float64), B.astype(np.float64))
    except ImportError as exc:  # pragma: no cover - aeon missing
        print("MiniRocket skipped:", exc, file=sys.stderr)
    return rows


def score(task, y_true, pred):
    if task == "classification":
        return float(np.mean(np.asarray(y_true) == np.asarray(pred)))
    return float(np.sqrt(np.mean((np.asarray(y_true) - np.asarray(pred)) ** 2)))


# ----------------------------------------------------------------------------- sknn estimators
def make_sknn(name, task, seed, params=None):
    """sknn's estimator ``name`` with its defaults (only the layout and the seed set),
    ``params`` (a dict) overriding them."""
    from sknn import CNNClassifier, CNNRegressor, LSTMClassifier, LSTMRegressor

    classif = task == "classification"
    if name == "sknn-cnn":
        est = (CNNClassifier if classif else CNNRegressor)(conv_dims=1, random_state=seed)
    elif name == "sknn-lstm":
        est = (LSTMClassifier if classif else LSTMRegressor)(channels_last=False,
                                                             random_state=seed)
    elif name == "sknn-lstm-plain":
        est = (LSTMClassifier if classif else LSTMRegressor)(
            channels_last=False, architecture="plain", random_state=seed)
    else:
        raise ValueError(name)
    return est.set_params(**(params or {}))


SKNN_MODELS = ("sknn-cnn", "sknn-lstm", "sknn-lstm-plain")


def fit_sknn(name, raw_train, y_train, raw_test, task, seed, params=None):
    """Fit sknn's estimator on aeon's data as is; (predictions, CPU s, wall s, epochs,
    final training loss)."""
    import warnings

    est = make_sknn(name, task, seed, params)
    start, wall = time.process_time(), time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(raw_train, y_train)
    seconds, wall = time.process_time() - start, time.perf_counter() - wall
    for w in caught:
        print(f"  [{name}] {w.category.__name__}: {str(w.message)[:160]}", file=sys.stderr)
    return est.predict(raw_test), seconds, wall, est.n_iter_, est.loss_


def epoch_time(dataset, epochs, repeats):
    """CPU seconds per epoch: sknn's default CNN against the plain torch loop of the
    same network (the same ensemble and window folding as the estimator's "auto")."""
    from sknn import CNNClassifier

    X_train, y_train, X_test, y_test, raw_train, raw_test = load(dataset, raw=True)
    n, ch, length = X_train.shape
    Z = znormalise(X_train) if ch == 1 else X_train
    batch = max(1, min(16, n // 10))
    # The default fit, timed as a user would (wall) and as CPU seconds; the epochs are
    # then timed with the ensemble and folding it resolved to.
    est = CNNClassifier(conv_dims=1, random_state=0)
    start, wall = time.process_time(), time.perf_counter()
    est.fit(raw_train, y_train)
    cpu, wall = time.process_time() - start, time.perf_counter() - wall
    members, fold = est.module_.n_members, est.module_.downsample
    best = {"sknn": float("inf"), "torch": float("inf")}
    for _ in range(repeats):  # interleaved, so that load changes hit both alike
        timed = CNNClassifier(conv_dims=1, max_iter=epochs, n_networks=members,
                              downsample=fold, random_state=0)
        start = time.process_time()
        timed.fit(raw_train, y_train)
        best["sknn"] = min(best["sknn"], (time.process_time() - start) / epochs)
        same = FCN(ch, len(np.unique(y_train)), (32, 64, 32), (8, 5, 3), n_members=members,
                   combine="softmax", downsample=fold)
        _, seconds, _, _ = train("fcn32", Z, y_train, Z, "classification", seed=0, work=0,
                                 min_epochs=epochs, max_epochs=epochs, schedule="cosine",
                                 batch=batch, module=same)
        best["torch"] = min(best["torch"], seconds / epochs)
    print(f"| {dataset} | {n} x {ch} x {length} | {batch} | {est.module_.n_members} "
          f"| {est.module_.downsample} | {best['sknn']:.3f} "
          f"| {best['torch']:.3f} | {best['sknn'] / best['torch']:.2f} | {est.n_iter_} "
          f"| {cpu:.1f} | {wall:.1f} | {est.score(raw_test, y_test):.3f} |", flush=True)


# ----------------------------------------------------------------------------- recurrent recipes
class LSTMFCN(nn.Module):
    """LSTM-FCN (Karim et al. 2017): an FCN branch and an LSTM branch on the
    "dimension-shuffled" input (channels read as time steps), concatenated."""

    def __init__(self, n_channels, n_outputs, length, channels=(64, 128, 64), hidden=8,
                 dropout=0.8):
        super().__init__()
        self.fcn = FCN(n_channels, n_outputs, channels)
        self.length = length
        self.lstm = nn.LSTM(length, hidden, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(channels[-1] + hidden, n_outputs)

    def forward(self, x, mask=None):
        x0, mask = series_mask(x, mask)
        conv = self.fcn.features(x0, mask)
        shuffled = F.pad(x0, (0, max(0, self.length - x0.shape[2])))[:, :, :self.length]
        out, _ = self.lstm(shuffled)
        return self.head(torch.cat([conv, self.drop(out[:, -1])], 1))


# ----------------------------------------------------------------------------- models
def ensemble(make, k):
    def build(c, o, length):
        return nn.ModuleList(make(c, o, length) for _ in range(k))
    return build


MODELS = {
    "fcn128": lambda c, o, L: FCN(c, o, (128, 256, 128)),
    "fcn64": lambda c, o, L: FCN(c, o, (64, 128, 64)),
    "fcn32": lambda c, o, L: FCN(c, o, (32, 64, 32)),
    "resnet64": lambda c, o, L: ResNet(c, o, (64, 128, 128)),
    "resnet32": lambda c, o, L: ResNet(c, o, (32, 64, 64)),
    "inception16": lambda c, o, L: InceptionNet(c, o, n_filters=16, depth=6),
    "inception32": lambda c, o, L: InceptionNet(c, o, n_filters=32, depth=6),
    "lstm_last": lambda c, o, L: ConvRecurrentNet(c, o, front_channels=(),
                                                  front_kernel_sizes=(), pool="last"),
    "lstm_mean": lambda c, o, L: ConvRecurrentNet(c, o, front_channels=(),
                                                  front_kernel_sizes=(), pool="mean"),
    # Conv front end (64, 64; kernels 8, 5), LSTM(64) reading at most ~128 steps.
    "convlstm_mean": lambda c, o, L: ConvRecurrentNet(c, o, downsample=math.ceil(L / 128)),
    "convlstm_last": lambda c, o, L: ConvRecurrentNet(c, o, downsample=math.ceil(L / 128),
                                                      pool="last"),
    "lstmfcn": lambda c, o, L: LSTMFCN(c, o, L),
}
for _k in (3,):
    MODELS[f"fcn32x{_k}"] = ensemble(MODELS["fcn32"], _k)


def train(name, X_train, y_train, X_test, task, *, seed, work, min_epochs, max_epochs,
          schedule, lr=1e-3, batch=None, module=None):
    """Fit ``MODELS[name]`` (each member of an ensemble in turn, sharing the budget), or
    ``module``; return (test predictions, fit CPU seconds, epochs, final training loss).

    A module whose training output stacks its members' (``n_members`` > 1, sknn's
    grouped ensembles) trains on the sum of their losses."""
    torch.manual_seed(seed)
    n, channels, length = X_train.shape
    n_outputs = int(y_train.max()) + 1 if task == "classification" else 1
    built = module if module is not None else MODELS[name](channels, n_outputs, length)
    members = list(built) if isinstance(built, nn.ModuleList) else [built]
    epochs = int(np.clip(work / (n * length), min_epochs, max_epochs))
    epochs = max(1, epochs // len(members))
    batch = batch or max(1, min(16, n // 10))
    X = torch.from_numpy(X_train)
    lengths = torch.from_numpy(np.where(np.isnan(X_train).all(1), 0, 1).cumsum(1).argmax(1) + 1)
    y = torch.from_numpy(y_train).long() if task == "classification" else \
        torch.from_numpy(y_train).float()
    if task != "classification":
        y_mean, y_std = y.mean(), y.std().clamp_min(1e-8)
        y = (y - y_mean) / y_std
    start = time.process_time()
    final_loss = []
    for net in members:
        opt = torch.optim.Adam(net.parameters(), lr=lr)
        if schedule == "plateau":
            sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
                opt, factor=0.5, patience=max(10, epochs // 10), min_lr=1e-4)
        elif schedule == "cosine":
            sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs, eta_min=lr / 100)
        else:
            sched = None
        net.train()
        for _ in range(epochs):
            total = 0.0
            for idx in torch.randperm(n).split(batch):
                if len(idx) == 1 and n > 1:  # batch norm needs two rows
                    continue
                xb = X[idx, :, :int(lengths[idx].max())]
                out = net(xb)
                outs = out if getattr(net, "n_members", 1) > 1 else out[None]
                loss = sum(F.cross_entropy(o, y[idx]) if task == "classification"
                           else F.mse_loss(o[:, 0], y[idx]) for o in outs)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                total += loss.item() * len(idx) / len(outs)
            if schedule == "plateau":
                sched.step(total / n)
            elif sched is not None:
                sched.step()
        final_loss.append(total / n)
    seconds = time.process_time() - start
    with torch.no_grad():
        Xt = torch.from_numpy(X_test)
        outs = []
        for net in members:
            net.eval()
            out = torch.cat([net(Xt[i:i + 256]) for i in range(0, len(Xt), 256)])
            outs.append(out.softmax(1) if task == "classification" else out[:, 0])
        out = torch.stack(outs).mean(0)
    if task == "classification":
        pred = out.argmax(1).numpy()
    else:
        pred = (out * y_std + y_mean).numpy()
    return pred, seconds, epochs, float(np.mean(final_loss))


# ----------------------------------------------------------------------------- main
def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--datasets", nargs="*", default=CLASSIFICATION)
    p.add_argument("--task", choices=["classification", "regression"],
                   default="classification")
    p.add_argument("--models", nargs="*", default=["sknn-cnn"],
                   choices=sorted(MODELS) + list(SKNN_MODELS))
    p.add_argument("--baselines", action="store_true", help="1-NN, MiniRocket, sklearn MLP")
    p.add_argument("--seeds", type=int, nargs="*", default=[0])
    p.add_argument("--work", type=float, default=2e7,
                   help="series-steps per fit: epochs = work / (n * length), clipped")
    p.add_argument("--min-epochs", type=int, default=20)
    p.add_argument("--max-epochs", type=int, default=500)
    p.add_argument("--schedule", choices=["plateau", "cosine", "none"], default="plateau")
    p.add_argument("--znorm", choices=["auto", "on", "off"], default="auto",
                   help="per-series z-normalisation: auto = univariate series only")
    p.add_argument("--batch", type=int, default=None, help="default min(16, n // 10)")
    p.add_argument("--quick", action="store_true", help="smoke run: GunPoint, 5 epochs")
    p.add_argument("--out", default=None, help="append JSON records here")
    p.add_argument("--epoch-time", type=int, default=0, metavar="EPOCHS",
                   help="time EPOCHS epochs of sknn's default CNN against plain torch "
                        "(best of --repeats, interleaved) and the default fit, and exit")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--params", type=json.loads, default=None,
                   help='JSON dict of parameters for the sknn models, e.g. \'{"alpha": 0}\'')
    args = p.parse_args(argv)
    if args.epoch_time:
        torch.set_num_threads(1)
        print(f"torch {torch.__version__}, 1 thread; CPU s per epoch, best of {args.repeats}; "
              "default fit of CNNClassifier(conv_dims=1)")
        print("| dataset | n x ch x len | batch | networks | downsample | sknn s/epoch "
              "| torch s/epoch | ratio | default epochs | default fit CPU s | wall s "
              "| accuracy |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for dataset in args.datasets:
            epoch_time(dataset, args.epoch_time, args.repeats)
        return
    if args.quick:
        args.datasets, args.max_epochs, args.min_epochs = ["GunPoint"], 5, 5
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, 1 thread; schedule={args.schedule}, work={args.work:g}, "
          f"epochs in [{args.min_epochs}, {args.max_epochs}], znorm={args.znorm}")
    print(PUBLISHED)
    metric = "accuracy" if args.task == "classification" else "RMSE"
    print(f"| dataset | n x ch x len | model | seed | {metric} | fit CPU s | epochs |")
    print("|---|---|---|---|---|---|---|")
    for dataset in args.datasets:
        X_train, y_train, X_test, y_test, raw_train, raw_test = load(dataset, args.task,
                                                                     raw=True)
        n, ch, length = X_train.shape
        shape = f"{n} x {ch} x {length}"
        norm = args.znorm == "on" or (args.znorm == "auto" and ch == 1)
        if norm:
            X_train, X_test = znormalise(X_train), znormalise(X_test)
        records = []
        if args.baselines:
            for row in baselines(X_train, y_train, X_test, y_test, args.task):
                records.append({**row, "seed": "-", "epochs": "-"})
        for model in args.models:
            for seed in args.seeds:
                if model in SKNN_MODELS:
                    pred, seconds, wall, epochs, loss = fit_sknn(
                        model, raw_train, y_train, raw_test, args.task, seed, args.params)
                    if args.task == "classification":
                        pred = np.asarray(pred).astype(int)
                    records.append({"model": model, "seed": seed,
                                    "score": score(args.task, y_test, pred), "fit_s": seconds,
                                    "wall_s": wall, "epochs": epochs, "train_loss": loss,
                                    **({"params": args.params} if args.params else {})})
                    continue
                pred, seconds, epochs, loss = train(
                    model, X_train, y_train, X_test, args.task, seed=seed, work=args.work,
                    min_epochs=args.min_epochs, max_epochs=args.max_epochs,
                    schedule=args.schedule, batch=args.batch)
                records.append({"model": model, "seed": seed,
                                "score": score(args.task, y_test, pred), "fit_s": seconds,
                                "epochs": epochs, "train_loss": loss})
        for r in records:
            print(f"| {dataset} | {shape} | {r['model']} | {r['seed']} | {r['score']:.3f} "
                  f"| {r['fit_s']:.1f} | {r['epochs']} |", flush=True)
            if args.out:
                with open(args.out, "a") as f:
                    f.write(json.dumps({"dataset": dataset, "task": args.task, **r,
                                        "schedule": args.schedule, "work": args.work,
                                        "batch": args.batch or "default",
                                        "max_epochs": args.max_epochs, "znorm": norm}) + "\n")


if __name__ == "__main__":
    main()
