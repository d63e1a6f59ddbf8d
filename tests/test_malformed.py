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


def _not_utf8(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"Kazakhs", b"Kaz\xe1khs", 1))


def _cell(line: int, column: str, value: str) -> Callable[[Path], None]:
    return lambda path: _set_cell(path, line, column, value)


CENSUS = "census_ethnicity.csv"
CASES = {
    "missing column": Case("census_ethnicity", CENSUS, _drop_column("share_pct"), 1, "share_pct", None),
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
