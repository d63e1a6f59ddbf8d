"""The verdict rule: unit tests on small frames, and a data edit that must change the judgement's words."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

import kzdata
from kzdata import verdict
from kzdata.verdict import (
    ANCHORED,
    BOTH_CLOSER,
    DIVERSIFYING,
    LOOSENING,
    NO_CHANGE,
    TOWARDS_CHINA,
    TOWARDS_RUSSIA,
    direction,
    judge,
    points,
)


def rows(*specs: tuple[str, str, str, str, float | None]) -> pd.DataFrame:
    """Dashboard rows from (key, toward, direction, source_ids, best_grade[, pair, latest])."""
    out = []
    for spec in specs:
        key, toward, moved, sources, grade, *rest = spec
        pair, latest = (rest + ["", None])[:2] if rest else ("", None)
        out.append(
            {
                "key": key,
                "toward": toward,
                "direction": moved,
                "source_ids": sources,
                "best_grade": grade,
                "pair": pair,
                "latest": latest,
            }
        )
    return pd.DataFrame(out)


# ---------------------------------------------------------------- direction: thresholds


@pytest.mark.parametrize(
    ("start", "end", "share", "expected"),
    [
        (20.0, 22.0, True, "up"),  # exactly the threshold in points counts
        (20.0, 21.9, True, "flat"),
        (20.0, 17.5, True, "down"),
        (10.0, 11.0, False, "up"),  # exactly ten per cent counts
        (10.0, 10.9, False, "flat"),
        (10.0, 8.0, False, "down"),
        (0.0, 0.0, False, "flat"),
        (None, 5.0, True, "n/a"),
        (5.0, None, False, "n/a"),
    ],
)
def test_direction_applies_the_stated_thresholds(start, end, share, expected):
    assert direction(start, end, share) == expected


def test_points_prefer_the_latest_baseline_year_and_the_latest_later_year():
    series = pd.DataFrame(
        {"year": [2014, 2019, 2021, 2022, 2023, 2025], "value": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "source_id": "s"}
    )
    found = points(series)
    assert (found["baseline_year"], found["baseline"]) == (2021, 3.0)
    assert found["y2022"] == 4.0
    assert (found["latest_year"], found["latest"]) == (2025, 6.0)


def test_points_fall_back_to_an_earlier_year_when_2019_to_2021_are_missing():
    series = pd.DataFrame({"year": [2014, 2022], "value": [0.0, 50.0], "source_id": "s"})
    found = points(series)
    assert found["baseline_year"] == 2014 and found["latest_year"] == 2022


# ---------------------------------------------------------------- judgement and confidence


def test_china_up_and_russia_down_is_a_move_towards_china_with_high_confidence_from_three_strong_sources():
    result = judge(rows(("a", "CHN", "up", "s1", 1), ("b", "RUS", "down", "s2", 2), ("c", "CHN", "up", "s3", 1)))
    assert result["judgement"] == TOWARDS_CHINA
    assert result["confidence"] == "high"


def test_a_conflicting_indicator_lowers_confidence():
    result = judge(
        rows(
            ("a", "CHN", "up", "s1", 1),
            ("b", "RUS", "down", "s2", 1),
            ("c", "RUS", "up", "s3", 1),
            ("d", "CHN", "up", "s4", 1),
        )
    )
    assert result["judgement"] == TOWARDS_CHINA  # China +2, Russia 0
    assert result["confidence"] == "medium"
    assert result["conflicting"] == ["c"]


def test_one_weak_source_gives_low_confidence():
    result = judge(rows(("a", "RUS", "up", "s1", 7)))
    assert result["judgement"] == TOWARDS_RUSSIA
    assert result["confidence"] == "low"


def test_russia_down_without_china_up_is_diversifying():
    result = judge(rows(("a", "RUS", "down", "s1", 1), ("b", "CHN", "flat", "s1", 1), ("c", "THIRD", "up", "s1", 1)))
    assert result["judgement"] == DIVERSIFYING
    assert result["confidence"] == "medium"  # one strong source, nothing conflicting


def test_russia_down_alone_is_loosening_from_russia():
    result = judge(rows(("a", "RUS", "down", "s1", 1), ("b", "CHN", "flat", "s2", 1), ("c", "THIRD", "flat", "s3", 1)))
    assert result["judgement"] == LOOSENING
    assert result["carrying"] == ["a"]


def test_both_up_is_closer_to_both():
    assert judge(rows(("a", "RUS", "up", "s1", 1), ("b", "CHN", "up", "s2", 1)))["judgement"] == BOTH_CLOSER


def test_nothing_moving_is_anchored_when_russia_leads_and_no_change_otherwise():
    led_by_russia = rows(("a", "RUS", "flat", "s1", 1, "p", 60.0), ("b", "CHN", "flat", "s2", 1, "p", 10.0))
    led_by_china = rows(("a", "RUS", "flat", "s1", 1, "p", 10.0), ("b", "CHN", "flat", "s2", 1, "p", 60.0))
    assert judge(led_by_russia)["judgement"] == ANCHORED
    assert judge(led_by_china)["judgement"] == NO_CHANGE


def test_joint_and_missing_indicators_do_not_vote():
    result = judge(rows(("a", "BOTH", "up", "s1", 1), ("b", "CHN", "n/a", "s2", 1), ("c", "RUS", "flat", "s3", 1)))
    assert result["judgement"] == NO_CHANGE
    assert result["no_data"] == ["b"]
    assert result["together"] == ["a"]


# ---------------------------------------------------------------- the dashboard on the real data


def test_dashboard_has_at_least_twelve_indicators_across_the_seven_domains():
    board = verdict.dashboard()
    assert len(board) >= 12
    assert set(verdict.DOMAINS) <= set(board["domain"])
    assert board["key"].is_unique


def test_every_indicator_with_a_value_names_its_sources_and_their_kind():
    board = verdict.dashboard()
    # A count of zero memberships rests on the absence of rows, not on a document.
    valued = board[board["latest"].notna() & ~((board["unit"] == "organisations") & (board["latest"] == 0))]
    assert (valued["n_sources"] > 0).all(), valued.loc[valued["n_sources"] == 0, "key"].tolist()
    assert valued["best_grade"].notna().all()


def test_every_domain_gets_a_judgement_with_a_confidence():
    table = verdict.judgements()
    assert list(table["domain"]) == [d for d in verdict.DOMAINS if d in set(table["domain"])]
    assert set(table["confidence"]) <= {"high", "medium", "low"}
    assert table["sentence"].str.len().gt(0).all()


# ---------------------------------------------------------------- a data edit reverses the words


def _edit_arms(package: Path, supplier: str, year: int, tiv: float) -> None:
    """Set one supplier-year of arms deliveries in the copy (adding the row if needed)."""
    path = package.parent / "arms_imports.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    names = {"CHN": "China", "RUS": "Russia"}
    for row in table:
        if row["supplier_iso3"] == supplier and int(row["year"]) == year:
            row["tiv_mn"] = str(tiv)
            break
    else:
        table.append(
            {
                "year": str(year),
                "supplier_iso3": supplier,
                "supplier": names[supplier],
                "tiv_mn": str(tiv),
                "deals": "1",
                "source_id": "sipri-2025-arms-transfers",
            }
        )
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)


def test_flipping_one_indicator_in_a_copy_changes_the_judgement_text(package_copy: Path):
    before = verdict.judgements().set_index("domain")
    # China's share of arms deliveries in the latest SIPRI year becomes dominant.
    latest = int(kzdata.load("arms_imports")["year"].max())
    _edit_arms(package_copy, "CHN", latest, 5000.0)
    assert kzdata.validate_all(package_copy)["arms_imports"] == []
    after = verdict.judgements(package=package_copy).set_index("domain")
    assert after.loc["security", "judgement"] == TOWARDS_CHINA
    assert after.loc["security", "sentence"] != before.loc["security", "sentence"]
    # Nothing else moved.
    others = [d for d in before.index if d != "security"]
    assert after.loc[others, "sentence"].tolist() == before.loc[others, "sentence"].tolist()


def test_the_descriptor_documents_every_new_table():
    meta = json.loads(Path(kzdata.__file__).with_name("datapackage.json").read_text(encoding="utf-8"))
    described = {r["name"]: r for r in meta["resources"]}
    for name in ("arms_imports", "chinese_official_finance", "fdi_inflows"):
        assert described[name]["x-processing"]
        assert kzdata.sources_for(name)["kind"].notna().all()


def test_a_trade_edit_in_a_copy_reaches_the_trade_judgement(package_copy: Path):
    """The trade shares come from kzdata.partner_share; an edit to the copy's bilateral_trade must reach them."""
    before = verdict.judgements().set_index("domain")
    real_direction = verdict.dashboard().set_index("key").loc["trade_chn", "direction"]
    path = package_copy.parent / "bilateral_trade.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    latest = max(int(r["year"]) for r in table if r["partner_iso3"] == "CHN" and r["reported_by"] == "KAZ")
    edited = 0
    for row in table:
        if int(row["year"]) == latest and row["partner_iso3"] == "CHN" and row["reported_by"] == "KAZ":
            row["value_usd_bn"] = "0.1"
            edited += 1
    assert edited
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)
    board = verdict.dashboard(package=package_copy).set_index("key")
    assert board.loc["trade_chn", "direction"] == "down" != real_direction
    after = verdict.judgements(package=package_copy).set_index("domain")
    assert after.loc["trade", "sentence"] != before.loc["trade", "sentence"]
    # The real package is untouched: the trade module reads it again afterwards.
    assert verdict.dashboard().set_index("key").loc["trade_chn", "direction"] == real_direction
