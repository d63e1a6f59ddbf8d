"""Give author-date citations that would otherwise look alike a letter, as APA does: 2022a, 2022b, n.d.-a.

Two different documents cited as "Kazinform, 2022" send a reader to the wrong
entry. ``python tests/bib_labels.py --fix`` appends letters to the year of each
group of entries that share an author label and a year, in the order of their
keys; the tests fail while any group is left without letters.

The same command protects capitals in titles: the bibliography style sets
titles in sentence case, which printed "russia" and "central asia". Each word
of a title that carries a capital letter (after the first word) is wrapped in
braces, ``{Kazakhstan}'s {Russia} problem``, so it prints as written.
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


_TITLE = re.compile(r"^(\s*title\s*=\s*\{)(.*)(\},?\s*)$", re.MULTILINE)
# A word with a capital letter: letters, digits, apostrophes inside, hyphens, dots of abbreviations (U.S.).
_CAPITALISED = re.compile(r"(?<![\w{\\])((?:[^\W_]|\.)*[A-ZÀ-ÞА-ЯЁ](?:[^\W_]|[.\-](?=[^\W_]))*)")


def _top_level(title: str) -> list[tuple[str, bool]]:
    """A title cut into (text, is_protected) pieces: text inside braces is already protected."""
    pieces, depth, current = [], 0, ""
    for character in title:
        if character == "{" and depth == 0:
            pieces.append((current, False))
            current = character
            depth = 1
        elif character == "{":
            depth += 1
            current += character
        elif character == "}" and depth == 1:
            pieces.append((current + character, True))
            current, depth = "", 0
        else:
            if character == "}":
                depth -= 1
            current += character
    pieces.append((current, depth > 0))
    return [(text, protected) for text, protected in pieces if text]


def protect_title(title: str) -> str:
    """Brace every capitalised word of a title (the first only if it has more than one capital), so sentence case
    cannot lower it."""
    out, first = [], True
    for text, protected in _top_level(title):
        if protected:
            out.append(text)
            first = False
            continue
        result, position = "", 0
        for match in _CAPITALISED.finditer(text):
            word = match.group(1)
            # Sentence case keeps a title's first letter: the first word needs braces only if it has more capitals.
            is_first = first and not text[: match.start()].strip() and not any(c.isupper() for c in word[1:])
            result += text[position : match.start()]
            result += match.group(1) if is_first else "{" + match.group(1) + "}"
            position = match.end()
        result += text[position:]
        if text.strip():
            first = False
        out.append(result)
    return "".join(out)


def unprotected_titles(path: Path = BIB) -> list[str]:
    """Keys whose title has a capitalised word (after the first) that sentence case would lower."""
    text = path.read_text(encoding="utf-8")
    problems = []
    for entry in re.split(r"\n(?=@)", text):
        key = re.match(r"@\w+\{([^,]+),", entry.strip())
        for match in _TITLE.finditer(entry):
            if protect_title(match.group(2)) != match.group(2):
                problems.append(key.group(1) if key else match.group(2))
    return problems


def protect(path: Path = BIB) -> int:
    """Protect the capitals of every title in the file; return how many titles changed."""
    text = path.read_text(encoding="utf-8")
    changed = 0

    def replace(match: re.Match) -> str:
        nonlocal changed
        new = protect_title(match.group(2))
        changed += new != match.group(2)
        return match.group(1) + new + match.group(3)

    path.write_text(_TITLE.sub(replace, text), encoding="utf-8")
    return changed


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
        print(f"{protect()} titles' capitals protected")
    remaining = clashes()
    print("\n".join(f"{label}: {', '.join(keys)}" for label, keys in remaining.items()) or "no look-alike citations")
    unprotected = unprotected_titles()
    print(
        "titles with unprotected capitals: " + ", ".join(unprotected) if unprotected else "all title capitals protected"
    )
    sys.exit(1 if remaining or unprotected else 0)
