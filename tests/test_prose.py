"""No statistic is typed into the prose: every number a reader may cite is glued from the data."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_notebook

from tests import prose


def test_the_book_prose_has_no_literal_statistics():
    pages = prose.book_pages()
    assert any(page.suffix == ".ipynb" for page in pages) and any(page.suffix == ".md" for page in pages)
    findings = prose.check(pages)
    assert not findings, "literal statistics in the prose (glue them):\n" + "\n".join(map(str, findings))


def test_a_planted_literal_is_reported_with_file_cell_and_text(tmp_path: Path):
    notebook = new_notebook(
        cells=[
            new_markdown_cell("Trade grew by {glue:text}`china_growth_pct:.1f`% in 2022."),
            new_markdown_cell("Exports to China rose 34.1% that year."),
        ]
    )
    page = tmp_path / "planted.ipynb"
    nbformat.write(notebook, page)
    findings = prose.check([page], root=tmp_path)
    assert [(f.file, f.cell) for f in findings] == [("planted.ipynb", 1)]
    assert "34.1%" in findings[0].text


@pytest.mark.parametrize(
    "text",
    [
        "about 98,000 Russians entered",
        "a fall of 1.2 million",
        "US$5 billion a year",
        "exports of 54 million tonnes",
        "a share of 18.6 per cent",
        "5% of the vote",
        "the 141 states that voted yes",
        "about 1500 migrants crossed",  # a year-shaped number followed by a count noun is a count
        "2050 tonnes a day",
        "in 2050 tonnes",  # a unit of measure makes it a statistic even after a word of time
        "1999 residents were counted",
    ],
)
def test_statistics_are_caught(text: str):
    assert prose.literal_statistics(text, allowed=[]), text


@pytest.mark.parametrize(
    "text",
    [
        "On 2 March 2022 the Assembly adopted ES-11/1.",
        "Resolution 68/262 of 2014, and A/RES/ES-11/4.",
        "The famine of 1930–33 and the 1990s.",
        "September 21, 2022",
        "The 22nd summit, the 18th century.",
        "As Figure 3 and section 2 show, three states and 12 ministers.",
        "Kazakhs were {glue:text}`history_kazakh_share_2021_pct:.1f`% in 2021 {cite:p}`bns2021`.",
        "```python\nx = 12345\n```",
        "```{glue:figure} key\n:name: fig-x\n:alt: A chart rising from 10 to 5000.\n\nCaption in words.\n```",
        "See [the table](https://example.org/2022/123456.html).",
        "In 2022 people left in large numbers.",  # a year after a word of time, even before a count noun
        "Since 1991 Kazakhs have been the largest group.",
        "The 2022 census and the 1990s.",
    ],
)
def test_exempt_forms_are_not_caught(text: str):
    assert prose.literal_statistics(text, allowed=[]) == []


def test_allowlisted_phrases_pass_and_each_needs_a_reason(tmp_path: Path):
    assert prose.literal_statistics("Built on Python 3.11 here.", allowed=["Python 3.11"]) == []
    bad = tmp_path / "allow.txt"
    bad.write_text("Python 3.11\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs a reason"):
        prose.allowed_phrases(bad)


def test_glued_numbers_share_one_format():
    findings = prose.glue_format_problems(prose.book_pages())
    assert not findings, "\n".join(map(str, findings))


def test_an_unformatted_glued_number_is_reported(tmp_path: Path):
    record = {"application/papermill.record/text/plain": "12.3456"}
    output = nbformat.v4.new_output("display_data", data=record, metadata={"scrapbook": {"name": "x_share_pct"}})
    big = {"application/papermill.record/text/plain": "98000"}
    second = nbformat.v4.new_output("display_data", data=big, metadata={"scrapbook": {"name": "x_entries"}})
    cell = nbformat.v4.new_code_cell("glue(...)", outputs=[output, second])
    notebook = new_notebook(
        cells=[cell, new_markdown_cell("Share {glue:text}`x_share_pct`%, entries {glue:text}`x_entries:.0f`.")]
    )
    page = tmp_path / "planted.ipynb"
    nbformat.write(notebook, page)
    texts = [finding.text for finding in prose.glue_format_problems([page], root=tmp_path)]
    assert texts == ["x_share_pct = 12.3456: no rounding stated", "x_entries = 98000: no thousands separator"]


def test_the_book_prose_speaks_of_evidence_not_of_its_making():
    findings = prose.check_process(prose.book_pages())
    assert not findings, "phrases about how the book was assembled (say what the evidence holds):\n" + "\n".join(
        map(str, findings)
    )


@pytest.mark.parametrize(
    "text",
    [
        "We could not reach the UN's voting records with our search tools.",
        "Its vote was read in the copy we read on a blog.",
        "The record of ES-11/3, which we read in a copy kept by a web application.",
        "The site could not be reached.",
        "No source we read gives the stock of loans.",
        "We found no count of settlers.",
    ],
)
def test_process_phrases_are_caught(text: str):
    assert prose.process_phrases(text), text


@pytest.mark.parametrize(
    "text",
    [
        "No official count of settlers has been published.",
        "The UN voting record gives each state's vote.",
        "The reports disagree on the date; the table keeps both.",
        "```python\n# our search\n```",
    ],
)
def test_plain_statements_of_evidence_pass(text: str):
    assert prose.process_phrases(text) == []
