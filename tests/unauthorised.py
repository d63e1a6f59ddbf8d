"""Sites that host unauthorised copies of books and papers: never cited, linked or named by the book.

A reader who follows such a footnote is sent to a copyright infringement, and
anyone who cites the book inherits it. A book is cited by its published
edition (author, year, title, publisher, ISBN or DOI); see
``/shared/notes/evidence.md`` in the project notes. The list names hosts by
the part of the address that identifies them, so mirrors under other
top-level domains are caught too (``libgen.rs``, ``libgen.is``).
"""

from __future__ import annotations

import re

#: Address fragments of shadow libraries and book-copy sites.
HOSTS = (
    "ebrary.net",
    "ebin.pub",
    "newlib.net",
    "dokumen.pub",
    "doku.pub",
    "vdoc.pub",
    "epdf.pub",
    "pdfcoffee.com",
    "libgen",
    "library.lol",
    "z-lib",
    "zlibrary",
    "z-library",
    "1lib.",
    "b-ok.",
    "booksc.",
    "bookfi.",
    "sci-hub",
    "annas-archive",
    "fb2gratis",
    "litmir.",
    "royallib.",
    "twirpx.",
)

_PATTERN = re.compile("|".join(re.escape(host) for host in HOSTS), re.IGNORECASE)


def mentions(text: object) -> list[str]:
    """The unauthorised hosts a text names or links, in the order they appear."""
    return [match.group(0).lower() for match in _PATTERN.finditer(str(text or ""))]
