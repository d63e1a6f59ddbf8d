"""The book's shared chart style: one palette, one look, a source line on every chart.

Kept apart from the table loader so that reading data never imports
matplotlib. Colours follow the Okabe-Ito palette, which stays distinguishable
under the common forms of colour blindness; Kazakhstan, Russia and China keep
the same colour in every chapter, and so do the census groups named after them.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from urllib.parse import quote

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from kzdata._package import load, sources_for

STYLE = Path(__file__).with_name("kzdata.mplstyle")

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


def source_line(fig: Figure, *tables: str, rows: pd.DataFrame | None = None, note: str = "") -> None:
    """Write 'Source: …' under a chart, built from the data's own provenance.

    With ``rows`` (a frame with a ``source_id`` column), only the documents of
    the rows actually plotted are named; otherwise every source of the tables.
    Either way the line cannot disagree with the data package.
    """
    ids: list[str] = []
    for table in tables:
        ids += sources_for(table)["source_id"].tolist()
    if rows is not None:
        ids = [sid for sid in dict.fromkeys(rows["source_id"].dropna()) if sid in ids]
    documents = load("sources").set_index("source_id").loc[list(dict.fromkeys(ids)), "publisher"]
    unique = list(dict.fromkeys(short_publisher(p) for p in documents))
    text = "Source: " + "; ".join(unique) + "." if unique else "Source:"
    if note:
        text += " " + note
    wrapped = "\n".join(textwrap.wrap(text, width=120))
    fig.text(0.01, 0.005, wrapped, ha="left", va="bottom", fontsize=7.5, color=PALETTE["TEXT"])
    lines = wrapped.count("\n") + 1
    fig.subplots_adjust(bottom=0.14 + 0.035 * lines)


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

    def __init__(self, frame: pd.DataFrame, shown: pd.DataFrame, escape: bool, name: str) -> None:
        self.frame, self.shown, self.escape, self.name = frame, shown, escape, name

    def _repr_html_(self) -> str:
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


def table(frame: pd.DataFrame, escape: bool = True, name: str = "table") -> Table:
    """Show a table in a page without the index or volatile ids.

    A pandas Styler embeds a random id and a memory address in its output,
    which would make every re-run differ; plain HTML does not. ``escape=False``
    lets cells carry links the notebook built itself (the PDF shows their text).
    Every table carries a download link to a CSV of the rows it shows, named
    after ``name``.
    """
    shown = frame.astype("object").where(frame.notna(), "")
    for column in frame.columns:
        if str(frame[column].dtype) == "Int64" and column not in ("year",):
            shown[column] = [f"{value:,}" if value != "" else "" for value in shown[column]]
    return Table(frame, shown, escape, name)


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
