"""Sphinx extension for this book: fresh data, citations from one place, a data archive.

1. Re-execute notebooks when their data change (below).
2. Show the version and data cut-off in every page footer, and append a generated
   "Cite this chapter" block (text and BibTeX) to each chapter, all from
   ``CITATION.cff``, the Sphinx ``release`` and the data package's cut-off, so no
   citation is typed by hand and none can disagree with another.
3. Write one zip of the whole data package into the built site for download.

Jupyter Book's execution only looks at a notebook's own cells. Our notebooks
read their numbers through ``kzdata``, so a change to a CSV file, the data
package descriptor, the claims register or the data module itself must send
every notebook back through execution. We keep a fingerprint of those files in
the Sphinx environment and mark all notebooks outdated when it changes; with
``execute_notebooks: force`` that re-executes them, and a rebuild with nothing
changed re-reads (and executes) nothing.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
import zipfile
from pathlib import Path

import yaml
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

#: Files whose content decides what the notebooks show, relative to the book root.
WATCHED = ("data/*.csv", "data/*.json", "data/*.py", "data/*.mplstyle", "seeds/*.csv", "CITATION.cff")


def data_fingerprint(root: Path) -> str:
    """A hash of every file the notebooks' outputs depend on besides their own cells."""
    digest = hashlib.sha256()
    for pattern in WATCHED:
        for path in sorted(root.glob(pattern)):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _outdated_notebooks(app: Sphinx, env: BuildEnvironment, added, changed, removed) -> list[str]:
    fingerprint = data_fingerprint(Path(app.srcdir))
    previous = getattr(env, "kzbook_data_fingerprint", None)
    env.kzbook_data_fingerprint = fingerprint
    if previous is None or previous == fingerprint:
        return []
    return [doc for doc in env.found_docs if str(env.doc2path(doc)).endswith(".ipynb") and doc not in added | changed]


def _dedupe_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Sphinx 7.4 emits some inline scripts twice (a redeclaration error in the browser)."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in scripts:
        key = (str(script.filename or ""), str(script.attributes.get("body", "")))  # None and "" both mean inline
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


# --- Citations -------------------------------------------------------------------------------------

ARCHIVE_FOLDER = "downloads"
#: Stands for the How-to-cite page's address in the footer until each page resolves it relative to itself.
HOWTO_LINK = "kzbook:howto_cite"
#: Stands for the PDF's address in the footer, when a PDF has been built.
PDF_LINK = "kzbook:pdf"


def book_metadata(root: Path) -> dict[str, str]:
    """Title, authors, version, release date and data cut-off, read from the files that own them."""
    cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    package = json.loads((root / "data" / "datapackage.json").read_text(encoding="utf-8"))
    authors = " and ".join(a.get("name") or f"{a['family-names']}, {a['given-names']}" for a in cff["authors"])
    return {
        "title": cff["title"],
        "authors": authors,
        "version": str(cff["version"]),
        "released": str(cff["date-released"]),
        "year": str(cff["date-released"])[:4],
        "cutoff": package["x-data-cutoff"],
        "data_version": package["version"],
    }


def _page_url(app: Sphinx, docname: str) -> str:
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


def bibtex_entry(meta: dict[str, str], key: str, title: str | None = None, url: str = "") -> str:
    """A BibTeX entry matching :func:`citation_text`."""
    fields = [("author", "{" + meta["authors"] + "}")]
    if title:
        fields += [("title", title), ("booktitle", meta["title"])]
    else:
        fields += [("title", meta["title"])]
    note = f"Data cut-off {meta['cutoff']}"
    if url.startswith(("http://", "https://")):
        fields += [("year", meta["year"]), ("version", meta["version"]), ("note", note), ("url", url)]
    else:
        # Not yet published at an address: name the page within the book instead of a fake URL.
        note += f"; page {url}" if url else ""
        fields += [("year", meta["year"]), ("version", meta["version"]), ("note", note)]
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


def _cite_section(app: Sphinx, docname: str, title: str) -> nodes.section:
    meta = app.kzbook_meta
    url = _page_url(app, docname)
    key = "kzbook" + meta["year"] + re.sub(r"[^a-z]", "", docname.rsplit("/", 1)[-1].split("_", 1)[-1])
    section = nodes.section(ids=["cite-this-chapter"], names=["cite this chapter"])
    section += nodes.title(text="Cite this chapter")
    section += _paragraph_from_markup(citation_text(meta, title, url))
    block = nodes.literal_block(text=bibtex_entry(meta, key, title, url))
    block["language"] = "bibtex"
    section += block
    section += _paragraph_from_markup(
        "Cite the original publishers too when you reuse a figure: they are named under every chart "
        "and in the data and sources page. Section and figure links are stable."
    )
    return section


def _append_cite_block(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    if not any(fnmatch.fnmatch(docname, pattern) for pattern in app.config.kzbook_cite_pages):
        return
    top = next(iter(doctree.findall(nodes.section)), None)
    if top is None:
        return
    title = top[0].astext() if isinstance(top[0], nodes.title) else docname
    top += _cite_section(app, docname, title)


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


def _footer(app: Sphinx, config) -> None:
    """Version and data cut-off in every page footer, from the same files as the citations.

    The book's metadata and the built PDF are looked up here, once per build, and
    kept on the application for the handlers that run per page.
    """
    meta = app.kzbook_meta = book_metadata(Path(app.srcdir))
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


def _footer_link(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Resolve the footer's link to the How-to-cite page relative to each page."""
    footer = context.get("theme_extra_footer")
    if footer and HOWTO_LINK in footer:
        footer = footer.replace(HOWTO_LINK, context["pathto"]("howto_cite"))
        if app.kzbook_pdf:
            footer = footer.replace(PDF_LINK, context["pathto"](f"{ARCHIVE_FOLDER}/{app.kzbook_pdf.name}", 1))
        context["theme_extra_footer"] = footer


# --- Data archive ----------------------------------------------------------------------------------


def package_tables(root: Path) -> list[Path]:
    """Every CSV table of the data package, the claims register included."""
    return [*sorted((root / "data").glob("*.csv")), root / "seeds" / "claims.csv"]


def write_data_archive(root: Path, destination: Path, meta: dict[str, str]) -> Path:
    """One zip of the data package: tables, descriptor, claims register and a README; byte-stable."""
    destination.mkdir(parents=True, exist_ok=True)
    archive = destination / archive_name(meta)
    members = [*package_tables(root), root / "data" / "datapackage.json"]
    readme = (
        f"{meta['title']}: data package version {meta['data_version']}, data cut-off {meta['cutoff']}.\n\n"
        "Every table is described in datapackage.json (fields, units, licence, sources). Every curated row names\n"
        "its source document in source_id; sources.csv gives its publisher, title, URL and dates.\n"
        "Licence: the compiled tables are CC BY 4.0; the figures belong to their original publishers, whose\n"
        "terms are recorded per table. Cite the original publisher of each figure, and the book as:\n\n"
        f"{citation_text(meta).replace('*', '')}\n"
    )
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        entries = [("README.txt", readme.encode())] + [
            (("seeds/" if path.parent.name == "seeds" else "data/") + path.name, path.read_bytes()) for path in members
        ]
        for name, content in entries:
            info = zipfile.ZipInfo(f"kzdata-{meta['data_version']}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            bundle.writestr(info, content)
    return archive


def _archive(app: Sphinx, exception) -> None:
    """The archive and each table's CSV, at fixed addresses the data page links to."""
    if exception is None and app.builder.format == "html":
        root, folder = Path(app.srcdir), Path(app.outdir) / ARCHIVE_FOLDER
        write_data_archive(root, folder, app.kzbook_meta)
        tables = folder / "data"
        tables.mkdir(parents=True, exist_ok=True)
        for path in package_tables(root):
            (tables / path.name).write_bytes(path.read_bytes())
        if app.kzbook_pdf:
            (folder / app.kzbook_pdf.name).write_bytes(app.kzbook_pdf.read_bytes())


def archive_name(meta: dict[str, str]) -> str:
    """File name of the data archive of this version."""
    return f"kzdata-{meta['data_version']}.zip"


class DataDownloads(SphinxDirective):
    """Links to the data archive, resolved relative to the page that shows them."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        up = "../" * self.env.docname.count("/")
        name = archive_name(self.env.app.kzbook_meta)
        html = (
            f'<p class="kz-downloads">Download the whole data package: '
            f'<a href="{up}{ARCHIVE_FOLDER}/{name}">{name}</a> (tables, descriptor, claims register and a README '
            f"with licences and how to cite). Each table's CSV is linked in the table below.</p>"
        )
        return [nodes.raw("", html, format="html")]


def _citation_list_role(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Docutils marks the bibliography as an ARIA list whose entries are not list items; drop the role."""
    body = context.get("body")
    if body and 'role="list" class="citation-list"' in body:
        context["body"] = body.replace('<div role="list" class="citation-list">', '<div class="citation-list">')


def setup(app: Sphinx) -> dict:
    app.add_config_value("kzbook_cite_pages", ["chapters/0*"], "env")
    app.connect("env-get-outdated", _outdated_notebooks)
    app.connect("html-page-context", _dedupe_scripts)
    app.connect("config-inited", _footer)
    app.connect("html-page-context", _footer_link)
    app.connect("html-page-context", _citation_list_role)
    app.connect("doctree-read", _append_cite_block)
    app.connect("build-finished", _archive)
    app.add_directive("kzbook-citation", BookCitation)
    app.add_directive("kzbook-data-downloads", DataDownloads)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
