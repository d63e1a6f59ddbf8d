"""Notebooks execute when, and only when, what their outputs depend on has changed.

The unit tests check the key (``data_fingerprint``, ``notebook_key``) and the
outdated-notebook decision (``is_current``) on copies of the data package. The
build tests (marked slow) build a clean copy of the book and then change it the
way a person does: rebuild with nothing changed, run a notebook as nbval does,
edit one table, break one table.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tests.conftest import ROOT, build_book, copy_book, executed_notebooks
from tests.run_notebooks import CHAPTERS, execution
from tests.test_reader_pages import glued_spans

NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))
#: The glue key under which the history chapter prints the charted Kazakh share of the latest census.
LATEST_KAZAKH_SHARE = "history_kazakh_share_2021_pct"


def stored(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def tables_read(path: Path) -> list[str]:
    return stored(path).metadata[execution.STAMP]["tables"]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name}: fixture text {old!r} moved; update this test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_latest_kazakh_share(data: Path, new: str | None = None) -> tuple[str, str]:
    """Change, in a copy's census table, the Kazakh share the book charts for the latest census: (old, new).

    The row is chosen by its meaning (group Kazakhs, the preferred value, the latest census year), not by its
    line in the file, and exactly one row must match. Without ``new`` the share rises by 1.5 points.
    """
    path = data / "census_ethnicity.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    charted = (frame["group"] == "Kazakhs") & (frame["preferred"].str.lower() == "true")
    years = frame["year"].astype(int)
    chosen = charted & (years == years[charted].max())
    assert chosen.sum() == 1, f"{chosen.sum()} charted Kazakh rows for the latest census"
    old = frame.loc[chosen, "share_pct"].item()
    new = f"{float(old) + 1.5:.1f}" if new is None else new
    frame.loc[chosen, "share_pct"] = new
    frame.to_csv(path, index=False, lineterminator="\n")
    return old, new


def test_the_census_edit_changes_one_value_of_one_row(package_copy):
    """The edit the tests below make touches the chosen row's share and nothing else in the file."""
    path = package_copy.parent / "census_ethnicity.csv"
    before = path.read_text(encoding="utf-8").splitlines()
    old, new = edit_latest_kazakh_share(package_copy.parent)
    after = path.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1 and changed[0][0].replace(f",{old},", f",{new},") == changed[0][1], changed


# --- The key and the outdated-notebook decision ---------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_stored_notebook_is_current(path):
    """Committed notebooks were run under today's code and data, so a fresh clone builds without a kernel.

    If this fails, run ``.venv/bin/python tests/run_notebooks.py --stale`` and commit the notebooks.
    """
    package = ROOT / "data" / "datapackage.json"
    current = False
    for _ in range(5):  # nbval on another worker may be rewriting a figure-data file (same bytes) just now
        current = execution.is_current(stored(path), path.parent, package)
        if current:
            break
        time.sleep(0.5)
    assert current, f"{path.name} is stale: re-run it"


def test_fingerprint_follows_the_tables_read_and_nothing_else(package_copy):
    before = execution.data_fingerprint(["census_ethnicity"], package_copy)
    edit(package_copy.parent / "unga_votes.csv", "\n", "\n\n")  # a table not read: same key
    assert execution.data_fingerprint(["census_ethnicity"], package_copy) == before
    edit_latest_kazakh_share(package_copy.parent)
    assert execution.data_fingerprint(["census_ethnicity"], package_copy) != before


def test_fingerprint_follows_the_descriptor_entry_and_package_fields(package_copy):
    base = execution.data_fingerprint(["census_ethnicity"], package_copy)
    descriptor = json.loads(package_copy.read_text(encoding="utf-8"))
    other = next(r for r in descriptor["resources"] if r["name"] == "unga_votes")
    other["description"] = "edited"
    package_copy.write_text(json.dumps(descriptor), encoding="utf-8")
    assert execution.data_fingerprint(["census_ethnicity"], package_copy) == base, "another table's entry counted"
    entry = next(r for r in descriptor["resources"] if r["name"] == "census_ethnicity")
    entry["title"] = "edited"
    package_copy.write_text(json.dumps(descriptor), encoding="utf-8")
    with_entry = execution.data_fingerprint(["census_ethnicity"], package_copy)
    assert with_entry != base
    descriptor["x-data-cutoff"] = "2099-01-01"
    package_copy.write_text(json.dumps(descriptor), encoding="utf-8")
    assert execution.data_fingerprint(["census_ethnicity"], package_copy) != with_entry


def test_fingerprint_of_the_table_list_changes_when_a_table_is_added(package_copy):
    from kzdata import _cache

    before = execution.data_fingerprint([_cache.NAMES], package_copy)
    descriptor = json.loads(package_copy.read_text(encoding="utf-8"))
    descriptor["resources"].append(dict(descriptor["resources"][-1], name="another"))
    package_copy.write_text(json.dumps(descriptor), encoding="utf-8")
    assert execution.data_fingerprint([_cache.NAMES], package_copy) != before


def test_editing_a_table_makes_exactly_its_readers_stale(package_copy):
    edit_latest_kazakh_share(package_copy.parent)
    stale = {p.stem for p in NOTEBOOKS if not execution.is_current(stored(p), p.parent, package_copy)}
    readers = {p.stem for p in NOTEBOOKS if "census_ethnicity" in tables_read(p)}
    assert readers and readers != {p.stem for p in NOTEBOOKS}
    assert stale == readers


def test_markdown_edits_keep_the_key_and_code_edits_change_it():
    path = CHAPTERS / "01_history.ipynb"
    package = ROOT / "data" / "datapackage.json"
    notebook = stored(path)
    notebook.cells.append(new_markdown_cell("A new paragraph."))
    assert execution.is_current(notebook, path.parent, package)
    notebook.cells.append(new_code_cell("1 + 1"))
    assert not execution.is_current(notebook, path.parent, package)


def test_a_new_library_release_makes_every_notebook_stale(monkeypatch):
    monkeypatch.setattr(execution, "library_versions", lambda: "pandas=99.0")
    package = ROOT / "data" / "datapackage.json"
    assert not any(execution.is_current(stored(p), p.parent, package) for p in NOTEBOOKS)


def test_changed_or_missing_figure_data_makes_a_notebook_stale(tmp_path):
    chapters = tmp_path / "chapters"
    shutil.copytree(CHAPTERS / execution.FIGURE_DATA, chapters / execution.FIGURE_DATA)
    package = ROOT / "data" / "datapackage.json"
    notebook = stored(CHAPTERS / "01_history.ipynb")
    assert execution.is_current(notebook, chapters, package)
    figure = chapters / sorted(notebook.metadata[execution.STAMP]["figure_data"])[0]
    figure.write_text(figure.read_text(encoding="utf-8") + "1,2\n", encoding="utf-8")
    assert not execution.is_current(notebook, chapters, package)
    figure.unlink()
    assert not execution.is_current(notebook, chapters, package)


def test_an_unstamped_notebook_is_stale():
    notebook = stored(CHAPTERS / "01_history.ipynb")
    del notebook.metadata[execution.STAMP]
    assert not execution.is_current(notebook, CHAPTERS, ROOT / "data" / "datapackage.json")


def test_a_run_records_the_tables_the_notebook_asked_for(tmp_path, package_copy, monkeypatch):
    """Tables read to validate another (sources for the claims' source lists) are not the notebook's reads."""
    monkeypatch.setenv("KZDATA_CACHE", "")  # validate for real, so the claims check reads sources
    path = tmp_path / "reads.ipynb"
    code = 'import kzdata\nkzdata.load("claims")\nkzdata.load("census_ethnicity")\nkzdata.describe("events");'
    nbformat.write(new_notebook(cells=[new_code_cell(code)]), path)
    notebook = execution.execute(path, package_copy)
    assert notebook.metadata[execution.STAMP]["tables"] == ["census_ethnicity", "claims", "events"]
    assert execution.is_current(notebook, tmp_path, package_copy)
    edit_latest_kazakh_share(package_copy.parent)
    assert not execution.is_current(notebook, tmp_path, package_copy)


def test_kernels_do_not_warn_about_tcp(tmp_path, capfd):
    path = tmp_path / "quiet.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("1 + 1")]), path)
    execution.execute(path, ROOT / "data" / "datapackage.json")
    captured = capfd.readouterr()
    assert "without encryption" not in captured.out + captured.err


# --- Builds ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def own_build(tmp_path_factory) -> tuple[Path, Path, str]:
    """A clean copy of the book, built once, that the tests below change in turn: (book, output, log)."""
    folder = tmp_path_factory.mktemp("own")
    book, output = copy_book(folder / "book"), folder / "out"
    result = build_book(book, output)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return book, output, result.stdout + result.stderr


def rebuild(book: Path, output: Path) -> str:
    result = build_book(book, output)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result.stdout + result.stderr


@pytest.mark.slow
def test_a_clean_build_of_current_notebooks_executes_nothing(own_build):
    _, _, log = own_build
    assert executed_notebooks(log) == []


@pytest.mark.slow
def test_rebuild_with_nothing_changed_executes_nothing(own_build):
    book, output, _ = own_build
    log = rebuild(book, output)
    assert "Executed notebook" not in log
    assert "0 added, 0 changed, 0 removed" in log


@pytest.mark.slow
def test_running_a_notebook_then_building_executes_nothing(own_build):
    """nbval runs a notebook without saving it, rewriting its figure data; the next build has nothing to do."""
    book, output, _ = own_build
    path = book / "chapters" / "claims_audit.ipynb"
    figures = sorted((book / "chapters" / execution.FIGURE_DATA).glob("fig-audit-*.csv"))
    before = {f: f.stat().st_mtime_ns for f in figures}
    time.sleep(0.05)
    executed = execution.execute(path, book / "data" / "datapackage.json")
    assert figures and all(f.stat().st_mtime_ns != before[f] for f in figures), "the run rewrote no figure data"
    log = rebuild(book, output)
    assert "Executed notebook" not in log
    assert "0 added, 0 changed, 0 removed" in log, "figure data written by a run made a page stale"
    nbformat.write(executed, path)  # as run_notebooks.py does: the page is re-read, nothing executes
    log = rebuild(book, output)
    assert "Executed notebook" not in log


@pytest.mark.slow
def test_editing_a_table_re_executes_exactly_the_notebooks_that_read_it(own_build):
    book, output, _ = own_build
    old, new = edit_latest_kazakh_share(book / "data")
    log = rebuild(book, output)
    readers = sorted(f"chapters/{p.stem}" for p in NOTEBOOKS if "census_ethnicity" in tables_read(p))
    assert readers and executed_notebooks(log) == readers
    # The freshness the re-execution is for: the key's own spans show the edited number, not the old one
    # (a value found anywhere in the page could be another number that happens to print the same).
    page = output / "_build" / "html" / "chapters" / "01_history.html"
    spans = glued_spans(page, book / "chapters" / "01_history.ipynb")
    assert spans[LATEST_KAZAKH_SHARE] and set(spans[LATEST_KAZAKH_SHARE]) == {f"{float(new):.1f}"}, (old, spans)
    # The run is kept in the build's cache: building again executes nothing.
    assert "Executed notebook" not in rebuild(book, output)


@pytest.mark.slow
def test_a_broken_data_file_stops_the_build_at_once_with_the_report(tmp_path):
    book, output = copy_book(tmp_path / "book"), tmp_path / "out"
    edit_latest_kazakh_share(book / "data", "seventy")
    start = time.perf_counter()
    result = build_book(book, output)
    elapsed = time.perf_counter() - start
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Executed notebook" not in log and "kzbook: executing" not in log
    last = result.stderr.strip().splitlines()[-6:]
    assert "with errors" in last[-1], last
    assert any("census_ethnicity" in line and "seventy" in line for line in last), last
    assert elapsed < 60, f"the build took {elapsed:.0f} s to report a broken table"


@pytest.mark.slow
def test_a_failing_cell_stops_the_build_naming_the_notebook(tmp_path):
    book, output = copy_book(tmp_path / "book"), tmp_path / "out"
    path = book / "chapters" / "claims_audit.ipynb"
    notebook = stored(path)
    notebook.cells.append(new_code_cell('raise ValueError("a cell that fails on purpose")'))
    nbformat.write(notebook, path)
    result = build_book(book, output)
    assert result.returncode != 0
    last = "\n".join(result.stderr.strip().splitlines()[-40:])
    assert "chapters/claims_audit.ipynb failed" in last and "a cell that fails on purpose" in last, last
    assert executed_notebooks(result.stdout + result.stderr) == []


def test_a_page_gluing_from_a_re_read_notebook_is_re_read_with_it(tmp_path):
    """The introduction's Key judgements glue the verdict chapter's words: they must not keep old ones."""
    (tmp_path / "chapters").mkdir()
    (tmp_path / "intro.md").write_text("{glue:text}`chapters/06_verdict.ipynb::verdict_trade_phrase:s`\n")
    (tmp_path / "howto_cite.md").write_text("No glue here.\n")
    for name in ("06_verdict", "01_history"):
        (tmp_path / "chapters" / f"{name}.ipynb").write_text("{}")

    class Env:
        srcdir = tmp_path
        found_docs = {"intro", "howto_cite", "chapters/06_verdict", "chapters/01_history"}

        def doc2path(self, docname):
            suffix = ".ipynb" if docname.startswith("chapters/") else ".md"
            return tmp_path / f"{docname}{suffix}"

    assert execution.pages_gluing_from(Env(), {"chapters/06_verdict"}, set()) == {"intro"}
    assert execution.pages_gluing_from(Env(), {"chapters/01_history"}, set()) == set()
    assert execution.pages_gluing_from(Env(), {"chapters/06_verdict"}, {"intro"}) == set()
