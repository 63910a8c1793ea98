"""GANSampler against CTGAN and a Gaussian copula, side by side in one run.

Two tables: the Palmer penguins (333 rows without the year; the issue's anchors)
and a generated diamonds-like table (5,000 rows, 3 categorical and 7 numeric
columns, see ``_tables.py``). Generators:

- sknn ``GANSampler`` at its defaults;
- the ``ctgan`` package's CTGAN at its defaults (300 epochs);
- CTGAN given the same fit time as sknn (epochs from its measured fixed cost and
  time per epoch);
- a Gaussian copula (``_copula.py``, a few lines of numpy / scipy);
- references that need no fit: every column shuffled on its own (marginals
  kept, dependence gone), a bootstrap copy of the real rows and, for the
  generated table, as many new rows from the process that made it (what a
  perfect generator would give: the distances left are sampling noise).

Each synthetic table has as many rows as the real one and gets the same quality
report (sknn.metrics): mean per-column distance (KS / total variation),
mean absolute correlation difference, detection ROC AUC of gradient boosting
(0.5 is best) and a model trained on the synthetic rows, scored on the real ones
(species accuracy; price R2), over several seeds (mean, and range in brackets).
Fit times are wall-clock seconds in this run; the
ratio column is against CTGAN at its defaults on the same table.

    OMP_NUM_THREADS=1 python benchmarks/bench_gan.py [--quick] [--seeds 3] [--large-seeds 2]
"""

import argparse
import time
import warnings

import numpy as np
import pandas as pd
import torch
from _common import header, table
from _copula import gaussian_copula_sample
from _tables import diamonds_like, penguins

from sknn import GANSampler
from sknn.metrics import quality_report

METRICS = ["detection AUC", "correlation difference", "mean column distance", "target"]


def fit_sknn(frame, seed, quick):
    sampler = GANSampler(random_state=seed, **({"max_iter": 5} if quick else {}))
    start = time.perf_counter()
    sampler.fit(frame)
    return time.perf_counter() - start, sampler.sample(len(frame), random_state=seed + 1)


def fit_ctgan(frame, seed, epochs):
    from ctgan import CTGAN

    discrete = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    model = CTGAN(epochs=epochs)
    model.set_random_state(seed)
    start = time.perf_counter()
    model.fit(frame, discrete_columns=discrete)
    seconds = time.perf_counter() - start
    return seconds, model.sample(len(frame)).astype(frame.dtypes.to_dict())


def shuffled(frame, seed):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({c: frame[c].to_numpy()[rng.permutation(len(frame))]
                         for c in frame}).astype(frame.dtypes.to_dict())


def scores(real, fake, target):
    report = quality_report(real, fake, target=target)
    return {
        "detection AUC": report.detection_auc,
        "correlation difference": report.correlation_difference,
        "mean column distance": report.mean_column_distance,
        "target": report.train_synthetic_test_real,
        "real": report.train_real_test_real,
    }


def run_table(name, frame, target, seeds, quick, new_rows=None):
    ctgan_epochs = 5 if quick else 300
    results = {}  # generator -> list of (seconds, scores)
    same_time_epochs = []

    def record(generator, seconds, fake):
        results.setdefault(generator, []).append((seconds, scores(frame, fake, target)))

    for seed in seeds:
        seconds, fake = fit_sknn(frame, seed, quick)
        record("sknn GANSampler", seconds, fake)
        sknn_seconds = seconds
        seconds, fake = fit_ctgan(frame, seed, ctgan_epochs)
        record(f"CTGAN, defaults ({ctgan_epochs} epochs)", seconds, fake)
        # CTGAN's fixed cost (its per-column Gaussian mixtures) from a 1-epoch fit
        fixed = fit_ctgan(frame, seed, 1)[0]
        per_epoch = max(seconds - fixed, 1e-9) / (ctgan_epochs - 1)
        same_time = max(1, round((sknn_seconds - fixed) / per_epoch) + 1)
        seconds, fake = fit_ctgan(frame, seed, same_time)
        same_time_epochs.append(same_time)
        record("CTGAN, sknn's fit time", seconds, fake)
        start = time.perf_counter()
        fake = gaussian_copula_sample(frame, len(frame), random_state=seed)
        record("Gaussian copula", time.perf_counter() - start, fake)
        record("each column shuffled", float("nan"), shuffled(frame, seed))
        record("bootstrap copy of the real rows", float("nan"),
               frame.sample(len(frame), replace=True, random_state=seed))
        if new_rows is not None:
            record("new rows from the same process", float("nan"), new_rows(seed))

    reference = next(iter(results.values()))[0][1]["real"]
    base = [s for g, runs in results.items() if g.startswith("CTGAN, defaults")
            for s, _ in runs]
    base_seconds = np.mean(base)
    metric = "accuracy" if target == "species" else "R2"
    rows = []
    epochs = np.array(same_time_epochs, dtype=float)
    for generator, runs in results.items():
        seconds = np.array([s for s, _ in runs])
        if generator == "CTGAN, sknn's fit time":
            generator += f" ({_fmt(epochs, 0)} epochs)"
        row = {"table": name, "generator": generator}
        row["fit s"] = "-" if np.isnan(seconds).all() else _fmt(seconds, 1)
        row["fit time / CTGAN default"] = ("-" if np.isnan(seconds).all()
                                           else f"{seconds.mean() / base_seconds:.2f}")
        for key in METRICS:
            label = f"train synthetic, test real ({metric})" if key == "target" else key
            row[label] = _fmt(np.array([r[key] for _, r in runs]), 3)
        rows.append(row)
    rows.append({"table": name, "generator": "real rows (cross-validated)",
                 f"train synthetic, test real ({metric})": f"{reference:.3f}"})
    return rows, metric


def _fmt(values, digits):
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{values.mean():.{digits}f} ({values.min():.{digits}f}-{values.max():.{digits}f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny settings, penguins only")
    parser.add_argument("--seeds", type=int, default=3, help="seeds on penguins (default 3)")
    parser.add_argument("--large-seeds", type=int, default=2,
                        help="seeds on the 5,000-row table (default 2)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    header("GANSampler vs CTGAN vs Gaussian copula")
    tables = [("penguins (333 rows)", penguins(), "species", list(range(args.seeds)), None)]
    if not args.quick:
        tables.append(("diamonds-like (5,000 rows)", diamonds_like(), "price",
                       list(range(args.large_seeds)),
                       lambda seed: diamonds_like(random_state=1000 + seed)))
    else:
        tables[0] = (*tables[0][:3], [0], None)
    for name, frame, target, seeds, new_rows in tables:
        rows, metric = run_table(name, frame, target, seeds, args.quick, new_rows)
        print(f"\n### {name}: {len(seeds)} seed(s), target {target!r} ({metric})")
        columns = ["generator", "fit s", "fit time / CTGAN default", "detection AUC",
                   "correlation difference", "mean column distance",
                   f"train synthetic, test real ({metric})"]
        table(rows, columns)
    print(f"\nthreads: {torch.get_num_threads()}; detection AUC 0.5 is best, "
          "distances 0 are best; values are mean (min-max) over seeds.")


if __name__ == "__main__":
    main()
