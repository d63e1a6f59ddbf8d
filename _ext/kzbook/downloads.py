"""The data package offered for download: one zip of the whole package, and each table's CSV.

The archive is built from the descriptor, not from a list of files: every
resource it names (wherever its path points, ``../seeds/claims.csv`` included)
and the descriptor itself, at the same relative places, so the unzipped folder
is a data package that ``kzdata`` validates as it stands. Entries have fixed
dates and permissions, so two builds of the same data give the same bytes.
"""

from __future__ import annotations

import json
import posixpath
import zipfile
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from kzbook.citation import ARCHIVE_FOLDER, citation_text


def package_members(package: Path) -> list[tuple[str, Path]]:
    """(path inside the archive, file) for the descriptor and every resource it names.

    Paths are the descriptor's own, relative to a folder ``data/`` beside which
    ``../`` paths land (``../seeds/claims.csv`` becomes ``seeds/claims.csv``).
    """
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    members = [("data/datapackage.json", package)]
    for resource in descriptor["resources"]:
        inside = posixpath.normpath(posixpath.join("data", resource["path"]))
        if inside.startswith("../") or posixpath.isabs(inside):
            raise ValueError(f"table {resource['name']!r}: path {resource['path']!r} leaves the package's folder")
        members.append((inside, (package.parent / resource["path"]).resolve()))
    return members


def archive_name(meta: dict[str, str]) -> str:
    """File name of the data archive of this version."""
    return f"kzdata-{meta['data_version']}.zip"


def write_data_archive(package: Path, destination: Path, meta: dict[str, str]) -> Path:
    """One zip of the data package: descriptor, every table it describes and a README; byte-stable."""
    destination.mkdir(parents=True, exist_ok=True)
    archive = destination / archive_name(meta)
    readme = (
        f"{meta['title']}: data package version {meta['data_version']}, data cut-off {meta['cutoff']}.\n\n"
        "Every table is described in data/datapackage.json (fields, units, licence, sources). Every curated row\n"
        "names its source document in source_id; data/sources.csv gives its publisher, title, URL and dates.\n"
        "Licence: the compiled tables are CC BY 4.0; the figures belong to their original publishers, whose\n"
        "terms are recorded per table. Cite the original publisher of each figure, and the book as:\n\n"
        f"{citation_text(meta).replace('*', '')}\n"
    )
    entries = [("README.txt", readme.encode())]
    entries += [(inside, path.read_bytes()) for inside, path in package_members(package)]
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, content in entries:
            info = zipfile.ZipInfo(f"kzdata-{meta['data_version']}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            bundle.writestr(info, content)
    return archive


def on_build_finished(app: Sphinx, exception) -> None:
    """The archive and each table's CSV, at fixed addresses the data page links to."""
    from kzbook.execution import descriptor_path

    if exception is None and app.builder.format == "html":
        package = descriptor_path(Path(app.srcdir))
        folder = Path(app.outdir) / ARCHIVE_FOLDER
        write_data_archive(package, folder, app.kzbook_meta)
        tables = folder / "data"
        tables.mkdir(parents=True, exist_ok=True)
        for inside, path in package_members(package)[1:]:
            (tables / posixpath.basename(inside)).write_bytes(path.read_bytes())
        if app.kzbook_pdf:
            (folder / app.kzbook_pdf.name).write_bytes(app.kzbook_pdf.read_bytes())


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
