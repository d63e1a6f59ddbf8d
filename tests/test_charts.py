"""How kzdata.charts prints tables (for readers, in HTML and in the PDF) and source lines under figures."""

from __future__ import annotations

import re
import textwrap

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest
from matplotlib.figure import Figure

import kzdata
from kzdata import charts, grading
from kzdata.charts import table
from tests.conftest import ROOT


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
    assert blocks[0].startswith("**Source: first-2022** · Published: 2022-01-01")
    assert "*Note:*" in blocks[0] and "*Note:*" not in blocks[1], "empty cells are left out, not printed blank"


def test_markdown_special_characters_are_escaped():
    markdown = table(pd.DataFrame({"text": ["a|b*c_[d]"]}))._repr_markdown_()
    assert "a\\|b\\*c\\_\\[d\\]" in markdown


def _field_names() -> set[str]:
    return {field["name"] for name in kzdata.names() for field in kzdata.describe(name)["schema"]["fields"]}


def test_headings_are_words_with_units_from_the_descriptor():
    census = kzdata.load("census_ethnicity")
    shown = table(census, dataset="census_ethnicity").shown
    assert "Share of population (%)" in shown.columns and "Population (persons)" in shown.columns
    assert not set(shown.columns) & _field_names() - {"Source"}, "a raw field name is shown as a heading"


def test_every_field_has_a_title_in_words():
    """The reader's heading of every column: a title in the descriptor, not the field name."""
    untitled = [
        f"{name}.{field['name']}"
        for name in kzdata.names()
        for field in kzdata.describe(name)["schema"]["fields"]
        if not field.get("title") or "_" in field["title"]
    ]
    assert not untitled, f"give these fields a 'title' in words with units: {untitled}"


def test_a_name_without_a_title_still_becomes_words():
    assert charts.heading_from_name("share_pct") == "Share (%)"
    assert charts.heading_from_name("value_usd_bn") == "Value (US$ billion)"
    assert charts.heading_from_name("partner_iso3") == "Partner (ISO code)"
    assert charts.heading_from_name("flows", "tonnes") == "Flows (tonnes)"


@pytest.mark.parametrize(
    ("precision", "text"),
    [("year", "1584"), ("month", "March 1731"), ("day", "15 August 1735"), (None, "1735-08-15")],
)
def test_dates_print_at_their_precision(precision, text):
    day = {"year": "1584-01-01", "month": "1731-03-01", "day": "1735-08-15", None: "1735-08-15"}[precision]
    assert charts.date_text(pd.Timestamp(day), precision) == text


def test_an_events_table_prints_each_date_at_its_precision_and_drops_the_precision_column():
    events = kzdata.load("events")
    rows = pd.concat([events[events["date_precision"] == p].head(1) for p in ("year", "month", "day")])
    shown = table(rows, dataset="events").shown
    assert "Precision of the date" not in shown.columns and "date_precision" not in shown.columns
    expected = [charts.date_text(d, p) for d, p in zip(rows["date"], rows["date_precision"], strict=True)]
    assert shown["Date"].tolist() == expected
    assert len(expected[0]) == 4 and not expected[1][0].isdigit(), expected
    # The same rows without their precision column: each row's precision is found again from the table.
    again = table(rows[["date", "theme", "event", "source_id"]], dataset="events").shown
    assert again["Date"].tolist() == expected


def test_a_date_already_written_as_iso_text_still_prints_at_its_precision():
    events = kzdata.load("events")
    rows = events[events["date_precision"] == "year"].head(2)
    shown = table(rows.assign(date=rows["date"].dt.strftime("%Y-%m-%d"))[["date", "date_precision", "event"]]).shown
    assert shown["Date"].tolist() == [str(d.year) for d in rows["date"]]
    assert "Precision of the date" not in shown.columns
    # Without the precision column too: the precision is found again from the events table.
    text_only = rows.assign(date=rows["date"].dt.strftime("%Y-%m-%d"))[["date", "theme", "event"]]
    assert table(text_only).shown["Date"].tolist() == [str(d.year) for d in rows["date"]]


def test_booleans_print_as_words_and_the_csv_keeps_raw_values():
    census = kzdata.load("census_ethnicity").head(3)
    shown = table(census, name="census")
    assert set(shown.shown["Charted"]) <= {"yes", "no"}
    csv = shown._download_link()
    assert "share_pct" in csv and "preferred" in csv and "true" in csv.lower(), "the download keeps raw columns"


def test_source_ids_link_to_their_entry_on_the_data_page():
    events = kzdata.load("events").head(2)
    html = table(events)._repr_html_()
    for sid in events["source_id"]:
        assert f'<a href="data_sources.html#source-{sid}">{sid}</a>' in html
    anchors = table(kzdata.load("sources").head(2), source_anchors=True)._repr_html_()
    assert 'id="source-' in anchors and "<a href" not in anchors.split("kz-table-download")[0]


def test_cells_are_escaped_unless_the_notebook_built_links():
    assert "&lt;b&gt;" in table(pd.DataFrame({"text": ["<b>bold</b>"]}))._repr_html_()
    assert '<a href="x">' in table(pd.DataFrame({"link": ['<a href="x">x</a>']}), escape=False)._repr_html_()


@pytest.mark.parametrize("tables", [("events",), ("census_ethnicity",), ("unga_votes",), ("macro_indicators",)])
def test_a_source_line_names_publishers_in_at_most_two_lines(tables):
    text = charts.source_text(*tables, note="A note of a typical length about what the chart leaves out.")
    assert len(textwrap.wrap(text, width=charts.SOURCE_WIDTH)) <= charts.SOURCE_LINES, text
    assert text.startswith("Source: ") and charts.FULL_LIST in text
    named = text.removeprefix("Source: ").split(".", 1)[0]
    publishers = {charts.short_publisher(p) for t in tables for p in kzdata.sources_for(t)["publisher"]}
    assert any(name.strip() in publishers for name in named.split(";")), text


def test_a_source_line_names_the_strongest_publisher_first():
    documents = grading.documents("census_ethnicity")
    first = charts.short_publisher(documents["publisher"].iloc[0])
    assert charts.source_text("census_ethnicity").startswith(f"Source: {first}")
    assert documents["grade"].is_monotonic_increasing


def test_a_figure_with_no_publisher_is_refused():
    fig = plt.figure()
    with pytest.raises(ValueError, match="names no source"):
        charts.source_line(fig, "census_ethnicity", rows=pd.DataFrame({"source_id": []}))
    plt.close(fig)


def test_a_figure_resting_only_on_secondary_web_pages_says_so():
    census = kzdata.load("census_ethnicity")
    weak = census[census["source_id"].isin(kzdata.load("sources").query("kind == 'web-secondary'")["source_id"])]
    assert not weak.empty
    assert grading.rests_only_on_weakest("census_ethnicity", rows=weak)
    assert charts.WEAKEST_ONLY in charts.source_text("census_ethnicity", rows=weak)
    assert charts.WEAKEST_ONLY not in charts.source_text("census_ethnicity")


def test_every_glued_figure_has_a_source_line():
    """A cell that glues a figure also writes its source line (which names at least one publisher or fails)."""
    missing = []
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "code" and re.search(r"glue\([^)]*\bfig\b", cell.source):
                if "source_line(" not in cell.source:
                    missing.append(f"{path.name} cell {index}")
    assert not missing, "figures without a source line: " + ", ".join(missing)


# Yearly series and missing years -------------------------------------------------------------------------------


def bridged_years(fig: Figure) -> list[str]:
    """Lines of a figure that join two years more than one year apart, on axes whose x is the year.

    Used by the tests on the book's yearly figures; a line broken by NaN counts
    as separate pieces, and vertical or horizontal reference lines are ignored.
    """
    found = []
    for number, ax in enumerate(fig.axes):
        if ax.get_xlabel() != "Year":
            continue
        for line in ax.get_lines():
            if line.get_linestyle() in ("None", "none", "", " ") or len(line.get_xdata()) < 2:
                continue
            x = pd.Series(line.get_xdata(), dtype="float64")
            y = pd.Series(line.get_ydata(), dtype="float64")
            if (x == x.iloc[0]).all():
                continue  # a vertical reference line (a horizontal one spans 0 to 1 in axes units)
            piece = y.isna().cumsum()
            for _, part in x[y.notna()].groupby(piece[y.notna()]):
                steps = part.diff().dropna()
                if (steps > 1).any():
                    jump = int(steps.idxmax())
                    found.append(
                        f"axes {number + 1}, line {line.get_label()!r}: {part[jump - 1]:g} joined to {part[jump]:g}"
                    )
    return found


def test_plot_years_breaks_the_line_where_the_checker_finds_a_plain_line_bridging():
    shares = pd.Series([10.0, 11.0, 14.0, 15.0, 16.0], index=[2000, 2001, 2004, 2005, 2006])
    fig, (broken, bridged) = plt.subplots(1, 2)
    for ax in (broken, bridged):
        ax.set_xlabel("Year")
        ax.axhline(0)
        ax.axvline(2003)
    (line,) = charts.plot_years(broken, shares, marker="o")
    bridged.plot(shares.index, shares.to_numpy(), marker="o", label="plain")
    assert list(line.get_xdata()) == list(range(2000, 2007))
    assert pd.isna(line.get_ydata()[2]) and pd.isna(line.get_ydata()[3])
    assert bridged_years(fig) == ["axes 2, line 'plain': 2001 joined to 2004"]
    plt.close(fig)


def test_plot_years_needs_a_marker_for_a_year_alone_and_distinct_years():
    fig, ax = plt.subplots()
    alone = pd.Series([1.0, 2.0, 3.0], index=[2000, 2001, 2003])
    with pytest.raises(ValueError, match=r"\[2003\] stand alone"):
        charts.plot_years(ax, alone)
    charts.plot_years(ax, alone, marker="s")
    with pytest.raises(ValueError, match="distinct and in order"):
        charts.plot_years(ax, pd.Series([1.0, 2.0], index=[2001, 2001]), marker="o")
    plt.close(fig)


#: The yearly figures drawn from series with missing years (issue 18), by notebook: glue names of the figures.
YEARLY_FIGURES = {
    "03_china.ipynb": ["china_trade_fig", "china_share_fig", "china_mirror_fig"],
    "04_economics.ipynb": ["economics_partners_fig"],
}

_KEEP_FIGURES = """
import myst_nb
from matplotlib.figure import Figure
_kept_figures, _glue = {}, myst_nb.glue
def _keeping(name, variable, display=True):
    if isinstance(variable, Figure):
        _kept_figures[name] = variable
    return _glue(name, variable, display)
myst_nb.glue = _keeping
"""


@pytest.mark.slow
@pytest.mark.parametrize("notebook", list(YEARLY_FIGURES))
def test_yearly_figures_do_not_draw_lines_across_missing_years(notebook: str, tmp_path):
    """Run the chapter with every glued figure kept, and look at the lines each named figure really holds."""
    import inspect
    import json

    from tests.run_notebooks import execution

    chapter = nbformat.read(ROOT / "chapters" / notebook, as_version=4)
    report = (
        inspect.getsource(bridged_years)
        + "\nimport json\nprint(json.dumps({name: [bridged_years(_kept_figures[name]), "
        + "sum(len(ax.get_lines()) for ax in _kept_figures[name].axes if ax.get_xlabel() == 'Year')] "
        + f"for name in {YEARLY_FIGURES[notebook]!r}}}))"
    )
    chapter.cells.insert(0, nbformat.v4.new_code_cell(_KEEP_FIGURES))
    chapter.cells.append(nbformat.v4.new_code_cell("import pandas as pd\n" + report))
    probe = tmp_path / notebook
    nbformat.write(chapter, probe)
    executed = execution.execute(probe, workdir=tmp_path)
    found = json.loads(executed.cells[-1].outputs[0]["text"])
    for name, (bridged, lines) in found.items():
        assert lines > 0, f"{name}: no line on an axis labelled 'Year' was checked"
        assert not bridged, f"{name} draws lines across missing years: {bridged}"


def test_a_column_the_notebook_named_itself_gets_a_heading_in_words():
    shown = table(pd.DataFrame({"country": ["KAZ"], "1991–2010": [1]})).shown
    assert list(shown.columns) == ["Country", "1991–2010"]


def test_a_state_has_one_name_and_an_unnamed_code_is_refused():
    assert charts.country_name("TUR") == "Türkiye"
    assert charts.country_name("USA") == "United States"
    assert charts.country_name("USA", in_sentence=True) == "the United States"
    assert charts.country_name("KAZ", in_sentence=True) == "Kazakhstan"
    with pytest.raises(KeyError, match="'XYZ'"):
        charts.country_name("XYZ")
