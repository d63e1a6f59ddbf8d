"""The economics chapter: invariants of its tables, and prose that follows the data.

The notebook tests execute ``chapters/04_economics.ipynb`` against a throw-away
copy of the data package (``KZDATA_DESCRIPTOR`` points the kernel at it), so a
test can change one number and see what the chapter then says.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

import kzdata
from tests.conftest import reversal_stops_the_chapter
from tests.prose import glued_values

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "chapters" / "04_economics.ipynb"


# Tables ---------------------------------------------------------------------------------------------------------


def test_part_year_export_figures_are_never_totals():
    """A January-October figure is not an annual total; the chapter compares totals only across whole years."""
    exports = kzdata.load("oil_exports")
    part = exports[exports["months"] < 12]
    assert len(part) > 0
    assert not (part["route"] == "Total").any()


def test_aktau_legs_never_exceed_the_port():
    exports = kzdata.load("oil_exports")
    legs = exports[exports["route"].isin(["Aktau to Baku", "Aktau to Makhachkala"])]
    port = exports[exports["route"] == "Aktau port"]
    for (year, months, source), rows in legs.groupby(["year", "months", "source_id"]):
        same = port[(port["year"] == year) & (port["months"] == months) & (port["source_id"] == source)]
        if len(same) == 1:
            assert rows["volume_mt"].sum() <= float(same["volume_mt"].item()) + 0.05, (year, source)


def test_kazakh_cpc_oil_never_exceeds_the_total_of_the_same_row():
    cpc = kzdata.load("cpc_throughput")
    both = cpc.dropna(subset=["total_mt", "kazakh_mt"])
    assert len(both) > 0
    assert (both["kazakh_mt"] <= both["total_mt"]).all()


def test_economics_events_reach_the_latest_years():
    events = kzdata.load("events")
    economics = events[events["theme"] == "economics"]
    assert economics["date"].dt.year.max() >= 2026
    assert {2024, 2025} <= set(economics["date"].dt.year)


# The notebook against edited data ----------------------------------------------------------------------------


def test_stored_notebook_keeps_every_source_of_the_cpc_year():
    """The 2022 events table shows both documents for 6 July 2022 (it used to drop the second one)."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    events = kzdata.load("events")
    economics = events[events["theme"] == "economics"]
    shown = ""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            html = "".join(output.get("data", {}).get("text/html", ""))
            if "economics-cpc-events" in html:
                shown = html
    assert shown, "the CPC events table is missing from the stored notebook"
    year = 2022
    expected = economics[economics["date"].dt.year == year]
    assert len(re.findall(r"<tr[ >]", shown)) - 1 == len(expected)  # one header row
    for source in expected["source_id"]:
        assert source in shown


# Partner shares: one computation for both chapters ---------------------------------------------------------------

CHINA_NOTEBOOK = ROOT / "chapters" / "03_china.ipynb"


def test_shares_come_from_the_data_module_not_the_chapter():
    """The chapter calls kzdata.partner_share; it no longer divides trade by a total of its own."""
    code = "\n".join(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code")
    assert "kzdata.partner_share(" in code
    assert "pivot_table" not in code and 'TX.VAL.MRCH.CD.WT", "TM.VAL.MRCH.CD.WT' not in code


def test_stored_shares_equal_the_data_module_and_the_china_chapter():
    """Both chapters print the same share for the same year and series: the Bureau's, over its own world total."""
    economics, china = (glued_values(nbformat.read(p, as_version=4)) for p in (NOTEBOOK, CHINA_NOTEBOOK))
    latest = int(economics["economics_share_latest_year"])
    assert latest == int(china["china_trade_latest_year"])
    assert economics["economics_china_share_latest_pct"] == china["china_share_latest_pct"]
    assert economics["economics_russia_share_latest_pct"] == china["china_russia_share_latest_pct"]
    for code, key in (("EUU", "eu"), ("CHN", "china"), ("RUS", "russia")):
        share = kzdata.partner_share(code, reporter="KAZ", series="BNS").set_index("year")["share_pct"]
        assert float(economics[f"economics_{key}_share_2022_pct"]) == pytest.approx(share[2022], abs=1e-12)
        assert float(economics[f"economics_{key}_share_latest_pct"]) == pytest.approx(share[latest], abs=1e-12)


#: Edits that reverse one comparison the chapter states, and the statement its guard must name: (table, the one
#: row, new values by column, words of the failing statement). Each starts from a row the chapter's sentence rests on.
REVERSALS = {
    "2025 exports leave the CPC": (
        "oil_exports",
        {"year": "2025", "route": "CPC", "source_id": "efe-2026-kazakhstan-exports-2025"},
        {"volume_mt": "30.0"},
        "three years on the picture is the same",
    ),
    "a CPC year weaker than 2022": (
        "cpc_throughput",
        {"year": "2024", "source_id": "tportal-2026-cpc-2025"},
        {"total_mt": "50.0"},
        "What happened at the CPC in 2022",
    ),
    "China larger than the EU in 2021": (
        "bilateral_trade",
        {"year": "2021", "partner_iso3": "CHN", "flow": "imports", "series": "BNS"},
        {"value_usd_bn": "40.0"},
        "largest partner in every year of the series",
    ),
    "exports to Russia peak in 2025": (
        "bilateral_trade",
        {"year": "2025", "partner_iso3": "RUS", "flow": "exports", "series": "BNS"},
        {"value_usd_bn": "12.0"},
        "rose to' a peak and then 'fell back",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(REVERSALS))
def test_a_reversed_comparison_stops_the_chapter_with_the_statement_named(case: str, package_copy: Path):
    """Words follow the data: with one comparison reversed in a copy, the chapter stops and names the sentence."""
    reversal_stops_the_chapter(NOTEBOOK, package_copy, *REVERSALS[case])
