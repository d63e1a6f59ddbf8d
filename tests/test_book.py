"""The book builds with warnings as errors, and the built pages carry the data's numbers.

The build runs once per test session into a temporary folder (a minute or so),
then each test reads the HTML it produced.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kzdata
from tests.conftest import ROOT

JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
PAGES = [
    "intro",
    "chapters/01_history",
    "chapters/02_ukraine",
    "chapters/03_china",
    "chapters/04_economics",
    "chapters/05_migration",
    "chapters/claims_audit",
    "chapters/data_sources",
    "bibliography",
]


def build_book(source: Path, output: Path) -> subprocess.CompletedProcess:
    """Build like the README does: warnings are errors, every notebook executes."""
    return subprocess.run(
        [
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
        capture_output=True,
        text=True,
        check=False,
    )


def copy_book(destination: Path) -> Path:
    """A copy of the repository's tracked book sources, without any previous build."""
    ignore = shutil.ignore_patterns("_build", ".venv", "*.egg-info", "__pycache__", ".git", ".pytest_cache")
    shutil.copytree(ROOT, destination, ignore=ignore)
    return destination


@pytest.fixture(scope="session")
def built_html(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("book")
    result = build_book(ROOT, output)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return output / "_build" / "html"


def page_text(html: Path, page: str) -> str:
    return (html / f"{page}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", PAGES)
def test_page_is_built(built_html, page):
    assert (built_html / f"{page}.html").is_file()


def test_history_page_shows_the_census_figure_with_caption_and_alt_text(built_html):
    text = page_text(built_html, "chapters/01_history")
    figure = re.search(r'<figure[^>]*id="fig-history-census".*?</figure>', text, re.S)
    assert figure, "numbered census figure missing"
    assert re.search(r'<img[^>]+alt="[^"]{60,}"', figure.group(0)), "alt text missing or too short"
    assert "Fig" in figure.group(0) and "caption" in figure.group(0)


def test_history_prose_carries_numbers_computed_from_the_data(built_html):
    """The glued numbers in the page are the ones the census table gives today."""
    census = kzdata.load("census_ethnicity")
    charted = census[census["preferred"]]
    kazakh = charted[charted["group"] == "Kazakhs"].set_index("year")["share_pct"]
    text = page_text(built_html, "chapters/01_history")
    assert f"{kazakh[kazakh.index.max()]:.1f}" in text
    assert f"{kazakh.min():.1f}" in text


def test_no_unresolved_glue_or_references(built_html):
    for page in PAGES:
        text = page_text(built_html, page)
        assert "glue:" not in text and "??" not in text, page
