"""The data package: it validates, loads with the declared types, and every row is sourced."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

import kzdata
from kzdata import _package
from tests import unauthorised
from tests.conftest import DATA, ROOT, SEEDS

DESCRIPTOR = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
TABLES = [entry["name"] for entry in DESCRIPTOR["resources"]]
EXPECTED_DTYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean", "string": "str"}


def _tree_digest() -> dict[str, str]:
    return {
        str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in (DATA, SEEDS)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_every_data_file_is_described():
    described = {(DATA / entry["path"]).resolve() for entry in DESCRIPTOR["resources"]}
    on_disk = {p.resolve() for p in DATA.glob("*.csv")} | {p.resolve() for p in SEEDS.glob("*.csv")}
    assert on_disk == described


def test_package_validates_from_the_command_line():
    result = subprocess.run(
        [sys.executable, "-m", "kzdata", "validate"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(TABLES)} tables valid, 0 with errors" in result.stdout


def test_command_line_lists_and_describes_tables():
    listed = subprocess.run([sys.executable, "-m", "kzdata", "list"], capture_output=True, text=True, check=True)
    assert [line.split()[0] for line in listed.stdout.splitlines()] == TABLES
    described = subprocess.run(
        [sys.executable, "-m", "kzdata", "describe", "census_ethnicity"], capture_output=True, text=True, check=True
    )
    assert json.loads(described.stdout)["name"] == "census_ethnicity"
    unknown = subprocess.run([sys.executable, "-m", "kzdata", "describe", "nope"], capture_output=True, text=True)
    assert unknown.returncode == 2 and "census_ethnicity" in unknown.stderr


@pytest.mark.parametrize("name", TABLES)
def test_table_loads_with_declared_types(name):
    frame = kzdata.load(name)
    fields = kzdata.describe(name)["schema"]["fields"]
    assert list(frame.columns) == [f["name"] for f in fields]
    assert len(frame) > 0
    for field in fields:
        column = frame[field["name"]]
        if field["type"] == "date":
            assert pd.api.types.is_datetime64_any_dtype(column), field["name"]
        else:
            assert str(column.dtype) == EXPECTED_DTYPES[field["type"]], field["name"]


@pytest.mark.parametrize("name", TABLES)
def test_every_row_names_a_source(name):
    """Curated tables cite a source per row; derived tables name theirs in the descriptor."""
    entry = kzdata.describe(name)
    fields = {f["name"] for f in entry["schema"]["fields"]}
    frame = kzdata.load(name)
    if name == "sources":
        assert frame["url"].str.match(r"https?://").all()
        assert frame["accessed"].notna().all()
    elif "source_id" in fields:
        assert frame["source_id"].notna().all()
        assert set(frame["source_id"]) <= set(kzdata.load("sources")["source_id"])
    elif "source_ids" in fields:
        assert frame["source_ids"].notna().all()
    else:
        assert entry.get("x-sources") and entry.get("x-processing"), f"{name} names no source"
    assert len(kzdata.sources_for(name)) > 0 or name == "sources"


def test_every_source_is_used():
    used = set()
    for name in TABLES:
        if name != "sources":
            used |= set(kzdata.sources_for(name)["source_id"])
    unused = set(kzdata.load("sources")["source_id"]) - used
    assert not unused, f"sources listed but cited by no row: {sorted(unused)}"


def test_census_has_one_charted_value_per_group_and_year():
    census = kzdata.load("census_ethnicity")
    preferred = census[census["preferred"]]
    assert not preferred.duplicated(["year", "group"]).any()
    assert set(preferred[["year", "group"]].itertuples(index=False)) == set(
        census[["year", "group"]].itertuples(index=False)
    )


def test_census_shares_of_a_year_do_not_exceed_the_whole():
    census = kzdata.load("census_ethnicity")
    preferred = census[census["preferred"]]
    totals = preferred.groupby("year")["share_pct"].sum()
    assert (totals <= 100.05).all(), totals[totals > 100.05]


def test_census_counts_and_shares_agree_where_both_are_given():
    """Every row that gives both a count and a share agrees with a census total.

    The total is the same source's 'Total' row where it gives one, else a total of that census year from another
    source (both within 0.1 points), else the total the source's own rows imply (the median of count / share over
    its groups; within 0.5 points, since that total is itself inferred). Every such row is checked: none is skipped
    for want of a total.
    """
    census = kzdata.load("census_ethnicity")
    totals = census[census["group"] == "Total"]
    rows = census[(census["group"] != "Total") & census["population"].notna() & census["share_pct"].notna()]
    assert not rows.empty, "no row gives both a count and a share, so nothing is checked"
    problems = []
    for (year, source), group in rows.groupby(["year", "source_id"]):
        same = totals[(totals["year"] == year) & (totals["source_id"] == source)]["population"]
        that_year = totals[totals["year"] == year]["population"]
        implied = (group["population"] / group["share_pct"] * 100).median()
        candidates = same.tolist() or that_year.tolist() or [implied]
        tolerance = 0.1 if same.size or that_year.size else 0.5
        for row in group.itertuples(index=False):
            shares = [row.population / total * 100 for total in candidates]
            if min(abs(share - row.share_pct) for share in shares) >= tolerance:
                problems.append(f"{year} {row.group} ({source}): {row.share_pct}% but {shares[0]:.2f}% of the total")
    assert not problems, "\n".join(problems)


def test_loading_never_writes_to_the_data_folders(package_copy):
    before = _tree_digest()
    for name in TABLES:
        kzdata.load(name)
    (package_copy.parent / "census_ethnicity.csv").write_text("year,group\nbroken", encoding="utf-8")
    with pytest.raises(kzdata.DataError):
        kzdata.load("census_ethnicity", package=package_copy)
    assert _tree_digest() == before


def test_import_reads_no_table():
    code = "import sys, kzdata; print('frictionless' in sys.modules, 'matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_unknown_table_names_the_known_ones():
    with pytest.raises(KeyError, match="census_ethnicity"):
        kzdata.load("census_ethnic")


def test_cite_credits_the_original_publishers_and_the_version():
    text = kzdata.cite("census_ethnicity")
    for publisher in kzdata.sources_for("census_ethnicity")["publisher"]:
        assert publisher in text
    assert DESCRIPTOR["version"] in text


def test_sources_for_returns_only_the_cited_documents():
    census = kzdata.load("census_ethnicity")
    assert set(kzdata.sources_for("census_ethnicity")["source_id"]) == set(census["source_id"])


def test_descriptor_is_cached_until_the_file_changes(package_copy):
    first = _package.descriptor(package_copy)
    assert _package.descriptor(package_copy) is first
    changed = dict(first, title="changed")
    package_copy.write_text(json.dumps(changed), encoding="utf-8")
    os.utime(package_copy, ns=(1, 1))
    assert _package.descriptor(package_copy)["title"] == "changed"


def test_every_boolean_spelling_that_validates_loads_as_a_boolean(package_copy):
    """Table Schema accepts True/TRUE/1 as well as true; none may load as a missing value."""
    census = package_copy.parent / "census_ethnicity.csv"
    lines = census.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",true,", ",TRUE,", 1)
    lines[2] = lines[2].replace(",true,", ",1,", 1)
    census.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = kzdata.load("census_ethnicity", package=package_copy)
    assert loaded["preferred"].iloc[:2].tolist() == [True, True]
    assert loaded["preferred"].notna().all()


def test_every_source_has_a_kind_from_the_vocabulary():
    """The grading the data page shows: each document's kind, from the descriptor's documented vocabulary."""
    kinds = {entry["kind"] for entry in DESCRIPTOR["x-source-kinds"]}
    grades = {entry["kind"]: entry["grade"] for entry in DESCRIPTOR["x-source-kinds"]}
    assert all(isinstance(grade, int) and 1 <= grade <= 7 for grade in grades.values())
    sources = kzdata.load("sources")
    missing = sources.loc[sources["kind"].isna(), "source_id"].tolist()
    assert not missing, f"sources without a kind: {missing}"
    unknown = sources.loc[~sources["kind"].isin(kinds), ["source_id", "kind"]].to_numpy().tolist()
    assert not unknown, f"kinds outside the vocabulary: {unknown}"


def test_no_source_links_or_names_an_unauthorised_copy():
    """A figure read in a shadow library's copy of a book is cited from the published edition, or left out."""
    sources = kzdata.load("sources")
    fields = [column for column in ("publisher", "title", "url", "note") if column in sources.columns]
    found = {
        row["source_id"]: hosts
        for _, row in sources.iterrows()
        if (hosts := unauthorised.mentions(" ".join(str(row[c]) for c in fields if pd.notna(row[c]))))
    }
    assert not found, f"sources that link or name an unauthorised copy: {found}"
