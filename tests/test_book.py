"""The book builds with warnings as errors, and the built pages carry the data's numbers.

The build runs once per test run, from a clean copy of the sources, into a
temporary folder (see ``shared_build`` in conftest.py); each test reads the
HTML it produced. Rebuilds and data edits are tested in test_execution.py.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest

import kzdata
from tests.conftest import BOOK_PAGES as PAGES
from tests.conftest import ROOT, build_record, network_isolation, network_isolation_problem, shared_build

pytestmark = pytest.mark.slow


def page_text(html: Path, page: str) -> str:
    return (html / f"{page}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", PAGES)
def test_page_is_built(built_html, page):
    assert (built_html / f"{page}.html").is_file()


@pytest.mark.needs(network_isolation_problem())
def test_the_book_builds_with_no_network(built_html):
    """The session's build ran in a network namespace whose only interface is loopback, and succeeded.

    Where ``unshare --net`` is refused the build falls back to the network; this test then skips with the
    system's reason locally and fails under CI=true (see ``needs`` in conftest.py).
    """
    assert build_record(built_html)["isolated"], "the shared build ran with the network: it proves nothing offline"
    isolation = network_isolation()
    interfaces = subprocess.run([*isolation, "ip", "-o", "link"], capture_output=True, text=True, check=True).stdout
    assert [line.split(":")[1].strip() for line in interfaces.splitlines()] == ["lo"]
    assert (built_html / "index.html").is_file()


def test_history_page_shows_the_census_figure_with_caption_and_alt_text(built_html):
    text = page_text(built_html, "chapters/01_history")
    figure = re.search(r'<figure[^>]*id="fig-history-census".*?</figure>', text, re.S)
    assert figure, "numbered census figure missing"
    assert re.search(r'<img[^>]+alt="[^"]{60,}"', figure.group(0)), "alt text missing or too short"
    assert "Fig" in figure.group(0) and "caption" in figure.group(0)


def test_no_unresolved_glue_or_references(built_html):
    for page in PAGES:
        text = page_text(built_html, page)
        assert "glue:" not in text and "??" not in text, page


@pytest.fixture(scope="session")
def second_build(tmp_path_factory) -> Path:
    """Another clean copy of the sources, built once per run: its HTML folder."""
    return shared_build(tmp_path_factory, "second")


def test_two_clean_builds_give_byte_identical_chapter_pages(built_html, second_build):
    """A reader who re-builds the book gets the very same pages, figures included."""
    other = second_build
    pages = [page for page in PAGES if page.startswith("chapters/")]
    different = [page for page in pages if page_text(built_html, page) != page_text(other, page)]
    assert not different, different
    images = sorted(p.relative_to(built_html) for p in (built_html / "_images").glob("*.png"))
    assert images and images == sorted(p.relative_to(other) for p in (other / "_images").glob("*.png"))
    assert all((built_html / i).read_bytes() == (other / i).read_bytes() for i in images)


def test_every_figure_and_table_offers_its_data(built_html):
    """A reader can take the data behind any chart or table shown in a chapter."""
    for page in [page for page in PAGES if page.startswith("chapters/")]:
        text = page_text(built_html, page)
        figures = re.findall(r'<figure[^>]*id="fig-[^"]+".*?</figure>', text, re.S)
        missing = [re.search(r'id="([^"]+)"', f).group(1) for f in figures if ".csv" not in f or "download" not in f]
        assert not missing, f"{page}: figures without a CSV link: {missing}"
        assert text.count('kz-table">') == text.count('class="kz-table-download"'), page
        for link in re.findall(r'href="([^"]*_downloads/[^"]+\.csv)"', text):
            assert ((built_html / page).parent / link).resolve().is_file(), link


def test_every_page_shows_version_and_cut_off_and_every_chapter_a_generated_citation(built_html):
    """Citations come from CITATION.cff and the data package, so they name the version the reader saw."""
    import json

    import yaml

    version = str(yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))["version"])
    cutoff = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))["x-data-cutoff"]
    for page in PAGES:
        footer = re.search(r'class="extra_footer">(.*?)</div>', page_text(built_html, page), re.S)
        assert footer and f"Version {version}" in footer.group(1) and cutoff in footer.group(1), page
    for page in [page for page in PAGES if page.startswith("chapters/0")]:
        text = page_text(built_html, page)
        block = re.search(r'<section id="cite-this-chapter">(.*?)</section>', text, re.S)
        assert block, f"{page}: no cite block"
        assert f"version {version} (data cut-off {cutoff})" in block.group(1)
        assert "incollection{kzbook" in block.group(1) and f"version = {{{version}}}" in block.group(1)


def archive(html: Path) -> Path:
    (found,) = (html / "downloads").glob("kzdata-*.zip")
    return found


def test_data_archive_unzips_to_a_package_that_validates_and_holds_every_table(built_html, tmp_path):
    """The download is a data package in its own right: every table the descriptor names, and it validates."""
    with zipfile.ZipFile(archive(built_html)) as bundle:
        bundle.extractall(tmp_path)
    (folder,) = tmp_path.iterdir()
    package = folder / "data" / "datapackage.json"
    tables = kzdata.names(package=package)
    assert tables == kzdata.names(), "the archive's descriptor is not the book's"
    for name in tables:
        path = kzdata._package.resource_path(name, package)
        assert path.is_relative_to(folder) and path.is_file(), f"{name}: {path} missing from the archive"
        original = kzdata._package.resource_path(name)
        assert path.read_bytes() == original.read_bytes(), f"{name}: archived file differs from the book's"
    assert not [name for name, problems in kzdata.validate_all(package=package).items() if problems]
    assert (folder / "README.txt").is_file()


def test_data_archive_is_byte_identical_across_two_clean_builds(built_html, second_build):
    assert archive(built_html).name == archive(second_build).name
    assert archive(built_html).read_bytes() == archive(second_build).read_bytes()


def registered(page: str) -> set[str]:
    lines = (ROOT / "tests" / "anchors.txt").read_text(encoding="utf-8").splitlines()
    return {line.split("#", 1)[1] for line in lines if line.startswith(f"{page}.html#")}


@pytest.mark.parametrize("page", [page for page in PAGES if page.startswith("chapters/")])
def test_copyable_heading_links_are_the_registered_labels(built_html, page):
    """The '#' beside each heading and the page's Contents link to the stable label, not to a text slug."""
    text = page_text(built_html, page)
    labels = registered(page) | {"cite-this-chapter"}
    headings = re.findall(r'<h[1-4]>.*?<a class="headerlink" href="#([^"]+)"', text, re.S)
    contents = re.findall(r'class="reference internal nav-link" href="#([^"]+)"', text)
    assert headings and contents
    assert [h for h in headings if h not in labels] == [], "heading links that are not registered labels"
    assert [c for c in contents if c not in labels] == [], "Contents links that are not registered labels"


@pytest.mark.parametrize("page", [page for page in PAGES if page.startswith("chapters/0")])
def test_cite_block_has_its_own_number_and_is_in_the_contents(built_html, page):
    text = page_text(built_html, page)
    number = re.search(r'<h1><span class="section-number">([^<]+)</span>', text).group(1).strip()
    heading = re.search(r'<h2><span class="section-number">([^<]+)</span>Cite this chapter', text)
    assert heading and heading.group(1).strip() != number and heading.group(1).startswith(number)
    assert 'class="reference internal nav-link" href="#cite-this-chapter"' in text


def test_printed_text_wraps_and_the_books_own_stylesheet_is_kept(built_html):
    """Long printed lines (a table's citation) wrap instead of scrolling; the extension's CSS overwrites nothing."""
    wrap = (built_html / "_static" / "kzbook-wrap.css").read_text(encoding="utf-8")
    assert "pre-wrap" in wrap and "kzbook-wrap.css" in page_text(built_html, "chapters/01_history")
    assert (built_html / "_static" / "kzbook.css").read_bytes() == (ROOT / "_static" / "kzbook.css").read_bytes()
