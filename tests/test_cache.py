"""kzdata validates a table once per content: never again while it is unchanged, always when it changed.

Each test reads a copy of the data package with an empty cache folder of its
own, and counts the calls to frictionless's validation.
"""

from __future__ import annotations

import pytest

import kzdata
from kzdata import _cache, _package

CENSUS_ROW = "\n2021,Kazakhs,,70.4,"


@pytest.fixture
def validations(monkeypatch, tmp_path) -> list[str]:
    """The tables frictionless is asked to validate, in order; memory cleared, a fresh cache folder."""
    calls: list[str] = []
    real = _package._frictionless_problems

    def counting(name, package):
        calls.append(name)
        return real(name, package)

    monkeypatch.setattr(_package, "_frictionless_problems", counting)
    monkeypatch.setenv("KZDATA_CACHE", str(tmp_path / "cache"))
    _cache.clear()
    yield calls
    _cache.clear()


def test_an_unchanged_table_is_validated_once(package_copy, validations):
    first = kzdata.load("census_ethnicity", package=package_copy)
    second = kzdata.load("census_ethnicity", package=package_copy)
    assert validations == ["census_ethnicity"]
    assert first.equals(second)


def test_a_repeated_load_returns_an_independent_copy(package_copy, validations):
    first = kzdata.load("census_ethnicity", package=package_copy)
    first.loc[:, "share_pct"] = 0
    assert (kzdata.load("census_ethnicity", package=package_copy)["share_pct"] != 0).any()


def test_a_changed_file_is_validated_before_use(package_copy, validations):
    kzdata.load("census_ethnicity", package=package_copy)
    census = package_copy.parent / "census_ethnicity.csv"
    text = census.read_text(encoding="utf-8")
    assert CENSUS_ROW in text
    census.write_text(text.replace(CENSUS_ROW, "\n2021,Kazakhs,,seventy,"), encoding="utf-8")
    with pytest.raises(kzdata.DataError, match="seventy"):
        kzdata.load("census_ethnicity", package=package_copy)
    assert validations == ["census_ethnicity", "census_ethnicity"]


def test_a_changed_referenced_table_revalidates_the_tables_pointing_to_it(package_copy, validations):
    """A source removed from sources.csv breaks census's foreign key: caught though census.csv is unchanged."""
    census = kzdata.load("census_ethnicity", package=package_copy)
    used = sorted(set(census["source_id"]))[0]
    sources = package_copy.parent / "sources.csv"
    lines = sources.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(f"{used},")]
    assert len(kept) == len(lines) - 1
    sources.write_text("".join(kept), encoding="utf-8")
    with pytest.raises(kzdata.DataError, match=used):
        kzdata.load("census_ethnicity", package=package_copy)


def test_a_changed_descriptor_entry_is_validated_again(package_copy, validations):
    import json

    kzdata.load("census_ethnicity", package=package_copy)
    descriptor = json.loads(package_copy.read_text(encoding="utf-8"))
    entry = next(r for r in descriptor["resources"] if r["name"] == "census_ethnicity")
    field = next(f for f in entry["schema"]["fields"] if f["name"] == "share_pct")
    field.setdefault("constraints", {})["maximum"] = 50
    package_copy.write_text(json.dumps(descriptor), encoding="utf-8")
    with pytest.raises(kzdata.DataError, match="share_pct"):
        kzdata.load("census_ethnicity", package=package_copy)


def test_the_folder_remembers_validations_across_processes(package_copy, validations):
    kzdata.load("census_ethnicity", package=package_copy)
    _cache.clear()  # as a new process would start
    kzdata.load("census_ethnicity", package=package_copy)
    assert validations == ["census_ethnicity"]


def test_an_empty_setting_switches_the_folder_off(package_copy, validations, monkeypatch):
    monkeypatch.setenv("KZDATA_CACHE", "")
    kzdata.load("census_ethnicity", package=package_copy)
    _cache.clear()
    kzdata.load("census_ethnicity", package=package_copy)
    assert validations == ["census_ethnicity", "census_ethnicity"]


def test_only_public_reads_are_recorded(package_copy, validations, monkeypatch):
    monkeypatch.setattr(_cache, "_recorded", [])
    kzdata.load("claims", package=package_copy)  # validating claims reads sources: not the caller's read
    kzdata.names(package=package_copy)
    assert _cache.recorded() == ["claims", _cache.NAMES]
