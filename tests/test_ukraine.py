"""Invariants of the UN General Assembly vote tables behind the Ukraine chapter."""

from __future__ import annotations

import pandas as pd

import kzdata

MEMBERS = 193


def _complete_resolutions():
    votes = kzdata.load("unga_votes")
    counts = votes.groupby("resolution")["iso3"].nunique()
    return votes, counts[counts == MEMBERS].index.tolist()


def test_some_resolutions_have_every_member():
    _, complete = _complete_resolutions()
    assert {"68/262", "ES-11/1", "ES-11/3"} <= set(complete)


def test_complete_resolutions_list_the_same_members():
    """Two all-member copies from different transcribers must agree on who the members are."""
    votes, complete = _complete_resolutions()
    members = {resolution: frozenset(votes[votes["resolution"] == resolution]["iso3"]) for resolution in complete}
    assert len(set(members.values())) == 1, {r: len(m) for r, m in members.items()}


def test_complete_resolutions_match_official_totals():
    votes, complete = _complete_resolutions()
    totals = kzdata.load("unga_resolutions").set_index("resolution")
    for resolution in complete:
        counted = votes[votes["resolution"] == resolution]["vote"].value_counts()
        for column in ["yes", "no", "abstain", "non_voting"]:
            expected = totals.loc[resolution, column]
            if pd.isna(expected):
                continue
            assert int(counted.get(column, 0)) == int(expected), (resolution, column)


def test_partial_resolutions_never_exceed_totals():
    votes, complete = _complete_resolutions()
    totals = kzdata.load("unga_resolutions").set_index("resolution")
    partial = votes[~votes["resolution"].isin(complete)]
    for (resolution, vote), rows in partial.groupby(["resolution", "vote"]):
        limit = totals.loc[resolution, vote]
        if pd.notna(limit):
            assert len(rows) <= int(limit), (resolution, vote)


def test_kazakhstan_vote_recorded_on_each_2022_2023_resolution():
    votes = kzdata.load("unga_votes")
    kaz = votes[votes["iso3"] == "KAZ"].set_index("resolution")["vote"]
    for resolution in ["ES-11/1", "ES-11/2", "ES-11/3", "ES-11/4", "ES-11/5", "ES-11/6"]:
        assert resolution in kaz.index
