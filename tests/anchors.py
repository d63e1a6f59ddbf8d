"""The registry of published anchors: chapter, section and figure labels that readers may have cited.

Every label in the book's sources becomes an address fragment in the built
HTML (``chapters/01_history.html#history-census``). Once a label is published
it must keep working, so ``anchors.txt`` records each one, and a test checks
that the built HTML still has it. To rename a label, keep the old one as a
second label line above the same heading (an alias); to add new labels to the
registry after writing a section, run ``python tests/anchors.py --update``,
which only ever adds lines.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.prose import ROOT, book_pages, markdown_cells, shown_path  # noqa: E402
from tests.site import parse  # noqa: E402

REGISTRY = Path(__file__).with_name("anchors.txt")
_LABEL = re.compile(r"^\(([\w-]+)\)=\s*$", re.MULTILINE)
_FIGURE_NAME = re.compile(r"^:name:\s*([\w-]+)\s*$", re.MULTILINE)
_HEADING = re.compile(r"^(#{1,3})\s+\S")


def page_name(page: Path, root: Path = ROOT) -> str:
    return page.relative_to(root).with_suffix(".html").as_posix()


def labels_in_sources(root: Path = ROOT) -> list[str]:
    """Every ``page#fragment`` the sources define: labels and figure names."""
    anchors = []
    for page in book_pages(root):
        for _, markdown in markdown_cells(page):
            fragments = _LABEL.findall(markdown) + _FIGURE_NAME.findall(markdown)
            anchors += [f"{page_name(page, root)}#{fragment}" for fragment in fragments]
    return anchors


def unlabelled_headings(root: Path = ROOT) -> list[str]:
    """Headings of level one to three with no label on the line before them (blank lines allowed)."""
    problems = []
    for page in book_pages(root):
        for index, markdown in markdown_cells(page):
            lines = markdown.splitlines()
            in_code = False
            for number, line in enumerate(lines):
                if line.strip().startswith(("```", "~~~")):
                    in_code = not in_code
                if in_code or not _HEADING.match(line):
                    continue
                before = [text for text in lines[:number] if text.strip()]
                if not before or not _LABEL.match(before[-1]):
                    where = f" cell {index}" if index is not None else ""
                    problems.append(f"{shown_path(page, root)}{where}: {line.strip()}")
    return problems


def registered() -> list[str]:
    lines = REGISTRY.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def release_commits(root: Path = ROOT) -> dict[str, str]:
    """Each version in ``CHANGELOG.md`` and the commit that first wrote its heading (the release commit).

    Empty when git or the history is not available (an export, a shallow clone).
    """
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    commits = {}
    for version in re.findall(r"^## (\d+\.\d+\.\d+) ", changelog, re.MULTILINE):
        found = subprocess.run(
            ["git", "log", "--format=%H", f"-S## {version} ", "--", "CHANGELOG.md"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        lines = found.stdout.split()
        if found.returncode == 0 and lines:
            commits[version] = lines[-1]  # the oldest commit that added the heading
    return commits


def released(root: Path = ROOT) -> dict[str, list[str]]:
    """The registry as each release published it: version -> anchors in ``tests/anchors.txt`` at its release commit."""
    path = REGISTRY.relative_to(root).as_posix() if REGISTRY.is_relative_to(root) else "tests/anchors.txt"
    lists = {}
    for version, commit in release_commits(root).items():
        shown = subprocess.run(
            ["git", "show", f"{commit}:{path}"], cwd=root, capture_output=True, text=True, check=False
        )
        if shown.returncode == 0:
            lines = shown.stdout.splitlines()
            lists[version] = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return lists


def missing_in_html(html: Path, anchors: list[str]) -> list[str]:
    """Registered anchors that the built site no longer has."""
    missing = []
    ids_by_page: dict[str, set[str]] = {}
    for anchor in anchors:
        page, _, fragment = anchor.partition("#")
        if page not in ids_by_page:
            path = html / page
            ids_by_page[page] = parse(path).ids if path.exists() else set()
        if fragment not in ids_by_page[page]:
            missing.append(anchor)
    return missing


def update() -> int:
    """Add the anchors the sources define that the registry lacks; never remove any."""
    known = registered()
    new = [anchor for anchor in dict.fromkeys(labels_in_sources()) if anchor not in known]
    if new:
        with REGISTRY.open("a", encoding="utf-8") as registry:
            registry.write("".join(f"{anchor}\n" for anchor in new))
    print(f"{len(new)} anchor(s) added to {REGISTRY.name}")
    return 0


if __name__ == "__main__":
    sys.exit(update() if "--update" in sys.argv else 0)
