"""Sphinx extension for this book: fresh data at the cost of what changed, citations from one place.

- ``execution``: the data package is validated when the build starts (a broken
  file stops the build at once with the validation report); notebooks whose
  stored outputs are current are rendered without a kernel, stale ones are
  executed in parallel before Sphinx reads them, and only pages whose data or
  code changed are re-read.
- ``citation``: version and data cut-off in every footer; the book's citation and
  a "Cite this chapter" block (text and BibTeX) for each chapter.
- ``anchors``: heading permalinks and the page's Contents use the stable labels.
- ``downloads``: one zip of the data package, built from its descriptor, and each
  table's CSV in the built site.

Submodules are imported in :func:`setup`, so ``tests/run_notebooks.py`` can use
``kzbook.execution`` without loading Sphinx's machinery.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

STATIC = Path(__file__).with_name("static")


def validate_data(app, config) -> None:
    """Check the whole data package before anything else; on an error, stop with the validation report.

    Validation is remembered per content (see ``kzdata._cache``), so an unchanged
    package costs a few milliseconds. The report is the one ``python -m kzdata
    validate`` prints, run on the package this build reads.
    """
    import os

    from kzbook.execution import descriptor_path, stop_with
    from kzdata import DataError, _package

    package = descriptor_path(Path(app.srcdir))
    try:
        failed = [name for name, problems in _package.validate_all(package).items() if problems]
    except DataError:
        failed = ["datapackage"]
    if not failed:
        return
    report = subprocess.run(
        [sys.executable, "-m", "kzdata", "validate"],
        env=dict(os.environ, KZDATA_DESCRIPTOR=str(package)),
        capture_output=True,
        text=True,
        check=False,
    )
    # The report without its "ok" lines, so the problems are what the reader sees last.
    lines = [line for line in (report.stdout + report.stderr).splitlines() if not line.rstrip().endswith(" ok")]
    stop_with(f"The data package {package} failed validation; nothing was built.\n" + "\n".join(lines))


def _dedupe_scripts(app, pagename: str, templatename: str, context: dict, doctree) -> None:
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


def _citation_list_role(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Docutils marks the bibliography as an ARIA list whose entries are not list items; drop the role."""
    body = context.get("body")
    if body and 'role="list" class="citation-list"' in body:
        context["body"] = body.replace('<div role="list" class="citation-list">', '<div class="citation-list">')


def _static_path(app, config) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def setup(app) -> dict:
    from kzbook import anchors, citation, downloads, execution

    app.add_config_value("kzbook_cite_pages", ["chapters/0*"], "env")
    # Data first: a broken table stops the build before anything reads the descriptor or runs a kernel.
    app.connect("config-inited", validate_data, priority=100)
    app.connect("config-inited", citation.footer)
    app.connect("config-inited", _static_path)
    app.connect("env-get-outdated", execution.on_env_get_outdated)
    app.connect("source-read", execution.on_source_read)
    # Before Sphinx's own collectors (priority 500) record the page's Contents and section numbers.
    app.connect("doctree-read", citation.append_cite_block, priority=400)
    app.connect("doctree-read", anchors.labels_first, priority=450)
    app.connect("doctree-read", execution.on_doctree_read)
    app.connect("html-page-context", _dedupe_scripts)
    app.connect("html-page-context", citation.footer_link)
    app.connect("html-page-context", _citation_list_role)
    app.connect("build-finished", downloads.on_build_finished)
    app.add_directive("kzbook-citation", citation.BookCitation)
    app.add_directive("kzbook-data-downloads", downloads.DataDownloads)
    app.add_css_file("kzbook-wrap.css")
    return {"version": "2.0", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 2}
