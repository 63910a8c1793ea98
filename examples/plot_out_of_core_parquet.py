"""
Out of core: streaming a Parquet file into ``partial_fit``
==========================================================

A table too large for memory is read one record batch at a time with pyarrow and
fed to :meth:`sknn.MLPClassifier.partial_fit`, which makes one pass over each
batch, with scikit-learn's semantics (``classes=`` on the first call). Memory
stays at a few batches whatever the file's size. The scaler is fitted the same
way, by ``StandardScaler.partial_fit`` in a first pass.

Two details matter, both measured with pyarrow 26:

* open the file with ``pre_buffer=False``: with pyarrow's default, iterating
  ``iter_batches`` keeps what the reader pre-buffered, and memory grows with the file;
* shuffle what you can: the row groups' order each pass (``partial_fit`` shuffles
  the rows inside each batch). A file sorted by the target needs its row groups
  shuffled, or the network sees one class at a time.
"""

import os
import pathlib
import shutil
import tempfile

import matplotlib.pyplot as plt
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier

QUICK = os.environ.get("SKNN_EXAMPLE_QUICK") == "1"
N_ROWS = 200_000 if QUICK else 4_000_000
N_FEATURES = 20
ROW_GROUP = 20_000
PASSES = 2 if QUICK else 5


def rss_mb():
    """Resident memory of this process (Linux); None elsewhere."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS"))
    except OSError:
        return None


# %%
# A Parquet file, written chunk by chunk (so that writing it is bounded too). The
# label is a non-linear function of the features, which a linear model cannot learn.
def make_rows(n, rng):
    X = rng.standard_normal((n, N_FEATURES), dtype=np.float32) * 3 + 10  # unscaled
    Z = (X - 10) / 3
    y = (Z[:, 0] * Z[:, 1] + np.sin(2 * Z[:, 2]) + 0.3 * rng.standard_normal(n) > 0)
    return X, y.astype(np.int64)


workdir = pathlib.Path(tempfile.mkdtemp())
path = workdir / "train.parquet"
columns = [f"x{i}" for i in range(N_FEATURES)]
schema = pa.schema([*(pa.field(c, pa.float32()) for c in columns), pa.field("y", pa.int64())])
rng = np.random.default_rng(0)
with pq.ParquetWriter(path, schema) as writer:
    for _ in range(N_ROWS // ROW_GROUP):
        X, y = make_rows(ROW_GROUP, rng)
        writer.write_table(pa.table({**dict(zip(columns, X.T)), "y": y}, schema=schema))
X_test, y_test = make_rows(20_000, rng)
table_mb = N_ROWS * N_FEATURES * 4 / 2**20
print(f"{N_ROWS:,} rows x {N_FEATURES} features: {table_mb:.0f} MB as float32, "
      f"{path.stat().st_size / 2**20:.0f} MB on disk")


# %%
# The reader: one row group at a time, in a random order each pass.
def batches(path, rng):
    parquet = pq.ParquetFile(path, pre_buffer=False)
    for group in rng.permutation(parquet.num_row_groups):
        batch = parquet.read_row_group(int(group))
        yield np.asarray(batch.drop_columns(["y"]).to_tensor()), batch["y"].to_numpy()


# %%
# Pass 1 fits the scaler; the following passes train the network.
scaler = StandardScaler()
for X, _ in batches(path, rng):
    scaler.partial_fit(X)

clf = MLPClassifier(hidden_layer_sizes=(64, 32), learning_rate_init=1e-3, batch_size=200,
                    random_state=0)
memory, accuracy = [], []
for epoch in range(PASSES):
    for X, y in batches(path, rng):
        clf.partial_fit(scaler.transform(X), y, classes=[0, 1])
        memory.append(rss_mb())
    accuracy.append(clf.score(scaler.transform(X_test), y_test))
    print(f"pass {epoch + 1}: held-out accuracy {accuracy[-1]:.3f}, "
          f"peak RSS so far {max(m or 0 for m in memory):.0f} MB")
print(f"rows seen: {clf.t_:,} in {clf.n_iter_} partial_fit calls")

# %%
# Memory is flat: one row group (about 1.6 MB) plus the network, whatever the
# file's size. Reading the table whole would have cost its full size at least.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
if memory[0] is not None:
    ax1.plot(memory, label="RSS while streaming")
    ax1.axhline(memory[0] + table_mb, color="k", ls="--",
                label="+ the table held in memory")
    ax1.set_xlabel("partial_fit call")
    ax1.set_ylabel("MB")
    ax1.legend()
ax2.plot(range(1, PASSES + 1), accuracy, marker="o")
ax2.set_xlabel("pass over the file")
ax2.set_ylabel("held-out accuracy")
fig.tight_layout()
plt.show()
shutil.rmtree(workdir)  # the example's file
