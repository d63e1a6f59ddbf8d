"""The China chapter: its comparative words follow the data.

Each case edits one row of a throw-away copy of the data package so that a
comparison the chapter states no longer holds, then runs the chapter on the copy:
the run must stop with the statement named, never print the old words.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import reversal_stops_the_chapter

NOTEBOOK = Path(__file__).resolve().parent.parent / "chapters" / "03_china.ipynb"

#: (table, the one row, new values by column, words of the statement the chapter's guard must name).
REVERSALS = {
    # Issue 20's own trial: lower China's 2023 trade on Kazakh figures below Russia's, so the year it passed
    # Russia is no longer 2023 (Kazakh exports to China 14.67 -> 11.0 billion: 26.4 against Russia's 27.1).
    "China behind Russia in 2023": (
        "bilateral_trade",
        {"year": "2023", "partner_iso3": "CHN", "flow": "exports", "reported_by": "KAZ", "series": "BNS"},
        {"value_usd_bn": "11.0"},
        "China passes Russia on Kazakh figures in 2023",
    ),
    # The text says the Kremlin's narratives lost ground in each wave of the DEMOSCOPE poll.
    "Kremlin narratives gain in 2023": (
        "opinion_polls",
        {"fieldwork": "2023", "answer": "Kremlin narratives"},
        {"share_pct": "35.0"},
        "Kremlin narratives lost ground in each wave",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(REVERSALS))
def test_a_reversed_comparison_stops_the_chapter_with_the_statement_named(case: str, package_copy: Path):
    reversal_stops_the_chapter(NOTEBOOK, package_copy, *REVERSALS[case])
