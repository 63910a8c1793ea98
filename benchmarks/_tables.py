"""The benchmark's tables: penguins (real, 333 rows) and a diamonds-like table.

The second table has the shape of the issue's 5,000-row table (3 categorical and 7
numeric columns, a skewed price that depends on the others). The real diamonds
data does not ship with any installed package and the benchmark must run offline,
so it is generated here with the structure that makes diamonds hard to
synthesise: carats bunched just above round sizes (multi-modal), grades that
depend on size, dimensions tied to carat and depth, and a log-normal price driven
by carat and the three grades.
"""

import numpy as np
import pandas as pd

CUTS = ["Fair", "Good", "Very Good", "Premium", "Ideal"]
COLORS = ["D", "E", "F", "G", "H", "I", "J"]
CLARITIES = ["I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF"]


def penguins():
    """palmerpenguins without the year column and without incomplete rows."""
    from palmerpenguins import load_penguins

    return load_penguins().drop(columns="year").dropna().reset_index(drop=True)


def _graded(rng, probabilities, shift):
    """Draw ordinal grades whose distribution moves by ``shift`` (per row) grades."""
    k = len(probabilities)
    logits = np.log(probabilities)[None, :] - shift[:, None] * np.arange(k)[None, :]
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    return (p.cumsum(1) > rng.random(len(shift))[:, None]).argmax(1)


def diamonds_like(n=5000, random_state=0):
    """A diamonds-shaped mixed table of ``n`` rows (3 categorical, 7 numeric columns)."""
    rng = np.random.default_rng(random_state)
    carat = np.exp(rng.normal(np.log(0.7), 0.55, n))
    sizes = np.array([0.3, 0.4, 0.5, 0.7, 0.9, 1.0, 1.2, 1.5, 2.0])
    snap = rng.random(n) < 0.5  # half the stones are cut to just above a round size
    above = sizes[np.minimum(np.searchsorted(sizes, carat), len(sizes) - 1)]
    carat = np.where(snap, above + rng.exponential(0.02, n), carat)
    carat = np.clip(np.round(carat, 2), 0.2, 4.5)
    size = np.log(carat)
    cut = _graded(rng, np.array([0.03, 0.09, 0.22, 0.26, 0.40]), 0.3 * size)
    color = _graded(rng, np.array([0.12, 0.18, 0.18, 0.21, 0.15, 0.10, 0.06]), -0.5 * size)
    clarity = _graded(rng, np.array([0.02, 0.17, 0.24, 0.23, 0.15, 0.09, 0.07, 0.03]),
                      0.6 * size)
    ideal = cut / 4.0
    depth = np.round(rng.normal(63.0 - 1.3 * ideal, 2.2 - 1.5 * ideal), 1)
    table = np.round(rng.normal(59.0 - 2.5 * ideal, 2.0 - 0.8 * ideal))
    x = np.round(6.45 * carat ** (1 / 3) * (61.8 / depth) ** (1 / 3)
                 * (1 + rng.normal(0, 0.01, n)), 2)
    y = np.round(x * (1 + rng.normal(0, 0.008, n)), 2)
    z = np.round(x * depth / 100 * (1 + rng.normal(0, 0.01, n)), 2)
    log_price = (8.4 + 1.75 * size + 0.08 * cut - 0.09 * color + 0.11 * clarity
                 + rng.normal(0, 0.08, n))
    price = np.round(np.exp(log_price)).astype(np.int64)
    return pd.DataFrame({
        "carat": carat,
        "cut": pd.Categorical.from_codes(cut, CUTS),
        "color": pd.Categorical.from_codes(color, COLORS),
        "clarity": pd.Categorical.from_codes(clarity, CLARITIES),
        "depth": depth,
        "table": table,
        "price": price,
        "x": x,
        "y": y,
        "z": z,
    })
