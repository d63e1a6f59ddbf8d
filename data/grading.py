"""How strong the evidence behind a table, a figure or a chapter is: the kinds of its source documents.

Each row of ``sources`` carries a ``kind`` from the vocabulary in the
descriptor (``x-source-kinds``), each kind with a grade from 1 (official
statistics and records) to 7 (blogs, aggregators, mirrors). These helpers
rank the documents behind some rows by that grade, so a source line can name
the strongest publishers first and a figure that rests only on the weakest
kind can say so.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from kzdata._package import DEFAULT_DESCRIPTOR, descriptor, load, resource, sources_for

#: The weakest grade: a figure resting only on documents of this grade says so where it is shown.
WEAKEST_GRADE = 7


def kinds(package: Path | None = None) -> pd.DataFrame:
    """The vocabulary of source kinds, strongest first: kind, grade, description."""
    vocabulary = pd.DataFrame(descriptor(package)["x-source-kinds"])
    return vocabulary.sort_values("grade", kind="stable").reset_index(drop=True)


def grade_of(package: Path | None = None) -> dict[str, int]:
    """Each kind's grade (1 strongest, 7 weakest)."""
    return dict(zip(kinds(package)["kind"], kinds(package)["grade"], strict=True))


def documents(*tables: str, rows: pd.DataFrame | None = None, package: Path | None = None) -> pd.DataFrame:
    """The documents behind some tables (or only behind ``rows`` of them), with how many rows each carries.

    Columns: source_id, publisher, kind, grade, rows. Sorted strongest first,
    then by the number of rows, so the first documents are the ones a source
    line should name. A table that names its sources in the descriptor (a
    derived table) counts its rows against each of them.
    """
    counts: dict[str, int] = {}
    for table in tables:
        known = sources_for(table, package=package)["source_id"].tolist()
        fields = {field["name"] for field in resource(table, package)["schema"]["fields"]}
        if rows is not None and "source_id" in rows.columns:
            ids = [sid for sid in rows["source_id"].dropna() if sid in known]
        elif rows is not None and "source_ids" in rows.columns:
            ids = [item.strip() for cell in rows["source_ids"].dropna() for item in cell.split(";")]
        elif "source_id" in fields:
            ids = load(table, package=package)["source_id"].dropna().tolist()
        elif "source_ids" in fields:
            cells = load(table, package=package)["source_ids"].dropna()
            ids = [item.strip() for cell in cells for item in cell.split(";")]
        else:  # a derived table: its documents stand behind every row
            size = len(rows) if rows is not None else len(load(table, package=package))
            ids = [sid for sid in known for _ in range(max(size, 1))]
        for sid in ids:
            counts[sid] = counts.get(sid, 0) + 1
    table_of_sources = load("sources", package=package).set_index("source_id")
    chosen = table_of_sources.loc[list(counts), ["publisher", "kind"]].reset_index()
    chosen["grade"] = chosen["kind"].map(grade_of(package)).astype("Int64")
    chosen["rows"] = chosen["source_id"].map(counts).astype("Int64")
    order = chosen.sort_values(["grade", "rows", "source_id"], ascending=[True, False, True], kind="stable")
    return order.reset_index(drop=True)


def strongest_kind(*tables: str, rows: pd.DataFrame | None = None, package: Path | None = None) -> str | None:
    """The strongest kind of document behind the tables (or rows); None when there is none."""
    found = documents(*tables, rows=rows, package=package)
    return None if found.empty else str(found["kind"].iloc[0])


def weakest_kind(*tables: str, rows: pd.DataFrame | None = None, package: Path | None = None) -> str | None:
    """The weakest kind of document behind the tables (or rows); None when there is none."""
    found = documents(*tables, rows=rows, package=package)
    return None if found.empty else str(found.sort_values("grade", kind="stable")["kind"].iloc[-1])


def rests_only_on_weakest(*tables: str, rows: pd.DataFrame | None = None, package: Path | None = None) -> bool:
    """Whether every document behind the tables (or rows) is of the weakest grade (blogs, aggregators, mirrors)."""
    found = documents(*tables, rows=rows, package=package)
    return not found.empty and bool((found["grade"] >= WEAKEST_GRADE).all())


def mix(*tables: str, rows: pd.DataFrame | None = None, package: Path | None = None) -> pd.Series:
    """How many documents of each kind stand behind the tables (or rows), every kind listed, strongest first."""
    found = documents(*tables, rows=rows, package=package)
    return found["kind"].value_counts().reindex(kinds(package)["kind"], fill_value=0).astype("int64")


_LOAD = re.compile(r"""kzdata\.(?:load|sources_for|cite)\(\s*["']([a-z_0-9]+)["']""")


def chapter_tables(package: Path | None = None) -> dict[str, list[str]]:
    """Each theme chapter's notebook (``chapters/NN_theme.ipynb``) and the tables its code loads.

    Read from the notebooks' code cells beside the data package, so the data
    page can show which kinds of source each chapter rests on.
    """
    root = Path(package or DEFAULT_DESCRIPTOR).resolve().parent.parent / "chapters"
    known = {entry["name"] for entry in descriptor(package)["resources"]}
    chapters = {}
    for notebook in sorted(root.glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
        chapters[notebook.stem] = [name for name in dict.fromkeys(_LOAD.findall(code)) if name in known]
    return chapters


def chapter_documents(chapter: str, tables: list[str], package: Path | None = None) -> pd.DataFrame:
    """The documents behind a chapter: every row of its tables, restricted to its theme where a table has one."""
    theme = chapter.split("_", 1)[-1]
    parts = []
    for table in tables:
        fields = {field["name"] for field in resource(table, package)["schema"]["fields"]}
        rows = None
        if "theme" in fields and table != "sources":
            frame = load(table, package=package)
            rows = frame[frame["theme"] == theme]
            if "source_id" not in rows.columns and "source_ids" in rows.columns:
                ids = [item.strip() for cell in rows["source_ids"].dropna() for item in cell.split(";")]
                rows = pd.DataFrame({"source_id": ids})
        if table != "sources":
            parts.append(documents(table, rows=rows, package=package))
    if not parts:
        return documents(package=package)
    combined = pd.concat(parts).groupby(["source_id", "publisher", "kind", "grade"], as_index=False)["rows"].sum()
    return combined.sort_values(["grade", "rows"], ascending=[True, False], kind="stable").reset_index(drop=True)
