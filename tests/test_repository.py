"""Repository-level promises: CI runs the README's commands; the code is linted and formatted."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_quick_start_has_exactly_two_commands():
    assert len(quick_start_commands()) == 2


#: Lines .ci/run may run before the Quick start: installing the browser and PDF checks' tools, nothing else.
CI_SETUP = ("debian_packages=", "dpkg -s $debian_packages >/dev/null 2>&1 || {", "npm ci --prefix tests/browser ")


def test_ci_runs_exactly_the_quick_start_commands():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line for line in script.splitlines() if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))
    ]
    setup, quick_start = commands[:-2], commands[-2:]
    assert quick_start == quick_start_commands()
    assert all(line.startswith(CI_SETUP) for line in setup), setup


def test_ci_installs_what_the_readme_lists_for_the_pdf():
    """A new CI machine has only what .ci/run installs: without the PDF tools the PDF test would skip unseen."""
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ci_packages = set(re.search(r'^debian_packages="(.*)"$', script, re.M).group(1).split())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pdf_install = re.search(r"apt-get install (.*?)\n\.venv", readme.split("## The PDF", 1)[1], re.S).group(1)
    readme_packages = {word for word in pdf_install.split() if not word.startswith("-") and word != "\\"}
    assert readme_packages and readme_packages <= ci_packages, readme_packages - ci_packages
    assert "chromium" in ci_packages


def test_citation_file_is_valid_cff():
    cffconvert = Path(sys.executable).with_name("cffconvert")
    result = subprocess.run(
        [str(cffconvert), "--validate", "-i", "CITATION.cff"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0 and "valid" in result.stdout, result.stdout + result.stderr


def test_cffconvert_rejects_an_invalid_file(tmp_path):
    broken = tmp_path / "CITATION.cff"
    broken.write_text(
        (ROOT / "CITATION.cff").read_text(encoding="utf-8").replace("cff-version: 1.2.0", "cff-version: 9")
    )
    cffconvert = Path(sys.executable).with_name("cffconvert")
    result = subprocess.run([str(cffconvert), "--validate", "-i", str(broken)], capture_output=True, text=True)
    assert result.returncode != 0


def test_one_version_everywhere_and_in_the_changelog():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    version = str(cff["version"])
    assert str(config["sphinx"]["config"]["release"]) == version == package["version"]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(version)} ", changelog, re.M), f"CHANGELOG.md has no entry for {version}"


def test_ruff_lint_passes():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_ruff_format_passes():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


def test_every_notebook_is_saved_executed():
    """nbval only compares cells that were saved with outputs; an unexecuted notebook would pass untested."""
    import nbformat

    unexecuted = [
        f"{path.name} cell {index}"
        for path in sorted((ROOT / "chapters").glob("*.ipynb"))
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells)
        if cell.cell_type == "code" and cell.get("execution_count") is None
    ]
    assert not unexecuted, "run `python tests/run_notebooks.py`: " + ", ".join(unexecuted)


def readme_venv_programs() -> set[str]:
    """Every program the README tells a reader to run from the virtual environment (`.venv/bin/NAME`)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"\.venv/bin/([A-Za-z0-9_.-]+)", readme))


def test_readme_programs_are_installed_by_the_quick_start():
    """A reader copies README commands as written: each `.venv/bin/...` program they name must exist."""
    programs = readme_venv_programs()
    assert {"python", "pip", "jupyter-book", "jupyter"} <= programs, programs
    missing = sorted(name for name in programs if not (Path(sys.executable).parent / name).exists())
    assert not missing, f"README names programs the Quick start does not install: {missing}"


def test_readme_opens_a_notebook_in_jupyterlab():
    """The README's way to re-run a chapter interactively works from the installed environment."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/jupyter lab chapters/" in readme
    jupyter = Path(sys.executable).parent / "jupyter"
    result = subprocess.run([str(jupyter), "lab", "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    kernels = subprocess.run(
        [str(jupyter), "kernelspec", "list", "--json"], capture_output=True, text=True, check=True
    ).stdout
    assert "python3" in json.loads(kernels)["kernelspecs"]
