"""Kazakhstan's oil exports by route, and the share that crosses Russia: one computation for every chapter.

The economics chapter draws the split of exports by route and the verdict chapter judges energy on
it, so the split is built here once, from documents named per year and route, and both chapters read it.

**Which document, and why** (:data:`SPLIT_SOURCES`). Each bar is a year and the months it covers; each
route in it is read from exactly one document:

- *2022*: no official split was published. The total is Reuters' count from industry sources; the
  CPC figure is the consortium's own, relayed by Reuters; Atyrau-Samara is the only figure found, a
  rounded one from a Lee Kuan Yew School commentary (the weakest cell of the split); the Aktau port and
  its Baku leg are KazTransOil's (Makhachkala is the rest of the port's loadings); the China pipeline is
  KazMunayGas's annual report.
- *2023*: the energy minister's total and CPC figure; KazTransOil's two Aktau legs; KazMunayGas for
  China. No Atyrau-Samara figure for the year, so part of the total stays "not itemised by route".
- *2024*: only the energy ministry's January-October split exists; it is drawn as a part-year bar and
  never used for an annual share.
- *2025*: the energy minister's total and CPC figure, and his figures by route as reported by two agencies.

**Which routes cross Russia** (:data:`SEGMENTS`): the CPC (to Novorossiysk), Atyrau-Samara (into
Transneft's system, including the Druzhba flow to Germany) and the Aktau tanker leg to Makhachkala
cross Russian territory; the Aktau leg to Baku (for the BTC pipeline) and the China pipeline do not.

**Shares** (:func:`share_crossing_russia`) are over the bar's total, including any part not itemised
by route, and only for bars that cover a whole year.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kzdata._package import load

REUTERS, LKY = "reuters-bypass-exports-2023", "lkyspp-oil-exports-2022"
KMG, KTO = "kmg-2025-midstream", "menafn-2024-kaztransoil-aktau-baku"
MINISTER_2023, MINISTRY_10M = "trend-2024-satkaliyev-exports-2023", "trend-2024-oil-transport-10m"
MINISTER_2025 = "efe-2026-kazakhstan-exports-2025"
ROUTES_2025, SAMARA_2025 = "dayaz-2026-akkenzhenov-routes", "kazinform-2026-akkenzhenov-routes"

#: For each bar (year, months covered), the document each route's figure is read from.
SPLIT_SOURCES: dict[tuple[int, int], dict[str, str]] = {
    (2022, 12): {
        "Total": REUTERS,
        "CPC": "reuters-cpc-shipments-2022",
        "Atyrau-Samara": LKY,
        "Aktau port": KTO,
        "Aktau to Baku": KTO,
        "Kazakhstan-China pipeline": KMG,
    },
    (2023, 12): {
        "Total": MINISTER_2023,
        "CPC": MINISTER_2023,
        "Aktau to Baku": KTO,
        "Aktau to Makhachkala": KTO,
        "Kazakhstan-China pipeline": KMG,
    },
    (2024, 10): {
        "CPC": MINISTRY_10M,
        "Atyrau-Samara": MINISTRY_10M,
        "Aktau to Baku": MINISTRY_10M,
        "Aktau to Makhachkala": MINISTRY_10M,
        "Kazakhstan-China pipeline": MINISTRY_10M,
    },
    (2025, 12): {
        "Total": MINISTER_2025,
        "CPC": MINISTER_2025,
        "Atyrau-Samara": SAMARA_2025,
        "Aktau to Baku": ROUTES_2025,
        "Aktau to Makhachkala": ROUTES_2025,
        "Kazakhstan-China pipeline": ROUTES_2025,
    },
}

#: Route in ``oil_exports`` -> (label in the split, whether the route crosses Russian territory).
SEGMENTS: dict[str, tuple[str, bool]] = {
    "CPC": ("CPC to Novorossiysk", True),
    "Atyrau-Samara": ("Atyrau–Samara", True),
    "Aktau to Makhachkala": ("Aktau to Makhachkala", True),
    "Aktau to Baku": ("Aktau to Baku (BTC)", False),
    "Kazakhstan-China pipeline": ("China pipeline", False),
}

NOT_ITEMISED = "Not itemised by route"


def export_volume(exports: pd.DataFrame, year: int, route: str, source_id: str, months: int = 12) -> float:
    """One figure of ``oil_exports``, selected by year, route, months covered and document; exactly one row."""
    row = exports[
        (exports["year"] == year)
        & (exports["route"] == route)
        & (exports["months"] == months)
        & (exports["source_id"] == source_id)
    ]
    assert len(row) == 1, f"oil_exports: {len(row)} rows for {year}, {route}, {months} months, {source_id}"
    return float(row["volume_mt"].item())


def route_split(package: Path | None = None) -> pd.DataFrame:
    """One row per bar and route: year, months, route, crosses_russia, volume_mt, source_id.

    Where a bar has a total, the part the routes do not account for is a row "Not itemised by route"
    (``crosses_russia`` missing); the routes may never add up to more than the total.
    """
    exports = load("oil_exports", package=package)
    records = []
    for (year, months), chosen in SPLIT_SOURCES.items():
        volumes = {route: export_volume(exports, year, route, source, months) for route, source in chosen.items()}
        if "Aktau to Makhachkala" not in volumes and "Aktau port" in volumes:
            # The port's two legs: what did not go to Baku went to Makhachkala.
            volumes["Aktau to Makhachkala"] = volumes["Aktau port"] - volumes["Aktau to Baku"]
            chosen = chosen | {"Aktau to Makhachkala": chosen["Aktau port"]}
        for route, (label, crosses) in SEGMENTS.items():
            if route in volumes:
                records.append((year, months, label, crosses, volumes[route], chosen[route]))
        if "Total" in volumes:
            itemised = sum(volumes[route] for route in SEGMENTS if route in volumes)
            rest = volumes["Total"] - itemised
            assert rest >= 0, f"{year}: the routes add up to more than the total ({itemised:.2f} > {volumes['Total']})"
            records.append((year, months, NOT_ITEMISED, pd.NA, rest, chosen["Total"]))
    return pd.DataFrame(
        records, columns=["year", "months", "route", "crosses_russia", "volume_mt", "source_id"]
    ).astype({"crosses_russia": "boolean"})


def share_crossing_russia(package: Path | None = None) -> pd.DataFrame:
    """Per whole year of the split: the share of exports on routes crossing Russia, and on routes avoiding it.

    Columns: year, months, total_mt, share_pct (crossing Russia), avoiding_pct (identified routes avoiding
    Russia), not_itemised_pct, source_ids ("; "-joined documents of the year's bar). Both shares are over
    the year's total, so where part of it is not itemised (2023) ``share_pct`` is a lower bound.
    """
    split = route_split(package)
    out = []
    for (year, months), rows in split[split["months"] == 12].groupby(["year", "months"]):
        total = float(rows["volume_mt"].sum())
        crosses = rows["crosses_russia"]
        crossing = float(rows.loc[crosses.fillna(False), "volume_mt"].sum())
        avoiding = float(rows.loc[(~crosses).fillna(False), "volume_mt"].sum())
        rest = float(rows.loc[crosses.isna(), "volume_mt"].sum())
        out.append(
            {
                "year": int(year),
                "months": int(months),
                "total_mt": total,
                "share_pct": crossing / total * 100,
                "avoiding_pct": avoiding / total * 100,
                "not_itemised_pct": rest / total * 100,
                "source_ids": "; ".join(dict.fromkeys(rows["source_id"])),
            }
        )
    return pd.DataFrame(out)
