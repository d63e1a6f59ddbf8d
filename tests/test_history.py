"""Invariants of the history chapter's tables."""

from __future__ import annotations

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
