"""The generated "Cite this chapter" BibTeX compiles as written and keeps the titles' capitals.

Each chapter's entry is built by the extension's own function from CITATION.cff,
the data package and the chapter's title, then run through bibtex and pdflatex
(where they are installed): an unescaped underscore in a page name stops
pdflatex, an empty publisher makes bibtex warn, and classic styles lower-case
titles that are not braced.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import nbformat
import pytest
from kzbook import citation

from tests.conftest import ROOT
from tests.run_notebooks import CHAPTERS

CHAPTER_NOTEBOOKS = sorted(CHAPTERS.glob("0*.ipynb"))


def chapter_title(path) -> str:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        match = re.search(r"^# (.+)$", cell.source, re.M) if cell.cell_type == "markdown" else None
        if match:
            return match.group(1).strip()
    raise AssertionError(f"{path.name} has no title")


def entries() -> dict[str, tuple[str, str]]:
    """Each chapter's (title, BibTeX entry), as the built page shows it when no html_baseurl is set."""
    meta = citation.book_metadata(ROOT)
    found = {}
    for path in CHAPTER_NOTEBOOKS:
        docname = f"chapters/{path.stem}"
        title = chapter_title(path)
        found[docname] = (
            title,
            citation.bibtex_entry(meta, citation.chapter_key(meta, docname), title, f"{docname}.html"),
        )
    return found


@pytest.mark.parametrize("docname", [f"chapters/{p.stem}" for p in CHAPTER_NOTEBOOKS])
def test_entry_escapes_latex_braces_titles_and_names_publisher_and_version(docname):
    title, entry = entries()[docname]
    version = citation.book_metadata(ROOT)["version"]
    assert re.search(r"(?<!\\)_", entry.split("{", 1)[1]) is None, "a bare underscore stops pdflatex"
    assert "title = {{" in entry and "booktitle = {{" in entry, "titles not braced: styles lower-case them"
    publisher = re.search(r"publisher = \{([^}]*)\}", entry)
    assert publisher and publisher.group(1).strip(), "no publisher: bibtex warns"
    assert re.search(rf"note = \{{[^}}]*Version {re.escape(version)}", entry), "classic styles drop 'version'"


def test_escaping_covers_latex_specials():
    assert (
        citation.latex_escape("a_b & 50% #1 $2 {x} ~ ^")
        == r"a\_b \& 50\% \#1 \$2 \{x\} \textasciitilde{} \textasciicircum{}"
    )


@pytest.mark.needs(
    None
    if shutil.which("pdflatex") and shutil.which("bibtex")
    else "pdflatex or bibtex is not installed (README, The PDF)"
)
def test_every_chapter_entry_compiles_with_bibtex_and_pdflatex(tmp_path):
    found = entries()
    (tmp_path / "refs.bib").write_text("\n\n".join(entry for _, entry in found.values()) + "\n", encoding="utf-8")
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\begin{document}\n\\nocite{*}\n"
        "\\bibliographystyle{plain}\n\\bibliography{refs}\n\\end{document}\n",
        encoding="utf-8",
    )

    def run(*command: str) -> subprocess.CompletedProcess:
        return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120)

    latex = ("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "main")
    assert run(*latex).returncode == 0
    bibtex = run("bibtex", "main")
    assert bibtex.returncode == 0 and "Warning--" not in bibtex.stdout, bibtex.stdout
    for _ in range(2):
        result = run(*latex)
        assert result.returncode == 0, result.stdout[-3000:]
    assert (tmp_path / "main.pdf").is_file()
    bbl = re.sub(r"\s+", " ", (tmp_path / "main.bbl").read_text(encoding="utf-8"))
    for title, _ in found.values():
        words = [w for w in re.findall(r"[A-Z][a-z]+", title) if w != title.split()[0]]
        assert all(word in bbl for word in words), f"capitals lost in the bibliography for {title!r}"
