"""How kzdata.charts.table prints in the PDF: the Markdown it offers next to the HTML."""

from __future__ import annotations

import re

import pandas as pd

from kzdata.charts import table


def _widths(markdown: str) -> list[int]:
    return [int(width) for width in re.search(r"^:widths: (.*)$", markdown, re.M).group(1).split()]


def test_a_narrow_table_is_a_longtable_with_one_width_per_column():
    frame = pd.DataFrame(
        {
            "date": ["2022-03-02", "2022-03-24"],
            "resolution": ["ES-11/1", "ES-11/2"],
            "title": ["Aggression against Ukraine", "Humanitarian consequences of the aggression against Ukraine"],
        }
    )
    markdown = table(frame)._repr_markdown_()
    assert markdown.startswith("```{table}\n:class: longtable\n") and markdown.endswith("\n```")
    widths = _widths(markdown)
    assert len(widths) == 3
    assert widths[0] >= len("2022-03-02"), "a date cannot be broken, so its column must hold it whole"
    assert widths[2] > widths[1], "the longest text gets the largest share"


def test_a_table_wider_than_a_page_keeps_short_columns_whole():
    long_text = "a long explanatory note that goes on for well over forty-eight characters of text"
    frame = pd.DataFrame({"id": ["x-1"], "date": ["2023-01-01"], "a": [long_text], "b": [long_text]})
    widths = _widths(table(frame)._repr_markdown_())
    assert widths[1] == len("2023-01-01")
    assert min(widths[2], widths[3]) >= len("characters")


def test_a_table_too_wide_to_print_becomes_one_block_per_row():
    note = "a note of some length, " * 4
    frame = pd.DataFrame(
        {
            "source_id": ["first-2022", "second-2023"],
            "published": ["2022-01-01", "2023-01-01"],
            "publisher": ["A publisher with a long descriptive name"] * 2,
            "title": ["A title that is long enough to need its own paragraph"] * 2,
            "url": ["https://example.org/a/very/long/path/to/a/document.html"] * 2,
            "note": [note, ""],
        }
    )
    markdown = table(frame)._repr_markdown_()
    assert "```{table}" not in markdown and "|---" not in markdown
    blocks = markdown.split("\n\n**")
    assert len(blocks) == 2
    assert blocks[0].startswith("**source\\_id: first-2022** · published: 2022-01-01")
    assert "*note:*" in blocks[0] and "*note:*" not in blocks[1], "empty cells are left out, not printed blank"


def test_markdown_special_characters_are_escaped():
    markdown = table(pd.DataFrame({"text": ["a|b*c_[d]"]}))._repr_markdown_()
    assert "a\\|b\\*c\\_\\[d\\]" in markdown
