"""Measure how long the book takes to build, rebuild, test and load, on this machine.

Not a test: timings vary by machine, so they are reported, compared with the
targets as ratios to a baseline measured on the same machine (the untouched
sample book of ``jupyter-book create``), and written to ``benchmarks/README.md``.

    python benchmarks/run.py            # builds, rebuilds, nbval, notebook execution, kzdata.load
    python benchmarks/run.py --full     # also the full test command (several minutes)
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import build_book, copy_book  # noqa: E402
from tests.run_notebooks import CHAPTERS, execute  # noqa: E402

BIN = Path(sys.executable).parent
README = Path(__file__).with_name("README.md")
MARKER = "<!-- results -->"


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - start
    if isinstance(result, subprocess.CompletedProcess) and result.returncode != 0:
        raise RuntimeError(result.stdout[-2000:] + result.stderr[-2000:])
    return elapsed


def sample_book_cold_build(work: Path) -> float:
    """The baseline: Jupyter Book's own sample book, built cold with the same flags."""
    subprocess.run([str(BIN / "jupyter-book"), "create", str(work / "sample")], check=True, capture_output=True)
    command = [str(BIN / "jupyter-book"), "build", "--keep-going", str(work / "sample")]
    return timed(lambda: subprocess.run(command, capture_output=True, text=True))


def book_builds(work: Path) -> dict[str, float]:
    book, output = copy_book(work / "book"), work / "out"
    results = {"cold build": timed(lambda: build_book(book, output))}
    results["rebuild, nothing changed"] = timed(lambda: build_book(book, output))
    intro = book / "intro.md"
    intro.write_text(intro.read_text(encoding="utf-8") + "\n<!-- edited -->\n", encoding="utf-8")
    results["rebuild after one page edit"] = timed(lambda: build_book(book, output))
    sources = book / "data" / "sources.csv"
    sources.write_text(sources.read_text(encoding="utf-8").replace("2026-11-29", "2026-11-28", 1), encoding="utf-8")
    results["rebuild after one data change"] = timed(lambda: build_book(book, output))
    return results


def notebook_runs() -> dict[str, float]:
    return {f"execute {path.name}": timed(lambda path=path: execute(path)) for path in sorted(CHAPTERS.glob("*.ipynb"))}


def loads(repeats: int = 7) -> dict[str, float]:
    import kzdata

    kzdata.load("sources")  # pay the one-off import of frictionless outside the measurement
    results = {}
    for name in kzdata.names():
        runs = [timed(lambda name=name: kzdata.load(name)) for _ in range(repeats)]
        results[f"kzdata.load('{name}'), median of {repeats}"] = statistics.median(runs)
    return results


def pytest_run(*arguments: str) -> float:
    command = [sys.executable, "-m", "pytest", "-q", *arguments]
    return timed(lambda: subprocess.run(command, cwd=ROOT, capture_output=True, text=True))


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown CPU",
    )
    return (
        f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def report(results: dict[str, float], baseline: float) -> str:
    lines = ["| measurement | seconds | ratio to sample book's cold build |", "|---|---:|---:|"]
    lines += [f"| {name} | {seconds:.3f} | {seconds / baseline:.2f} |" for name, seconds in results.items()]
    return "\n".join(lines)


def targets(results: dict[str, float], baseline: float) -> list[str]:
    """The issue's targets for a 2-core machine, as met or missed."""
    checks = [
        ("cold build within 4x the sample book", results["cold build"] <= 4 * baseline),
        ("no-change rebuild within 1.5x the sample book", results["rebuild, nothing changed"] <= 1.5 * baseline),
        (
            "every chapter notebook executes in under 8 s",
            all(v < 8 for k, v in results.items() if k.startswith("execute 0")),
        ),
    ]
    if "full test command" in results:
        checks.append(("full test command under 6 minutes", results["full test command"] < 360))
    return [f"- {'met' if ok else 'MISSED'}: {text}" for text, ok in checks]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="also time the whole test command")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        baseline = sample_book_cold_build(work)
        results = {"sample book cold build (baseline)": baseline, **book_builds(work)}
        shutil.rmtree(work / "book")
    results.update(notebook_runs())
    results["nbval on every notebook"] = pytest_run("chapters")
    if args.full:
        results["full test command"] = pytest_run()
    results.update(loads())
    text = (
        f"{MARKER}\nMeasured {datetime.date.today().isoformat()} on: {machine()}.\n\n"
        + report(results, baseline)
        + "\n\nTargets (2-core machine):\n"
        + "\n".join(targets(results, baseline))
        + "\n"
    )
    print(text)
    readme = README.read_text(encoding="utf-8")
    README.write_text(readme.split(MARKER, 1)[0] + text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
