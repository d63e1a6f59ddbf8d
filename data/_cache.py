"""What a table's content is worth remembering, and which tables a process asked for.

Two jobs, both keyed on content rather than on file times:

* **Validation once per content.** A table is checked against the data package
  (frictionless, foreign keys, source lists, date precision) the first time its
  content is seen. A successful check is remembered under a hash of everything
  the check read: the table's bytes and descriptor entry, the bytes and entries
  of the tables its foreign keys point to, the package-level descriptor fields,
  the validating code and the frictionless version. The memory lasts for the
  process, and on disk in a git-ignored folder beside the descriptor
  (``.kzdata-cache/``; set ``KZDATA_CACHE`` to another folder, or to an empty
  string to switch it off). A file whose bytes changed has a new hash, so it is
  always validated before use; only successes are remembered.
* **Recording what was read.** Every public call that reads a table records its
  name. When ``KZDATA_RECORD`` names a file, each name is appended to it once per
  process: the book's notebook runner sets it for each kernel, so it learns which
  tables a notebook's outputs depend on.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

#: Recorded in place of a table name when a caller asked for the list of tables (``names()``).
NAMES = "*names*"

_recorded: list[str] = []
_paused = 0


def record(name: str) -> None:
    """Note that the caller read table ``name`` (or the list of names, :data:`NAMES`)."""
    if _paused or name in _recorded:
        return
    _recorded.append(name)
    target = os.environ.get("KZDATA_RECORD")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(name + "\n")


def recorded() -> list[str]:
    """The tables this process has asked for, in first-asked order."""
    return list(_recorded)


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Record nothing inside: reads made to validate a table are not reads by the caller."""
    global _paused
    _paused += 1
    try:
        yield
    finally:
        _paused -= 1


# --- Digests ---------------------------------------------------------------------------------------


def _sha(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def canonical(value: Any) -> str:
    """JSON text that is the same for equal values, whatever the key order in the file."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _entry(descriptor: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((r for r in descriptor.get("resources", []) if r.get("name") == name), None)


def table_digest(descriptor: dict[str, Any], base: Path, name: str, portable: bool = False) -> str:
    """A hash of one table's descriptor entry and file bytes ('missing' parts hash too).

    ``portable`` reads line endings as ``\\n`` so a checkout with CRLF files gives
    the same digest (used for notebook keys; validation hashes the exact bytes).
    """
    entry = _entry(descriptor, name)
    if entry is None:
        return _sha("no such table", name)
    try:
        content = (base / entry["path"]).read_bytes()
    except (OSError, KeyError, TypeError):
        content = b"\0missing"
    if portable:
        content = content.replace(b"\r\n", b"\n")
    return _sha(name, canonical(entry), content)


def package_digest(descriptor: dict[str, Any]) -> str:
    """The package-level fields (title, version, cut-off, licences...): everything but the resources."""
    return _sha(canonical({k: v for k, v in descriptor.items() if k != "resources"}))


def names_digest(descriptor: dict[str, Any]) -> str:
    """The list of tables, in the descriptor's order (what ``names()`` returns)."""
    return _sha(*[str(r.get("name")) for r in descriptor.get("resources", [])])


@functools.cache
def _module_files() -> tuple[Path, ...]:
    here = Path(__file__).parent
    return tuple(sorted([*here.glob("*.py"), *here.glob("*.mplstyle")]))


def module_digest() -> str:
    """A hash of the data module's own code and chart style, as the kernels import them."""
    parts: list[str | bytes] = []
    for path in _module_files():
        parts += [path.name, path.read_bytes().replace(b"\r\n", b"\n")]
    return _sha(*parts)


def inputs_digest(tables: Iterable[str], descriptor: dict[str, Any], base: Path) -> str:
    """Everything outside a notebook's own code that its outputs depend on, given the tables it read."""
    parts = [module_digest(), package_digest(descriptor)]
    for name in sorted(set(tables)):
        parts += [name, names_digest(descriptor) if name == NAMES else table_digest(descriptor, base, name, True)]
    return _sha(*parts)


@functools.cache
def _checker_digest() -> str:
    """The code that validates, and the frictionless release it calls: a change re-validates everything."""
    from importlib.metadata import version

    here = Path(__file__).parent
    return _sha(version("frictionless"), (here / "_package.py").read_bytes(), Path(__file__).read_bytes())


def referenced(descriptor: dict[str, Any], name: str) -> list[str]:
    """The tables that validating ``name`` reads besides itself (foreign keys and source lists)."""
    entry = _entry(descriptor, name) or {}
    schema = entry.get("schema", {})
    others = [key.get("reference", {}).get("resource") or name for key in schema.get("foreignKeys", [])]
    others += [spec.get("resource", "sources") for spec in entry.get("x-list-foreign-keys", [])]
    return sorted(set(others) - {name})


def subset(descriptor: dict[str, Any], name: str) -> dict[str, Any]:
    """The descriptor cut down to one table and the tables it refers to: frictionless parses only those."""
    keep = {name, *referenced(descriptor, name)}
    return dict(descriptor, resources=[r for r in descriptor.get("resources", []) if r.get("name") in keep])


def validation_key(descriptor: dict[str, Any], base: Path, name: str) -> str:
    """The hash under which a successful validation of ``name`` is remembered."""
    parts = [_checker_digest(), package_digest(descriptor), table_digest(descriptor, base, name)]
    for other in referenced(descriptor, name):
        parts += [other, table_digest(descriptor, base, other)]
    return _sha(*parts)


# --- Remembering ---------------------------------------------------------------------------------

_valid: set[str] = set()
_frames: dict[str, pd.DataFrame] = {}
_MAX_FRAMES = 128


def folder(base: Path) -> Path | None:
    """The on-disk cache folder for a package whose descriptor sits in ``base``; None when switched off."""
    setting = os.environ.get("KZDATA_CACHE")
    if setting is None:
        return base / ".kzdata-cache"
    return Path(setting) if setting else None


def is_valid(key: str, base: Path) -> bool:
    """Whether content with this key has passed validation before (in this process or on disk)."""
    if key in _valid:
        return True
    where = folder(base)
    if where is not None and (where / key).is_file():
        _valid.add(key)
        return True
    return False


def mark_valid(key: str, base: Path) -> None:
    """Remember a successful validation; a folder that cannot be written is simply not used."""
    _valid.add(key)
    where = folder(base)
    if where is None:
        return
    try:
        where.mkdir(parents=True, exist_ok=True)
        temporary = where / f".{key}.{os.getpid()}"
        temporary.write_text("valid\n", encoding="utf-8")
        temporary.replace(where / key)
    except OSError:
        pass


def frame(key: str) -> pd.DataFrame | None:
    """A copy of the typed table last read under this key, if this process has one."""
    kept = _frames.get(key)
    return None if kept is None else kept.copy()


def keep_frame(key: str, table: pd.DataFrame) -> None:
    if len(_frames) >= _MAX_FRAMES:
        _frames.pop(next(iter(_frames)))
    _frames[key] = table.copy()


def clear() -> None:
    """Forget every validation and table held in memory (the disk cache stays)."""
    _valid.clear()
    _frames.clear()
