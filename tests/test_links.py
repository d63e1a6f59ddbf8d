"""Every internal link and anchor in the built HTML resolves, and nothing is loaded from outside the site."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.conftest import BOOK_PAGES
from tests.site import parse, site_pages


def broken_links(html: Path) -> list[str]:
    """Internal links whose file or anchor is missing, as 'page -> link (why)'."""
    parsed = {page: parse(page) for page in site_pages(html)}
    problems = []
    for page, collector in parsed.items():
        for _tag, url in collector.links:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith(("mailto:", "javascript:", "data:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            shown = f"{page.relative_to(html)} -> {url}"
            if not target.exists():
                problems.append(f"{shown} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else parse(target).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{shown} (no such anchor)")
    return problems


def external_loads(html: Path) -> list[str]:
    """Scripts, styles, images or frames fetched from another host: a page that needs the network."""
    found = []
    for page in site_pages(html):
        for tag, url in parse(page).links:
            if tag != "a" and (urlsplit(url).scheme in ("http", "https") or url.startswith("//")):
                found.append(f"{page.relative_to(html)}: <{tag}> {url}")
    return found


@pytest.mark.slow
def test_every_internal_link_and_anchor_resolves(built_html: Path):
    pages = {page.relative_to(built_html).with_suffix("").as_posix() for page in site_pages(built_html)}
    missing = sorted(set(BOOK_PAGES) - pages)
    assert not missing, f"pages of the table of contents missing from the build: {missing}"
    problems = broken_links(built_html)
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_no_page_loads_anything_from_outside_the_site(built_html: Path):
    problems = external_loads(built_html)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ('<a href="other.html">x</a>', "no such file"),
        ('<a href="#nowhere">x</a>', "no such anchor"),
        ('<a href="page.html#gone">x</a>', "no such anchor"),
    ],
)
def test_a_broken_link_is_reported(tmp_path: Path, html: str, problem: str):
    for name in ("index", "b", "c", "d", "e", "f", "g", "h", "i", "j"):
        (tmp_path / f"{name}.html").write_text('<p id="here">ok</p>', encoding="utf-8")
    (tmp_path / "page.html").write_text(f'<p id="here">{html}</p>', encoding="utf-8")
    assert any(problem in line for line in broken_links(tmp_path))


def test_a_cdn_script_is_reported(tmp_path: Path):
    (tmp_path / "page.html").write_text('<script src="https://cdn.example.org/x.js"></script>', encoding="utf-8")
    assert external_loads(tmp_path) == ["page.html: <script> https://cdn.example.org/x.js"]
