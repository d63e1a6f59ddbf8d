"""Invariants of the migration chapter's tables."""

from __future__ import annotations

import pandas as pd

import kzdata


def test_exits_never_exceed_entries_over_the_same_running_total():
    arrivals = kzdata.load("mobilisation_arrivals")
    running = arrivals[arrivals["as_of"] > arrivals["cumulative_since"]]
    wide = running.pivot_table(index=["as_of", "cumulative_since"], columns="measure", values="value", aggfunc="first")
    both = wide.dropna(subset=["entries", "exits"])
    assert len(both) >= 3
    assert (both["exits"] <= both["entries"]).all()


def test_remaining_estimates_are_below_the_entries_they_come_from():
    arrivals = kzdata.load("mobilisation_arrivals")
    keyed = arrivals.set_index(["as_of", "cumulative_since", "measure"])["value"]
    remaining = arrivals[arrivals["measure"] == "remaining_estimate"]
    assert len(remaining) > 0
    for row in remaining.itertuples(index=False):
        assert row.value < keyed[(row.as_of, row.cumulative_since, "entries")]


def test_periods_run_forward():
    arrivals = kzdata.load("mobilisation_arrivals")
    assert (arrivals["cumulative_since"] <= arrivals["as_of"]).all()
    destinations = kzdata.load("destinations_2022")
    dated = destinations[~destinations["period"].str.startswith("P")]
    starts = pd.to_datetime(dated["period"].str.split("/").str[0])
    ends = pd.to_datetime(dated["period"].str.split("/").str[1])
    assert (starts <= ends).all()


def test_running_totals_since_the_order_only_grow():
    arrivals = kzdata.load("mobilisation_arrivals")
    since_order = arrivals[
        (arrivals["cumulative_since"] == pd.Timestamp("2022-09-21")) & arrivals["measure"].isin(["entries", "exits"])
    ]
    for _, rows in since_order.groupby("measure"):
        values = rows.sort_values("as_of")["value"]
        assert values.is_monotonic_increasing


def test_net_migration_covers_every_year_for_every_country():
    net = kzdata.load("net_migration")
    counts = net.groupby("iso3")["year"].agg(["min", "max", "count"])
    assert (counts["min"] == 1950).all() and (counts["max"] == 2023).all() and (counts["count"] == 74).all()


def test_migrant_stock_pairs_always_involve_kazakhstan():
    stock = kzdata.load("migrant_stock")
    assert ((stock["origin_iso3"] == "KAZ") ^ (stock["destination_iso3"] == "KAZ")).all()
