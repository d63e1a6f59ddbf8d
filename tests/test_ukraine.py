"""Invariants of the UN General Assembly vote tables behind the Ukraine chapter."""

from __future__ import annotations

import pandas as pd
import pytest

import kzdata

MEMBERS = 193
# The one known gap of the record copies: the copy of ES-11/9 has no column for these two members.
KNOWN_GAPS = {"ES-11/9": {"AFG", "VEN"}}


def _tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    return kzdata.load("unga_votes"), kzdata.load("unga_resolutions").set_index("resolution")


def _members(votes: pd.DataFrame) -> set[str]:
    counts = votes.groupby("resolution")["iso3"].nunique()
    complete = counts[counts == MEMBERS].index
    sets = {frozenset(votes[votes["resolution"] == r]["iso3"]) for r in complete}
    assert len(sets) == 1, "complete resolutions disagree on who the members are"
    return set(next(iter(sets)))


def test_every_resolution_has_every_member_except_known_gaps():
    votes, totals = _tables()
    members = _members(votes)
    assert len(members) == MEMBERS
    for resolution in totals.index:
        present = set(votes[votes["resolution"] == resolution]["iso3"])
        assert members - present == KNOWN_GAPS.get(resolution, set()), resolution
        assert present <= members, resolution


def test_votes_equal_official_totals():
    votes, totals = _tables()
    for resolution in totals.index:
        counted = votes[votes["resolution"] == resolution]["vote"].value_counts()
        for column in ["yes", "no", "abstain"]:
            assert int(counted.get(column, 0)) == int(totals.loc[resolution, column]), (resolution, column)
        missing = len(KNOWN_GAPS.get(resolution, set()))
        non_voting = int(counted.get("non_voting", 0))
        assert non_voting <= int(totals.loc[resolution, "non_voting"]) <= non_voting + missing, resolution


def test_totals_cover_the_whole_membership():
    _, totals = _tables()
    summed = totals[["yes", "no", "abstain", "non_voting"]].sum(axis=1)
    assert (summed == MEMBERS).all(), summed[summed != MEMBERS]


def test_every_vote_is_sourced_to_the_voting_record_of_its_resolution():
    votes, totals = _tables()
    sources = kzdata.load("sources").set_index("source_id")
    assert (votes["source_id"] == votes["resolution"].map(totals["source_id"])).all()
    assert (sources.loc[totals["source_id"], "kind"] == "official-record").all()
    assert sources.loc[totals["source_id"], "url"].str.startswith("https://digitallibrary.un.org/record/").all()


def test_kazakhstan_vote_recorded_on_every_resolution():
    votes, totals = _tables()
    kaz = votes[votes["iso3"] == "KAZ"]
    assert set(kaz["resolution"]) == set(totals.index)


def test_the_disputed_bahamas_cell_keeps_the_record_and_names_the_statement():
    votes, _ = _tables()
    row = votes[(votes["resolution"] == "ES-11/5") & (votes["iso3"] == "BHS")]
    assert len(row) == 1
    assert row["vote"].item() == "no"
    assert "nassauguardian-2022-bahamas-vote" in row["note"].item()
    assert "nassauguardian-2022-bahamas-vote" in set(kzdata.sources_for("unga_votes")["source_id"])


def test_periods_are_selected_by_date():
    """The chapter's periods come from the dates in unga_resolutions; each holds at least one resolution."""
    _, totals = _tables()
    years = totals["date"].dt.year
    for first, last in [(2014, 2014), (2022, 2023), (2025, 2025)]:
        assert ((years >= first) & (years <= last)).any(), (first, last)


@pytest.mark.slow
def test_a_reversed_vote_stops_the_chapter_with_the_statement_named(package_copy):
    """Issue 20: words follow the data. If Kazakhstan had abstained on ES-11/3 (and another state voted
    against instead, so the totals still hold), the chapter's 'voted against one' must not be printed."""
    from nbclient.exceptions import CellExecutionError

    from tests.conftest import run_on_copy
    from tests.run_notebooks import CHAPTERS

    path = package_copy.parent / "unga_votes.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    kaz = (frame["resolution"] == "ES-11/3") & (frame["iso3"] == "KAZ")
    ind = (frame["resolution"] == "ES-11/3") & (frame["iso3"] == "IND")
    assert frame.loc[kaz, "vote"].item() == "no" and frame.loc[ind, "vote"].item() == "abstain"
    frame.loc[kaz, "vote"], frame.loc[ind, "vote"] = "abstain", "no"
    frame.to_csv(path, index=False, lineterminator="\n")
    with pytest.raises(CellExecutionError, match="only vote against"):
        run_on_copy(CHAPTERS / "02_ukraine.ipynb", package_copy)
