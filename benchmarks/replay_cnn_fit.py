"""Replay a fit of ``CNNClassifier(conv_dims=1)`` in a plain torch loop.

Fits the estimator on a UCR/UEA set as aeon gives it, records the network's initial
weights and the rows of every training batch, then trains the same FCN from those
weights on the same batches with a plain loop (Adam, the estimator's weight decay on
the weights only, cosine decay to 1 %, the series z-normalised and NaN-padded by
``bench_timeseries``, each batch cut to its longest series as that script's loop
does). Prints both test accuracies and both loss curves: when they
agree, the estimator's handling of the data (normalisation, padding, masking, batches,
schedule) is the plain loop's, and any gap to the prototype is the seed. The
estimator's loss curve includes scikit-learn's L2 term (``alpha > 0``).

Usage (in the benchmark environment, see ``bench_timeseries.py``)::

    OMP_NUM_THREADS=1 PYTHONPATH=$PWD /work/bench-venv/bin/python \\
        benchmarks/replay_cnn_fit.py PickupGestureWiimoteZ --seed 0
"""

import argparse
import copy
import math
import os
import sys

import numpy as np
import torch
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_timeseries import load, znormalise  # noqa: E402

import sknn.modules.timeseries as ts  # noqa: E402
from sknn import CNNClassifier  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("dataset")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-iter", default="auto")
    p.add_argument("--alpha", type=float, default=1e-4)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    X_train, y_train, X_test, y_test, raw_train, raw_test = load(args.dataset, raw=True)
    if X_train.shape[1] != 1:
        raise SystemExit("univariate sets only (the replay z-normalises each series)")
    Z, Zt = znormalise(X_train), znormalise(X_test)
    rows_of = np.nan_to_num(Z)[:, 0]
    record = {"init": None, "batches": []}
    forward = ts.FCN.forward

    def recording(self, x, mask=None):
        if self.training:
            if record["init"] is None:
                record["init"] = copy.deepcopy(self.state_dict())
            batch = np.nan_to_num(x.detach().numpy())[:, 0]
            distance = ((batch[:, None, :] - rows_of[None]) ** 2).sum(2)
            assert (distance.min(1) < 1e-6).all(), "a batch row is not a training series"
            record["batches"].append(distance.argmin(1))
        return forward(self, x, mask)

    max_iter = args.max_iter if args.max_iter == "auto" else int(args.max_iter)
    est = CNNClassifier(conv_dims=1, max_iter=max_iter, alpha=args.alpha,
                        random_state=args.seed)
    ts.FCN.forward = recording
    try:
        est.fit(raw_train, y_train)
    finally:
        ts.FCN.forward = forward
    epochs, batch_size = est.n_iter_, est._effective_batch_size(len(raw_train))
    net = copy.deepcopy(est.module_)  # the same network, reset to its initial weights
    net.load_state_dict(record["init"])
    decay = args.alpha / batch_size  # scikit-learn's L2 as Adam's weight decay
    opt = torch.optim.Adam(
        [{"params": [q for q in net.parameters() if q.ndim > 1], "weight_decay": decay},
         {"params": [q for q in net.parameters() if q.ndim <= 1], "weight_decay": 0.0}],
        lr=1e-3)
    X, y = torch.from_numpy(Z), torch.from_numpy(y_train).long()
    lengths = (~torch.isnan(X).all(1)).sum(1)  # NaN pads only the end
    per_epoch = len(record["batches"]) // epochs
    curve = []
    net.train()
    for epoch in range(epochs):
        share = 0.5 * (1 + math.cos(math.pi * epoch / epochs))
        for group in opt.param_groups:
            group["lr"] = 1e-3 * (0.01 + 0.99 * share)
        total = 0.0
        for rows in record["batches"][epoch * per_epoch:(epoch + 1) * per_epoch]:
            idx = torch.from_numpy(rows)
            # Cut to the batch's longest series, as bench_timeseries' loop does.
            xb = X[idx, :, :int(lengths[idx].max())]
            loss = F.cross_entropy(net(xb), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        curve.append(total / len(X))
    net.eval()
    with torch.no_grad():
        replay = float((net(torch.from_numpy(Zt)).argmax(1).numpy() == y_test).mean())
    print(f"{args.dataset}, seed {args.seed}, {epochs} epochs, batches of {batch_size}, "
          f"alpha {args.alpha:g}: estimator accuracy {est.score(raw_test, y_test):.3f}, "
          f"plain-loop replay {replay:.3f}")
    print("| epoch | estimator loss | replay loss |\n|---|---|---|")
    for epoch in sorted({0, 1, 5, 20, 50, 100, 200, epochs - 1}):
        if epoch < epochs:
            print(f"| {epoch} | {est.loss_curve_[epoch]:.4f} | {curve[epoch]:.4f} |")


if __name__ == "__main__":
    main()
