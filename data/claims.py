"""Verdicts on the seed article's claims that follow from the data, not from a typist.

A claim whose figure the data package holds names that figure in ``data_check``
as ``table.column[key=value&key=value]``. The verdict is then computed by
comparing the article's ``asserted_value`` with the selected value, so a change
of data that overturns a verdict is caught by the tests instead of going
unnoticed in a register nobody re-reads.

Rules, stated once here and in the audit chapter:

- numbers: within ``tolerance_pct`` of the data value is *supported*; within
  three times the tolerance is *partly supported*; further away is *contradicted*;
- dates: the data date must equal the asserted date, or fall inside an asserted
  range written ``start/end``; anything else is *contradicted*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from kzdata._package import load

_SPEC = re.compile(r"^(?P<table>[a-z_]+)\.(?P<column>[a-z_0-9]+)\[(?P<filters>[^\]]+)\]$")
PARTLY_FACTOR = 3


@dataclass(frozen=True)
class Check:
    """The data value behind one claim, and what it implies for the verdict."""

    claim_id: str
    data_check: str
    data_value: Any
    asserted_value: str
    tolerance_pct: float | None
    computed: str
    stored: str

    @property
    def agrees(self) -> bool:
        return self.computed == self.stored


def _as_text(series: pd.Series) -> pd.Series:
    """A column as the text a filter in ``data_check`` would spell it."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%Y-%m-%d")
    return series.astype("str").str.lower()


def data_value(spec: str, package: Path | None = None) -> Any:
    """The single value a ``data_check`` selects; an error says why when it selects none or several."""
    match = _SPEC.match(spec)
    if not match:
        raise ValueError(f"data_check {spec!r} is not of the form table.column[key=value&key=value]")
    frame = load(match["table"], package=package)
    if match["column"] not in frame.columns:
        raise ValueError(f"data_check {spec!r}: table {match['table']!r} has no column {match['column']!r}")
    chosen = pd.Series(True, index=frame.index)
    for condition in match["filters"].split("&"):
        key, _, wanted = condition.partition("=")
        if key not in frame.columns:
            raise ValueError(f"data_check {spec!r}: table {match['table']!r} has no column {key!r}")
        column = frame[key]
        expected = wanted if pd.api.types.is_datetime64_any_dtype(column) else wanted.lower()
        chosen &= _as_text(column) == expected
    selected = frame.loc[chosen, match["column"]]
    if len(selected) != 1:
        raise ValueError(f"data_check {spec!r} selects {len(selected)} rows; it must select exactly one")
    return selected.iloc[0]


def verdict_for(asserted: str, actual: Any, tolerance_pct: float | None) -> str:
    """Compare an asserted value with the data value under the rules in this module's docstring."""
    if isinstance(actual, pd.Timestamp):
        start, _, end = asserted.partition("/")
        low, high = pd.Timestamp(start), pd.Timestamp(end or start)
        return "supported" if low <= actual <= high else "contradicted"
    if tolerance_pct is None or pd.isna(tolerance_pct):
        raise ValueError("a numeric claim needs tolerance_pct")
    claimed, value = float(asserted), float(actual)
    gap_pct = abs(claimed - value) / abs(value) * 100 if value else (0.0 if claimed == 0 else float("inf"))
    if gap_pct <= tolerance_pct:
        return "supported"
    if gap_pct <= PARTLY_FACTOR * tolerance_pct:
        return "partly_supported"
    return "contradicted"


def checks(package: Path | None = None) -> list[Check]:
    """Every claim with a ``data_check``, with its computed and stored verdicts side by side."""
    claims = load("claims", package=package)
    results = []
    for row in claims[claims["data_check"].notna()].itertuples(index=False):
        actual = data_value(row.data_check, package=package)
        tolerance = None if pd.isna(row.tolerance_pct) else float(row.tolerance_pct)
        results.append(
            Check(
                claim_id=row.claim_id,
                data_check=row.data_check,
                data_value=actual,
                asserted_value=row.asserted_value,
                tolerance_pct=tolerance,
                computed=verdict_for(str(row.asserted_value), actual, tolerance),
                stored=row.verdict,
            )
        )
    return results
