"""The book's shared chart style: one palette, one look, a source line on every chart.

Kept apart from the table loader so that reading data never imports
matplotlib. Colours follow the Okabe-Ito palette, which stays distinguishable
under the common forms of colour blindness; Kazakhstan, Russia and China keep
the same colour in every chapter, and so do the census groups named after them.
"""

from __future__ import annotations

import html
import re
import textwrap
from pathlib import Path
from urllib.parse import quote

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from kzdata import grading
from kzdata._package import descriptor, load

STYLE = Path(__file__).with_name("kzdata.mplstyle")
_FIELD_NAME = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")

#: Okabe-Ito colours by ISO 3166 alpha-3 code (and a few groups of states).
PALETTE: dict[str, str] = {
    "KAZ": "#56B4E9",  # sky blue
    "RUS": "#D55E00",  # vermillion
    "CHN": "#CC79A7",  # reddish purple
    "UKR": "#0072B2",  # blue
    "DEU": "#E69F00",  # orange
    "UZB": "#009E73",  # bluish green
    "OTHER": "#999999",  # grey
    "TEXT": "#333333",
}

#: Census groups drawn in the colour of the state they are named after.
GROUP_COLOURS: dict[str, str] = {
    "Kazakhs": PALETTE["KAZ"],
    "Russians": PALETTE["RUS"],
    "Ukrainians": PALETTE["UKR"],
    "Germans": PALETTE["DEU"],
    "Uzbeks": PALETTE["UZB"],
    "Others": PALETTE["OTHER"],
}


#: The name of each state (and group) the book names, by ISO 3166 alpha-3 code: one spelling in every chapter,
#: the short names the UN uses ("Türkiye" since 2022, "Viet Nam"), with "South Korea" and "North Korea" for
#: readers. Codes not listed raise a KeyError naming the code, so no chapter prints a bare code by accident.
COUNTRY_NAMES: dict[str, str] = {
    "ARM": "Armenia",
    "AZE": "Azerbaijan",
    "BFA": "Burkina Faso",
    "BLR": "Belarus",
    "BRA": "Brazil",
    "CHN": "China",
    "CMR": "Cameroon",
    "DEU": "Germany",
    "ERI": "Eritrea",
    "EST": "Estonia",
    "EUU": "European Union",
    "FIN": "Finland",
    "FRA": "France",
    "GEO": "Georgia",
    "IND": "India",
    "IRN": "Iran",
    "ITA": "Italy",
    "KAZ": "Kazakhstan",
    "KGZ": "Kyrgyzstan",
    "KOR": "South Korea",
    "LTU": "Lithuania",
    "LVA": "Latvia",
    "MDA": "Moldova",
    "MLI": "Mali",
    "MNG": "Mongolia",
    "NIC": "Nicaragua",
    "NLD": "Netherlands",
    "PAK": "Pakistan",
    "PRK": "North Korea",
    "RUS": "Russia",
    "SAU": "Saudi Arabia",
    "TJK": "Tajikistan",
    "TKM": "Turkmenistan",
    "TUR": "Türkiye",
    "UKR": "Ukraine",
    "USA": "United States",
    "UZB": "Uzbekistan",
    "VEN": "Venezuela",
    "VNM": "Viet Nam",
    "ZAF": "South Africa",
}
#: Names a sentence writes with "the" ("trade with the Netherlands"), and a label without.
_WITH_ARTICLE = {"EUU", "NLD", "USA"}


def country_name(code: str, in_sentence: bool = False) -> str:
    """The book's one name for a state: for a label, or (``in_sentence``) with "the" where English needs it."""
    try:
        name = COUNTRY_NAMES[code]
    except KeyError:
        raise KeyError(f"no name for {code!r}: add it to kzdata.charts.COUNTRY_NAMES") from None
    return f"the {name}" if in_sentence and code in _WITH_ARTICLE else name


def use_style() -> None:
    """Apply the book's style; every chapter calls this in its hidden first cell."""
    mpl.rcdefaults()
    plt.style.use(STYLE)
    mpl.rcParams["axes.prop_cycle"] = mpl.cycler(
        color=[PALETTE[k] for k in ("KAZ", "RUS", "CHN", "UKR", "DEU", "UZB", "OTHER")]
    )


def short_publisher(publisher: str) -> str:
    """A publisher's name without the bracketed detail kept in the sources table."""
    return publisher.split(" (", 1)[0]


#: What every source line ends with: where the reader finds every document, not only the ones named.
FULL_LIST = "Full list: figure CSV and the data page."
#: Said under a figure whose every document is of the weakest kind.
WEAKEST_ONLY = "Rests only on secondary web pages (blogs, aggregators, mirrors)."
#: Characters in a line of the source line, and how many lines it may take.
SOURCE_WIDTH, SOURCE_LINES = 120, 2


def source_text(*tables: str, rows: pd.DataFrame | None = None, note: str = "") -> str:
    """The text of a figure's source line: the strongest publishers first, in at most two lines.

    Publishers are ranked by the grade of their best document (official
    statistics first, blogs and mirrors last) and then by how many plotted rows
    they carry; as many are named as fit in :data:`SOURCE_LINES` lines with the
    note, and the line points to the full list. A figure with no publisher is
    refused: every chart must say whose numbers it shows. A figure that rests
    only on the weakest kind of source says so.
    """
    documents = grading.documents(*tables, rows=rows)
    if documents.empty:
        raise ValueError(f"the figure names no source document (tables {tables}): every chart names its publishers")
    documents["name"] = documents["publisher"].map(short_publisher)
    ranked = (
        documents.groupby("name", sort=False)
        .agg(grade=("grade", "min"), rows=("rows", "sum"))
        .sort_values(["grade", "rows"], ascending=[True, False], kind="stable")
    )
    names = ranked.index.tolist()
    warning = WEAKEST_ONLY if bool((ranked["grade"] >= grading.WEAKEST_GRADE).all()) else ""

    def compose(count: int) -> str:
        rest = len(names) - count
        listed = "; ".join(names[:count]) + (f"; and {rest} more" if rest else "")
        return " ".join(part for part in (f"Source: {listed}.", warning, note, FULL_LIST) if part)

    for count in range(len(names), 0, -1):
        text = compose(count)
        if len(textwrap.wrap(text, width=SOURCE_WIDTH)) <= SOURCE_LINES:
            return text
    return compose(1)


def source_line(fig: Figure, *tables: str, rows: pd.DataFrame | None = None, note: str = "") -> str:
    """Write 'Source: …' under a chart, built from the data's own provenance; return the text written.

    With ``rows`` (a frame with a ``source_id`` column), only the documents of
    the rows actually plotted are named; otherwise every source of the tables.
    Either way the line cannot disagree with the data package. See
    :func:`source_text` for which publishers are named.
    """
    text = source_text(*tables, rows=rows, note=note)
    wrapped = "\n".join(textwrap.wrap(text, width=SOURCE_WIDTH))
    fig.text(0.01, 0.005, wrapped, ha="left", va="bottom", fontsize=7.5, color=PALETTE["TEXT"])
    lines = wrapped.count("\n") + 1
    fig.subplots_adjust(bottom=0.14 + 0.035 * lines)
    return text


#: Folder, beside the notebooks, that receives the data of every figure during execution (not committed).
FIGURE_DATA = "figure-data"


def figure_csv(frame: pd.DataFrame, name: str) -> None:
    """Write exactly the frame a figure plots, for the download link under its caption.

    Written while the notebook runs, from the same object the chart is drawn
    from, so the download cannot differ from the picture. A named index (years,
    states) is part of the data and is kept; a default row number is not.
    """
    folder = Path.cwd() / FIGURE_DATA
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.csv"
    keep_index = isinstance(frame.index, pd.MultiIndex) or frame.index.name is not None
    frame.to_csv(path, index=keep_index, lineterminator="\n")


class Table:
    """A table as a page shows it: HTML on the web, a Markdown table in the PDF.

    Jupyter Book picks the richest output each builder can render; HTML tables
    cannot go into LaTeX, so the same rows are also offered as Markdown, which
    becomes a real table in the PDF.
    """

    #: Characters in a line of the printed page, the measure for column widths and for "too wide to print".
    LINE = 78

    def __init__(
        self, frame: pd.DataFrame, shown: pd.DataFrame, escape: bool, name: str, html: pd.DataFrame | None = None
    ) -> None:
        self.frame, self.shown, self.escape, self.name = frame, shown, escape, name
        #: The cells as HTML (escaped text, or links to the data page); ``shown`` holds the same cells as text.
        self.html = html

    def _repr_html_(self) -> str:
        if self.html is not None:
            html = self.html.to_html(index=False, border=0, classes=["dataframe", "kz-table"], escape=False)
        else:
            html = self.shown.to_html(index=False, border=0, classes=["dataframe", "kz-table"], escape=self.escape)
        return html + "\n" + self._download_link()

    def _plain(self, text: str) -> str:
        """Text without the links a notebook put into cells (they only work in the HTML table)."""
        return text if self.escape else re.sub(r"<[^>]+>", "", text)

    def _download_link(self) -> str:
        """The table's own rows as a CSV inside the page: nothing to copy, nothing to go stale or missing."""
        data = self._plain(self.frame.to_csv(index=False, lineterminator="\n"))
        href = "data:text/csv;charset=utf-8," + quote(data)
        link = f'<a download="{self.name}.csv" href="{href}">Download this table (CSV)</a>'
        return f'<p class="kz-table-download">{link}</p>'

    def _repr_markdown_(self) -> str:
        rows = [[self._cell(v) for v in row] for row in self.shown.itertuples(index=False)]
        columns = [self._cell(c) for c in self.shown.columns]
        needs = self._needs()
        if sum(full for full, _ in needs) > 2 * self.LINE:
            return self._records(columns, rows, needs)
        header = "| " + " | ".join(columns) + " |"
        rule = "|" + "|".join("---" for _ in columns) + "|"
        body = ["| " + " | ".join(row) + " |" for row in rows]
        # LaTeX sets a table that is not a longtable on one page, so a long one ran over the footer; and without
        # widths every column got the same share, squeezing names and codes into hyphenated slivers.
        options = f":class: longtable\n:widths: {' '.join(map(str, self._widths(needs)))}"
        return "\n".join(["```{table}", options, "", header, rule, *body, "```"])

    def _cell(self, value: object) -> str:
        return re.sub(r"([\\`*_$|<>\[\]])", r"\\\1", " ".join(self._plain(str(value)).split()))

    def _records(self, columns: list[str], rows: list[list[str]], needs: list[tuple[int, int]]) -> str:
        """A table too wide for a printed page, as one short block per row: codes and dates on the first line,
        each longer text in its own paragraph, so no column is squeezed to a word per line."""
        long = [full > 16 for full, _ in needs]
        blocks = []
        for row in rows:
            head = [f"**{columns[0]}: {row[0]}**"]
            head += [
                f"{c}: {v}" for c, v, is_long in zip(columns[1:], row[1:], long[1:], strict=True) if v and not is_long
            ]
            texts = [
                f"*{c}:* {v}" for c, v, is_long in zip(columns[1:], row[1:], long[1:], strict=True) if v and is_long
            ]
            blocks.append("\n\n".join([" · ".join(head), *texts]))
        return "\n\n".join(blocks)

    def _needs(self) -> list[tuple[int, int]]:
        """For each column: its longest text (at most 48) and its longest word (at most 14), in characters."""
        needs = []
        for position, column in enumerate(self.shown.columns):
            texts = [self._plain(str(value)) for value in (column, *self.shown.iloc[:, position])]
            longest_word = max(len(word) for text in texts for word in (text.split() or [""]))
            needs.append((min(max(map(len, texts)), 48), min(max(longest_word, 4), 14)))
        return needs

    def _widths(self, needs: list[tuple[int, int]]) -> list[int]:
        """Relative column widths for the PDF, in characters of a printed line of about ``LINE`` characters.

        Short columns (codes, dates, counts) get all they need, since LaTeX cannot break a date or an id; long text
        columns share what is left in proportion to their longest cell, so a note does not squeeze a date.
        """
        if sum(full for full, _ in needs) <= self.LINE:
            return [max(full, 4) for full, _ in needs]
        short = [full <= 12 for full, _ in needs]
        left = max(self.LINE - sum(full for (full, _), is_short in zip(needs, short, strict=True) if is_short), 1)
        long_total = sum(full for (full, _), is_short in zip(needs, short, strict=True) if not is_short) or 1
        return [
            max(full, 4) if is_short else max(round(full * left / long_total), word)
            for (full, word), is_short in zip(needs, short, strict=True)
        ]

    def __repr__(self) -> str:
        return f"<table of {len(self.shown)} rows: {', '.join(map(str, self.shown.columns))}>"


#: Units written into field names, and how a heading says them.
_NAME_UNITS = {
    "pct": "%",
    "usd_bn": "US$ billion",
    "usd_mn": "US$ million",
    "usd": "US$",
    "mt_per_year": "million tonnes a year",
    "mt": "million tonnes",
    "bcm": "billion cubic metres",
    "kzt": "KZT",
    "km": "km",
    "teu": "TEU",
    "bn": "billion",
    "mn": "million",
}
#: Words for names that do not read as words once their underscores are gone.
_NAME_WORDS = {
    "iso3": "Country (ISO code)",
    "source_id": "Source",
    "source_ids": "Sources",
    "claim_id": "Claim",
    "url": "Address",
}
#: The column of the data page's sources table that links point to, and the prefix of its anchors.
SOURCES_PAGE, SOURCE_ANCHOR = "data_sources.html", "source-"
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def heading_from_name(name: str, unit: str = "") -> str:
    """A heading in words for a field name: 'share_pct' -> 'Share (%)', 'partner_iso3' -> 'Partner (ISO code)'.

    Used where the descriptor gives no ``title`` for a field; ``unit`` (the
    field's unit in the descriptor) is added when the name carries none.
    """
    if name in _NAME_WORDS:
        return _NAME_WORDS[name]
    words, suffix = name, ""
    for ending, said in _NAME_UNITS.items():
        if name.endswith("_" + ending):
            words, suffix = name[: -len(ending) - 1], said
            break
    if words.endswith("_iso3"):
        words, suffix = words[: -len("_iso3")], suffix or "ISO code"
    text = words.replace("_", " ").strip()
    text = text[:1].upper() + text[1:]
    suffix = suffix or (unit if unit and len(unit) <= 24 and not unit.startswith("see ") else "")
    return f"{text} ({suffix})" if suffix else text


def headings(dataset: str | None = None) -> dict[str, str]:
    """Field name -> heading in words, from the descriptor's field titles (or the name and unit where none).

    Where two tables title a field differently, ``dataset``'s title wins, then
    the first table that has the field.
    """
    resources = descriptor()["resources"]
    ordered = [r for r in resources if r["name"] == dataset] + [r for r in resources if r["name"] != dataset]
    found: dict[str, str] = {}
    for entry in ordered:
        for field in entry.get("schema", {}).get("fields", []):
            title = field.get("title") or heading_from_name(field["name"], field.get("unit", ""))
            found.setdefault(field["name"], title)
    return found


def _precision_pairs() -> list[tuple[str, str, str]]:
    """(table, date column, precision column) for every date the descriptor gives a precision for."""
    pairs = []
    for entry in descriptor()["resources"]:
        specs = entry.get("x-date-precision", [])
        for spec in [specs] if isinstance(specs, dict) else specs:
            pairs.append((entry["name"], spec["date"], spec["precision"]))
    return pairs


def date_text(value: object, precision: str | None = "day") -> str:
    """A date as a reader writes it, at its precision: '1584', 'March 1731', '15 August 1735'."""
    if value is None or value == "" or pd.isna(value):
        return ""
    stamp = pd.Timestamp(value)
    if precision == "year":
        return f"{stamp.year}"
    if precision == "month":
        return f"{_MONTH_NAMES[stamp.month - 1]} {stamp.year}"
    if precision is None:  # the precision is not known: the stored date, as stored
        return stamp.strftime("%Y-%m-%d")
    return f"{stamp.day} {_MONTH_NAMES[stamp.month - 1]} {stamp.year}"


def _precisions(frame: pd.DataFrame, column: str, dates: pd.Series) -> pd.Series | None:
    """The precision of each date in a column: from the frame's own precision column, or from its table.

    A frame that kept a table's key columns but dropped the precision column
    (an events list showing date, event and source) gets each row's precision
    back from the table by those columns; where that is ambiguous the answer is
    None and the date is printed as stored.
    """
    pairs = [(table, precision) for table, date, precision in _precision_pairs() if date == column]
    for _, precision in pairs:
        if precision in frame.columns:
            return frame[precision].astype("object")
    for table, precision in pairs:
        keys = [key for key in resource_keys(table) if key in frame.columns and key != precision]
        if column not in keys or len(keys) < 2:
            continue
        source = load(table)[[*keys, precision]].drop_duplicates(keys)
        wanted = frame[keys].assign(**{column: dates})
        try:
            merged = wanted.merge(source, on=keys, how="left", validate="many_to_one")
        except (ValueError, TypeError):  # keys of other types than the table's: the precision stays unknown
            continue
        if merged[precision].notna().all():
            return pd.Series(merged[precision].to_numpy(), index=frame.index, dtype="object")
    return pd.Series(None, index=frame.index, dtype="object") if pairs else None


def resource_keys(table: str) -> list[str]:
    """The columns that identify a row of a table (its primary key), for finding a shown row again."""
    for entry in descriptor()["resources"]:
        if entry["name"] == table:
            key = entry.get("schema", {}).get("primaryKey", [])
            return [key] if isinstance(key, str) else list(key)
    return []


def _source_links(cell: object, anchors: bool) -> str:
    """Source ids as links to their entry in the data page's sources table (or, there, as the anchors)."""
    if cell is None or cell == "" or pd.isna(cell):
        return ""
    parts = []
    for sid in (item.strip() for item in str(cell).split(";")):
        safe = html.escape(sid)
        if anchors:
            parts.append(f'<span id="{SOURCE_ANCHOR}{safe}">{safe}</span>')
        else:
            parts.append(f'<a href="{SOURCES_PAGE}#{SOURCE_ANCHOR}{safe}">{safe}</a>')
    return "; ".join(parts)


def table(
    frame: pd.DataFrame,
    escape: bool = True,
    name: str = "table",
    dataset: str | None = None,
    source_anchors: bool = False,
) -> Table:
    """Show a table in a page as a reader's table, without the index or volatile ids.

    Headings are the fields' titles in the descriptor, in words with units
    (``share_pct`` -> "Share of population (%)"); dates print at their
    precision ("1584", "March 1731", "15 August 1735") and the precision column
    itself is left out; booleans print as "yes" or "no"; source ids link to
    their entry in the sources table of the data page (``source_anchors=True``
    makes that table's ids the anchors). The CSV download keeps the raw
    columns and values. ``dataset`` names the table the frame comes from, where
    two tables title a field differently.

    A pandas Styler embeds a random id and a memory address in its output,
    which would make every re-run differ; plain HTML does not. ``escape=False``
    lets cells carry links the notebook built itself (the PDF shows their text).
    """
    raw = frame
    shown = frame.astype("object").where(frame.notna(), "")
    dropped = []
    dated = {date for _, date, _ in _precision_pairs()}
    for column in frame.columns:
        values = frame[column]
        if column in dated and not pd.api.types.is_datetime64_any_dtype(values):
            # A date the notebook already turned into ISO text still prints at its precision.
            text = values.dropna().astype("str")
            if len(text) and text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all():
                values = pd.to_datetime(values, format="%Y-%m-%d")
        if pd.api.types.is_datetime64_any_dtype(values):
            precision = _precisions(frame, column, values)
            if precision is None:
                shown[column] = [date_text(v) for v in values]
            else:
                shown[column] = [
                    date_text(v, p if isinstance(p, str) else None) for v, p in zip(values, precision, strict=True)
                ]
                dropped += [p for t, d, p in _precision_pairs() if d == column and p in frame.columns]
        elif str(values.dtype) == "boolean" or pd.api.types.is_bool_dtype(values):
            shown[column] = ["" if pd.isna(v) else ("yes" if v else "no") for v in values]
        elif str(values.dtype) == "Int64" and column not in ("year",) and not column.endswith("_year"):
            shown[column] = [f"{value:,}" if value != "" else "" for value in shown[column]]
    shown = shown.drop(columns=[c for c in dict.fromkeys(dropped) if c in shown.columns])
    cells = shown.copy()
    for column in cells.columns:
        if column in ("source_id", "source_ids"):
            cells[column] = [_source_links(v, source_anchors) for v in shown[column]]
        elif escape:
            cells[column] = [html.escape(str(v)) for v in shown[column]]
    words = headings(dataset)
    # A column the notebook named itself ('country') is a field name too: it gets words the same way.
    titles = {c: words.get(c, heading_from_name(c) if _FIELD_NAME.fullmatch(str(c)) else c) for c in shown.columns}
    return Table(raw, shown.rename(columns=titles), escape, name, html=cells.rename(columns=titles))


def label_line_ends(ax, ends: dict[str, tuple[float, float]], colours: dict[str, str], min_gap: float = 0.06) -> None:
    """Name each line at its right end instead of in a legend, nudging labels apart.

    ``ends`` maps a label to the (x, y) of its line's last point; ``min_gap`` is
    the smallest vertical distance between labels, as a fraction of the y range.
    """
    low, high = ax.get_ylim()
    gap = (high - low) * min_gap
    placed: list[float] = []
    for label, (x, y) in sorted(ends.items(), key=lambda item: item[1][1]):
        position = max(y, placed[-1] + gap) if placed else y
        placed.append(position)
        ax.annotate(
            label,
            (x, y),
            xytext=(x, position),
            textcoords="data",
            ha="left",
            va="center",
            color=colours[label],
            fontsize=9.5,
            annotation_clip=False,
        )


def plot_years(ax: Axes, values: pd.Series, **style) -> list[Line2D]:
    """Draw a yearly series as a line that stops at every year without a figure.

    A line drawn straight across a missing year shows a trend nobody observed.
    The series is put on every year from its first to its last, so a missing
    year becomes NaN, where matplotlib breaks the line. A year standing alone
    between two gaps is then a line of one point, visible only as a marker, so
    such a series must be drawn with one.
    """
    observed = values.dropna()
    if observed.empty:
        return []
    years = [int(year) for year in observed.index]
    if years != sorted(set(years)):
        raise ValueError(f"plot_years: the years must be distinct and in order, got {years}")
    every = observed.set_axis(years).reindex(range(years[0], years[-1] + 1))
    alone = [year for year in years if year - 1 not in years and year + 1 not in years]
    if alone and style.get("marker") in (None, "", "none", "None"):
        raise ValueError(f"plot_years: {alone} stand alone between gaps and would not show without a marker")
    return ax.plot(every.index, every.to_numpy(dtype=float), **style)
