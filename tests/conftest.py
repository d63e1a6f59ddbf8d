"""Shared test set-up: deterministic kernels, throw-away copies of the data package, one shared build.

Tests run in parallel (pytest-xdist, ``--dist loadfile`` in pyproject.toml: one
file's tests stay on one worker, in order, which nbval needs). The book build
that several files read (``built_html``) is made once per test run, not once
per worker: the first worker to need it builds it under a file lock in the run's
shared temporary folder, and the others read the same pages.
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


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of data/ and seeds/ in a temporary folder; returns its datapackage.json.

    Malformed-file tests damage the copy, never the real files.
    """
    shutil.copytree(DATA, tmp_path / "data", ignore=shutil.ignore_patterns("__pycache__", ".kzdata-cache"))
    shutil.copytree(SEEDS, tmp_path / "seeds")
    return tmp_path / "data" / "datapackage.json"


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


@functools.cache
def network_isolation() -> tuple[str, ...] | None:
    """A command prefix that runs a program with no network but loopback, where the system allows it.

    A build that still succeeds inside it provably fetched nothing: kernels talk
    over loopback, and every other address is unreachable.
    """
    if not shutil.which("unshare") or not shutil.which("ip"):
        return None
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        return None
    return ("unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "offline")


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
            outcome.write_text(json.dumps({"returncode": result.returncode, "log": log}), encoding="utf-8")
        recorded = json.loads(outcome.read_text(encoding="utf-8"))
    assert recorded["returncode"] == 0, recorded["log"]
    return folder / "out" / "_build" / "html"


@pytest.fixture(scope="session")
def built_html(tmp_path_factory) -> Path:
    """The book built once, offline, from a clean copy of the sources; tests only read it."""
    return shared_build(tmp_path_factory, "book", offline=True)


def executed_notebooks(log: str) -> list[str]:
    """The pages whose notebooks a build executed, from its log (``Executed notebook <docname> in N s``)."""
    import re

    return sorted(re.findall(r"Executed notebook (\S+) in", log))
