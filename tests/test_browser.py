"""The built book in a real browser: no errors, nothing fetched from outside, accessible.

Every page of the built site is served on 127.0.0.1 and opened once in headless
Chromium (Debian's package, driven by Playwright with the system executable).
What the browser saw is recorded per page, then each test asserts one property
over all pages, naming the pages that break it. Full-page screenshots are kept in
``_build/screenshots/`` as artifacts. ``.ci/run`` installs Chromium and axe-core;
elsewhere, without them, these tests are skipped with the reason (under ``CI=true``
they fail with it instead).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import BOOK_PAGES, ROOT
from tests.site import site_pages

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "_build" / "screenshots"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
#: axe-core impact levels that fail the check.
SERIOUS = {"serious", "critical"}


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return "Chromium is not installed (apt-get install chromium; .ci/run does this)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -r requirements.txt)"
    if not AXE.exists():
        return "axe-core is not installed (npm ci --prefix tests/browser; .ci/run does this)"
    return None


# Without them: skipped with the reason locally, a failure under CI=true (conftest.py, ``needs``).
pytestmark = [pytest.mark.slow, pytest.mark.needs(_missing())]


@dataclass
class Visit:
    """What the browser reported while loading one page."""

    page: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    undecoded_images: list[str] = field(default_factory=list)
    poor_alt_text: list[str] = field(default_factory=list)
    heading_jumps: list[str] = field(default_factory=list)
    axe_violations: list[str] = field(default_factory=list)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """A folder on a free loopback port, stopped on leaving the block."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def served(built_html: Path) -> Iterator[str]:
    """The built site, served for the whole module."""
    with serve(built_html) as base:
        yield base


IMAGES = """() => Array.from(document.images)
    .filter(img => !(img.complete && img.naturalWidth > 0))
    .map(img => img.getAttribute('src'))"""

ALT_TEXT = """() => Array.from(document.querySelectorAll('main img, article img')).map(img => {
    const alt = (img.getAttribute('alt') || '').trim();
    const file = (img.getAttribute('src') || '').split('/').pop();
    return {file, alt};
})"""

HEADINGS = """() => Array.from(document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6'))
    .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 60)])"""


def _visit(browser_page, base: str, page: str) -> Visit:
    visit = Visit(page)
    base_host = base.split("//", 1)[1]

    browser_page.on("console", lambda m: visit.console_errors.append(m.text) if m.type == "error" else None)
    browser_page.on("pageerror", lambda e: visit.page_errors.append(str(e)))
    browser_page.on("requestfailed", lambda r: visit.failed_requests.append(f"{r.url} ({r.failure})"))

    def watch(request) -> None:
        if not request.url.startswith(("data:", "blob:", "about:")) and request.url.split("/")[2] != base_host:
            visit.outside_requests.append(request.url)

    browser_page.on("request", watch)
    response = browser_page.goto(f"{base}/{page}", wait_until="networkidle")
    if response is None or response.status >= 400:
        visit.failed_requests.append(f"{page} answered {response.status if response else 'nothing'}")
    visit.undecoded_images = browser_page.evaluate(IMAGES)
    for image in browser_page.evaluate(ALT_TEXT):
        alt, file = image["alt"], image["file"]
        if len(alt) < 20 or alt == file or alt.startswith(("fig-", "Figure")) or file.split(".")[0] in alt:
            visit.poor_alt_text.append(f"{file}: {alt!r}")
    levels = browser_page.evaluate(HEADINGS)
    for (before, _), (level, text) in zip(levels, levels[1:], strict=False):
        if level > before + 1:
            visit.heading_jumps.append(f"h{before} -> h{level} at {text!r}")
    browser_page.add_script_tag(path=str(AXE))
    result = browser_page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    visit.axe_violations = [
        f"{v['id']} ({v['impact']}): {len(v['nodes'])} element(s)"
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser_page.screenshot(
        path=str(SCREENSHOTS / (page.replace("/", "__").removesuffix(".html") + ".png")), full_page=True
    )
    return visit


@pytest.fixture(scope="module")
def visits(built_html: Path, served: str) -> list[Visit]:
    """Open every page of the site once and record what the browser saw."""
    from playwright.sync_api import sync_playwright

    pages = [page.relative_to(built_html).as_posix() for page in site_pages(built_html)]
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            for page in pages:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                results.append(_visit(context.new_page(), served, page))
                context.close()
        finally:
            browser.close()
    return results


def _report(visits: list[Visit], attribute: str) -> str:
    return "\n".join(f"{v.page}: {item}" for v in visits for item in getattr(v, attribute))


def test_every_page_was_opened(visits: list[Visit], built_html: Path):
    """Every page of the site, and so every page of the table of contents, was opened once."""
    opened = [v.page for v in visits]
    assert sorted(opened) == sorted(p.relative_to(built_html).as_posix() for p in site_pages(built_html))
    unopened = sorted({f"{page}.html" for page in BOOK_PAGES} - set(opened))
    assert not unopened, f"pages of _toc.yml never opened: {unopened}"
    assert all((SCREENSHOTS / (v.page.replace("/", "__").removesuffix(".html") + ".png")).exists() for v in visits)


@pytest.mark.parametrize(
    "attribute",
    ["console_errors", "page_errors", "failed_requests", "outside_requests", "undecoded_images"],
)
def test_pages_load_cleanly(visits: list[Visit], attribute: str):
    assert not _report(visits, attribute), _report(visits, attribute)


@pytest.mark.parametrize("attribute", ["poor_alt_text", "heading_jumps", "axe_violations"])
def test_pages_are_accessible(visits: list[Visit], attribute: str):
    assert not _report(visits, attribute), _report(visits, attribute)


BROKEN_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Broken</title></head><body><main>
<h1>Broken on purpose</h1><h3>A skipped level</h3>
<img src="chart.png" alt="chart.png">
<img src="https://example.invalid/outside.png" alt="An image that would be fetched from another host">
<input type="text">
<script>console.error("planted error"); undefinedFunction();</script>
</main></body></html>"""


def test_the_checks_catch_a_page_broken_on_purpose(tmp_path: Path):
    """Each recorded property fails on a page built to break it, so a clean record means something."""
    from playwright.sync_api import sync_playwright

    (tmp_path / "broken.html").write_text(BROKEN_PAGE, encoding="utf-8")
    with serve(tmp_path) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            visit = _visit(browser.new_page(), base, "broken.html")
        finally:
            browser.close()
    assert any("planted error" in message for message in visit.console_errors)
    assert any("undefinedFunction" in message for message in visit.page_errors)
    assert any("example.invalid" in url for url in visit.outside_requests)
    assert "chart.png" in " ".join(visit.undecoded_images)
    assert visit.poor_alt_text and visit.heading_jumps
    assert any(violation.startswith("label ") for violation in visit.axe_violations)
