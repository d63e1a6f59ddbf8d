"""Every author-date citation points at one document: look-alike labels get letters (2022a, n.d.-b)."""

from __future__ import annotations

from pathlib import Path

from pybtex.database import parse_file

from tests import bib_labels, unauthorised

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


def test_no_reference_links_or_names_an_unauthorised_copy():
    """Books are cited by their published edition, never through a shadow library."""
    found = {
        key: hosts
        for key, entry in parse_file(str(bib_labels.BIB)).entries.items()
        if (hosts := unauthorised.mentions(" ".join(entry.fields.values())))
    }
    assert not found, f"cite the published edition instead: {found}"


def test_a_reference_through_a_shadow_library_is_caught():
    assert unauthorised.mentions("howpublished = {copy at m.ebrary.net}, url = {https://libgen.rs/book}") == [
        "ebrary.net",
        "libgen",
    ]
    assert unauthorised.mentions("Cornell University Press, 2017") == []


def test_every_title_keeps_its_capitals():
    """Sentence case would print 'russia' and 'central asia': capitalised words are protected by braces."""
    unprotected = bib_labels.unprotected_titles()
    assert not unprotected, f"run `python tests/bib_labels.py --fix`: {unprotected}"


def test_title_protection_braces_capitalised_words_once():
    title = "Kazakhstan's Russia problem: CSTO troops in {Almaty} and Central Asia"
    protected = bib_labels.protect_title(title)
    assert protected == "Kazakhstan's {Russia} problem: {CSTO} troops in {Almaty} and {Central} {Asia}"
    assert bib_labels.protect_title(protected) == protected
    assert bib_labels.protect_title("CSTO troops") == "{CSTO} troops", "sentence case would print 'Csto'"


def test_a_protected_title_prints_with_its_capitals():
    """The bibliography style itself (pybtex's plain, as the book uses) keeps the braced capitals."""
    from pybtex.database import parse_string
    from pybtex.plugin import find_plugin

    bib = "@misc{x, author = {A, B}, title = {" + bib_labels.protect_title("Why Kazakhstan left Russia's fold") + "}}"
    style = find_plugin("pybtex.style.formatting", "plain")()
    [entry] = style.format_entries(parse_string(bib, "bibtex").entries.values())
    assert "Kazakhstan" in entry.text.render_as("text") and "Russia's" in entry.text.render_as("text")
