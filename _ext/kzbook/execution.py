"""Notebooks executed only when what their outputs depend on has changed, in parallel.

The stored notebook is the cache. Each executed notebook carries, in its
metadata under ``kzbook``, the tables its kernel read (``kzdata`` records every
table it is asked for), the hashes of the figure-data files it wrote, and a
*key*: a hash of its code cells, of the releases of the libraries that compute and
draw, of the data module's code, of the package-level descriptor fields and of
each table it read (file bytes and descriptor entry).

At build time a notebook whose stored key equals the key computed from today's
files, and whose figure-data files are the ones it wrote, is rendered as stored,
without a kernel. Otherwise the build looks in its own cache (``_build/.kzbook``)
for an execution of the same code that is current, and else executes the
notebook; all notebooks that need it run at once, one kernel per core, before
Sphinx reads a page. Only notebooks whose key changed since the last build are
re-read by Sphinx, so editing one table re-executes and re-renders exactly the
notebooks that read it.

This module needs no Sphinx: ``tests/run_notebooks.py`` executes and stamps
notebooks with the same functions, so a notebook run by hand is current for the
build.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from traitlets.config import Config

#: Where a notebook's stamp lives in its metadata.
STAMP = "kzbook"
#: Folder beside the notebooks that receives every figure's data while they run.
FIGURE_DATA = "figure-data"
_FIGURE_LINK = re.compile(r"figure-data/[\w.-]+\.csv")


def descriptor_path(root: Path) -> Path:
    """The data package the kernels read: ``KZDATA_DESCRIPTOR`` if set, else the book's own."""
    setting = os.environ.get("KZDATA_DESCRIPTOR")
    return Path(setting).resolve() if setting else (root / "data" / "datapackage.json").resolve()


def code_digest(notebook: nbformat.NotebookNode) -> str:
    """A hash of what a kernel runs: the kernel's name and every code cell's source, in order."""
    digest = hashlib.sha256(notebook.metadata.get("kernelspec", {}).get("name", "python3").encode())
    for cell in notebook.cells:
        if cell.cell_type == "code":
            source = cell.source.encode()
            digest.update(len(source).to_bytes(8, "big") + source)
    return digest.hexdigest()


def data_fingerprint(tables: Iterable[str], package: Path) -> str:
    """A hash of everything besides its code that a notebook reading ``tables`` depends on.

    The data module's code and chart style, the package-level descriptor fields,
    and for each table its descriptor entry and file bytes; nothing else, so a
    table the notebook did not read cannot change it.
    """
    from kzdata import _cache, _package

    return _cache.inputs_digest(tables, _package.descriptor(package), package.parent)


#: Libraries whose release changes what a notebook computes or draws (all pinned in requirements.txt).
LIBRARIES = ("numpy", "pandas", "matplotlib", "networkx", "myst-nb")


@functools.cache
def library_versions() -> str:
    """The installed releases of :data:`LIBRARIES`; a new pin makes every notebook execute once."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "absent"

    return ",".join(f"{name}={installed(name)}" for name in LIBRARIES)


def notebook_key(notebook: nbformat.NotebookNode, tables: Iterable[str], package: Path) -> str:
    """The key a notebook's outputs are valid under: its code, the libraries it runs on and the data it read."""
    parts = f"{code_digest(notebook)}:{library_versions()}:{data_fingerprint(tables, package)}"
    return hashlib.sha256(parts.encode()).hexdigest()


def figure_files(notebook: nbformat.NotebookNode) -> list[str]:
    """The figure-data files a notebook's pages link (relative to the notebook's folder)."""
    found = {link for cell in notebook.cells for link in _FIGURE_LINK.findall(cell.source)}
    return sorted(found)


def _file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def stamp(notebook: nbformat.NotebookNode, tables: Iterable[str], folder: Path, package: Path) -> None:
    """Record the tables a run read, the figure data it wrote and the key its outputs hold under."""
    tables = sorted(set(tables))
    notebook.metadata[STAMP] = {
        "key": notebook_key(notebook, tables, package),
        "tables": tables,
        "figure_data": {name: _file_hash(folder / name) for name in figure_files(notebook)},
    }


def is_current(notebook: nbformat.NotebookNode, folder: Path, package: Path) -> bool:
    """Whether a notebook's stored outputs were produced under today's key and its figure data is in place."""
    stamp_ = notebook.metadata.get(STAMP)
    if not isinstance(stamp_, dict) or not isinstance(stamp_.get("tables"), list):
        return False
    if stamp_.get("key") != notebook_key(notebook, stamp_["tables"], package):
        return False
    recorded = stamp_.get("figure_data") or {}
    return set(recorded) == set(figure_files(notebook)) and all(
        digest is not None and _file_hash(folder / name) == digest for name, digest in recorded.items()
    )


def _clean(notebook: nbformat.NotebookNode) -> None:
    """No timings or widget state: two runs give the same bytes."""
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    notebook.metadata.pop("widgets", None)


def _kernel_config(runtime: Path) -> Config:
    """Kernels talk over local IPC sockets (no 'running over TCP without encryption' warning) where possible."""
    config = Config()
    if os.name == "posix":
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = str(runtime / "kernel")
    return config


async def _execute_async(path: Path, package: Path, timeout: int, workdir: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata.pop(STAMP, None)
    with tempfile.TemporaryDirectory(prefix="kzbook-") as runtime:
        record = Path(runtime) / "tables-read"
        record.touch()
        environment = dict(
            os.environ,
            PYTHONHASHSEED="0",  # set and dict order of strings
            KZDATA_RECORD=str(record),
            KZDATA_DESCRIPTOR=str(package),
        )
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name=notebook.metadata.get("kernelspec", {}).get("name", "python3"),
            resources={"metadata": {"path": str(workdir)}},
            record_timing=False,
            config=_kernel_config(Path(runtime)),
        )
        await client.async_execute(env=environment)
        tables = record.read_text(encoding="utf-8").split()
    _clean(notebook)
    stamp(notebook, tables, workdir, package)
    return notebook


def execute(
    path: Path, package: Path | None = None, timeout: int = 300, workdir: Path | None = None
) -> nbformat.NotebookNode:
    """Run one notebook top to bottom and return it with fresh outputs and its stamp (the file is not touched).

    The kernel runs in ``workdir`` (default: the notebook's folder), where its figure data is written: a run
    against edited data (a test) passes another folder so the book's own figure data stay as committed.
    """
    from kzdata import _package

    package = Path(package or _package.DEFAULT_DESCRIPTOR).resolve()
    path = Path(path)
    return asyncio.run(_execute_async(path, package, timeout, Path(workdir or path.parent)))


@dataclass
class Run:
    """One notebook's execution: the executed notebook, or the error, and how long it took."""

    path: Path
    notebook: nbformat.NotebookNode | None
    error: BaseException | None
    seconds: float


def execute_all(paths: list[Path], package: Path, timeout: int = 300, jobs: int | None = None) -> list[Run]:
    """Execute several notebooks at once, at most ``jobs`` kernels at a time (default: one per core)."""
    limit = max(1, jobs or os.cpu_count() or 1)

    async def run_all() -> list[Run]:
        gate = asyncio.Semaphore(limit)

        async def one(path: Path) -> Run:
            async with gate:
                start = time.perf_counter()
                try:
                    notebook = await _execute_async(path, package, timeout, path.parent)
                    return Run(path, notebook, None, time.perf_counter() - start)
                except Exception as error:  # reported with the notebook's name by the caller
                    return Run(path, None, error, time.perf_counter() - start)

        return list(await asyncio.gather(*(one(path) for path in paths)))

    return asyncio.run(run_all()) if paths else []


def with_outputs(source: nbformat.NotebookNode, executed: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The source notebook (its Markdown as it is now) carrying an execution's outputs and stamp.

    Both have the same code cells (the key says so); Markdown is not part of the key.
    """
    merged = nbformat.from_dict(json.loads(json.dumps(source)))
    runs = iter([cell for cell in executed.cells if cell.cell_type == "code"])
    for cell in merged.cells:
        if cell.cell_type == "code":
            ran = next(runs)
            cell.outputs, cell.execution_count = ran.outputs, ran.execution_count
    merged.metadata[STAMP] = executed.metadata.get(STAMP)
    return merged


# --- In the build ----------------------------------------------------------------------------------


@dataclass
class Plan:
    """What the build renders for one notebook page and the key its outputs hold under."""

    docname: str
    path: Path
    source: nbformat.NotebookNode
    rendered: nbformat.NotebookNode | None = None  # None: the stored file as it is
    key: str | None = None
    executed: bool = False


def cache_folder(app) -> Path:
    """The build's own store of executions, beside its other caches."""
    return Path(app.doctreedir).parent / ".kzbook"


def plan_notebooks(app, env) -> dict[str, Plan]:
    """Decide, for every notebook page, whether its stored outputs, a cached run or a new run is rendered."""
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    package = descriptor_path(Path(app.srcdir))
    store = cache_folder(app)
    plans: dict[str, Plan] = {}
    stale: list[Plan] = []
    for docname in sorted(env.found_docs):
        path = Path(env.doc2path(docname))
        if path.suffix != ".ipynb":
            continue
        source = nbformat.read(path, as_version=4)
        plan = plans[docname] = Plan(docname, path, source)
        if is_current(source, path.parent, package):
            plan.key = source.metadata[STAMP]["key"]
            continue
        cached = store / f"{code_digest(source)}.ipynb"
        if cached.is_file():
            run = nbformat.read(cached, as_version=4)
            if is_current(run, path.parent, package):
                plan.rendered, plan.key = with_outputs(source, run), run.metadata[STAMP]["key"]
                continue
        stale.append(plan)
    if stale:
        names = ", ".join(p.docname for p in stale)
        jobs = min(len(stale), os.cpu_count() or 1)
        logger.info(f"kzbook: executing {len(stale)} notebook(s) whose code or data changed, {jobs} at a time: {names}")
        timeout = int(getattr(app.config, "nb_execution_timeout", 300) or 300)
        runs = execute_all([p.path for p in stale], package, timeout=timeout, jobs=jobs)
        failed = [run for run in runs if run.error is not None]
        if failed:
            stop_with(_failure_report(failed, Path(app.srcdir)))
        store.mkdir(parents=True, exist_ok=True)
        for plan, run in zip(stale, runs, strict=True):
            nbformat.write(run.notebook, store / f"{code_digest(plan.source)}.ipynb")
            plan.rendered, plan.executed = with_outputs(plan.source, run.notebook), True
            plan.key = run.notebook.metadata[STAMP]["key"]
            logger.info(f"Executed notebook {plan.docname} in {run.seconds:.1f} s")
    return plans


def _failure_report(failed: list[Run], root: Path) -> str:
    lines = []
    for run in failed:
        shown = run.path.relative_to(root) if run.path.is_relative_to(root) else run.path
        text = re.sub(r"\x1b\[[0-9;]*m", "", str(run.error)).strip()
        lines += [f"Notebook {shown} failed while executing:", text, ""]
    lines.append(f"{len(failed)} notebook(s) failed; the book was not built.")
    return "\n".join(lines)


def stop_with(report: str) -> None:
    """End the build now, with the report as the last lines of its output (no traceback after it)."""
    sys.stdout.flush()
    print(report, file=sys.stderr, flush=True)
    raise SystemExit(1)


def on_env_get_outdated(app, env, added, changed, removed) -> list[str]:
    """Execute what is stale; tell Sphinx to re-read exactly the notebook pages whose key changed."""
    plans = app.kzbook_plans = plan_notebooks(app, env)
    previous = getattr(env, "kzbook_keys", {})
    env.kzbook_keys = {docname: plan.key for docname, plan in plans.items()}
    outdated = {d for d, plan in plans.items() if previous.get(d) != plan.key and d not in added | changed}
    return sorted(outdated | pages_gluing_from(env, outdated, added | changed))


def pages_gluing_from(env, notebooks: set[str], skip: set[str]) -> set[str]:
    """Pages that show another page's glued values (``{glue:text}`chapters/x.ipynb::key```), such as the
    introduction's Key judgements, must be re-read with the notebook they glue from, or they keep old words."""
    readers = set()
    for docname in env.found_docs - skip - notebooks:
        path = Path(env.doc2path(docname))
        if path.suffix != ".md":
            continue
        text = path.read_text(encoding="utf-8")
        if any(f"{Path(env.doc2path(nb)).relative_to(env.srcdir).as_posix()}::" in text for nb in notebooks):
            readers.add(docname)
    return readers


def on_source_read(app, docname: str, source: list[str]) -> None:
    """Give Sphinx the executed notebook where the stored one is stale."""
    plan = getattr(app, "kzbook_plans", {}).get(docname)
    if plan is not None and plan.rendered is not None:
        source[0] = nbformat.writes(plan.rendered)


def on_doctree_read(app, doctree) -> None:
    """Figure data is an output of the notebook, tracked by its key: its file times must not re-read the page."""
    env = app.env
    deps = env.dependencies.get(env.docname)
    if deps:
        env.dependencies[env.docname] = {d for d in deps if f"/{FIGURE_DATA}/" not in "/" + str(d).replace("\\", "/")}
