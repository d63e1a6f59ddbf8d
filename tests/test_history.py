"""Invariants of the history chapter's tables."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import kzdata
from tests import unauthorised
from tests.conftest import reversal_stops_the_chapter
from tests.prose import glued_values


def test_memberships_end_after_they_begin():
    frame = kzdata.load("memberships")
    both = frame[frame["left"].notna() & frame["joined"].notna()]
    assert len(both) > 0
    assert (both["left"] >= both["joined"]).all()


def test_every_membership_date_has_a_precision_and_only_then():
    frame = kzdata.load("memberships")
    assert (frame["joined"].notna() == frame["joined_precision"].notna()).all()
    assert (frame["left"].notna() == frame["left_precision"].notna()).all()


def test_estimate_ranges_are_ordered():
    frame = kzdata.load("history_estimates")
    ranged = frame[frame["value_high"].notna()]
    assert (ranged["value_low"] <= ranged["value_high"]).all()


MONTHS = "January February March April May June July August September October November December".split()
DAY_DATE = re.compile(r"\b(\d{1,2}) (" + "|".join(MONTHS) + r") (\d{4})\b")


def dates_in_prose(notebook: Path) -> list[tuple[pd.Timestamp, str]]:
    """Every date the chapter's Markdown writes to the day ("8 September 1730"), with the words around it."""
    found = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"])
            for match in DAY_DATE.finditer(text):
                day, month, year = int(match.group(1)), MONTHS.index(match.group(2)) + 1, int(match.group(3))
                context = text[max(0, match.start() - 60) : match.end() + 20].replace("\n", " ")
                found.append((pd.Timestamp(year=year, month=month, day=day), context))
    return found


def undated_in_table(prose: list[tuple[pd.Timestamp, str]], events: pd.DataFrame) -> list[str]:
    """Prose dates that no history event holds, either as its date (to the day) or named in its detail."""
    history = events[events["theme"] == "history"]
    dated = set(history.loc[history["date_precision"] == "day", "date"])
    missing = []
    for date, context in prose:
        written = f"{date.day} {MONTHS[date.month - 1]} {date.year}"
        same_year = history[history["date"].dt.year == date.year]
        if date not in dated and not same_year["detail"].fillna("").str.contains(written, regex=False).any():
            missing.append(f"{date:%Y-%m-%d}: ...{context}...")
    return missing


def test_every_day_the_chapter_dates_is_in_the_events_table():
    """The chapter says its dated record is in the events table (theme history): every date its prose gives to
    the day is a history event of that day, or is named in the detail of one (a resolution dated two days before
    the decree that made it public). Replaces a bare count of at least thirty events."""
    prose = dates_in_prose(NOTEBOOK)
    assert prose, "the chapter's prose dates nothing to the day: the check has nothing to check"
    missing = undated_in_table(prose, kzdata.load("events"))
    assert not missing, "dates in the prose with no history event in data/events.csv:\n" + "\n".join(missing)


def test_a_prose_date_missing_from_the_table_is_found():
    events = kzdata.load("events")
    prose = dates_in_prose(NOTEBOOK)
    dropped = prose[0][0]
    fewer = events[~((events["theme"] == "history") & (events["date"] == dropped))]
    assert any(line.startswith(f"{dropped:%Y-%m-%d}") for line in undated_in_table(prose, fewer))


# --- The history chapter's published statements, checked against the data and the stored notebook ---

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "chapters" / "01_history.ipynb"


def test_books_of_the_history_chapter_are_cited_as_books():
    bib = (ROOT / "references.bib").read_text()
    for key in ("campbell2017knowledge", "sokol2016revolt", "marozzindtamerlane"):
        entry = re.search(r"@(\w+)\{" + key + r",(.*?)\n\}", bib, re.S)
        assert entry, key
        assert entry.group(1) == "book", key
        assert "publisher" in entry.group(2) and "isbn" in entry.group(2), key
        assert not unauthorised.mentions(entry.group(2)), key


def test_kazakhstan_has_left_no_organisation_it_joined():
    """Fig. 1.1's caption: the latest dated standing in each organisation Kazakhstan joined is still open."""
    frame = kzdata.load("memberships")
    kaz = frame[(frame["iso3"] == "KAZ") & frame["joined"].notna()]
    lineage = {"CST": "CSTO", "CU": "EAEU", "SH5": "SCO"}
    kaz = kaz.assign(lineage=kaz["organisation"].replace(lineage)).sort_values("joined")
    assert kaz.groupby("lineage").tail(1)["left"].isna().all()


def test_the_final_january_toll_is_the_highest_official_count():
    frame = kzdata.load("history_estimates")
    toll = frame[frame["topic"] == "january_2022_deaths"]
    final = toll[toll["estimate_by"].str.contains("final")]
    assert len(final) == 1
    assert final["value_low"].iloc[0] == toll["value_low"].max()


def test_the_membership_comparison_reaches_the_latest_year_in_the_data():
    """Issue 20: the compared years are derived, so the stored page names the table's latest year, not 2023."""
    frame = kzdata.load("memberships")
    latest = int(pd.concat([frame["joined"], frame["left"]]).dropna().max().year)
    glued = glued_values(nbformat.read(NOTEBOOK, as_version=4))
    assert glued["history_latest_year"] == str(latest)
    assert int(glued["history_base_year"]) < latest


def test_census_changes_derived_from_shares_are_rounded():
    """Issue 15: a change that rests on a count derived from a rounded share is printed rounded, never to the person."""
    census = kzdata.load("census_ethnicity")
    glued = glued_values(nbformat.read(NOTEBOOK, as_version=4))
    for group, key in (("Russians", "history_russian_fall_1989_2021"), ("Kazakhs", "history_kazakh_rise_1989_2021")):
        row = census[(census["year"] == 2021) & (census["group"] == group) & census["preferred"]]
        assert len(row) == 1
        if pd.isna(row["population"].iloc[0]):
            assert glued[key].strip("'").startswith("about "), (key, glued[key])
            assert not re.search(r"\d{1,3}(,\d{3}){2}", glued[key]), (key, glued[key])


#: Edits of one row in a copy of the data that reverse a comparison the chapter states, and the words of the
#: statement its guard must name.
REVERSALS = {
    # The Russian share fell at every census after its peak: make 2021's (the preferred figure) exceed 2009's.
    "the Russian share rises in 2021": (
        "census_ethnicity",
        {"year": "2021", "group": "Russians", "preferred": "true"},
        {"share_pct": "25.0"},
        "Russian share fell at every census after its peak",
    ),
    # The official toll of January 2022 rose as the investigation went on: put the first count above March's.
    "the first January toll above March's": (
        "history_estimates",
        {"topic": "january_2022_deaths", "source_id": "trend-2024-tokayev-csto"},
        {"value_low": "232", "value_high": "232"},
        "official toll rose as the investigation went on",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(REVERSALS))
def test_a_reversed_comparison_stops_the_chapter_with_the_statement_named(case: str, package_copy: Path):
    reversal_stops_the_chapter(
        Path(__file__).resolve().parent.parent / "chapters" / "01_history.ipynb", package_copy, *REVERSALS[case]
    )
