"""Helpers shared by the benchmark scripts: timing and ratio tables."""

import time

import torch


def timed(fn, repeats=1):
    """Run ``fn`` ``repeats`` times; return (best seconds, last result)."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def header(title):
    print(f"\n## {title}")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")


def table(rows, columns):
    """Print a Markdown table from a list of dicts."""
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        cells = []
        for c in columns:
            v = row.get(c, "")
            cells.append(f"{v:.3f}" if isinstance(v, float) else str(v))
        print("| " + " | ".join(cells) + " |")
