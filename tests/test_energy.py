"""Oil exports by route: one computation (``kzdata.energy``) behind the economics chapter and the verdict."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

import kzdata
from kzdata import verdict
from kzdata.energy import SEGMENTS, SPLIT_SOURCES, route_split, share_crossing_russia
from tests.prose import glued_values

ROOT = Path(__file__).resolve().parent.parent
ECONOMICS = ROOT / "chapters" / "04_economics.ipynb"
VERDICT = ROOT / "chapters" / "06_verdict.ipynb"


def test_2025_share_equals_an_independent_sum_of_the_table_rows():
    """Recomputed from oil_exports directly: the minister's total and his figures by route for 2025."""
    exports = kzdata.load("oil_exports")
    chosen = SPLIT_SOURCES[(2025, 12)]

    def one(route: str) -> float:
        rows = exports[
            (exports["year"] == 2025)
            & (exports["months"] == 12)
            & (exports["route"] == route)
            & (exports["source_id"] == chosen[route])
        ]
        assert len(rows) == 1, route
        return float(rows["volume_mt"].item())

    crossing = one("CPC") + one("Atyrau-Samara") + one("Aktau to Makhachkala")
    avoiding = one("Aktau to Baku") + one("Kazakhstan-China pipeline")
    shares = share_crossing_russia().set_index("year")
    assert shares.loc[2025, "share_pct"] == pytest.approx(crossing / one("Total") * 100, abs=1e-9)
    assert shares.loc[2025, "avoiding_pct"] == pytest.approx(avoiding / one("Total") * 100, abs=1e-9)


def test_annual_shares_use_whole_years_only_and_one_row_per_cell():
    shares = share_crossing_russia()
    assert (shares["months"] == 12).all()
    assert shares["year"].is_unique
    assert 2024 not in set(shares["year"]), "the January-October 2024 split is never an annual share"
    split = route_split()
    assert not split.duplicated(["year", "months", "route"]).any()
    assert set(split["route"]) <= {label for label, _ in SEGMENTS.values()} | {"Not itemised by route"}


def test_verdict_judges_energy_on_the_route_split_not_on_the_reuters_row():
    board = verdict.dashboard().set_index("key")
    shares = share_crossing_russia().set_index("year")
    latest = int(shares.index.max())
    assert int(board.loc["oil_bypass", "latest_year"]) == latest
    assert float(board.loc["oil_bypass", "latest"]) == pytest.approx(shares.loc[latest, "avoiding_pct"], abs=1e-12)


def test_both_chapters_print_the_same_2025_share():
    """The stored notebooks: the economics chapter's glued 2025 shares are the verdict's."""
    economics, judged = (glued_values(nbformat.read(p, as_version=4)) for p in (ECONOMICS, VERDICT))
    assert int(judged["verdict_oil_bypass_latest_year"]) == 2025
    assert economics["economics_russian_routes_share_2025_pct"] == judged["verdict_oil_russia_share_latest"]
    assert economics["economics_russian_routes_share_2022_pct"] == judged["verdict_oil_russia_share_2022"]
    assert economics["economics_avoid_share_2025_pct"] == judged["verdict_oil_bypass_latest"]
    assert economics["economics_avoid_share_2022_pct"] == judged["verdict_oil_bypass_y2022"]
