"""Mixed precision (the ``precision`` parameter) against float32 and a plain torch loop.

Two networks large enough for the matrix products to dominate:

- an MLP, 2 hidden layers of 1024, on 20,000 x 256 synthetic rows, 5 classes;
- a CNN (32 and 64 channels, 3x3, max pooling, dense 128) on 4,000 28x28 images
  (digits scaled up 3.5 x), 10 classes.

Each is fitted by sknn in "float32", "bfloat16" and "float16", and by a plain torch
loop (fused Adam, tensor slices) in float32 and under ``torch.autocast(bfloat16)``,
all in one run. Prints fit-time ratios to sknn's float32 fit, sknn's ratio to the
plain loop at the same precision, predict-time ratios and accuracies. Run on the CPU
by default; ``--device cuda`` measures a GPU.

    python benchmarks/bench_precision.py [--quick] [--device cuda]
"""

import argparse
import contextlib
import time
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from _common import header, table, timed
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from torch import nn

from sknn import CNNClassifier, MLPClassifier

LR, SEED = 1e-3, 0


def mlp_data(n):
    X, y = make_classification(n_samples=n, n_features=256, n_informative=60, n_classes=5,
                               random_state=0)
    return X.astype(np.float32), y


def image_data(n):
    X, y = load_digits(return_X_y=True)
    images = torch.from_numpy(X.reshape(-1, 1, 8, 8) / 16).float()
    big = F.interpolate(images, size=(28, 28), mode="bilinear", align_corners=False)
    reps = -(-n // len(big))
    X = big.repeat(reps, 1, 1, 1)[:n].reshape(n, -1).numpy()
    return X, np.tile(y, reps)[:n]


def plain_mlp(n_in, n_out):
    return nn.Sequential(nn.Linear(n_in, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                         nn.Linear(1024, n_out))


def plain_cnn(n_out):
    def block(c_in, c_out):
        return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(),
                nn.MaxPool2d(2)]
    return nn.Sequential(*block(1, 32), *block(32, 64), nn.Flatten(),
                         nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, n_out))


def plain_fit(model, X, y, epochs, batch, device, dtype):
    """The reference loop, optionally under autocast."""
    torch.manual_seed(SEED)
    model = model.to(device)
    Xt, yt = torch.from_numpy(X).to(device), torch.from_numpy(y.astype(np.int64)).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=LR, fused=True)
    context = (torch.autocast(device.type, dtype=dtype) if dtype is not None
               else contextlib.nullcontext())
    n = len(Xt)
    for _ in range(epochs):
        perm = torch.randperm(n, device=device)
        Xp, yp = Xt[perm], yt[perm]
        for i in range(0, n, batch):
            opt.zero_grad()
            with context:
                loss = F.cross_entropy(model(Xp[i:i + batch]), yp[i:i + batch])
            loss.backward()
            opt.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return model


def run(name, make_sknn, make_plain, reshape, X, y, epochs, batch, device, repeats,
        precisions=("float32", "bfloat16", "float16")):
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    rows, fits = [], {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", "precision='float16' on the CPU")
        make_sknn("float32").set_params(max_iter=1).fit(Xtr[:1024], ytr[:1024])  # warm-up
        for precision in precisions:
            fits[precision] = timed(lambda p=precision: make_sknn(p).fit(Xtr, ytr), repeats)
        plain = {}
        for label, dtype in (("float32", None), ("bfloat16", torch.bfloat16)):
            plain[label] = timed(
                lambda d=dtype: plain_fit(make_plain(), reshape(Xtr), ytr, epochs, batch,
                                          device, d), repeats)
    t32 = fits["float32"][0]
    for precision, (seconds, est) in fits.items():
        t_pred, _ = timed(lambda e=est: e.predict(Xte), 3)
        rows.append({"model": f"sknn {precision}", "fit s": seconds, "fit / sknn float32":
                     seconds / t32, "fit / plain loop, same precision":
                     seconds / plain[precision][0] if precision in plain else "",
                     "predict s": t_pred, "accuracy": est.score(Xte, yte)})
    for precision, (seconds, model) in plain.items():
        model.eval()
        dtype = torch.bfloat16 if precision == "bfloat16" else None
        context = (torch.autocast(device.type, dtype=dtype) if dtype is not None
                   else contextlib.nullcontext())
        with torch.inference_mode(), context:
            logits = model(torch.from_numpy(reshape(Xte)).to(device))
        accuracy = float((logits.argmax(1).cpu().numpy() == yte).mean())
        rows.append({"model": f"plain torch loop {precision}", "fit s": seconds,
                     "fit / sknn float32": seconds / t32,
                     "fit / plain loop, same precision": 1.0, "accuracy": accuracy})
    header(f"{name}: {Xtr.shape[0]} training rows, {epochs} epochs, batch {batch}, "
           f"device {device} (best of {repeats})")
    table(rows, ["model", "fit s", "fit / sknn float32", "fit / plain loop, same precision",
                 "predict s", "accuracy"])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small data, one repeat")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    repeats = 1 if args.quick else 2
    epochs = 1 if args.quick else 3

    X, y = mlp_data(4000 if args.quick else 20000)
    run("MLP 256 -> 1024 -> 1024 -> 5",
        lambda p: MLPClassifier(hidden_layer_sizes=(1024, 1024), batch_size=512,
                                max_iter=epochs, alpha=0.0, random_state=SEED, precision=p,
                                device=args.device),
        lambda: plain_mlp(256, 5), lambda a: a, X, y, epochs, 512, device, repeats)

    X, y = image_data(1000 if args.quick else 4000)
    run("CNN on 28x28 images",
        lambda p: CNNClassifier(image_shape=(28, 28), batch_size=128, max_iter=epochs,
                                alpha=0.0, random_state=SEED, precision=p,
                                device=args.device),
        lambda: plain_cnn(10), lambda a: a.reshape(-1, 1, 28, 28), X, y, epochs, 128,
        device, repeats,
        # CPUs have no fast float16 convolutions: 40 x float32's time in a quick run.
        precisions=("float32", "bfloat16") if device.type == "cpu" else
        ("float32", "bfloat16", "float16"))
    print(f"\n(measured {time.strftime('%Y-%m-%d')})")


if __name__ == "__main__":
    main()
