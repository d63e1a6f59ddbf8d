"""Published anchors stay put: every registered label is still in the built HTML, and every heading has a label."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import anchors


def test_every_section_heading_has_an_explicit_label():
    problems = anchors.unlabelled_headings()
    assert not problems, "label these headings, e.g. (history-census)= on the line before:\n" + "\n".join(problems)


def test_every_label_in_the_sources_is_registered():
    new = sorted(set(anchors.labels_in_sources()) - set(anchors.registered()))
    assert not new, "run `python tests/anchors.py --update` to register:\n" + "\n".join(new)


def _released() -> dict[str, list[str]]:
    lists = anchors.released()
    if not lists:
        reason = "no release of CHANGELOG.md found in the git history (not a git checkout, or a shallow clone)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + ": on CI the history must be fetched (fetch-depth: 0)")
        pytest.skip(reason)
    return lists


def test_no_published_anchor_has_left_the_registry():
    """Every anchor registered at any release is still registered: deleting a label from both the page and
    anchors.txt is caught here, since the release's own copy of the registry is read from git."""
    registry = set(anchors.registered())
    dropped = sorted({a for listed in _released().values() for a in listed} - registry)
    assert not dropped, "anchors published in a release were removed from anchors.txt:\n" + "\n".join(dropped)


@pytest.mark.slow
def test_every_registered_anchor_is_in_the_built_html(built_html: Path):
    registry = list(dict.fromkeys(anchors.registered() + [a for listed in _released().values() for a in listed]))
    assert registry, "the registry is empty"
    missing = anchors.missing_in_html(built_html, registry)
    assert not missing, "published anchors gone (restore the label or keep it as an alias):\n" + "\n".join(missing)


def test_a_removed_label_is_caught(tmp_path: Path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "01_history.html").write_text('<section id="history-census">', encoding="utf-8")
    assert anchors.missing_in_html(tmp_path, ["chapters/01_history.html#history-census"]) == []
    assert anchors.missing_in_html(tmp_path, ["chapters/01_history.html#history-famine"]) == [
        "chapters/01_history.html#history-famine"
    ]


def test_the_release_lists_are_read_from_git():
    """The last release's list is the one committed with its CHANGELOG heading, and it is not empty
    (releases from before the registry existed have none)."""
    lists = _released()
    last = max(anchors.release_commits(), key=lambda version: tuple(map(int, version.split("."))))
    assert lists.get(last), f"no anchors.txt at the commit of release {last}"
