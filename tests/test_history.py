"""Invariants of the history chapter's tables."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

import kzdata


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


def test_the_chapter_has_at_least_thirty_dated_events():
    events = kzdata.load("events")
    history = events[events["theme"] == "history"]
    assert len(history) >= 30


# --- The history chapter's published statements, checked against the data and the stored notebook ---

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "chapters" / "01_history.ipynb"
UNAUTHORISED = ("ebrary.net", "ebin.pub", "newlib.net", "dokumen.pub", "libgen", "vdoc.pub", "fb2", "hotlib.net")


def stored_glue() -> dict[str, str]:
    """The text value of every glued key in the executed, stored notebook."""
    values = {}
    for cell in json.loads(NOTEBOOK.read_text())["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                texts = [v for k, v in output.get("data", {}).items() if k.endswith("text/plain")]
                values[name] = "".join(texts[0]) if texts else ""
    return values


def history_source_ids() -> set[str]:
    ids = set()
    for table in ("census_ethnicity", "memberships", "history_estimates"):
        ids |= set(kzdata.load(table)["source_id"])
    events = kzdata.load("events")
    ids |= set(events.loc[events["theme"] == "history", "source_id"])
    claims = kzdata.load("claims")
    for cell in claims.loc[claims["theme"].isin(["history", "setting"]), "source_ids"].dropna():
        ids |= set(cell.split(";"))
    return ids


def test_no_history_source_links_an_unauthorised_copy_of_a_book():
    sources = kzdata.load("sources").set_index("source_id")
    ids = history_source_ids()
    assert ids <= set(sources.index)
    for sid in ids:
        host = urlparse(sources.loc[sid, "url"]).netloc.lower()
        text = " ".join(str(sources.loc[sid, c]) for c in ("publisher", "title", "url", "note")).lower()
        assert not any(site in host or site in text or site in sid for site in UNAUTHORISED), sid


def test_books_of_the_history_chapter_are_cited_as_books():
    bib = (ROOT / "references.bib").read_text()
    for key in ("campbell2017knowledge", "sokol2016revolt", "marozzindtamerlane"):
        entry = re.search(r"@(\w+)\{" + key + r",(.*?)\n\}", bib, re.S)
        assert entry, key
        assert entry.group(1) == "book", key
        assert "publisher" in entry.group(2) and "isbn" in entry.group(2), key
        assert not any(site in entry.group(2) for site in UNAUTHORISED), key


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
    glued = stored_glue()
    assert glued["history_latest_year"] == str(latest)
    assert int(glued["history_base_year"]) < latest


def test_census_changes_derived_from_shares_are_rounded():
    """Issue 15: a change that rests on a count derived from a rounded share is printed rounded, never to the person."""
    census = kzdata.load("census_ethnicity")
    glued = stored_glue()
    for group, key in (("Russians", "history_russian_fall_1989_2021"), ("Kazakhs", "history_kazakh_rise_1989_2021")):
        row = census[(census["year"] == 2021) & (census["group"] == group) & census["preferred"]]
        assert len(row) == 1
        if pd.isna(row["population"].iloc[0]):
            assert glued[key].strip("'").startswith("about "), (key, glued[key])
            assert not re.search(r"\d{1,3}(,\d{3}){2}", glued[key]), (key, glued[key])
