"""Executing a chapter twice gives byte-identical notebooks: no timings, addresses or unseeded randomness.

One chapter is checked on each run, chosen by the date so that every chapter
is covered over a week of runs; ``python tests/run_notebooks.py --check`` checks
all of them (see the benchmark README for the latest full run).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from tests.run_notebooks import CHAPTERS, execute

CHAPTER_NOTEBOOKS = sorted(CHAPTERS.glob("0*.ipynb"))
TODAY = CHAPTER_NOTEBOOKS[datetime.date.today().toordinal() % len(CHAPTER_NOTEBOOKS)]


@pytest.mark.slow
def test_todays_chapter_executes_byte_identically_twice():
    first, second = nbformat.writes(execute(TODAY)), nbformat.writes(execute(TODAY))
    assert first == second, f"{TODAY.name} differs between two executions"


def test_unseeded_randomness_would_be_caught(tmp_path: Path):
    """The comparison above is sharp enough to see a single unseeded random number."""
    notebook = tmp_path / "random.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("import random\nrandom.random()")]), notebook)
    assert nbformat.writes(execute(notebook)) != nbformat.writes(execute(notebook))
