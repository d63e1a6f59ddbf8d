"""What a reader sees in the built pages: tables with headings in words, dates at their precision, and glued
numbers that are the data's own.

These tests read the HTML of the session's build (the ``built_html`` fixture), so
they run with the other build tests and can be pointed at any build folder.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

import kzdata
from kzdata.charts import date_text
from tests.conftest import BOOK_PAGES, ROOT

pytestmark = pytest.mark.slow

CHAPTERS = [page for page in BOOK_PAGES if page.startswith("chapters/")]


class _Tables(HTMLParser):
    """The headings and cells of every reader's table (``kz-table``) in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, list[str]]] = []
        self._in: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and "kz-table" in (dict(attrs).get("class") or ""):
            self.tables.append({"headings": [], "cells": []})
        elif tag in ("th", "td") and self.tables:
            self._in, self._text = tag, ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._in == tag:
            self.tables[-1]["headings" if tag == "th" else "cells"].append(" ".join(self._text.split()))
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text += data


def reader_tables(page: Path) -> list[dict[str, list[str]]]:
    parser = _Tables()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.tables


def field_names() -> set[str]:
    return {field["name"] for name in kzdata.names() for field in kzdata.describe(name)["schema"]["fields"]}


def _looks_like_a_name(heading: str) -> bool:
    return heading.isidentifier() and heading.islower()


def raw_headings(html: Path, pages: list[str]) -> list[str]:
    """Table headings that are a field name or look like one (an underscore, or one lower-case word such as
    'country'), as 'page: heading'."""
    names = field_names()
    found = []
    for page in pages:
        for table in reader_tables(html / f"{page}.html"):
            found += [f"{page}: {h}" for h in table["headings"] if h in names or "_" in h or _looks_like_a_name(h)]
    return found


def year_dates_in_full(html: Path, pages: list[str]) -> list[str]:
    """Cells that print a date known only to the year as a full date (ISO or in words)."""
    full: dict[str, str] = {}
    day_dates: set[str] = set()
    for name in kzdata.names():
        specs = kzdata.describe(name).get("x-date-precision", [])
        for spec in [specs] if isinstance(specs, dict) else specs:
            frame = kzdata.load(name)[[spec["date"], spec["precision"]]].dropna()
            for date, precision in frame.itertuples(index=False):
                iso = date.strftime("%Y-%m-%d")
                if precision == "year":
                    full[iso] = date_text(date, "day")
                else:
                    day_dates.add(iso)
    suspects = {iso: words for iso, words in full.items() if iso not in day_dates}
    found = []
    for page in pages:
        for table in reader_tables(html / f"{page}.html"):
            for cell in table["cells"]:
                for iso, words in suspects.items():
                    if cell == iso or cell == words:
                        found.append(f"{page}: {cell}")
    return found


def test_no_chapter_table_shows_a_raw_field_name(built_html: Path):
    problems = raw_headings(built_html, CHAPTERS)
    assert not problems, "headings should be words with units (a 'title' in the descriptor):\n" + "\n".join(problems)


def test_no_chapter_table_prints_a_year_as_a_full_date(built_html: Path):
    problems = year_dates_in_full(built_html, CHAPTERS)
    assert not problems, "dates known only to the year printed as days:\n" + "\n".join(problems)


def test_the_checks_catch_a_raw_table(tmp_path: Path):
    (tmp_path / "chapters").mkdir()
    page = '<table class="dataframe kz-table"><thead><tr><th>share_pct</th><th>Date</th><th>country</th></tr></thead>'
    events = kzdata.load("events")
    year_row = events[events["date_precision"] == "year"].iloc[0]
    page += f"<tbody><tr><td>1</td><td>{year_row['date']:%Y-%m-%d}</td><td>KAZ</td></tr></tbody></table>"
    (tmp_path / "chapters" / "x.html").write_text(page, encoding="utf-8")
    assert raw_headings(tmp_path, ["chapters/x"]) == ["chapters/x: share_pct", "chapters/x: country"]
    assert year_dates_in_full(tmp_path, ["chapters/x"]) == [f"chapters/x: {year_row['date']:%Y-%m-%d}"]


_ROLE = re.compile(r"\{glue:text\}`([\w.-]+)(?::[^`]*)?`")
_SPAN = re.compile(r'<span class="pasted-text">(.*?)</span>', re.S)


def glued_spans(html_page: Path, notebook: Path) -> dict[str, list[str]]:
    """Each glue key of a chapter and the text of the spans it rendered, matched in document order.

    The Markdown cells name the keys in the order their spans appear in the HTML;
    a page whose span count differs from its role count cannot be matched and
    fails loudly.
    """
    keys = [
        key
        for cell in nbformat.read(notebook, as_version=4).cells
        if cell.cell_type == "markdown" and "remove-cell" not in cell.get("metadata", {}).get("tags", [])
        for key in _ROLE.findall(cell.source)
    ]
    spans = [unescape(re.sub(r"<[^>]+>", "", s)).strip() for s in _SPAN.findall(html_page.read_text(encoding="utf-8"))]
    assert len(keys) == len(spans), f"{notebook.name}: {len(keys)} glue roles but {len(spans)} glued spans"
    found: dict[str, list[str]] = {}
    for key, text in zip(keys, spans, strict=True):
        found.setdefault(key, []).append(text)
    return found


def test_the_census_numbers_in_the_page_are_the_data_computed_independently(built_html: Path):
    """The spans of the history page's census keys show the preferred census share, computed here from the table
    by its meaning (Kazakhs, charted value, latest census; and the lowest), not searched for anywhere in the page."""
    census = kzdata.load("census_ethnicity")
    kazakhs = census[census["preferred"] & (census["group"] == "Kazakhs")].set_index("year")["share_pct"]
    assert kazakhs.index.is_unique, "one charted Kazakh share per census year"
    spans = glued_spans(built_html / "chapters" / "01_history.html", ROOT / "chapters" / "01_history.ipynb")
    latest = f"{kazakhs[kazakhs.index.max()]:.1f}"
    lowest = f"{kazakhs.min():.1f}"
    assert spans["history_kazakh_share_2021_pct"] and set(spans["history_kazakh_share_2021_pct"]) == {latest}
    assert spans["history_kazakh_share_low_pct"] and set(spans["history_kazakh_share_low_pct"]) == {lowest}


def test_the_span_matcher_pairs_keys_with_their_own_spans(tmp_path: Path):
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("A {glue:text}`a:.1f` and {glue:text}`b` and {glue:text}`a:.1f`.")]
    )
    path = tmp_path / "x.ipynb"
    nbformat.write(notebook, path)
    page = tmp_path / "x.html"
    page.write_text(
        '<p>30.0 <span class="pasted-text">1.5</span> <span class="pasted-text">30.0</span> '
        '<span class="pasted-text">1.5</span></p>',
        encoding="utf-8",
    )
    assert glued_spans(page, path) == {"a": ["1.5", "1.5"], "b": ["30.0"]}
