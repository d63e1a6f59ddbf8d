"""Verdicts that follow from the data are computed, and a data change that overturns one fails here.

The register (``seeds/claims.csv``) stores a verdict for every claim so that it
can be read without running code; for claims whose figure the data package
holds, ``kzdata.claims`` recomputes the verdict, and these tests insist the two
agree.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

import kzdata
from kzdata import claims as claim_checks


def test_every_data_check_selects_one_value_and_matches_its_stored_verdict():
    checks = claim_checks.checks()
    assert checks, "no claim names a data_check, so no verdict is computed"
    disagreements = [f"{c.claim_id}: stored {c.stored}, data say {c.computed}" for c in checks if not c.agrees]
    assert not disagreements, "; ".join(disagreements)


@pytest.mark.parametrize(
    ("asserted", "actual", "tolerance", "expected"),
    [
        ("98000", 98000, 5, "supported"),
        ("104000", 98000, 5, "partly_supported"),  # about 6% off: inside three times the tolerance
        ("200000", 98000, 5, "contradicted"),
        ("2022-09-15/2022-09-16", pd.Timestamp("2022-09-16"), None, "supported"),
        ("2022-09-15", pd.Timestamp("2022-09-14"), None, "contradicted"),
    ],
)
def test_verdict_rules(asserted, actual, tolerance, expected):
    assert claim_checks.verdict_for(asserted, actual, tolerance) == expected


def test_a_numeric_claim_without_tolerance_is_refused():
    with pytest.raises(ValueError, match="tolerance_pct"):
        claim_checks.verdict_for("100", 100, None)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("events.date[theme=nowhere]", "selects 0 rows"),
        ("events.when[theme=china]", "no column 'when'"),
        ("events.date", "not of the form"),
    ],
)
def test_a_bad_data_check_is_explained(spec, message):
    with pytest.raises(ValueError, match=message):
        claim_checks.data_value(spec)


def _rewrite(path: Path, change) -> None:
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    fields = list(rows[0])
    for row in rows:
        change(row)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


@pytest.mark.parametrize("check", claim_checks.checks(), ids=lambda c: c.claim_id)
def test_changing_the_data_behind_a_claim_overturns_its_verdict(check, package_copy: Path):
    """Change the selected value in a copy so the verdict should flip: the register must then disagree.

    A supported claim's figure is moved far away; a claim that fails its check
    gets the article's own value, as if a correction had proved the article right.
    """
    table, _, rest = check.data_check.partition(".")
    column = rest.split("[", 1)[0]
    resource = kzdata.describe(table, package=package_copy)
    path = package_copy.parent / resource["path"]
    original = check.data_value
    asserted = str(check.asserted_value).split("/", 1)[0]

    if isinstance(original, pd.Timestamp):
        shown = original.strftime("%Y-%m-%d")
        moved = (original - pd.Timedelta(days=400)).strftime("%Y-%m-%d") if check.stored == "supported" else asserted
    else:
        shown = None
        whole = float(original).is_integer()
        far = str(int(original) * 10) if whole else str(float(original) * 10)
        moved = far if check.stored == "supported" else asserted

    def change(row):
        if column in row and (
            row[column] == shown or (shown is None and row[column] and float(row[column]) == original)
        ):
            row[column] = moved

    _rewrite(path, change)
    after = {c.claim_id: c for c in claim_checks.checks(package=package_copy)}
    assert not after[check.claim_id].agrees
