"""Invariants of the history chapter's tables."""

from __future__ import annotations

import kzdata


def test_membership_end_dates_follow_their_precision_and_start_dates():
    frame = kzdata.load("memberships")
    ended = frame[frame["left"].notna()]
    assert ended["left_precision"].notna().all()
    by_year = ended[ended["left_precision"] == "year"]
    assert ((by_year["left"].dt.month == 1) & (by_year["left"].dt.day == 1)).all()
    started = ended[ended["joined"].notna()]
    assert (started["left"] >= started["joined"]).all()


def test_every_membership_date_has_a_precision_and_only_then():
    frame = kzdata.load("memberships")
    assert (frame["joined"].notna() == frame["joined_precision"].notna()).all()
    assert (frame["left"].notna() == frame["left_precision"].notna()).all()


def test_estimate_ranges_are_ordered():
    frame = kzdata.load("history_estimates")
    ranged = frame[frame["value_high"].notna()]
    assert (ranged["value_low"] <= ranged["value_high"]).all()


def test_history_events_are_enough_and_sourced():
    events = kzdata.load("events")
    history = events[events["theme"] == "history"]
    assert len(history) >= 30
    assert history["source_id"].isin(kzdata.load("sources")["source_id"]).all()
