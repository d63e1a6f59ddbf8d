"""Find statistics typed into the book's prose instead of glued from the data.

A number typed into Markdown can drift from the table it came from; a glued
number cannot. This checker reads every Markdown cell of every notebook and
every Markdown page listed in ``_toc.yml`` and reports each literal statistic
by file, cell and text. Run it alone with ``python tests/prose.py``.

What counts as a statistic: a percentage, an amount of money, a number with a
unit of measure or a count noun ("1500 migrants", "2050 tonnes": a number
that looks like a year is still a statistic when a unit follows it), any
decimal, and any other number of 30 or more. What does not: years and year
ranges, day-month dates, resolution symbols (ES-11/1,
68/262), ordinals (22nd), references to numbered figures, tables, sections or
chapters, small counts, anything inside a role or inline code (glue, cite,
ref), and the phrases in ``prose_allowlist.txt``, each listed there with the
reason it is allowed.

The same pages are also checked for phrases about how the book was put
together rather than about the evidence ("our search", "the copy we read",
"could not reach"): see :data:`PROCESS_PHRASES` and :func:`process_phrases`.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
ALLOWLIST = Path(__file__).with_name("prose_allowlist.txt")
SMALL_COUNT = 30

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
UNITS = (
    r"%|per ?cent|percent|percentage points?|pp|billion|million|thousand|trillion|bn|mn|tenge|roubles?|rubles?|"
    r"dollars?|yuan|euros?|km|kilomet(?:re|er)s?|tonnes?|tons?|t|mt|Mt|bcm|barrels?|bpd|b/d|kg|hectares?|ha|"
    r"people|persons|citizens|migrants|votes|states|countries|cars|trucks|containers|TEU|MW|GW"
)
#: Nouns that make the number before them a count (a number followed by one of these, or a unit, is never a year).
COUNT_NOUNS = (
    r"residents|workers|employees|companies|firms|businesses|students|troops|soldiers|refugees|families|households|"
    r"deaths|dead|victims|casualties|cases|applications|visas|permits|crossings|trips|arrivals|departures|entries|"
    r"exits|settlers|deportees|inhabitants|men|women|children|nomads|Kazakhs|Russians|Ukrainians|Germans|Uzbeks|"
    r"Chinese|projects|wagons|trains|flights|passengers|jobs|units|items|heads|animals|livestock|sheep|cattle|"
    r"horses|camels|acres|sq km|square kilomet(?:re|er)s|wells|barrels|tons|tonnes|votes|seats|members|delegates"
)
#: Units of measure proper (not counts): a year-shaped number followed by one of these is always a statistic.
MEASURES = (
    r"%|per ?cent|percent|percentage points?|pp|billion|million|thousand|trillion|bn|mn|tenge|roubles?|rubles?|"
    r"dollars?|yuan|euros?|km|kilomet(?:re|er)s?|tonnes?|tons?|t|mt|Mt|bcm|barrels?|bpd|b/d|kg|hectares?|ha|TEU|MW|GW"
)
# A year is a number of that shape NOT followed by a unit or a count noun ...
_NOT_A_COUNT = rf"(?!\s?(?:{UNITS}|{COUNT_NOUNS})\b)(?!%)"
# ... unless a word of time stands before it ("in 2022 people left", "since 1991 Kazakhs have"): then only a
# unit of measure makes it a statistic. ("of 1500 migrants" therefore passes: write "of 1,500 migrants" or glue it.)
_TIME_WORDS = r"in|In|since|Since|until|Until|by|By|from|From|after|After|before|Before|during|During|between|and|to"
_YEAR_AFTER_TIME_WORD = rf"\b({_TIME_WORDS})\s+(?:1\d{{3}}|20\d{{2}})s?\b(?![.,]\d)(?!\s?(?:{MEASURES})\b)(?!%)"
CURRENCY = r"(?:US\$|\$|€|£|₸|¥|USD|KZT|RUB|CNY|EUR)\s?"

# Things removed before numbers are looked for, in this order.
_STRIP = [
    re.compile(r"\{[\w:.-]+\}`[^`]*`"),  # roles: {glue:text}`...`, {cite:p}`...`, {ref}`...`
    re.compile(r"`[^`]*`"),  # inline code
    re.compile(r"\$[^$\n]+\$"),  # inline maths
    re.compile(r"https?://\S+"),  # bare URLs
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"<[^>]+>"),  # HTML tags
    re.compile(r"^\([\w-]+\)=\s*$", re.MULTILINE),  # labels
    re.compile(r"\b(?:A/RES/|A/)?(?:ES-)?\d+/\d+(?:/\d+)?\b"),  # resolution and document symbols
    re.compile(r"\bES-\d+\b"),
    re.compile(rf"\b\d{{1,2}}(?:\s*[–-]\s*\d{{1,2}})?\s+(?:{MONTHS})\b"),  # 15 September, 15-16 September
    re.compile(rf"\b(?:{MONTHS})\s+\d{{1,2}}(?:\s*[–-]\s*\d{{1,2}})?\b"),  # September 15
    re.compile(rf"\b1\d{{3}}s?\s*[–-]\s*\d{{2,4}}s?\b(?!\s?(?:{MEASURES})\b)(?!%)"),  # 1930–33, 1991-2021
    (re.compile(_YEAR_AFTER_TIME_WORD), r"\1 "),  # in 2022, since 1991 (keep the word, drop the year)
    re.compile(rf"\b(?:1\d{{3}}|20\d{{2}})s?\b(?![.,]\d){_NOT_A_COUNT}"),  # years and decades
    re.compile(r"\b\d+(?:st|nd|rd|th)\b"),  # ordinals
    re.compile(r"\b(?:Figure|Fig\.|Table|[Ss]ection|[Cc]hapter|[Pp]art|[Ii]ssue|[Ss]tep|[Pp]hase)s?\s+\d+(?:\.\d+)*"),
]
_NUMBER = re.compile(
    rf"(?P<currency>{CURRENCY})?(?P<number>\d{{1,3}}(?:[,\u202f\u00a0]\d{{3}})+|\d+)(?P<decimals>\.\d+)?"
    rf"(?P<unit>\s?(?:{UNITS}|{COUNT_NOUNS})\b|%)?"
)


@dataclass(frozen=True)
class Finding:
    """One literal statistic: where it is, and the text around it."""

    file: str
    cell: int | None
    text: str

    def __str__(self) -> str:
        where = f"{self.file} cell {self.cell}" if self.cell is not None else self.file
        return f"{where}: ...{self.text}..."


def allowed_phrases(path: Path = ALLOWLIST) -> list[str]:
    """Phrases exempt from the check; each entry must say why after a '#'."""
    phrases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        phrase, hash_, reason = line.partition("#")
        if not hash_ or not reason.strip():
            raise ValueError(f"{path.name} line {number}: an allowed phrase needs a reason after '#'")
        phrases.append(phrase.strip())
    return phrases


def _prose(markdown: str) -> str:
    """The reader-facing text of a Markdown cell: code blocks and directive options dropped, captions kept."""
    kept: list[str] = []
    blocks: list[str] = []  # open fences, innermost last: "code" or "directive"
    for line in markdown.splitlines():
        stripped = line.strip()
        fence = re.match(r"^(?:`{3,}|~{3,}|:{3,})(.*)$", stripped)
        if fence:
            info = fence.group(1).strip()
            if info:
                blocks.append("directive" if info.startswith("{") else "code")
            elif blocks:
                blocks.pop()
            else:
                blocks.append("code")
            continue
        if "code" in blocks or re.match(r"^:[\w-]+:", stripped):
            continue
        kept.append(line)
    return "\n".join(kept)


def literal_statistics(markdown: str, allowed: list[str] | None = None) -> list[str]:
    """Each literal statistic in a Markdown text, with a little context."""
    text = _prose(markdown)
    for phrase in allowed if allowed is not None else allowed_phrases():
        text = text.replace(phrase, " ")
    for pattern in _STRIP:
        pattern, replacement = pattern if isinstance(pattern, tuple) else (pattern, " ")
        text = pattern.sub(replacement, text)
    found = []
    for match in _NUMBER.finditer(text):
        value = float(match["number"].replace(",", "").replace("\u202f", "").replace("\u00a0", ""))
        statistic = match["currency"] or match["unit"] or match["decimals"] or value >= SMALL_COUNT
        if statistic:
            start, end = max(match.start() - 30, 0), min(match.end() + 30, len(text))
            found.append(" ".join(text[start:end].split()))
    return found


#: Phrases that speak of how the book was assembled, not of the evidence, each with what to write instead.
#: Where evidence is missing, say what is missing ("no official count has been published"), not what the
#: authors could not open, find or read.
PROCESS_PHRASES: dict[str, str] = {
    r"\bour search(?:es)?\b": "say what the record holds, not how it was searched",
    r"\bsearch tools?\b": "say what the record holds, not how it was searched",
    r"\bsearch engines?\b": "say what the record holds, not how it was searched",
    r"\b(?:the|a) copy we (?:read|used|saw)\b": "cite the published document; the copy read is for the sources note",
    r"\bwe read (?:it )?in a copy\b": "cite the published document; the copy read is for the sources note",
    r"\bin a copy kept by\b": "cite the published document; the copy read is for the sources note",
    r"\bcould not (?:reach|open|access|load|download|see|read)\b": "say what is missing, not what was unreachable",
    r"\bcould not be (?:reached|opened|accessed|loaded|downloaded)\b": "say what is missing",
    r"\bwas (?:not reachable|unreachable|offline|behind a paywall)\b": "say what is missing",
    r"\b(?:was|were) unable to (?:reach|open|access|find|read)\b": "say what is missing",
    r"\b(?:sources?|pages?|reports?|estimates?|documents?|accounts?|figures?|statements?|records?|series|polls?)"
    r" (?:that )?we (?:read|found|saw|consulted)\b": (
        "say 'the sources' or name them; the reader cannot check what the authors happened to read"
    ),
    r"\bwe (?:found|find) no\b": "say what is missing: 'no source gives ...', 'no count has been published'",
    r"\bwe did not find\b": "say what is missing: 'no source gives ...'",
    r"\bwe could not (?:find|read|see|reach|confirm)\b": "say what is missing",
    r"\bwe could (?:read|reach|open|access|find)\b": "say what the evidence is, not what the authors could open",
    r"\bthrough our\b": "speak of the evidence, not of the tools",
    r"\bwith our (?:tools|search|access)\b": "speak of the evidence, not of the tools",
}


def process_phrases(markdown: str) -> list[str]:
    """Each phrase about the book's making in a Markdown text, with a little context and what to do instead."""
    text = _prose(markdown)
    found = []
    for pattern, advice in PROCESS_PHRASES.items():
        for match in re.finditer(pattern, text, re.IGNORECASE):
            start, end = max(match.start() - 30, 0), min(match.end() + 30, len(text))
            found.append(f"{' '.join(text[start:end].split())} ({advice})")
    return found


def check_process(pages: list[Path], root: Path = ROOT) -> list[Finding]:
    """All phrases about the book's making in the given pages."""
    return [
        Finding(shown_path(page, root), index, text)
        for page in pages
        for index, markdown in markdown_cells(page)
        for text in process_phrases(markdown)
    ]


def book_pages(root: Path = ROOT) -> list[Path]:
    """Every page in the table of contents, notebooks and Markdown alike."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    names: list[str] = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                names.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc.get("parts", toc.get("chapters", [])))
    pages = []
    for name in names:
        for suffix in (".ipynb", ".md"):
            if (root / f"{name}{suffix}").exists():
                pages.append(root / f"{name}{suffix}")
    return pages


def markdown_cells(page: Path) -> list[tuple[int | None, str]]:
    """The Markdown a page's reader sees: (cell index, text) for a notebook, (None, text) for a Markdown page."""
    if page.suffix == ".ipynb":
        notebook = nbformat.read(page, as_version=4)
        return [(index, cell.source) for index, cell in enumerate(notebook.cells) if cell.cell_type == "markdown"]
    return [(None, page.read_text(encoding="utf-8"))]


def shown_path(page: Path, root: Path) -> str:
    """A page's path as reports name it: relative to the book when it is in the book."""
    return page.relative_to(root).as_posix() if page.is_relative_to(root) else str(page)


def check(pages: list[Path], root: Path = ROOT) -> list[Finding]:
    """All literal statistics in the given pages."""
    allowed = allowed_phrases()
    return [
        Finding(shown_path(page, root), index, text)
        for page in pages
        for index, markdown in markdown_cells(page)
        for text in literal_statistics(markdown, allowed)
    ]


_GLUE_ROLE = re.compile(r"\{glue:text\}`([\w.-]+)(?::([^`]*))?`")
_GLUE_SPEC = re.compile(r"\+?,?(?:\.\d+)?[fe%]?")


def glued_values(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """Every value a notebook glues, as the text it stored."""
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                values[name] = output.get("data", {}).get("application/papermill.record/text/plain", "")
    return values


def glue_format_problems(pages: list[Path], root: Path = ROOT) -> list[Finding]:
    """Glued numbers shown without the book's formatting: a stated rounding, and separators for large counts.

    One style across the book: every non-integer carries a format spec (its
    rounding), every integer of five digits or more a thousands separator.
    """
    findings = []
    for page in pages:
        if page.suffix != ".ipynb":
            continue
        shown = shown_path(page, root)
        notebook = nbformat.read(page, as_version=4)
        values = glued_values(notebook)
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "markdown":
                continue
            for key, spec in _GLUE_ROLE.findall(cell.source):
                value = values.get(key, "")
                if not re.fullmatch(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?", value):
                    continue  # text, dates and figures are glued as they are
                whole = re.fullmatch(r"-?\d+", value) is not None
                if spec and not _GLUE_SPEC.fullmatch(spec):
                    findings.append(Finding(shown, index, f"{key}: unusual format {spec!r}"))
                elif not whole and not spec:
                    findings.append(Finding(shown, index, f"{key} = {value}: no rounding stated"))
                elif whole and abs(int(value)) >= 10_000 and "," not in spec:
                    findings.append(Finding(shown, index, f"{key} = {value}: no thousands separator"))
    return findings


if __name__ == "__main__":
    problems = check(book_pages()) + glue_format_problems(book_pages()) + check_process(book_pages())
    print(
        "\n".join(map(str, problems))
        or "no literal statistics or process phrases in the prose; glued numbers consistently formatted"
    )
    sys.exit(1 if problems else 0)
