"""Execute the chapter notebooks in place, the way the book and nbval expect them.

Notebooks are stored with their outputs so that nbval can compare a fresh run
with what the book shows. Run this after editing a notebook or a data file:

    python tests/run_notebooks.py                 # re-execute every chapter notebook in place
    python tests/run_notebooks.py chapters/01_history.ipynb
    python tests/run_notebooks.py --check          # execute each twice; fail if outputs differ

Execution is made deterministic here rather than in each notebook: a fixed
hash seed, no timing metadata, and the notebook's own folder as working directory.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"

os.environ["PYTHONHASHSEED"] = "0"  # inherited by the kernel: set and dict order of strings


def execute(path: Path) -> nbformat.NotebookNode:
    """Run a notebook top to bottom and return it with fresh outputs (the file is not touched)."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
    )
    client.execute()
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    notebook.metadata.pop("widgets", None)
    return notebook


def outputs(notebook: nbformat.NotebookNode) -> list:
    """What a reader sees: every cell's outputs and execution counts."""
    return [copy.deepcopy((c.get("outputs"), c.get("execution_count"))) for c in notebook.cells]


def notebooks(paths: list[str]) -> list[Path]:
    if paths:
        return [Path(p).resolve() for p in paths]
    return sorted(CHAPTERS.glob("*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", help="notebooks (default: every notebook in chapters/)")
    parser.add_argument("--check", action="store_true", help="execute twice, compare the bytes; write nothing")
    args = parser.parse_args(argv)
    failures = 0
    for path in notebooks(args.paths):
        first = execute(path)
        if args.check:
            same = nbformat.writes(first) == nbformat.writes(execute(path))
            print(f"{'identical' if same else 'DIFFERENT'}  {path.relative_to(ROOT)}")
            failures += not same
        else:
            nbformat.write(first, path)
            print(f"executed  {path.relative_to(ROOT)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
