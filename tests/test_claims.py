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
        ("1916", pd.Timestamp("1916-07-03"), None, "supported"),  # a year claim covers the whole year
        ("2022-01", pd.Timestamp("2022-01-06"), None, "supported"),
        ("2022-01", pd.Timestamp("2022-02-01"), None, "contradicted"),
    ],
)
def test_verdict_rules(asserted, actual, tolerance, expected):
    assert claim_checks.verdict_for(asserted, actual, tolerance) == expected


@pytest.mark.parametrize(
    ("asserted", "actual", "precision", "expected"),
    [
        # A month-precision event cannot contradict a day-level claim inside that month ...
        ("2022-03-29", pd.Timestamp("2022-03-01"), "month", "undecided"),
        # ... nor a year-precision one a day-level claim inside that year ...
        ("2022-03-29", pd.Timestamp("2022-01-01"), "year", "undecided"),
        # ... but it contradicts a claim outside it, and supports one as coarse as itself.
        ("2022-04-02", pd.Timestamp("2022-03-01"), "month", "contradicted"),
        ("2022-03", pd.Timestamp("2022-03-01"), "month", "supported"),
        ("2022", pd.Timestamp("2022-03-01"), "month", "supported"),
    ],
)
def test_date_verdicts_respect_the_precision_of_the_data(asserted, actual, precision, expected):
    assert claim_checks.verdict_for(asserted, actual, None, precision) == expected


def test_an_undecided_date_check_contradicts_nothing_but_a_contradicted_verdict():
    def check(stored: str) -> claim_checks.Check:
        return claim_checks.Check("x-01", "spec", pd.Timestamp("2022-03-01"), "2022-03-29", None, "undecided", stored)

    assert check("supported").agrees and check("partly_supported").agrees
    assert not check("contradicted").agrees


def test_every_claim_with_a_number_or_date_is_checked_or_says_why_not():
    """A claim asserting a number or a date names the row that checks it, or 'none: <reason>'."""
    claims = kzdata.load("claims")
    unchecked = [
        f"{row.claim_id} ({row.kind}, {row.asserted_value})"
        for row in claims.itertuples(index=False)
        if claim_checks.needs_check(row.kind, row.asserted_value) and pd.isna(row.data_check)
    ]
    assert not unchecked, "give these a data_check or 'none: <reason>' in data_check:\n" + "\n".join(unchecked)
    exemptions = claims["data_check"].dropna()
    exemptions = exemptions[exemptions.map(claim_checks.is_exemption).astype(bool)]
    assert all(len(reason.split()) >= 4 for reason in exemptions), "an exemption states its reason in words"


@pytest.mark.parametrize(
    ("kind", "asserted", "needed"),
    [
        ("date", "329 BC", True),
        ("number", "hundreds of thousands", True),
        ("event", "2022-06-17", True),
        ("quotation", "2022-03-29", True),
        ("event", "1916", True),
        ("place", "Orsk", False),
        ("interpretation", None, False),
    ],
)
def test_which_claims_need_a_check(kind, asserted, needed):
    assert claim_checks.needs_check(kind, asserted) is needed


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


@pytest.mark.parametrize("check", claim_checks.checks(), ids=lambda c: c.claim_id)
def test_changing_the_data_behind_a_claim_overturns_its_verdict(check, package_copy: Path):
    """Change the selected value in a copy so the verdict should flip: the register must then disagree.

    Only the one row the check selects is edited (other rows may hold the same
    value). A supported claim's figure is moved far away; a claim that fails its
    check gets the article's own value, as if a correction had proved the
    article right.
    """
    table, _, rest = check.data_check.partition(".")
    column = rest.split("[", 1)[0]
    resource = kzdata.describe(table, package=package_copy)
    path = package_copy.parent / resource["path"]
    _, index = claim_checks.select(check.data_check, package=package_copy)
    original = check.data_value
    asserted = str(check.asserted_value).split("/", 1)[0]
    flips_to_supported = check.computed != "supported"

    if isinstance(original, pd.Timestamp):
        # Whole years keep a month- or year-precision date on the first day of its month or year.
        moved = asserted if flips_to_supported else (original - pd.DateOffset(years=2)).strftime("%Y-%m-%d")
        if len(moved) == 4:
            moved += "-01-01"
        elif len(moved) == 7:
            moved += "-01"
    else:
        whole = float(original).is_integer()
        far = str(int(original) * 10) if whole else str(float(original) * 10)
        moved = asserted if flips_to_supported else far

    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    before = [list(row) for row in rows]
    rows[int(index) + 1][rows[0].index(column)] = moved
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    assert sum(a != b for a, b in zip(before, rows, strict=True)) == 1, "exactly one row is edited"

    after = {c.claim_id: c for c in claim_checks.checks(package=package_copy)}
    assert not after[check.claim_id].agrees
