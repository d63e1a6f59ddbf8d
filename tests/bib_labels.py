"""Give author-date citations that would otherwise look alike a letter, as APA does: 2022a, 2022b, n.d.-a.

Two different documents cited as "Kazinform, 2022" send a reader to the wrong
entry. ``python tests/bib_labels.py --fix`` appends letters to the year of each
group of entries that share an author label and a year, in the order of their
keys; the tests fail while any group is left without letters.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

from pybtex.database import parse_file

BIB = Path(__file__).resolve().parent.parent / "references.bib"


def author_label(entry) -> str:
    """The name part of an author-year label: one surname, 'A and B', or 'A et al.'."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [" ".join(person.last_names) or " ".join(person.first_names) for person in people]
    names = [re.sub(r"[{}]", "", name) for name in names]
    if len(names) > 2:
        return f"{names[0]} et al."
    return " and ".join(names)


def base_year(year: str) -> str:
    """The year without a disambiguating letter."""
    return re.sub(r"(?<=\d)[a-z]$|-[a-z]$", "", year)


def clashes(path: Path = BIB) -> dict[tuple[str, str], list[str]]:
    """Groups of keys that share a label, with the labels they would print."""
    data = parse_file(str(path))
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key, entry in data.entries.items():
        year = entry.fields.get("year", "n.d.")
        groups[(author_label(entry), year)].append(key)
    return {label: sorted(keys) for label, keys in groups.items() if len(keys) > 1}


def fix(path: Path = BIB) -> int:
    """Letter every group of look-alike entries; already lettered groups are relettered in key order."""
    data = parse_file(str(path))
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key, entry in data.entries.items():
        groups[(author_label(entry), base_year(entry.fields.get("year", "n.d.")))].append(key)
    text = path.read_text(encoding="utf-8")
    changed = 0
    for (_, year), keys in groups.items():
        if len(keys) < 2:
            continue
        for letter, key in zip("abcdefghijklmnopqrstuvwxyz", sorted(keys), strict=False):
            wanted = f"n.d.-{letter}" if year == "n.d." else f"{year}{letter}"
            start = text.index("{" + key + ",")
            end = text.index("\n}", start)
            entry = text[start:end]
            if re.search(r"^\s*year\s*=", entry, re.M):
                new = re.sub(r"^(\s*year\s*=\s*)\{[^}]*\}", r"\g<1>{" + wanted + "}", entry, flags=re.M)
            else:
                new = entry + f",\n  year = {{{wanted}}}"
            if new != entry:
                text = text[:start] + new + text[end:]
                changed += 1
    path.write_text(text, encoding="utf-8")
    return changed


if __name__ == "__main__":
    if "--fix" in sys.argv:
        print(f"{fix()} entries lettered")
    remaining = clashes()
    print("\n".join(f"{label}: {', '.join(keys)}" for label, keys in remaining.items()) or "no look-alike citations")
    sys.exit(1 if remaining else 0)
