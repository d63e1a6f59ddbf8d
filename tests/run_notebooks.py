"""Execute the chapter notebooks in place, the way the book and nbval expect them.

Notebooks are stored with their outputs so that nbval can compare a fresh run
with what the book shows, and so that the book renders them without executing
when nothing they depend on has changed. Run this after editing a notebook or a
data file:

    .venv/bin/python tests/run_notebooks.py                 # re-execute every notebook in place, in parallel
    .venv/bin/python tests/run_notebooks.py chapters/01_history.ipynb
    .venv/bin/python tests/run_notebooks.py --stale         # only those whose code or data changed
    .venv/bin/python tests/run_notebooks.py --check         # execute each twice; fail if outputs differ

Execution is made deterministic here rather than in each notebook: a fixed
hash seed, no timing metadata, and the notebook's own folder as working
directory. Each run stamps the notebook with the tables it read and the key its
outputs hold under (see ``_ext/kzbook/execution.py``), so the next book build
knows it is current.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
sys.path.insert(0, str(ROOT / "_ext"))

from kzbook import execution  # noqa: E402

os.environ["PYTHONHASHSEED"] = "0"  # inherited by the kernel: set and dict order of strings


def package() -> Path:
    """The data package the kernels read (``KZDATA_DESCRIPTOR``, else this checkout's)."""
    return execution.descriptor_path(ROOT)


def execute(path: Path) -> nbformat.NotebookNode:
    """Run a notebook top to bottom and return it with fresh outputs and its stamp (the file is not touched)."""
    return execution.execute(Path(path), package())


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
    parser.add_argument("--stale", action="store_true", help="only notebooks whose stored outputs are not current")
    parser.add_argument("--jobs", type=int, default=None, help="kernels at a time (default: one per core)")
    args = parser.parse_args(argv)
    paths = notebooks(args.paths)
    if args.stale:
        paths = [p for p in paths if not execution.is_current(nbformat.read(p, as_version=4), p.parent, package())]
    runs = execution.execute_all(paths, package(), jobs=args.jobs)
    if args.check:
        again = {run.path: run for run in execution.execute_all(paths, package(), jobs=args.jobs)}
    failures = 0
    for run in runs:
        shown = run.path.relative_to(ROOT) if run.path.is_relative_to(ROOT) else run.path
        if run.error is not None:
            print(f"FAILED    {shown}\n{run.error}", file=sys.stderr)
            failures += 1
        elif args.check:
            other = again[run.path]
            same = other.error is None and nbformat.writes(run.notebook) == nbformat.writes(other.notebook)
            print(f"{'identical' if same else 'DIFFERENT'}  {shown}")
            failures += not same
        else:
            nbformat.write(run.notebook, run.path)
            print(f"executed  {shown}  ({run.seconds:.1f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
