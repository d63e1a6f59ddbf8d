"""Measure how long the book takes to build, rebuild, execute, load and test, on this machine.

Not a test: timings vary by machine, so they are reported as ratios to a
baseline measured in the same run (the median of three cold builds of the untouched sample book
of ``jupyter-book create``), compared with the targets of issue 19, and written
to ``benchmarks/README.md``.

    .venv/bin/python benchmarks/run.py          # builds, rebuilds, notebook runs, nbval, kzdata.load
    .venv/bin/python benchmarks/run.py --full   # also the README's test command (several minutes)

The book is measured as a fresh clone: the committed tree (``git archive HEAD``),
with no build and no validation cache.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import build_book, executed_notebooks  # noqa: E402
from tests.run_notebooks import CHAPTERS, execution  # noqa: E402

BIN = Path(sys.executable).parent
README = Path(__file__).with_name("README.md")
MARKER = "<!-- results -->"


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def checked(result: object) -> object:
    if isinstance(result, subprocess.CompletedProcess) and result.returncode != 0:
        raise RuntimeError(result.stdout[-2000:] + result.stderr[-2000:])
    return result


def sample_book_cold_builds(work: Path, runs: int = 3) -> list[float]:
    """The baseline: Jupyter Book's own sample book, built cold, several times.

    One cold build of the sample book varied from 7 to 21 seconds between runs on the same idle machine, so the
    ratios are taken against the median of a few, and the spread is reported beside it.
    """
    times = []
    for run in range(runs):
        book = work / f"sample-{run}"
        subprocess.run([str(BIN / "jupyter-book"), "create", str(book)], check=True, capture_output=True)
        command = [str(BIN / "jupyter-book"), "build", "--keep-going", str(book)]
        seconds, result = timed(lambda command=command: subprocess.run(command, capture_output=True, text=True))
        checked(result)
        times.append(seconds)
    return times


def fresh_clone(destination: Path) -> Path:
    """The committed tree, as a new user's clone has it (no build, no caches)."""
    destination.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(destination)], input=archive.stdout, check=True)
    return destination


def book_builds(work: Path) -> tuple[dict[str, float], dict[str, str]]:
    book, output = fresh_clone(work / "book"), work / "out"
    results, notes = {}, {}

    def build(label: str) -> None:
        seconds, result = timed(lambda: build_book(book, output))
        checked(result)
        results[label] = seconds
        ran = executed_notebooks(result.stdout + result.stderr)
        notes[label] = f"executed: {', '.join(ran) if ran else 'nothing'}"

    build("cold build of a fresh clone")
    build("rebuild, nothing changed")
    intro = book / "intro.md"
    intro.write_text(intro.read_text(encoding="utf-8") + "\n<!-- edited -->\n", encoding="utf-8")
    build("rebuild after one page edit")
    census = book / "data" / "census_ethnicity.csv"
    census.write_text(
        census.read_text(encoding="utf-8").replace("\n2021,Kazakhs,,70.4,", "\n2021,Kazakhs,,71.9,"), encoding="utf-8"
    )
    build("rebuild after one data file changes (census_ethnicity)")
    return results, notes


def notebook_runs() -> dict[str, float]:
    package = ROOT / "data" / "datapackage.json"
    results = {}
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        seconds, _ = timed(lambda path=path: execution.execute(path, package))
        results[f"execute {path.name}"] = seconds
    return results


LOAD_PROBE = """
import statistics, sys, time
import frictionless  # the one-off import is not part of a load
import kzdata
from kzdata import _cache
first, repeat = [], []
for name in kzdata.names():
    start = time.perf_counter(); kzdata.load(name); first.append(time.perf_counter() - start)
    runs = []
    for _ in range(7):
        start = time.perf_counter(); kzdata.load(name); runs.append(time.perf_counter() - start)
    repeat.append(statistics.median(runs))
print(statistics.median(first), max(first), statistics.median(repeat), max(repeat))
"""


def loads() -> dict[str, float]:
    """kzdata.load in new processes: with an empty validation cache, then with the cache the first one left."""
    results = {}
    with tempfile.TemporaryDirectory() as cache:
        environment = dict(os.environ, KZDATA_CACHE=cache)
        for state in ("empty cache", "warm cache"):
            probe = subprocess.run([sys.executable, "-c", LOAD_PROBE], env=environment, capture_output=True, text=True)
            first_median, first_max, repeat_median, repeat_max = map(float, checked(probe).stdout.split())
            results[f"kzdata.load, new process, {state}: first call per table, median"] = first_median
            results[f"kzdata.load, new process, {state}: first call per table, slowest"] = first_max
        results["kzdata.load, repeated call, median over tables"] = repeat_median
        results["kzdata.load, repeated call, slowest table"] = repeat_max
    return results


def pytest_run(*arguments: str) -> tuple[float, str]:
    command = [sys.executable, "-m", "pytest", "-q", *arguments]
    seconds, result = timed(lambda: subprocess.run(command, cwd=ROOT, capture_output=True, text=True))
    lines = [line for line in result.stdout.splitlines() if re.search(r"\d+ (passed|failed|error)", line)]
    return seconds, (lines[-1].strip("= ") if lines else f"exit code {result.returncode}")


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown CPU",
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()} {platform.release()}; "
        f"load average {load:.1f} when the run started"
    )


def report(results: dict[str, float], baseline: float, notes: dict[str, str]) -> str:
    lines = ["| measurement | seconds | ratio to sample book's cold build | note |", "|---|---:|---:|---|"]
    lines += [
        f"| {name} | {seconds:.3f} | {seconds / baseline:.2f} | {notes.get(name, '')} |"
        for name, seconds in results.items()
    ]
    return "\n".join(lines)


def targets(results: dict[str, float], baseline: float) -> list[str]:
    """Issue 19's targets, met or missed."""
    executions = [v for k, v in results.items() if k.startswith("execute ")]
    checks = [
        ("cold build of a fresh clone ≤ 4× the sample book", results["cold build of a fresh clone"] <= 4 * baseline),
        (
            "rebuild after one data file changes ≤ 3× the sample book",
            results["rebuild after one data file changes (census_ethnicity)"] <= 3 * baseline,
        ),
        ("each notebook executed ≤ 1× the sample book", max(executions) <= baseline),
        (
            "kzdata.load: first call < 100 ms (median, empty cache; slowest, warm cache), repeats under 10 ms",
            results["kzdata.load, new process, empty cache: first call per table, median"] < 0.1
            and results["kzdata.load, new process, warm cache: first call per table, slowest"] < 0.1
            and results["kzdata.load, repeated call, slowest table"] < 0.01,
        ),
    ]
    if "the README's test command" in results:
        checks.append(
            ("the README's test command ≤ 45× the sample book", results["the README's test command"] <= 45 * baseline)
        )
    return [f"- {'met' if ok else 'MISSED'}: {text}" for text, ok in checks]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="also time the README's test command")
    args = parser.parse_args()
    started = machine()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        samples = sample_book_cold_builds(work)
        builds, notes = book_builds(work)
    baseline = statistics.median(samples)
    results = {"sample book cold build (baseline, median)": baseline, **builds}
    notes["sample book cold build (baseline, median)"] = (
        f"{len(samples)} cold builds: " + ", ".join(f"{seconds:.1f}" for seconds in samples) + " s"
    )
    results.update(notebook_runs())
    results["nbval on every notebook"], notes["nbval on every notebook"] = pytest_run("chapters")
    if args.full:
        seconds, summary = pytest_run()
        results["the README's test command"], notes["the README's test command"] = seconds, summary
    results.update(loads())
    text = (
        f"{MARKER}\nMeasured {datetime.date.today().isoformat()} on: {started}.\n\n"
        + report(results, baseline, notes)
        + "\n\nTargets (issue 19):\n"
        + "\n".join(targets(results, baseline))
        + "\n"
    )
    print(text)
    readme = README.read_text(encoding="utf-8")
    README.write_text(readme.split(MARKER, 1)[0] + text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
