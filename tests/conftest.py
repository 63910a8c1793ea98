"""Test-suite settings: one torch thread (faster on 2-core CI) and a quiet CPU."""

import os

import pytest
import torch

torch.set_num_threads(1)
os.environ.setdefault("SKNN_EXAMPLE_QUICK", "1")


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
