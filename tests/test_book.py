"""The book builds with warnings as errors, and the built pages carry the data's numbers.

The build runs once per test session into a temporary folder (a minute or so),
then each test reads the HTML it produced.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

import kzdata
from tests.conftest import BOOK_PAGES as PAGES
from tests.conftest import ROOT, build_book, copy_book, network_isolation


def page_text(html: Path, page: str) -> str:
    return (html / f"{page}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", PAGES)
def test_page_is_built(built_html, page):
    assert (built_html / f"{page}.html").is_file()


def test_the_book_builds_with_no_network(built_html):
    """The session's build ran in a network namespace whose only interface is loopback, and succeeded."""
    isolation = network_isolation()
    if isolation is None:
        pytest.skip("unshare --net is not permitted here, so the build could not be isolated from the network")
    interfaces = subprocess.run([*isolation, "ip", "-o", "link"], capture_output=True, text=True, check=True).stdout
    assert [line.split(":")[1].strip() for line in interfaces.splitlines()] == ["lo"]
    assert (built_html / "index.html").is_file()


def test_history_page_shows_the_census_figure_with_caption_and_alt_text(built_html):
    text = page_text(built_html, "chapters/01_history")
    figure = re.search(r'<figure[^>]*id="fig-history-census".*?</figure>', text, re.S)
    assert figure, "numbered census figure missing"
    assert re.search(r'<img[^>]+alt="[^"]{60,}"', figure.group(0)), "alt text missing or too short"
    assert "Fig" in figure.group(0) and "caption" in figure.group(0)


def test_history_prose_carries_numbers_computed_from_the_data(built_html):
    """The glued numbers in the page are the ones the census table gives today."""
    census = kzdata.load("census_ethnicity")
    charted = census[census["preferred"]]
    kazakh = charted[charted["group"] == "Kazakhs"].set_index("year")["share_pct"]
    text = page_text(built_html, "chapters/01_history")
    assert f"{kazakh[kazakh.index.max()]:.1f}" in text
    assert f"{kazakh.min():.1f}" in text


def test_no_unresolved_glue_or_references(built_html):
    for page in PAGES:
        text = page_text(built_html, page)
        assert "glue:" not in text and "??" not in text, page


def test_rebuild_with_nothing_changed_executes_nothing(built_html):
    result = build_book(ROOT, built_html.parent.parent)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "Executed notebook" not in result.stdout + result.stderr


@pytest.fixture(scope="module")
def second_build(tmp_path_factory) -> tuple[Path, Path]:
    """A clean copy of the sources, built once: (the copy, its output folder)."""
    folder = tmp_path_factory.mktemp("second")
    book, output = copy_book(folder / "book"), folder / "out"
    result = build_book(book, output)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return book, output


def test_two_clean_builds_give_byte_identical_chapter_pages(built_html, second_build):
    """A reader who re-builds the book gets the very same pages, figures included."""
    _, output = second_build
    other = output / "_build" / "html"
    pages = [page for page in PAGES if page.startswith("chapters/")]
    different = [page for page in pages if page_text(built_html, page) != page_text(other, page)]
    assert not different, different
    images = sorted(p.relative_to(built_html) for p in (built_html / "_images").glob("*.png"))
    assert images and images == sorted(p.relative_to(other) for p in (other / "_images").glob("*.png"))
    assert all((built_html / i).read_bytes() == (other / i).read_bytes() for i in images)


def test_changed_data_reaches_the_page_on_rebuild(second_build):
    """A rebuild after a data edit re-executes the notebooks, so the page never shows stale numbers."""
    book, output = second_build
    census = book / "data" / "census_ethnicity.csv"
    text = census.read_text(encoding="utf-8")
    assert "\n2021,Kazakhs,,70.4," in text, "test fixture row moved; update this test"
    census.write_text(text.replace("\n2021,Kazakhs,,70.4,", "\n2021,Kazakhs,,71.9,"), encoding="utf-8")
    result = build_book(book, output)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    page = (output / "_build" / "html" / "chapters" / "01_history.html").read_text(encoding="utf-8")
    assert "2021 census Kazakhs were <span" in page
    assert '<span class="pasted-text">71.9</span>' in page


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
