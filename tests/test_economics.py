"""The economics chapter: invariants of its tables, and prose that follows the data.

The notebook tests execute ``chapters/04_economics.ipynb`` against a throw-away
copy of the data package (``KZDATA_DESCRIPTOR`` points the kernel at it), so a
test can change one number and see what the chapter then says.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import kzdata
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


def _run(descriptor: Path, workdir: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    previous = os.environ.get("KZDATA_DESCRIPTOR")
    os.environ["KZDATA_DESCRIPTOR"] = str(descriptor)
    try:
        NotebookClient(
            notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
        ).execute()
    finally:
        if previous is None:
            os.environ.pop("KZDATA_DESCRIPTOR", None)
        else:
            os.environ["KZDATA_DESCRIPTOR"] = previous
    return notebook


def _edit_csv(descriptor: Path, table: str, edit) -> None:
    path = descriptor.parent / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame)
    frame.to_csv(path, index=False, lineterminator="\n")


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


@pytest.mark.slow
def test_a_reversed_route_split_stops_the_chapter_with_the_statement_named(package_copy: Path, tmp_path: Path):
    """If 2025 exports had left Russia, the chapter may not say 'the picture is the same'."""

    def shrink_cpc_2025(frame: pd.DataFrame) -> None:
        chosen = (frame["year"] == "2025") & (frame["route"] == "CPC") & (frame["source_id"].str.startswith("efe-"))
        assert chosen.sum() == 1
        frame.loc[chosen, "volume_mt"] = "30.0"

    _edit_csv(package_copy, "oil_exports", shrink_cpc_2025)
    with pytest.raises(CellExecutionError, match="three years on the picture is the same"):
        _run(package_copy, tmp_path)


@pytest.mark.slow
def test_a_new_cpc_year_moves_the_record_and_the_weakest_year(package_copy: Path, tmp_path: Path):
    """Years in the CPC section come from the data: a weaker year than 2022 stops the build, naming the section."""

    def weak_2024(frame: pd.DataFrame) -> None:
        chosen = (frame["year"] == "2024") & (frame["source_id"] == "tportal-2026-cpc-2025")
        assert chosen.sum() == 1
        frame.loc[chosen, "total_mt"] = "50.0"

    _edit_csv(package_copy, "cpc_throughput", weak_2024)
    with pytest.raises(CellExecutionError, match="What happened at the CPC in 2022"):
        _run(package_copy, tmp_path)


# Partner shares: one computation for both chapters ---------------------------------------------------------------

CHINA_NOTEBOOK = ROOT / "chapters" / "03_china.ipynb"


def _stored_glue(path: Path) -> dict[str, str]:
    return glued_values(nbformat.read(path, as_version=4))


def test_shares_come_from_the_data_module_not_the_chapter():
    """The chapter calls kzdata.partner_share; it no longer divides trade by a total of its own."""
    code = "\n".join(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code")
    assert "kzdata.partner_share(" in code
    assert "pivot_table" not in code and 'TX.VAL.MRCH.CD.WT", "TM.VAL.MRCH.CD.WT' not in code


def test_stored_shares_equal_the_data_module_and_the_china_chapter():
    """Both chapters print the same share for the same year and series: the Bureau's, over its own world total."""
    economics, china = _stored_glue(NOTEBOOK), _stored_glue(CHINA_NOTEBOOK)
    latest = int(economics["economics_share_latest_year"])
    assert latest == int(china["china_trade_latest_year"])
    assert economics["economics_china_share_latest_pct"] == china["china_share_latest_pct"]
    assert economics["economics_russia_share_latest_pct"] == china["china_russia_share_latest_pct"]
    for code, key in (("EUU", "eu"), ("CHN", "china"), ("RUS", "russia")):
        share = kzdata.partner_share(code, reporter="KAZ", series="BNS").set_index("year")["share_pct"]
        assert float(economics[f"economics_{key}_share_2022_pct"]) == pytest.approx(share[2022], abs=1e-12)
        assert float(economics[f"economics_{key}_share_latest_pct"]) == pytest.approx(share[latest], abs=1e-12)


@pytest.mark.slow
def test_a_partner_larger_than_the_eu_stops_the_chapter_with_the_statement_named(package_copy: Path, tmp_path: Path):
    """If China's trade overtook the EU's in one year, the chapter may not call the EU the largest partner."""

    def china_imports_up(frame: pd.DataFrame) -> None:
        chosen = (
            (frame["year"] == "2021")
            & (frame["partner_iso3"] == "CHN")
            & (frame["flow"] == "imports")
            & (frame["series"] == "BNS")
        )
        assert chosen.sum() == 1
        frame.loc[chosen, "value_usd_bn"] = "40.0"

    _edit_csv(package_copy, "bilateral_trade", china_imports_up)
    with pytest.raises(CellExecutionError, match="largest partner in every year of the series"):
        _run(package_copy, tmp_path)


@pytest.mark.slow
def test_exports_to_russia_peaking_last_stops_the_re_export_paragraph(package_copy: Path, tmp_path: Path):
    """The re-export paragraph says exports to Russia rose to a peak and fell back; a record last year stops it."""

    def russia_exports_up(frame: pd.DataFrame) -> None:
        chosen = (
            (frame["year"] == "2025")
            & (frame["partner_iso3"] == "RUS")
            & (frame["flow"] == "exports")
            & (frame["series"] == "BNS")
        )
        assert chosen.sum() == 1
        frame.loc[chosen, "value_usd_bn"] = "12.0"

    _edit_csv(package_copy, "bilateral_trade", russia_exports_up)
    with pytest.raises(CellExecutionError, match="rose to' a peak and then 'fell back"):
        _run(package_copy, tmp_path)
