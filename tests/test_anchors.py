"""Published anchors stay put: every registered label is still in the built HTML, and every heading has a label."""

from __future__ import annotations

from pathlib import Path

from tests import anchors


def test_every_section_heading_has_an_explicit_label():
    problems = anchors.unlabelled_headings()
    assert not problems, "label these headings, e.g. (history-census)= on the line before:\n" + "\n".join(problems)


def test_every_label_in_the_sources_is_registered():
    new = sorted(set(anchors.labels_in_sources()) - set(anchors.registered()))
    assert not new, "run `python tests/anchors.py --update` to register:\n" + "\n".join(new)


def test_every_registered_anchor_is_in_the_built_html(built_html: Path):
    registry = anchors.registered()
    assert len(registry) >= 30
    missing = anchors.missing_in_html(built_html, registry)
    assert not missing, "published anchors gone (restore the label or keep it as an alias):\n" + "\n".join(missing)


def test_a_removed_label_is_caught(tmp_path: Path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "01_history.html").write_text('<section id="history-census">', encoding="utf-8")
    assert anchors.missing_in_html(tmp_path, ["chapters/01_history.html#history-census"]) == []
    assert anchors.missing_in_html(tmp_path, ["chapters/01_history.html#history-famine"]) == [
        "chapters/01_history.html#history-famine"
    ]
