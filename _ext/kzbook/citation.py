"""Citations from one place: the footer, the book's citation and a "Cite this chapter" block per chapter.

All are built from ``CITATION.cff``, the Sphinx ``release`` and the data
package's cut-off, so no citation is typed by hand and none can disagree with
another. The BibTeX entries compile with bibtex and pdflatex: LaTeX's special
characters are escaped, titles are braced so styles keep their capitals, the
publisher is named, and the version is in the note as well as in ``version``
(which the classic styles ignore).
"""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path

import yaml
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

#: Stands for the How-to-cite page's address in the footer until each page resolves it relative to itself.
HOWTO_LINK = "kzbook:howto_cite"
#: Stands for the PDF's address in the footer, when a PDF has been built.
PDF_LINK = "kzbook:pdf"
#: Folder of the built site that holds the data archive, table CSVs and the PDF.
ARCHIVE_FOLDER = "downloads"


def book_metadata(root: Path, package: Path | None = None) -> dict[str, str]:
    """Title, authors, version, release date and data cut-off, read from the files that own them."""
    cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    descriptor = package or root / "data" / "datapackage.json"
    data = json.loads(descriptor.read_text(encoding="utf-8"))
    authors = " and ".join(a.get("name") or f"{a['family-names']}, {a['given-names']}" for a in cff["authors"])
    return {
        "title": cff["title"],
        "authors": authors,
        "version": str(cff["version"]),
        "released": str(cff["date-released"]),
        "year": str(cff["date-released"])[:4],
        "cutoff": data["x-data-cutoff"],
        "data_version": data["version"],
    }


def page_url(app: Sphinx, docname: str) -> str:
    """The page's address: under html_baseurl when the book is published, else its path in the built book."""
    page = f"{docname}.html"
    base = app.config.html_baseurl
    return f"{base.rstrip('/')}/{page}" if base else page


def citation_text(meta: dict[str, str], title: str | None = None, url: str = "") -> str:
    """Author-date citation of the book, or of one chapter of it when a title is given."""
    book = f"*{meta['title']}*, version {meta['version']} (data cut-off {meta['cutoff']})"
    where = f" {url}" if url else ""
    if title:
        return f"{meta['authors']} ({meta['year']}). {title}. In {book}.{where}"
    return f"{meta['authors']} ({meta['year']}). {book}.{where}"


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def latex_escape(text: str) -> str:
    """Text safe inside a BibTeX field: LaTeX's special characters escaped."""
    return "".join(_LATEX_SPECIAL.get(char, char) for char in text)


def bibtex_entry(meta: dict[str, str], key: str, title: str | None = None, url: str = "") -> str:
    """A BibTeX entry matching :func:`citation_text`; it compiles with bibtex and pdflatex as written.

    Titles are wrapped in an extra pair of braces so that styles which lower-case
    titles keep "Kazakhstan", "Astana" and "China" capitalised. The book team is
    its own publisher. ``version`` is kept for biblatex; the note repeats it for
    the classic styles, which drop that field.
    """

    def braced(text: str) -> str:
        return "{" + latex_escape(text) + "}"

    authors = latex_escape(meta["authors"])
    fields = [("author", "{" + authors + "}")]
    if title:
        fields += [("title", braced(title)), ("booktitle", braced(meta["title"]))]
    else:
        fields += [("title", braced(meta["title"]))]
    note = f"Version {meta['version']}, data cut-off {meta['cutoff']}"
    fields += [("publisher", authors), ("year", meta["year"]), ("version", meta["version"])]
    if url.startswith(("http://", "https://")):
        fields += [("note", note), ("url", url)]
    else:
        # Not yet published at an address: name the page within the book instead of a fake URL.
        note += f"; page {latex_escape(url)}" if url else ""
        fields += [("note", note)]
    kind = "incollection" if title else "book"
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{key},\n{body}\n}}"


def _paragraph_from_markup(text: str) -> nodes.paragraph:
    """A paragraph from text whose only markup is *italic*."""
    paragraph = nodes.paragraph()
    for index, piece in enumerate(re.split(r"\*([^*]+)\*", text)):
        if piece:
            paragraph += nodes.emphasis(text=piece) if index % 2 else nodes.Text(piece)
    return paragraph


def chapter_key(meta: dict[str, str], docname: str) -> str:
    """The BibTeX key of a chapter: letters only, so every style and manager accepts it."""
    return "kzbook" + meta["year"] + re.sub(r"[^a-z]", "", docname.rsplit("/", 1)[-1].split("_", 1)[-1])


def cite_section(app: Sphinx, docname: str, title: str) -> nodes.section:
    meta = app.kzbook_meta
    url = page_url(app, docname)
    section = nodes.section(ids=["cite-this-chapter"], names=["cite this chapter"])
    section += nodes.title(text="Cite this chapter")
    section += _paragraph_from_markup(citation_text(meta, title, url))
    block = nodes.literal_block(text=bibtex_entry(meta, chapter_key(meta, docname), title, url))
    block["language"] = "bibtex"
    section += block
    section += _paragraph_from_markup(
        "Cite the original publishers too when you reuse a figure: they are named under every chart "
        "and in the data and sources page. Section and figure links are stable."
    )
    return section


def append_cite_block(app: Sphinx, doctree: nodes.document) -> None:
    """Add the block as the chapter's last section, before Sphinx collects the page's contents.

    Added that early (priority below the collectors'), it is listed in the
    page's Contents and gets its own section number rather than the chapter's.
    """
    docname = app.env.docname
    if not any(fnmatch.fnmatch(docname, pattern) for pattern in app.config.kzbook_cite_pages):
        return
    top = next(iter(doctree.findall(nodes.section)), None)
    if top is None:
        return
    title = top[0].astext() if isinstance(top[0], nodes.title) else docname
    top += cite_section(app, docname, title)


class BookCitation(SphinxDirective):
    """Render the book's own citation and BibTeX where the How-to-cite page asks for it."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        meta = self.env.app.kzbook_meta
        base = self.config.html_baseurl
        url = base if base else ""
        block = nodes.literal_block(text=bibtex_entry(meta, f"kzbook{meta['year']}", url=url))
        block["language"] = "bibtex"
        return [_paragraph_from_markup(citation_text(meta, url=url)), block]


def footer(app: Sphinx, config) -> None:
    """Version and data cut-off in every page footer, from the same files as the citations.

    The book's metadata and the built PDF are looked up here, once per build, and
    kept on the application for the handlers that run per page.
    """
    from kzbook.execution import descriptor_path

    meta = app.kzbook_meta = book_metadata(Path(app.srcdir), descriptor_path(Path(app.srcdir)))
    app.kzbook_pdf = built_pdf(app)
    if config.release and config.release != meta["version"]:
        raise ValueError(f"_config.yml release {config.release} differs from CITATION.cff version {meta['version']}")
    # Sphinx's short version is derived here rather than written in _config.yml, where it once lagged a release.
    config.version = meta["version"].rsplit(".", 1)[0]
    offer = f' · <a href="{PDF_LINK}">PDF</a>' if app.kzbook_pdf else ""
    config.html_theme_options["extra_footer"] = (
        f'<p>Version {meta["version"]} · data cut-off {meta["cutoff"]} · <a href="{HOWTO_LINK}">how to cite</a>'
        f"{offer}</p>"
    )


def built_pdf(app: Sphinx) -> Path | None:
    """The book's PDF if ``jupyter-book build --builder pdflatex`` has made one beside this build."""
    book_config = yaml.safe_load((Path(app.srcdir) / "_config.yml").read_text(encoding="utf-8"))
    target = book_config.get("latex", {}).get("latex_documents", {}).get("targetname", "")
    pdf = Path(app.outdir).parent / "latex" / Path(target).with_suffix(".pdf").name if target else None
    return pdf if pdf and pdf.is_file() else None


def footer_link(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Resolve the footer's link to the How-to-cite page relative to each page."""
    text = context.get("theme_extra_footer")
    if text and HOWTO_LINK in text:
        text = text.replace(HOWTO_LINK, context["pathto"]("howto_cite"))
        if app.kzbook_pdf:
            text = text.replace(PDF_LINK, context["pathto"](f"{ARCHIVE_FOLDER}/{app.kzbook_pdf.name}", 1))
        context["theme_extra_footer"] = text
