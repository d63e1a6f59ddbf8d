"""A malformed data file fails loudly, naming the file, the line, the column and the value.

Each case damages a temporary copy of the data package (never the real files)
and checks that loading raises ``kzdata.DataError`` whose message locates the
problem precisely enough to fix it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import kzdata


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def _write(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _set_cell(path: Path, line: int, column: str, value: str) -> None:
    rows = _rows(path)
    rows[line - 1][rows[0].index(column)] = value
    _write(path, rows)


@dataclass
class Case:
    """One way a file can be wrong, and where the error must point."""

    table: str
    file: str
    damage: Callable[[Path], None]
    line: int | None
    column: str | None
    value: str | None


def _drop_column(column: str) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        rows = _rows(path)
        index = rows[0].index(column)
        _write(path, [row[:index] + row[index + 1 :] for row in rows])

    return damage


def _duplicate_line(line: int) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        rows = _rows(path)
        _write(path, rows + [rows[line - 1]])

    return damage


def _extra_cell(line: int) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        rows = _rows(path)
        rows[line - 1].append("surplus")
        _write(path, rows)

    return damage


def _rename_column(column: str, new: str) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        rows = _rows(path)
        rows[0][rows[0].index(column)] = new
        _write(path, rows)

    return damage


def _add_column(column: str) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        rows = _rows(path)
        _write(path, [rows[0] + [column]] + [row + [""] for row in rows[1:]])

    return damage


def _swap_columns(first: str, second: str) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        rows = _rows(path)
        i, j = rows[0].index(first), rows[0].index(second)
        for row in rows:
            row[i], row[j] = row[j], row[i]
        _write(path, rows)

    return damage


def _not_utf8(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"Kazakhs", b"Kaz\xe1khs", 1))


def _cell(line: int, column: str, value: str) -> Callable[[Path], None]:
    return lambda path: _set_cell(path, line, column, value)


CENSUS = "census_ethnicity.csv"
CASES = {
    "wrong type": Case("census_ethnicity", CENSUS, _cell(3, "share_pct", "about 11"), 3, "share_pct", "about 11"),
    "value out of range": Case("census_ethnicity", CENSUS, _cell(4, "share_pct", "150"), 4, "share_pct", "150"),
    "year out of range": Case("census_ethnicity", CENSUS, _cell(2, "year", "1820"), 2, "year", "1820"),
    "required value missing": Case("census_ethnicity", CENSUS, _cell(5, "source_id", ""), 5, "source_id", None),
    "dangling source id": Case(
        "census_ethnicity", CENSUS, _cell(2, "source_id", "nobody-2099-nothing"), 2, "source_id", "nobody-2099-nothing"
    ),
    "duplicate key": Case("census_ethnicity", CENSUS, _duplicate_line(2), None, "year, group, source_id", None),
    "ragged row": Case("census_ethnicity", CENSUS, _extra_cell(3), 3, None, "surplus"),
    "not valid UTF-8": Case("census_ethnicity", CENSUS, _not_utf8, None, None, None),
    "file missing": Case("census_ethnicity", CENSUS, lambda path: path.unlink(), None, None, None),
    "bad date": Case("sources", "sources.csv", _cell(2, "accessed", "2026-13-45"), 2, "accessed", "2026-13-45"),
    "bad URL": Case("sources", "sources.csv", _cell(2, "url", "www.example"), 2, "url", "www.example"),
    "verdict not in the list": Case("claims", "claims.csv", _cell(2, "verdict", "probably"), 2, "verdict", "probably"),
    "year-precision date not on 1 January": Case(
        "events", "events.csv", _cell(2, "date_precision", "year"), 2, "date", "2022-09-15"
    ),
    "second dated column of a table, wrong precision": Case(
        "memberships", "memberships.csv", _cell(6, "left_precision", "month"), 6, "left", "2009-08-18"
    ),
    "dangling id in a source list": Case(
        "claims", "claims.csv", _cell(2, "source_ids", "nobody-2099-nothing"), 2, "source_ids", "nobody-2099-nothing"
    ),
    # A table with two foreign keys: the error names the key that failed, and only that one.
    "two-key table, bad source id": Case(
        "unga_votes",
        "unga_votes.csv",
        _cell(3, "source_id", "nobody-2099-nothing"),
        3,
        "source_id",
        "nobody-2099-nothing",
    ),
    "two-key table, unknown resolution": Case(
        "unga_votes", "unga_votes.csv", _cell(4, "resolution", "ES-99/1"), 4, "resolution", "ES-99/1"
    ),
    # Date tables.
    "impossible date": Case("events", "events.csv", _cell(3, "date", "2022-02-30"), 3, "date", "2022-02-30"),
    "date in another format": Case("events", "events.csv", _cell(2, "date", "15.09.2022"), 2, "date", "15.09.2022"),
    "precision not in the list": Case(
        "events", "events.csv", _cell(2, "date_precision", "week"), 2, "date_precision", "week"
    ),
    "dangling source id of an event": Case(
        "events", "events.csv", _cell(2, "source_id", "nobody-2099-nothing"), 2, "source_id", "nobody-2099-nothing"
    ),
    # The claims register.
    "claim theme not in the list": Case("claims", "claims.csv", _cell(3, "theme", "sport"), 3, "theme", "sport"),
    "claim id duplicated": Case("claims", "claims.csv", _duplicate_line(2), None, "claim_id", None),
    "claim tolerance not a number": Case(
        "claims", "claims.csv", _cell(2, "tolerance_pct", "five"), 2, "tolerance_pct", "five"
    ),
}


def _file(package: Path, name: str) -> Path:
    return package.parent / name if name != "claims.csv" else package.parent.parent / "seeds" / name


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_malformed_file_gives_a_located_error(case: Case, package_copy: Path):
    case.damage(_file(package_copy, case.file))
    with pytest.raises(kzdata.DataError) as raised:
        kzdata.load(case.table, package=package_copy)
    message = str(raised.value)
    assert case.file in message
    if case.line is not None:
        assert f"line {case.line}" in message
    if case.column is not None:
        assert f"column {case.column!r}" in message
    if case.value is not None:
        assert repr(case.value) in message


#: Header mistakes: (table, file, damage, the column the first line must name, words it must use).
HEADER_CASES = {
    "missing column": ("census_ethnicity", CENSUS, _drop_column("share_pct"), "share_pct", "is missing"),
    "extra column": ("census_ethnicity", CENSUS, _add_column("comment"), "comment", "is not in the schema"),
    "renamed column": (
        "census_ethnicity",
        CENSUS,
        _rename_column("share_pct", "share"),
        "share_pct",
        "is named 'share'",
    ),
    "reordered columns": ("census_ethnicity", CENSUS, _swap_columns("year", "group"), "year", "is out of order"),
    "column twice": ("census_ethnicity", CENSUS, _rename_column("note", "group"), "group", "appears 2 times"),
    "missing column, two-key table": ("unga_votes", "unga_votes.csv", _drop_column("vote"), "vote", "is missing"),
    "missing column, date table": (
        "events",
        "events.csv",
        _drop_column("date_precision"),
        "date_precision",
        "is missing",
    ),
    "renamed column, claims register": (
        "claims",
        "claims.csv",
        _rename_column("data_check", "check"),
        "data_check",
        "is named 'check'",
    ),
}


@pytest.mark.parametrize(("table", "file", "damage", "column", "words"), HEADER_CASES.values(), ids=HEADER_CASES.keys())
def test_a_header_mistake_is_named_once_and_first(table, file, damage, column, words, package_copy: Path):
    """The first line names the file and the column and says what is wrong with it; no cell is blamed."""
    damage(_file(package_copy, file))
    with pytest.raises(kzdata.DataError) as raised:
        kzdata.load(table, package=package_copy)
    first, *rest = str(raised.value).splitlines()
    assert first.split(": ", 1)[0].endswith(file), first
    assert f"column {column!r} {words}" in first, first
    expected = [f["name"] for f in kzdata.describe(table, package=package_copy)["schema"]["fields"]]
    assert f"(expected: {', '.join(expected)})" in first
    assert len(rest) <= 1, "a header mistake is reported once, not once per cell:\n" + str(raised.value)
    assert all(problem.kind == "header" for problem in raised.value.problems)


def test_a_foreign_key_error_names_only_the_key_that_failed(package_copy: Path):
    """unga_votes has two foreign keys (source_id, resolution): a bad source id must not blame the resolution."""
    assert len(kzdata.describe("unga_votes")["schema"]["foreignKeys"]) == 2
    _cell(2, "source_id", "nobody-2099-nothing")(_file(package_copy, "unga_votes.csv"))
    with pytest.raises(kzdata.DataError) as raised:
        kzdata.load("unga_votes", package=package_copy)
    [problem] = raised.value.problems
    assert problem.column == "source_id" and problem.value == "nobody-2099-nothing"
    assert "resolution" not in str(problem).split(": ", 1)[0]


def test_duplicate_key_error_names_both_copies_line(package_copy: Path):
    census = _file(package_copy, CENSUS)
    lines = len(_rows(census))
    _duplicate_line(2)(census)
    with pytest.raises(kzdata.DataError) as raised:
        kzdata.load("census_ethnicity", package=package_copy)
    assert f"line {lines + 1}" in str(raised.value)
    assert "line 2" in str(raised.value)


def test_a_damaged_table_does_not_stop_others_from_loading(package_copy: Path):
    _cell(3, "share_pct", "about 11")(_file(package_copy, CENSUS))
    assert len(kzdata.load("sources", package=package_copy)) > 0
    problems = kzdata.validate_all(package=package_copy)
    assert problems["census_ethnicity"] and not problems["sources"]


def test_validate_command_reports_and_fails(package_copy: Path, monkeypatch, capsys):
    from kzdata import __main__ as cli
    from kzdata import _package

    _cell(4, "share_pct", "150")(_file(package_copy, CENSUS))
    monkeypatch.setattr(_package, "DEFAULT_DESCRIPTOR", package_copy)
    assert cli.main(["validate"]) == 1
    report = capsys.readouterr().out
    assert "census_ethnicity" in report and "FAILED" in report and "line 4" in report
