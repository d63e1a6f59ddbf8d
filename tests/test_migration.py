"""Invariants of the migration chapter's tables."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient.exceptions import CellExecutionError

import kzdata
from tests.conftest import run_on_copy
from tests.prose import glued_values

CHAPTER = Path(__file__).resolve().parent.parent / "chapters" / "05_migration.ipynb"


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
    same_span = (counts["min"] == counts["min"].iloc[0]) & (counts["max"] == counts["max"].iloc[0])
    assert same_span.all(), "countries cover different years"
    assert (counts["count"] == counts["max"] - counts["min"] + 1).all(), "a country has a gap in its years"


def test_migrant_stock_pairs_always_involve_kazakhstan():
    stock = kzdata.load("migrant_stock")
    assert ((stock["origin_iso3"] == "KAZ") ^ (stock["destination_iso3"] == "KAZ")).all()


def test_register_splits_add_up_to_the_totals_and_years_are_complete():
    register = kzdata.load("long_term_migration")
    totals = register[register["partner_group"] == "total"].set_index(["year", "flow"])["persons"]
    parts = register[register["partner_group"] != "total"].groupby(["year", "flow"])["persons"].sum()
    assert len(parts) > 0
    assert (totals.loc[parts.index] == parts).all(), "CIS and non-CIS rows do not add up to the total"
    years = sorted(register["year"].unique())
    assert years == list(range(years[0], years[-1] + 1)), "the register has a gap in its years"
    assert (register[register["partner_group"] == "total"].groupby("year")["flow"].nunique() == 2).all()


def test_foreign_born_totals_come_from_the_later_edition_only():
    stock = kzdata.load("migrant_stock")
    totals = stock[stock["origin_iso3"] == "WLD"]
    assert len(totals) > 0 and (totals["destination_iso3"] == "KAZ").all()
    assert (totals["source_id"] == "un-desa-2020-migrant-stock").all()


def _stored(key: str) -> str:
    return glued_values(nbformat.read(CHAPTER, as_version=4))[key]


@pytest.mark.slow
def test_first_year_of_outflow_follows_the_data(package_copy):
    """Issue 20: the glued first year of the Soviet-era outflow was 1979 whatever the data said."""
    path = package_copy.parent / "net_migration.csv"
    net = pd.read_csv(path)
    stored = int(_stored("migration_kaz_first_outflow_year"))
    # Turn the first three years of the outflow into gains: the outflow must now start three years later.
    moved = net["iso3"].eq("KAZ") & net["year"].between(stored, stored + 2)
    net.loc[moved, "net_migrants"] = net.loc[moved, "net_migrants"].abs()
    net.to_csv(path, index=False, lineterminator="\n")
    book_figures = {path.name: path.read_bytes() for path in (CHAPTER.parent / "figure-data").glob("*.csv")}
    glued = glued_values(run_on_copy(CHAPTER, package_copy))
    assert int(glued["migration_kaz_first_outflow_year"]) == stored + 3
    assert int(glued["migration_kaz_last_soviet_gain_year"]) == stored + 2
    # The run on edited data wrote its figure data beside the copy, never over the book's own.
    assert (package_copy.parent.parent / "figure-data" / "fig-migration-net.csv").is_file()
    assert {path.name: path.read_bytes() for path in (CHAPTER.parent / "figure-data").glob("*.csv")} == book_figures


@pytest.mark.slow
def test_reversed_register_direction_stops_the_chapter(package_copy):
    """The text says the UN estimate and the register point in opposite directions for 2022; make them agree."""
    path = package_copy.parent / "long_term_migration.csv"
    register = pd.read_csv(path)
    row = register["year"].eq(2022) & register["flow"].eq("departures")
    assert row.sum() == 3  # total, CIS, non-CIS
    register.loc[row, "persons"] = register.loc[row, "persons"] // 4
    register.to_csv(path, index=False, lineterminator="\n")
    with pytest.raises(CellExecutionError, match="opposite directions for 2022"):
        run_on_copy(CHAPTER, package_copy)
