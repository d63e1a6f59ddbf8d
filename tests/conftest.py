"""Shared test set-up: deterministic kernels, throw-away copies of the data package, one shared build.

Tests run in parallel (pytest-xdist, ``--dist loadfile`` in pyproject.toml: one
file's tests stay on one worker, in order, which nbval needs). The book build
that several files read (``built_html``) is made once per test run, not once
per worker: the first worker to need it builds it under a file lock in the run's
shared temporary folder, and the others read the same pages.

Tests that build the book or execute a whole notebook are marked ``slow`` (the
nbval cells of the chapters and every test that reads ``built_html`` are marked
here), so ``pytest -m "not slow"`` is a fast loop. A test that needs a tool or a
permission this machine lacks carries ``@pytest.mark.needs(problem)``: it is
skipped with the reason locally, and fails with it under ``CI=true``, where a
skipped check would pass unseen.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SEEDS = ROOT / "seeds"
# The book's Sphinx extension (a package in _ext/), so tests can call its functions.
sys.path.insert(0, str(ROOT / "_ext"))

# Inherited by the kernels nbval starts, so outputs match the stored ones.
os.environ["PYTHONHASHSEED"] = "0"

#: Continuous integration sets CI=true (as GitHub Actions, GitLab and most others do); there nothing may be skipped.
ON_CI = os.environ.get("CI", "").strip().lower() == "true"

#: Fixtures that build the whole book: a test that asks for one is slow whatever its own marks say.
BUILD_FIXTURES = {"built_html", "second_build", "own_build", "pdf_build", "visits", "served"}


def unavailable(reason: str) -> None:
    """Skip the running test because ``reason`` (a missing tool or permission); under ``CI=true``, fail with it."""
    if ON_CI:
        pytest.fail(f"{reason} (CI=true: a check that cannot run on CI is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Apply ``needs(problem)`` marks before any fixture is set up, so a missing tool costs no build."""
    for mark in item.iter_markers("needs"):
        problem = mark.args[0] if mark.args else mark.kwargs.get("problem")
        if problem:
            unavailable(problem)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark slow what executes a whole notebook or builds the book, before ``-m`` selects.

    nbval's cells run every chapter end to end; a test that reads a build needs one.
    """
    for item in items:
        notebook_cell = str(getattr(item, "path", "")).endswith(".ipynb")
        builds = BUILD_FIXTURES & set(getattr(item, "fixturenames", ()))
        if (notebook_cell or builds) and item.get_closest_marker("slow") is None:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of data/ and seeds/ in a temporary folder; returns its datapackage.json.

    Malformed-file tests damage the copy, never the real files.
    """
    shutil.copytree(DATA, tmp_path / "data", ignore=shutil.ignore_patterns("__pycache__", ".kzdata-cache"))
    shutil.copytree(SEEDS, tmp_path / "seeds")
    return tmp_path / "data" / "datapackage.json"


def run_on_copy(notebook: Path, descriptor: Path):
    """Execute a chapter against an edited copy of the data package, as the build would.

    The kernel runs beside the copy, so the figure data it writes never replace the book's own; a cell that
    fails raises nbclient's CellExecutionError, whose message names the statement the data no longer support.
    """
    from tests.run_notebooks import execution

    return execution.execute(notebook, descriptor, workdir=descriptor.parent.parent)


def edit_one_row(descriptor: Path, table: str, where: dict[str, str], changes: dict[str, str]) -> None:
    """Change cells of one row of a table in a package copy, the row chosen by its meaning.

    ``where`` maps columns to the values (as written in the CSV) that pick the row;
    anything but exactly one match fails, so a reversal test never edits a
    neighbour with the same value or silently edits nothing.
    """
    import pandas as pd

    path = descriptor.parent / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    chosen = pd.Series(True, index=frame.index)
    for field, wanted in where.items():
        chosen &= frame[field] == wanted
    assert chosen.sum() == 1, f"{table}: {where} picks {int(chosen.sum())} rows, not one"
    for column, value in changes.items():
        frame.loc[chosen, column] = value
    frame.to_csv(path, index=False, lineterminator="\n")


def reversal_stops_the_chapter(
    notebook: Path, descriptor: Path, table: str, where: dict[str, str], changes: dict[str, str], statement: str
) -> None:
    """Words follow the data: with one stated comparison reversed in a package copy, the chapter must stop, and
    the failing cell's message must name the statement (``statement`` is matched as a regular expression)."""
    from nbclient.exceptions import CellExecutionError

    edit_one_row(descriptor, table, where, changes)
    with pytest.raises(CellExecutionError, match=statement):
        run_on_copy(notebook, descriptor)


JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")


def toc_pages() -> list[str]:
    """Every page of the book in _toc.yml's order (a chapter added there is tested without editing this file)."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [chapter["file"] for chapter in part.get("chapters", [])]
    return [str(Path(page).with_suffix("")) if Path(page).suffix else page for page in pages]


BOOK_PAGES = toc_pages()


ISOLATION = ("unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "offline")


@functools.cache
def network_isolation_problem() -> str | None:
    """Why this machine cannot run a program cut off from the network (None: it can).

    The probe runs the very prefix the build uses, so a refused ``unshare`` or a
    loopback that cannot be brought up is found here, with the system's message.
    """
    for tool in ("unshare", "ip"):
        if not shutil.which(tool):
            return f"{tool} is not installed, so the build cannot be isolated from the network (util-linux, iproute2)"
    probe = subprocess.run([*ISOLATION, "true"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        message = " ".join(probe.stderr.split()) or f"exit status {probe.returncode}"
        return f"network isolation with `unshare --net` was refused here ({message})"
    return None


def network_isolation() -> tuple[str, ...] | None:
    """A command prefix that runs a program with no network but loopback, where the system allows it.

    A build that still succeeds inside it provably fetched nothing: kernels talk
    over loopback, and every other address is unreachable.
    """
    return None if network_isolation_problem() else ISOLATION


def build_book(source: Path, output: Path, offline: bool = False) -> subprocess.CompletedProcess:
    """Build like the README does: warnings are errors, every notebook executes.

    The kernels read the data of the book being built, even when the installed
    kzdata package lives in another checkout. With ``offline``, the build runs
    with no network (see :func:`network_isolation`).
    """
    environment = dict(os.environ, KZDATA_DESCRIPTOR=str(source / "data" / "datapackage.json"))
    prefix = (network_isolation() or ()) if offline else ()
    return subprocess.run(
        [
            *prefix,
            str(JUPYTER_BOOK),
            "build",
            "--warningiserror",
            "--nitpick",
            "--keep-going",
            "--path-output",
            str(output),
            ".",
        ],
        cwd=source,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def copy_book(destination: Path) -> Path:
    """A copy of the repository's tracked book sources, without any previous build.

    Figure data in chapters/ may be rewritten (with the same bytes) by nbval on
    another worker while it is copied; a file caught half-written is copied
    again, so the copy's notebooks are as current as the repository's.
    """
    ignore = shutil.ignore_patterns(
        "_build", ".venv", "*.egg-info", "__pycache__", ".git", ".pytest_cache", "node_modules", ".kzdata-cache"
    )
    shutil.copytree(ROOT, destination, ignore=ignore)
    for _ in range(10):
        torn = torn_figure_data(destination / "chapters")
        if not torn:
            break
        time.sleep(0.3)
        for name in torn:
            shutil.copyfile(ROOT / "chapters" / name, destination / "chapters" / name)
    return destination


def torn_figure_data(chapters: Path) -> list[str]:
    """Figure-data files in ``chapters`` that differ from the ones the stored notebooks were run with."""
    import hashlib

    stamps: dict[str, str] = {}
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        stamp = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("kzbook") or {}
        stamps.update({name: digest for name, digest in (stamp.get("figure_data") or {}).items() if digest})
    torn = []
    for name, digest in sorted(stamps.items()):
        copy = chapters / name
        if not copy.is_file() or hashlib.sha256(copy.read_bytes()).hexdigest() != digest:
            torn.append(name)
    return torn


@contextlib.contextmanager
def locked(path: Path):
    """Hold an exclusive lock on ``path`` (created if needed) for the block: one worker at a time."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def shared_build(tmp_path_factory, name: str, offline: bool = False) -> Path:
    """A clean copy of the book, built once per test run whichever worker asks first; returns the HTML folder.

    The outcome is recorded beside the build, so a failed build fails every
    test that needs it with the same log instead of being attempted again.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / f"shared-{name}"
    with locked(shared / f"shared-{name}.lock"):
        outcome = folder / "outcome.json"
        if not outcome.is_file():
            if folder.exists():
                shutil.rmtree(folder)
            book = copy_book(folder / "book")
            result = build_book(book, folder / "out", offline=offline)
            log = result.stdout[-4000:] + result.stderr[-4000:]
            isolated = offline and network_isolation() is not None
            record = {"returncode": result.returncode, "log": log, "isolated": isolated}
            outcome.write_text(json.dumps(record), encoding="utf-8")
        recorded = json.loads(outcome.read_text(encoding="utf-8"))
    assert recorded["returncode"] == 0, recorded["log"]
    return folder / "out" / "_build" / "html"


def build_record(html: Path) -> dict:
    """What :func:`shared_build` recorded about the build whose HTML folder is ``html``."""
    return json.loads((html.parents[2] / "outcome.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def built_html(tmp_path_factory) -> Path:
    """The book built once, offline, from a clean copy of the sources; tests only read it."""
    return shared_build(tmp_path_factory, "book", offline=True)


def executed_notebooks(log: str) -> list[str]:
    """The pages whose notebooks a build executed, from its log (``Executed notebook <docname> in N s``)."""
    import re

    return sorted(re.findall(r"Executed notebook (\S+) in", log))
