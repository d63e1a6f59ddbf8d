"""Verdicts on the seed article's claims that follow from the data, not from a typist.

A claim whose figure the data package holds names that figure in ``data_check``
as ``table.column[key=value&key=value]``. The verdict is then computed by
comparing the article's ``asserted_value`` with the selected value, so a change
of data that overturns a verdict is caught by the tests instead of going
unnoticed in a register nobody re-reads.

Rules, stated once here and in the audit chapter:

- numbers: within ``tolerance_pct`` of the data value is *supported*; within
  three times the tolerance is *partly supported*; further away is *contradicted*;
- dates: each side is read at its precision, as an interval: an asserted
  ``1916`` is the whole year, ``2022-01`` the whole month, ``start/end`` a
  range; the data date is its day, month or year as the table's precision
  column (``x-date-precision`` in the descriptor) says. A data date inside the
  asserted interval is *supported*; one that cannot overlap it is
  *contradicted*; a data date coarser than the claim that still overlaps it
  (a month-precision event against a day-level claim) cannot decide and
  contradicts nothing (*undecided*);
- a claim that says more than its value (an event, a quotation) can be only
  partly supported although its value holds: a *supported* check then agrees
  with a stored *partly supported*, and a *contradicted* one never agrees with a
  stored *supported*.

A claim whose asserted value is a number or a date must name a ``data_check``
or say why none is possible, as ``none: <reason>`` in the same column (for
example, no table holds the figure). :func:`needs_check` says which claims
those are; a test holds the register to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from kzdata._package import describe, load

_SPEC = re.compile(r"^(?P<table>[a-z_]+)\.(?P<column>[a-z_0-9]+)\[(?P<filters>[^\]]+)\]$")
PARTLY_FACTOR = 3
#: How a claim says that no table can check its value: ``none: <reason>`` in ``data_check``.
EXEMPTION = "none:"
#: Kinds of claim that assert nothing but their value, so the check decides the whole verdict.
VALUE_KINDS = ("number", "date")
# An asserted value that is a number or an ISO date (or a range of them): a table could hold it.
_CHECKABLE = re.compile(r"^-?\d+(?:\.\d+)?$|^\d{4}(?:-\d{2}(?:-\d{2})?)?(?:/\d{4}(?:-\d{2}(?:-\d{2})?)?)?$")


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
    #: The claim's kind: for a claim that says more than its value, the check decides only that value.
    kind: str = "number"
    #: For a date: how much of it the table gives ("day", "month" or "year").
    data_precision: str = "day"

    @property
    def agrees(self) -> bool:
        if self.computed == self.stored:
            return True
        if self.computed == "undecided":
            return self.stored != "contradicted"
        # The value holds, another part of a longer claim does not.
        return self.kind not in VALUE_KINDS and self.computed == "supported" and self.stored == "partly_supported"


def _as_text(series: pd.Series) -> pd.Series:
    """A column as the text a filter in ``data_check`` would spell it."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%Y-%m-%d")
    return series.astype("str").str.lower()


def is_exemption(spec: Any) -> bool:
    """Whether a ``data_check`` cell states why no check is possible instead of naming a row."""
    return isinstance(spec, str) and spec.startswith(EXEMPTION)


def needs_check(kind: str, asserted_value: Any) -> bool:
    """Whether a claim asserts a number or a date that a table could hold (so it needs a check or an exemption)."""
    if kind in VALUE_KINDS:
        return True
    return isinstance(asserted_value, str) and bool(_CHECKABLE.match(asserted_value.strip()))


def select(spec: str, package: Path | None = None) -> tuple[pd.DataFrame, Any]:
    """The table a ``data_check`` reads and the index of the one row it selects (the file's line is index + 2)."""
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
    selected = frame.index[chosen]
    if len(selected) != 1:
        raise ValueError(f"data_check {spec!r} selects {len(selected)} rows; it must select exactly one")
    return frame, selected[0]


def data_value(spec: str, package: Path | None = None) -> Any:
    """The single value a ``data_check`` selects; an error says why when it selects none or several."""
    frame, index = select(spec, package)
    return frame.loc[index, _SPEC.match(spec)["column"]]


def data_precision(spec: str, package: Path | None = None) -> str:
    """How precise the selected date is, from the table's precision column ('day' for a table without one)."""
    match = _SPEC.match(spec or "")
    if not match:
        return "day"
    specs = describe(match["table"], package=package).get("x-date-precision", [])
    for pair in [specs] if isinstance(specs, dict) else specs:
        if pair["date"] == match["column"]:
            frame, index = select(spec, package)
            return str(frame.loc[index, pair["precision"]])
    return "day"


def _interval(text: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """An ISO date as the interval it names: '1916' the year, '2022-01' the month, '2022-03-29' the day."""
    start = pd.Timestamp(text)
    precision = {4: "year", 7: "month"}.get(len(text.strip()), "day")
    return start, _end_of(start, precision)


def _end_of(start: pd.Timestamp, precision: str) -> pd.Timestamp:
    if precision == "year":
        return start + pd.offsets.YearEnd(0)
    if precision == "month":
        return start + pd.offsets.MonthEnd(0)
    return start


def verdict_for(asserted: str, actual: Any, tolerance_pct: float | None, precision: str = "day") -> str:
    """Compare an asserted value with the data value under the rules in this module's docstring.

    For a date, ``precision`` says how much of ``actual`` the data give.
    """
    if isinstance(actual, pd.Timestamp):
        start, _, end = asserted.partition("/")
        low, high = _interval(start)[0], _interval(end or start)[1]
        data_low, data_high = actual, _end_of(actual, precision)
        if low <= data_low and data_high <= high:
            return "supported"
        if data_high < low or high < data_low:
            return "contradicted"
        return "undecided"
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
    named = claims["data_check"].notna() & ~claims["data_check"].map(is_exemption).astype(bool)
    for row in claims[named].itertuples(index=False):
        actual = data_value(row.data_check, package=package)
        tolerance = None if pd.isna(row.tolerance_pct) else float(row.tolerance_pct)
        precision = data_precision(row.data_check, package=package) if isinstance(actual, pd.Timestamp) else "day"
        results.append(
            Check(
                claim_id=row.claim_id,
                data_check=row.data_check,
                data_value=actual,
                asserted_value=row.asserted_value,
                tolerance_pct=tolerance,
                computed=verdict_for(str(row.asserted_value), actual, tolerance, precision),
                stored=row.verdict,
                kind=row.kind,
                data_precision=precision,
            )
        )
    return results
