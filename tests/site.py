"""The built site as the link, anchor and browser checks see it: its pages, their ids and their links."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

#: Attributes whose URLs a browser fetches or a reader follows.
LINKING = {("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("source", "src"), ("iframe", "src")}
#: Folders of the built site that hold assets, not pages.
NOT_PAGES = ("_static", "_sources", "_images", "_downloads", "downloads")


class _Collector(HTMLParser):
    """The ids a page defines and the URLs it links to or loads."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("id", "name") if tag == "a" else ("id",):
            if found.get(name):
                self.ids.add(found[name])
        for linking_tag, attribute in LINKING:
            if tag == linking_tag and found.get(attribute):
                self.links.append((tag, found[attribute]))


def parse(page: Path) -> _Collector:
    """Read one built page."""
    collector = _Collector()
    collector.feed(page.read_text(encoding="utf-8"))
    return collector


def site_pages(html: Path) -> list[Path]:
    """Every HTML page of the built site, assets left out."""
    return sorted(p for p in html.rglob("*.html") if not p.relative_to(html).parts[0].startswith(NOT_PAGES))
