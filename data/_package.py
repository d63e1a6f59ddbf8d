"""Reading and checking the book's tables.

This is the only code in the project that opens a data file. Every table is
described once, in ``datapackage.json`` beside this module; the descriptor
says what each column is, its type, its unit and its constraints, and which
source documents the rows come from. A table is checked against that
description with the ``frictionless`` library each time it is loaded, so a
malformed file can never reach a chart silently.
"""

from __future__ import annotations

import csv
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from kzdata import _cache

#: The descriptor shipped with the package. Functions take ``package=`` to read
#: another copy; the KZDATA_DESCRIPTOR environment variable does the same for a
#: whole process (a notebook kernel, a book build), so tests can build a copy of
#: the book against copied data without touching the real files.
DEFAULT_DESCRIPTOR = Path(os.environ.get("KZDATA_DESCRIPTOR") or Path(__file__).with_name("datapackage.json"))

#: How many problems one error message lists before it says "and N more".
_MAX_LISTED = 10

# Pandas dtypes for Table Schema field types. Dates are parsed separately.
_PANDAS_TYPES = {
    "string": "str",
    "integer": "Int64",
    "number": "Float64",
    "boolean": "boolean",
    "year": "Int64",
}
# Table Schema's default spellings of booleans.
_TRUE = ["true", "True", "TRUE", "1"]
_FALSE = ["false", "False", "FALSE", "0"]


class DataError(Exception):
    """A data file does not match its description in the data package.

    ``problems`` holds one :class:`Problem` per offending cell or row, so a
    caller (or a test) can see exactly where the file is wrong; the message
    lists them in a form a person can act on.
    """

    def __init__(self, table: str, problems: list[Problem]):
        self.table = table
        self.problems = problems
        # A header mistake is stated first and alone, in the words a person would use; it is the only problem
        # reported for the table, since every cell check after it would blame the wrong column.
        first = problems[0] if problems else None
        if first is not None and first.kind == "header":
            lines = [f"{first.file}: {first.message}"]
            problems_listed = problems[1:]
        else:
            lines = [f"table {table!r} failed validation ({len(problems)} problem(s)):"]
            problems_listed = problems
        lines += [f"  - {p}" for p in problems_listed[:_MAX_LISTED]]
        if len(problems_listed) > _MAX_LISTED:
            lines.append(f"  ... and {len(problems_listed) - _MAX_LISTED} more")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, located as precisely as the check allows."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    message: str
    #: What kind of check failed ("header", "type-error", "foreign-key", ...); empty when not known.
    kind: str = ""

    def __str__(self) -> str:
        where = [f"file {self.file}"]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.value is not None:
            where.append(f"value {self.value!r}")
        return f"{', '.join(where)}: {self.message}"


@lru_cache(maxsize=64)
def _descriptor(path: Path, content: bytes) -> dict[str, Any]:
    """Parse a descriptor once per content (the hash is the key; a file time could miss a quick edit)."""
    try:
        return json.loads(content.decode("utf-8"))
    except ValueError as error:
        raise DataError("datapackage", [Problem(str(path), None, None, None, str(error))]) from error


def descriptor(package: Path | None = None) -> dict[str, Any]:
    """The parsed data package descriptor (cached until the file's content changes)."""
    path = Path(package or DEFAULT_DESCRIPTOR).resolve()
    try:
        content = path.read_bytes()
    except OSError as error:
        raise DataError("datapackage", [Problem(str(path), None, None, None, str(error))]) from error
    return _descriptor(path, content)


def resource(name: str, package: Path | None = None) -> dict[str, Any]:
    """The descriptor entry of one table, or a KeyError naming the tables there are."""
    for entry in descriptor(package)["resources"]:
        if entry["name"] == name:
            return entry
    known = ", ".join(sorted(r["name"] for r in descriptor(package)["resources"]))
    raise KeyError(f"no table named {name!r} in the data package; tables: {known}")


def resource_path(name: str, package: Path | None = None) -> Path:
    """Where a table's file lives (paths in the descriptor are relative to it)."""
    base = Path(package or DEFAULT_DESCRIPTOR).resolve().parent
    return (base / resource(name, package)["path"]).resolve()


def _display_path(path: Path) -> str:
    """A short path for messages: relative to the project when possible."""
    root = DEFAULT_DESCRIPTOR.resolve().parent.parent
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _header_problems(name: str, package: Path | None) -> list[Problem]:
    """Compare a CSV file's header with the schema's fields, before any cell is checked.

    A missing, extra, renamed or reordered column shifts every cell after it, so
    a cell-by-cell report would blame other columns hundreds of times. Each
    header mistake is instead named once, as what it is, with the columns the
    schema expects. An unreadable or absent file is left to frictionless, which
    reports it in its own words.
    """
    path = resource_path(name, package)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError):
        return []
    expected = [field["name"] for field in resource(name, package)["schema"]["fields"]]
    if header == expected:
        return []
    shown = _display_path(path)
    listed = f"(expected: {', '.join(expected)})"

    def problem(column: str, message: str) -> Problem:
        return Problem(shown, 1, column, None, f"{message} {listed}", kind="header")

    problems = []
    for column in dict.fromkeys(c for c in header if header.count(c) > 1):
        problems.append(problem(column, f"column {column!r} appears {header.count(column)} times"))
    missing = [c for c in expected if c not in header]
    extra = [c for c in dict.fromkeys(header) if c not in expected]
    # One column gone and one unknown in its place: most likely a renamed column.
    if len(missing) == 1 and len(extra) == 1 and len(header) == len(expected):
        position = header.index(extra[0])
        if expected[position] == missing[0]:
            problems.append(problem(missing[0], f"column {missing[0]!r} is named {extra[0]!r} in the file"))
            return problems
    for column in missing:
        problems.append(problem(column, f"column {column!r} is missing"))
    for column in extra:
        problems.append(problem(column, f"column {column!r} is not in the schema"))
    if not problems:
        # Same columns, different order: name the first column out of place.
        first = next(e for e, h in zip(expected, header, strict=True) if e != h)
        problems.append(
            problem(
                first,
                f"column {first!r} is out of order: it is column {header.index(first) + 1} in the file, "
                f"column {expected.index(first) + 1} in the schema",
            )
        )
    return problems


def _frictionless_problems(name: str, package: Path | None) -> list[Problem]:
    """Validate one table with frictionless, including its foreign keys.

    The header is compared with the schema first; if it differs, only that is
    reported (see :func:`_header_problems`). Frictionless reports the row
    number counted from the header line, which is exactly the line number of a
    CSV without embedded line breaks.
    """
    import frictionless  # imported lazily: it costs ~0.2 s and most imports never validate

    header = _header_problems(name, package)
    if header:
        return header
    path = Path(package or DEFAULT_DESCRIPTOR).resolve()
    shown = _display_path(resource_path(name, package))
    with frictionless.system.use_context(trusted=True):  # claims.csv sits in ../seeds
        try:
            target = frictionless.Package(_cache.subset(descriptor(package), name), basepath=str(path.parent))
            target = target.get_resource(name)
            report = target.validate()
        except frictionless.FrictionlessException as error:
            reasons = "; ".join(reason.message for reason in error.reasons)
            return [Problem(shown, None, None, None, f"{error.error.message} {reasons}".strip())]
    schema = resource(name, package).get("schema", {})
    problems = []
    for task in report.tasks:
        for error in task.errors:
            kind = error.type
            line = getattr(error, "row_number", None)
            column = getattr(error, "field_name", None)
            value = getattr(error, "cell", None)
            if kind == "foreign-key" and column is None:
                # The key that failed, not every foreign key of the table.
                failed = getattr(error, "field_names", None) or [k["fields"][0] for k in schema.get("foreignKeys", [])]
                column = ", ".join(failed)
                cells = getattr(error, "field_cells", None)
                if cells and value is None:
                    value = ", ".join(map(str, cells))
            if kind == "primary-key" and column is None:
                column = ", ".join(schema.get("primaryKey", []))
            if kind in ("foreign-key", "primary-key") and value is None and line is not None:
                value = _row_values(resource_path(name, package), line, column)
            if kind.endswith("-label") and line is None:
                line = 1  # header problems sit on the first line
            problems.append(Problem(shown, line, column, value, _in_lines(error.message), kind=kind))
    return problems


def _in_lines(message: str) -> str:
    """Say 'line N' where frictionless says 'row N': for our CSV files they are the same number."""
    return re.sub(r'[Rr]ow (?:at position )?"?(\d+)"?', r"line \1", message)


def _row_values(path: Path, line: int, columns: str) -> str | None:
    """The offending key values of one line, so a key error shows what was duplicated or dangling."""
    frame = pd.read_csv(path, dtype="str", keep_default_na=False)
    row = frame.iloc[line - 2]
    return ", ".join(str(row[c]) for c in columns.split(", ") if c in row)


def _list_problems(name: str, package: Path | None, frame: pd.DataFrame) -> list[Problem]:
    """Check the semicolon-separated source lists that frictionless cannot follow.

    A claim may rest on several documents, so ``claims.source_ids`` holds a list;
    each id must still exist in ``sources``.
    """
    lists = resource(name, package).get("x-list-foreign-keys", [])
    if not lists:
        return []
    known = set(load("sources", package=package)["source_id"])
    shown = _display_path(resource_path(name, package))
    problems = []
    for spec in lists:
        column = spec["field"]
        for index, cell in frame[column].items():
            if pd.isna(cell):
                continue
            for item in str(cell).split(";"):
                if item.strip() not in known:
                    problems.append(
                        Problem(shown, int(index) + 2, column, item.strip(), "source id not found in table 'sources'")
                    )
    return problems


def _precision_problems(name: str, package: Path | None, frame: pd.DataFrame) -> list[Problem]:
    """Refuse a year- or month-precision date that is not the first day of its year or month.

    Dates known only to the year are stored as 1 January with precision 'year';
    any other day would claim a precision the source never gave. The descriptor
    names each date column and its precision column in ``x-date-precision``
    (one pair, or a list of pairs).
    """
    specs = resource(name, package).get("x-date-precision", [])
    shown = _display_path(resource_path(name, package))
    problems = []
    for spec in [specs] if isinstance(specs, dict) else specs:
        dates, precisions = frame[spec["date"]], frame[spec["precision"]]
        by_year = (precisions == "year") & ((dates.dt.month != 1) | (dates.dt.day != 1))
        by_month = (precisions == "month") & (dates.dt.day != 1)
        for index in frame.index[(by_year | by_month).fillna(False)]:
            problems.append(
                Problem(
                    shown,
                    int(index) + 2,
                    spec["date"],
                    dates[index].date().isoformat(),
                    f"precision '{precisions[index]}' needs the first day of the {precisions[index]}",
                )
            )
    return problems


def _typed(frame: pd.DataFrame, schema: dict[str, Any]) -> pd.DataFrame:
    """Give each column the pandas type its schema field declares."""
    for field in schema["fields"]:
        column, kind = field["name"], field.get("type", "string")
        if kind == "date":
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d")
        elif kind == "boolean":
            # The same spellings frictionless accepted during validation, so none turns into a silent NA.
            truth = dict.fromkeys(field.get("trueValues", _TRUE), True) | dict.fromkeys(
                field.get("falseValues", _FALSE), False
            )
            frame[column] = frame[column].map(truth).astype("boolean")
        else:
            frame[column] = frame[column].astype(_PANDAS_TYPES.get(kind, "str"))
    return frame


def load(name: str, package: Path | None = None) -> pd.DataFrame:
    """Validate a table against the data package and return it typed.

    A stale or hand-edited CSV is the commonest way a wrong number reaches a
    page, so a table is validated before its content is first used. A success
    is remembered under a hash of the content it checked (see ``_cache``): an
    unchanged table is not validated again, a changed one always is, and a
    repeated call returns a copy of the table already read.
    """
    _cache.record(name)
    with _cache.paused():
        return _load(name, package)


def _load(name: str, package: Path | None) -> pd.DataFrame:
    schema = resource(name, package)["schema"]
    path = Path(package or DEFAULT_DESCRIPTOR).resolve()
    try:
        key = _cache.validation_key(descriptor(package), path.parent, name)
    except OSError:
        key = None  # unreadable: validation below reports it
    kept = _cache.frame(key) if key else None
    if kept is not None:
        return kept
    validated = key is not None and _cache.is_valid(key, path.parent)
    if not validated:
        problems = _frictionless_problems(name, package)
        if problems:
            raise DataError(name, problems)
    missing = schema.get("missingValues", [""])
    frame = pd.read_csv(
        resource_path(name, package),
        dtype="str",
        keep_default_na=False,
        na_values=missing,
    )
    frame = _typed(frame, schema)
    if not validated:
        problems = _list_problems(name, package, frame) + _precision_problems(name, package, frame)
        if problems:
            raise DataError(name, problems)
        if key is not None:
            _cache.mark_valid(key, path.parent)
    if key is not None:
        _cache.keep_frame(key, frame)
    return frame


def names(package: Path | None = None) -> list[str]:
    """The names of all tables, in the order the descriptor lists them."""
    _cache.record(_cache.NAMES)
    return [entry["name"] for entry in descriptor(package)["resources"]]


def describe(name: str, package: Path | None = None) -> dict[str, Any]:
    """A table's metadata exactly as the descriptor states it."""
    _cache.record(name)
    return resource(name, package)


def sources_for(name: str, package: Path | None = None) -> pd.DataFrame:
    """The source documents behind a table's rows, from the ``sources`` table.

    Curated tables name a source on every row; derived tables name theirs in
    the descriptor. Either way the reader gets publisher, title, URL and dates.
    """
    _cache.record(name)
    table = load("sources", package=package)
    entry = resource(name, package)
    ids: list[str] = [s["source_id"] for s in entry.get("x-sources", [])]
    if name != "sources":
        fields = {f["name"] for f in entry["schema"]["fields"]}
        if "source_id" in fields:
            ids += load(name, package=package)["source_id"].dropna().tolist()
        if "source_ids" in fields:
            for cell in load(name, package=package)["source_ids"].dropna():
                ids += [item.strip() for item in cell.split(";")]
    order = list(dict.fromkeys(ids))
    chosen = table[table["source_id"].isin(order)].copy()
    chosen["_order"] = chosen["source_id"].map({sid: i for i, sid in enumerate(order)})
    return chosen.sort_values("_order").drop(columns="_order").reset_index(drop=True)


def _year(published: Any) -> str:
    """The year of a publication date, or 'n.d.' when the source gives none."""
    match = re.match(r"(\d{4})", str(published)) if pd.notna(published) else None
    return match.group(1) if match else "n.d."


def cite(name: str, package: Path | None = None) -> str:
    """A citation for a table that credits the original publishers first, one document per line.

    Readers who reuse a figure should cite where the number was published;
    the book is cited as the place it was gathered and checked. Each document
    line gives its publisher, year, title, address and the date it was read.
    """
    _cache.record(name)
    meta = descriptor(package)
    entry = resource(name, package)
    originals = sources_for(name, package)
    book = f"{meta['title']}, data package version {meta['version']}, table '{name}' ({entry['title']})"
    if originals.empty:
        return f"{book}."
    lines = [f"{entry['title']}: original publishers"]
    for row in originals.itertuples(index=False):
        address = f" {row.url}" if pd.notna(row.url) and row.url else ""
        accessed = f" (accessed {row.accessed.date().isoformat()})" if pd.notna(row.accessed) else ""
        lines.append(f"- {row.publisher} ({_year(row.published)}). {row.title}.{address}{accessed}")
    lines.append(f"Compiled in: {book}.")
    return "\n".join(lines)


def validate_all(package: Path | None = None) -> dict[str, list[Problem]]:
    """Check every table; map each table's name to its problems (empty if none)."""
    results: dict[str, list[Problem]] = {}
    for name in names(package):
        try:
            load(name, package=package)
            results[name] = []
        except DataError as error:
            results[name] = error.problems
    return results
