"""Shared test set-up: deterministic kernels and throw-away copies of the data package."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
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


JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
BOOK_PAGES = [
    "intro",
    "chapters/01_history",
    "chapters/02_ukraine",
    "chapters/03_china",
    "chapters/04_economics",
    "chapters/05_migration",
    "chapters/06_verdict",
    "chapters/claims_audit",
    "chapters/data_sources",
    "howto_cite",
    "bibliography",
]


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
    """A copy of the repository's tracked book sources, without any previous build."""
    ignore = shutil.ignore_patterns(
        "_build", ".venv", "*.egg-info", "__pycache__", ".git", ".pytest_cache", "node_modules"
    )
    shutil.copytree(ROOT, destination, ignore=ignore)
    return destination


@pytest.fixture(scope="session")
def built_html(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("book")
    result = build_book(ROOT, output, offline=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return output / "_build" / "html"
