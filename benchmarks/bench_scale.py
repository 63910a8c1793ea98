"""Scale: fit time and peak memory against rows, parallel searches, pickle sizes.

1. Rows: a Parquet table of 50 float32 features (10k to 2M rows) trained for one
   epoch by sknn's MLPClassifier in memory, sknn out of core (row groups streamed
   into ``partial_fit``), scikit-learn's MLPClassifier and a plain torch loop of
   the same architecture (50 -> 100 -> 1, Adam 1e-3, batch 200). Each run is a
   fresh subprocess on one thread; its peak RSS is the kernel's high-water mark
   (VmHWM) above the process's RSS after imports, so loading the table counts.
2. Search: a 4-candidate GridSearchCV (cv=2, 8 fits, refit=False) serially and with
   n_jobs=2 under joblib's loky, a Dask LocalCluster (2 worker processes) and Ray's
   joblib backend (2 CPUs); loky and Dask are warmed up first, Ray starts a new pool
   per search, so its time includes the pool's start. Then one fit with torch's
   default number of threads against one thread (``--search-epochs`` makes the
   fits longer).
3. Worker: one fit timed in the main process and inside a Dask LocalCluster of one
   worker (a core left idle) and of two.
4. Pickles: bytes of a fitted model, with the optimizer's state (warm_start,
   partial_fit), and of a skorch net of the same architecture.

    python benchmarks/bench_scale.py [--quick] [--device cuda] [--sections search,worker]

The tables go to stdout; the plot to benchmarks/results/scale.png (with --quick, to
the temporary directory).
"""

import argparse
import json
import os
import pathlib
import pickle
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
N_FEATURES, HIDDEN, BATCH, LR, ROW_GROUP = 50, 100, 200, 1e-3, 20_000
CONFIGS = {
    "sknn in memory": "sknn",
    "sknn out of core": "sknn_ooc",
    "sknn out of core, pyarrow defaults": "sknn_ooc_defaults",
    "scikit-learn MLPClassifier": "sklearn",
    "plain torch loop": "torch",
}


# --------------------------------------------------------------------------- data


def make_rows(n, seed):
    """Rows of the benchmark's task: a fixed non-linear rule on standard normals."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, N_FEATURES), dtype=np.float32)
    score = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) + X[:, 3:8].sum(1) / 3
    return X, (score > 0).astype(np.int64)


def write_table(path, n_rows):
    """Write n_rows in row groups of ROW_GROUP, chunk by chunk (bounded memory)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = [f"x{i}" for i in range(N_FEATURES)]
    schema = pa.schema([*(pa.field(c, pa.float32()) for c in names), pa.field("y", pa.int64())])
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, n_rows, ROW_GROUP):
            X, y = make_rows(min(ROW_GROUP, n_rows - start), seed=start // ROW_GROUP)
            writer.write_table(pa.table({**dict(zip(names, X.T)), "y": y}, schema=schema))


# ------------------------------------------------------------------------- workers


def _status_mb(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith(field))


def _reset_peak():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def _load(path):
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    X = np.asarray(table.drop_columns(["y"]).to_tensor())
    return X, table["y"].to_numpy()


def _stream(path, rng, pyarrow_defaults=False):
    import pyarrow.parquet as pq

    if pyarrow_defaults:  # what most code writes: sequential record batches, pre-buffered
        for batch in pq.ParquetFile(path).iter_batches(batch_size=ROW_GROUP):
            yield np.asarray(batch.drop_columns(["y"]).to_tensor()), batch["y"].to_numpy()
        return
    parquet = pq.ParquetFile(path, pre_buffer=False)  # the recipe of docs/scaling.rst
    for group in rng.permutation(parquet.num_row_groups):
        batch = parquet.read_row_group(int(group))
        yield np.asarray(batch.drop_columns(["y"]).to_tensor()), batch["y"].to_numpy()


def torch_loop(X, y, epochs, device, seed=0):
    """The reference: fused Adam, one permutation per epoch, tensor slices."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    Xt = torch.from_numpy(X).to(device)
    yt = torch.from_numpy(y.astype(np.float32)).to(device)
    model = nn.Sequential(nn.Linear(N_FEATURES, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 1))
    model.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=LR, weight_decay=1e-4 / BATCH, fused=True)
    loss_fn = nn.BCEWithLogitsLoss()
    for _ in range(epochs):
        perm = torch.randperm(len(Xt)).to(device)
        Xp, yp = Xt[perm], yt[perm]
        for i in range(0, len(Xt), BATCH):
            opt.zero_grad()
            loss_fn(model(Xp[i:i + BATCH])[:, 0], yp[i:i + BATCH]).backward()
            opt.step()
    return model


def worker(config, path, epochs, device):
    """One configuration in this (fresh) process; prints one JSON line."""
    warnings.simplefilter("ignore")
    import torch
    from sklearn.neural_network import MLPClassifier as SkMLP

    from sknn import MLPClassifier

    X_test, y_test = make_rows(20_000, seed=10**6)
    sknn_params = dict(hidden_layer_sizes=(HIDDEN,), batch_size=BATCH, learning_rate_init=LR,
                       random_state=0, device=device)
    MLPClassifier(**sknn_params, max_iter=1).fit(X_test[:500], y_test[:500])  # warm-up
    baseline = _status_mb("VmRSS")
    _reset_peak()
    start = time.perf_counter()
    if config in ("sknn_ooc", "sknn_ooc_defaults"):
        model, rng = MLPClassifier(**sknn_params), np.random.default_rng(0)
        for _ in range(epochs):
            for X, y in _stream(path, rng, pyarrow_defaults=config == "sknn_ooc_defaults"):
                model.partial_fit(X, y, classes=[0, 1])
        seconds = time.perf_counter() - start
        n_rows = model.t_ // epochs
        accuracy = model.score(X_test, y_test)
    else:
        X, y = _load(path)
        n_rows = len(X)
        start = time.perf_counter()  # loading counts in memory, not in time
        if config == "sknn":
            model = MLPClassifier(**sknn_params, max_iter=epochs, tol=0.0).fit(X, y)
            accuracy = model.score(X_test, y_test)
        elif config == "sklearn":
            model = SkMLP(hidden_layer_sizes=(HIDDEN,), batch_size=BATCH, learning_rate_init=LR,
                          max_iter=epochs, tol=0.0, random_state=0).fit(X, y)
            accuracy = model.score(X_test, y_test)
        else:
            model = torch_loop(X, y, epochs, torch.device(device))
            with torch.no_grad():
                scores = model(torch.from_numpy(X_test).to(device))[:, 0].cpu().numpy()
            accuracy = float(((scores > 0) == y_test).mean())
        if device != "cpu" and config != "sklearn":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
    print(json.dumps({"config": config, "rows": int(n_rows), "seconds": seconds,
                      "peak_mb": _status_mb("VmHWM") - baseline,
                      "process_peak_mb": _status_mb("VmHWM"), "accuracy": float(accuracy)}))


def run_worker(config, path, epochs, device):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    out = subprocess.run([sys.executable, __file__, "--worker", config, "--path", str(path),
                          "--epochs", str(epochs), "--device", device],
                         capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{config} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------- sections


def rows_section(sizes, epochs, device, workdir):
    from _common import table

    results = []
    for n in sizes:
        path = workdir / f"rows_{n}.parquet"
        write_table(path, n)
        for label, config in CONFIGS.items():
            if config == "sklearn" and device != "cpu":
                continue
            r = run_worker(config, path, epochs, device)
            r["label"] = label
            results.append(r)
            print(f"  {n:>9,} rows  {label:<36} {r['seconds']:8.2f} s  "
                  f"{r['peak_mb']:8.1f} MB  acc {r['accuracy']:.3f}", flush=True)
        path.unlink()
    torch_s = {r["rows"]: r["seconds"] for r in results if r["config"] == "torch"}
    rows = []
    for r in results:
        rows.append({
            "rows": f"{r['rows']:,}", "configuration": r["label"], "fit s": r["seconds"],
            "µs / row / epoch": 1e6 * r["seconds"] / (r["rows"] * epochs),
            "fit / torch": r["seconds"] / torch_s[r["rows"]],
            "peak RSS over baseline MB": r["peak_mb"], "accuracy": r["accuracy"],
        })
    print(f"\n## Fit time and peak memory against rows ({N_FEATURES} float32 features, "
          f"{epochs} epoch(s), device {device}, 1 thread)")
    table(rows, ["rows", "configuration", "fit s", "µs / row / epoch", "fit / torch",
                 "peak RSS over baseline MB", "accuracy"])
    table_mb = {n: n * N_FEATURES * 4 / 2**20 for n in sizes}
    print("\nfloat32 table size, MB: " + ", ".join(f"{n:,}: {mb:.0f}" for n, mb in
                                                 table_mb.items()))
    return results


def plot(results, epochs, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for label in CONFIGS:
        rs = sorted((r for r in results if r["label"] == label), key=lambda r: r["rows"])
        if not rs:
            continue
        rows = [r["rows"] for r in rs]
        ax1.plot(rows, [r["seconds"] for r in rs], marker="o", label=label)
        ax2.plot(rows, [r["peak_mb"] for r in rs], marker="o", label=label)
    rows = sorted({r["rows"] for r in results})
    ax2.plot(rows, [n * N_FEATURES * 4 / 2**20 for n in rows], "k--", label="float32 table")
    ax1.set(xscale="log", yscale="log", xlabel="rows", ylabel="fit seconds",
            title=f"fit time, {epochs} epoch(s)")
    ax2.set(xscale="log", yscale="log", xlabel="rows", ylabel="MB",
            title="peak RSS over the process baseline")
    ax1.legend(fontsize=8)
    ax2.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(exist_ok=True)
    fig.savefig(path, dpi=110)
    print(f"\nplot: {path}")


SEARCH_SCRIPT = """
import json, os, sys, time, warnings, logging
warnings.simplefilter("ignore")
import joblib, numpy as np, torch
from sklearn.model_selection import GridSearchCV
sys.path.insert(0, {here!r})
from bench_scale import make_rows
from sknn import MLPClassifier

X, y = make_rows({n}, seed=0)
grid = {{"alpha": [1e-4, 1e-2], "hidden_layer_sizes": [(64,), (128,)]}}
est = MLPClassifier(max_iter={epochs}, tol=0.0, random_state=0)
out = {{"threads": torch.get_num_threads(), "load": os.getloadavg()[0], "fit_s": {{}}}}

def search(label, n_jobs, backend="loky"):
    start = time.perf_counter()
    with joblib.parallel_backend(backend, n_jobs=n_jobs):
        s = GridSearchCV(est, grid, cv=2, n_jobs=n_jobs, refit=False).fit(X, y)
    out[label] = time.perf_counter() - start
    out["fit_s"][label] = float(s.cv_results_["mean_fit_time"].mean())

def one_fit(label):
    start = time.perf_counter()
    est.fit(X[: len(X) // 2], y[: len(y) // 2])
    out["fit_s"][label] = time.perf_counter() - start

one_fit("warm-up")
one_fit("one fit, torch default threads")
torch.set_num_threads(1)
one_fit("one fit, 1 thread")
search("serial, 1 thread", 1)
torch.set_num_threads(out["threads"])
search("warm-up", 2)
search("loky, n_jobs=2", 2)
from distributed import Client, LocalCluster
with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                  silence_logs=logging.ERROR) as cluster, Client(cluster):
    search("warm-up", 2, "dask")
    search("dask LocalCluster, 2 processes", 2, "dask")
import ray
from ray.util.joblib import register_ray
ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
register_ray()
search("ray joblib backend, 2 CPUs", 2, "ray")
ray.shutdown()
out["load_after"] = os.getloadavg()[0]
print(json.dumps(out))
"""


def search_section(n, epochs):
    from _common import table

    env = {k: v for k, v in os.environ.items()
           if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "SKNN_NUM_THREADS")}
    code = SEARCH_SCRIPT.format(here=str(HERE), n=n, epochs=epochs)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=False)
    if out.returncode != 0:
        print(f"search section failed:\n{out.stderr[-3000:]}")
        return
    r = json.loads(out.stdout.strip().splitlines()[-1])
    serial = r["serial, 1 thread"]
    rows = [{"run": key, "seconds": r[key], "/ serial": r[key] / serial,
             "one fit, s": r["fit_s"][key]}
            for key in ("serial, 1 thread", "loky, n_jobs=2", "dask LocalCluster, 2 processes",
                        "ray joblib backend, 2 CPUs")]
    print(f"\n## 4-candidate GridSearchCV, cv=2 (8 fits, refit=False), {n:,} x {N_FEATURES}, "
          f"{epochs} epochs; {os.cpu_count()} cores; load average {r['load']:.1f} before, "
          f"{r['load_after']:.1f} after")
    table(rows, ["run", "seconds", "/ serial", "one fit, s"])
    default, single = r["fit_s"]["one fit, torch default threads"], r["fit_s"]["one fit, 1 thread"]
    print(f"\nOne fit on {n // 2:,} rows: {default:.2f} s with torch's default "
          f"{r['threads']} threads, {single:.2f} s with 1 thread ({default / single:.1f}x).")


WORKER_SCRIPT = """
import logging, sys, time, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, {here!r})


def one_fit(seed):
    import os, time, torch
    from bench_scale import make_rows
    from sknn import MLPClassifier
    X, y = make_rows({n}, seed=0)
    est = MLPClassifier(max_iter={epochs}, tol=0.0, random_state=seed)
    start = time.perf_counter()
    est.fit(X, y)
    return time.perf_counter() - start, torch.get_num_threads()


if __name__ == "__main__":
    import json, numpy as np, torch
    from distributed import Client, LocalCluster
    torch.set_num_threads(1)
    one_fit(0)
    out = {{"serial, 1 thread": [one_fit(seed)[0] for seed in range(4)]}}
    for k in (1, 2):
        with LocalCluster(n_workers=k, threads_per_worker=1, processes=True,
                          dashboard_address=None, silence_logs=logging.ERROR) as cluster, \\
                Client(cluster) as client:
            client.gather(client.map(one_fit, range(100, 100 + k)))  # warm-up
            fits = client.gather(client.map(one_fit, range(8)))
        out[f"Dask, {{k}} worker(s)"] = [t for t, _ in fits]
        out[f"threads, {{k}}"] = sorted({{threads for _, threads in fits}})
    print(json.dumps(out))
"""


def worker_section(n, epochs):
    """Time of one fit inside a Dask worker (1 and 2 workers on this machine's cores)
    against the same fit in the main process."""
    from _common import table

    code = WORKER_SCRIPT.format(here=str(HERE), n=n, epochs=epochs)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        print(f"worker section failed:\n{out.stderr[-3000:]}")
        return
    r = json.loads(out.stdout.strip().splitlines()[-1])
    serial = float(np.median(r["serial, 1 thread"]))
    rows = [{"where": key, "median fit s": float(np.median(r[key])),
             "/ serial": float(np.median(r[key])) / serial}
            for key in ("serial, 1 thread", "Dask, 1 worker(s)", "Dask, 2 worker(s)")]
    print(f"\n## One fit ({n:,} x {N_FEATURES}, {epochs} epochs) in a Dask worker; "
          f"{os.cpu_count()} cores; worker threads {r['threads, 1']} / {r['threads, 2']}")
    table(rows, ["where", "median fit s", "/ serial"])


def pickle_section():
    import torch
    from _common import table
    from skorch import NeuralNetClassifier
    from torch import nn

    from sknn import MLPClassifier

    warnings.simplefilter("ignore")
    X, y = make_rows(20_000, seed=0)
    params = dict(hidden_layer_sizes=(HIDDEN,), max_iter=2, random_state=0)
    state_dict = sum(p.numel() * p.element_size()
                     for p in MLPClassifier(**params).fit(X[:500], y[:500]).module_.parameters())
    models = {
        "sknn MLPClassifier (fit)": MLPClassifier(**params).fit(X, y),
        "sknn, warm_start=True": MLPClassifier(**params, warm_start=True).fit(X, y),
        "sknn after partial_fit": MLPClassifier(**params).partial_fit(X, y, classes=[0, 1]),
    }

    models["skorch NeuralNetClassifier"] = NeuralNetClassifier(
        nn.Sequential(nn.Linear(N_FEATURES, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 2)),
        criterion=nn.CrossEntropyLoss, optimizer=torch.optim.Adam, max_epochs=2,
        train_split=None, verbose=0,
    ).fit(X, y)
    rows = []
    for name, model in models.items():
        blob = pickle.dumps(model)
        start = time.perf_counter()
        pickle.loads(blob)
        rows.append({"model": name, "pickle KB": len(blob) / 1024,
                     "/ parameters' bytes": len(blob) / state_dict,
                     "load ms": 1e3 * (time.perf_counter() - start)})
    print(f"\n## Pickle sizes: 50 -> {HIDDEN} -> output, parameters {state_dict / 1024:.1f} KB")
    table(rows, ["model", "pickle KB", "/ parameters' bytes", "load ms"])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (rows section)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--search-epochs", type=int, default=None,
                        help="epochs of each fit of the search section (default 5)")
    parser.add_argument("--sections", default="rows,search,worker,pickle")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.path, args.epochs, args.device)
        return
    sys.path.insert(0, str(HERE))
    sections = args.sections.split(",")
    sizes = [10_000, 50_000] if args.quick else [10_000, 100_000, 500_000, 1_000_000, 2_000_000]
    print(f"# sknn scale benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f})")
    if "rows" in sections:
        with tempfile.TemporaryDirectory() as tmp:
            results = rows_section(sizes, args.epochs, args.device, pathlib.Path(tmp))
        # The committed figure comes from a full run; a quick one goes to the temp dir.
        folder = pathlib.Path(tempfile.gettempdir()) if args.quick else HERE / "results"
        plot(results, args.epochs, folder / f"scale{'_quick' if args.quick else ''}.png")
    if "search" in sections:
        search_section(5_000 if args.quick else 40_000,
                       args.search_epochs or (2 if args.quick else 5))
    if "worker" in sections:
        worker_section(20_000, 5 if args.quick else 20)
    if "pickle" in sections:
        pickle_section()
    print(f"\n(load average at the end {os.getloadavg()[0]:.1f}; the machine is shared, "
          "so wall-clock ratios are noisy)")


if __name__ == "__main__":
    main()
