"""Command line: ``python -m kzdata list | validate | describe NAME``."""

from __future__ import annotations

import argparse
import json
import sys

from kzdata import _package


def _list() -> int:
    for name in _package.names():
        entry = _package.describe(name)
        print(f"{name:24} {entry['title']}")
    return 0


def _validate() -> int:
    results = _package.validate_all()
    failed = {name: problems for name, problems in results.items() if problems}
    for name, problems in results.items():
        status = "FAILED" if problems else "ok"
        print(f"{name:24} {status}")
        for problem in problems:
            print(f"    {problem}")
    print(f"{len(results) - len(failed)} tables valid, {len(failed)} with errors")
    return 1 if failed else 0


def _describe(name: str) -> int:
    try:
        entry = _package.describe(name)
    except KeyError as error:
        print(error.args[0], file=sys.stderr)
        return 2
    print(json.dumps(entry, indent=2, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kzdata", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the tables and their titles")
    commands.add_parser("validate", help="check every table against the data package")
    describe = commands.add_parser("describe", help="print one table's metadata")
    describe.add_argument("name")
    args = parser.parse_args(argv)
    if args.command == "list":
        return _list()
    if args.command == "validate":
        return _validate()
    return _describe(args.name)


if __name__ == "__main__":
    sys.exit(main())
