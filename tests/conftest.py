"""Shared test set-up: deterministic kernels and throw-away copies of the data package."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SEEDS = ROOT / "seeds"

# Inherited by the kernels nbval starts, so outputs match the stored ones.
os.environ["PYTHONHASHSEED"] = "0"


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of data/ and seeds/ in a temporary folder; returns its datapackage.json.

    Malformed-file tests damage the copy, never the real files.
    """
    shutil.copytree(DATA, tmp_path / "data", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(SEEDS, tmp_path / "seeds")
    return tmp_path / "data" / "datapackage.json"
