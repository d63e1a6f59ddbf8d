"""Every author-date citation points at one document: look-alike labels get letters (2022a, n.d.-b)."""

from __future__ import annotations

from pathlib import Path

from tests import bib_labels

TWO_ALIKE = """@misc{kazinform2022one,
  author = {{Kazinform}},
  title = {One},
  year = {2022},
  note = {Read 2026-11-29}
}

@misc{kazinform2022two,
  author = {{Kazinform}},
  title = {Two},
  year = {2022},
  note = {Read 2026-11-29}
}
"""


def test_no_two_references_share_a_citation_label():
    clashes = bib_labels.clashes()
    assert not clashes, f"run `python tests/bib_labels.py --fix`: {clashes}"


def test_look_alike_references_are_caught_and_lettered(tmp_path: Path):
    bib = tmp_path / "references.bib"
    bib.write_text(TWO_ALIKE, encoding="utf-8")
    assert bib_labels.clashes(bib) == {("Kazinform", "2022"): ["kazinform2022one", "kazinform2022two"]}
    assert bib_labels.fix(bib) == 2
    assert bib_labels.clashes(bib) == {}
    assert "year = {2022a}" in bib.read_text(encoding="utf-8") and "year = {2022b}" in bib.read_text(encoding="utf-8")
