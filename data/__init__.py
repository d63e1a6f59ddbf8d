"""kzdata: the tables behind "Kazakhstan between Moscow and Beijing after 2022".

Notebooks and tests ask this package for tables by name; nothing else in the
project opens a data file. Importing it reads nothing: each table is read and
validated against ``datapackage.json`` when it is asked for.

>>> import kzdata
>>> kzdata.names()[:1]
['sources']
"""

from kzdata._package import (
    DataError,
    Problem,
    cite,
    describe,
    load,
    names,
    sources_for,
    validate_all,
)
from kzdata.trade import mirror_gap, partner_share

__all__ = [
    "DataError",
    "Problem",
    "cite",
    "describe",
    "load",
    "mirror_gap",
    "names",
    "partner_share",
    "sources_for",
    "validate_all",
]
