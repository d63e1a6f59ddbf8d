"""bilateral_trade covers the series it promises, and partner shares are computed one way only."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

import kzdata
from kzdata import _package
from kzdata.trade import SERIES_ORDER

IMF = "IMF DOTS"
# The IMF country workbooks run to 2020; Kazakhstan's trade with Russia is in them from 1994 (Russia's
# and Kazakhstan's workbooks alike), trade with China and the world from 1992.
IMF_YEARS = range(1994, 2021)


@pytest.fixture(scope="module")
def trade() -> pd.DataFrame:
    return kzdata.load("bilateral_trade")


def flows_of(trade: pd.DataFrame, partner: str, reporter: str, series: str) -> dict[int, set[str]]:
    rows = trade[(trade["partner_iso3"] == partner) & (trade["reported_by"] == reporter) & (trade["series"] == series)]
    return {int(year): set(group["flow"]) for year, group in rows.groupby("year")}


@pytest.mark.parametrize(
    ("partner", "reporter"),
    [("CHN", "KAZ"), ("RUS", "KAZ"), ("WLD", "KAZ"), ("CHN", "CHN"), ("RUS", "RUS")],
)
def test_every_imf_year_is_present_for_each_reporter(trade, partner, reporter):
    """Kazakhstan, China and Russia as reporters: exports and imports in every IMF year."""
    have = flows_of(trade, partner, reporter, IMF)
    missing = [year for year in IMF_YEARS if not {"exports", "imports"} <= have.get(year, set())]
    assert not missing, f"{partner} reported by {reporter}: no IMF DOTS exports and imports for {missing}"


def test_bns_covers_2018_to_2025_for_the_main_partners(trade):
    for partner in ("WLD", "EUU", "CHN", "RUS"):
        have = flows_of(trade, partner, "KAZ", "BNS")
        assert all({"exports", "imports"} <= have.get(year, set()) for year in range(2018, 2026)), partner


def test_russian_customs_run_to_2021(trade):
    have = flows_of(trade, "RUS", "RUS", "FTS")
    assert max(have) == 2021 and {"exports", "imports"} <= have[2021]


def test_statements_only_where_no_statistical_series_covers_the_year(trade):
    """A leader's spoken figure stays only for a year its reporter has no statistical series for."""
    statements = trade[trade["series"] == "statement"]
    statistical = trade[trade["series"] != "statement"]
    for row in statements.itertuples():
        covered = statistical[
            (statistical["year"] == row.year)
            & (statistical["partner_iso3"] == row.partner_iso3)
            & (statistical["reported_by"] == row.reported_by)
        ]
        assert covered.empty, f"statement {row.source_id} for {row.year} duplicates {sorted(set(covered['series']))}"


def test_bns_world_totals_agree_with_the_world_bank(trade):
    """BNS world totals against WDI merchandise exports and imports (macro_indicators).

    The WDI series is the WTO's compilation of Kazakhstan's trade, not the Bureau's final edition; the two
    differ by under 2.5% in 2021-2025 for each flow, but by up to about 5% for imports in 2018-2020 (the
    IMF's early-2022 vintage also lies below the Bureau there). The chapters take world totals from the
    same series as the partner figure (kzdata.trade), so these differences never enter a share; the test
    bounds them so that a unit or row error (a factor of 1,000, a partner row read as the total) fails.
    """
    bns = trade[(trade["series"] == "BNS") & (trade["partner_iso3"] == "WLD")].pivot(
        index="year", columns="flow", values="value_usd_bn"
    )
    macro = kzdata.load("macro_indicators")
    wdi = macro[macro["indicator"].isin(["TX.VAL.MRCH.CD.WT", "TM.VAL.MRCH.CD.WT"])].pivot(
        index="year", columns="indicator", values="value"
    )
    wdi = wdi.rename(columns={"TX.VAL.MRCH.CD.WT": "exports", "TM.VAL.MRCH.CD.WT": "imports"}) / 1e9
    years = sorted(set(bns.index) & set(wdi.index))
    assert years == list(range(2018, 2026))
    for year in years:
        tolerance = 2.5 if year >= 2021 else 6.0
        for flow in ("exports", "imports"):
            difference = abs(bns.loc[year, flow] / wdi.loc[year, flow] - 1) * 100
            assert difference <= tolerance, f"{year} {flow}: BNS and WDI differ by {difference:.2f}%"
        total = abs(bns.loc[year].sum() / wdi.loc[year].sum() - 1) * 100
        assert total <= 3.5, f"{year} turnover: BNS and WDI differ by {total:.2f}%"


def test_partner_share_is_exports_plus_imports_over_the_same_series_world(trade):
    """China's 2022 share, recomputed from the rows by hand: BNS exports plus imports over BNS world."""
    share = kzdata.partner_share("CHN")
    row = share[share["year"] == 2022]
    assert len(row) == 1
    bns = trade[(trade["year"] == 2022) & (trade["series"] == "BNS") & (trade["reported_by"] == "KAZ")]
    china = bns[bns["partner_iso3"] == "CHN"]["value_usd_bn"].sum()
    world = bns[bns["partner_iso3"] == "WLD"]["value_usd_bn"].sum()
    assert row["series"].item() == "BNS"
    assert row["share_pct"].item() == pytest.approx(china / world * 100)
    assert list(share.columns) == [
        "year",
        "partner_iso3",
        "reporter",
        "series",
        "value_usd_bn",
        "world_usd_bn",
        "share_pct",
    ]
    assert share["year"].is_unique and share["year"].is_monotonic_increasing


def test_partner_share_prefers_the_national_series_and_obeys_a_named_one():
    default = kzdata.partner_share("CHN").set_index("year")["series"]
    assert default[2019] == "BNS" and default[2017] == IMF
    named = kzdata.partner_share("CHN", series=IMF)
    assert set(named["series"]) == {IMF} and named["year"].max() == 2020
    mirror = kzdata.partner_share("CHN", reporter="CHN").set_index("year")["series"]
    assert mirror[2020] == IMF and mirror[2021] == "GACC"
    assert SERIES_ORDER.index("BNS") < SERIES_ORDER.index(IMF) < SERIES_ORDER.index("statement")


def test_partner_share_refuses_a_reporter_that_cannot_report_the_pair():
    with pytest.raises(ValueError, match="reporter"):
        kzdata.partner_share("CHN", reporter="RUS")
    with pytest.raises(ValueError, match="series"):
        kzdata.partner_share("CHN", series="WITS")


def test_partner_share_refuses_duplicate_rows(package_copy, monkeypatch):
    """Two rows for one year, flow, reporter and series must fail, not be resolved by taking the first."""
    path = package_copy.parent / "bilateral_trade.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    copy = next(
        dict(row)
        for row in rows
        if row["year"] == "2022"
        and row["partner_iso3"] == "CHN"
        and row["series"] == "BNS"
        and row["flow"] == "exports"
    )
    copy["source_id"] = "bns-nd-trade-by-partner-2024-2025"
    copy["value_usd_bn"] = "99"
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=fields, lineterminator="\n").writerow(copy)
    monkeypatch.setattr(_package, "DEFAULT_DESCRIPTOR", package_copy)
    with pytest.raises(ValueError, match="duplicate"):
        kzdata.partner_share("CHN")


def test_mirror_gap_sets_each_reporters_figure_side_by_side():
    gap = kzdata.mirror_gap("CHN", series=IMF)
    turnover = gap[gap["flow"] == "turnover"].set_index("year")
    assert list(turnover.index) == list(range(1992, 2021))
    kaz = kzdata.partner_share("CHN", series=IMF).set_index("year")["value_usd_bn"]
    chn = kzdata.partner_share("CHN", reporter="CHN", series=IMF).set_index("year")["value_usd_bn"]
    assert turnover["gap_usd_bn"].to_numpy() == pytest.approx((chn - kaz).to_numpy())
