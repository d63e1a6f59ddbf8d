"""Sphinx extension for this book: re-execute notebooks when their data change.

Jupyter Book's execution only looks at a notebook's own cells. Our notebooks
read their numbers through ``kzdata``, so a change to a CSV file, the data
package descriptor, the claims register or the data module itself must send
every notebook back through execution. We keep a fingerprint of those files in
the Sphinx environment and mark all notebooks outdated when it changes; with
``execute_notebooks: force`` that re-executes them, and a rebuild with nothing
changed re-reads (and executes) nothing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

#: Files whose content decides what the notebooks show, relative to the book root.
WATCHED = ("data/*.csv", "data/*.json", "data/*.py", "data/*.mplstyle", "seeds/*.csv")


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
        key = (str(script.filename), str(script.attributes.get("body", "")))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Sphinx) -> dict:
    app.connect("env-get-outdated", _outdated_notebooks)
    app.connect("html-page-context", _dedupe_scripts)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
