"""Reading and writing Open Referral feeds, apart from the database.

:func:`read` takes a path (a folder of CSV files, a ``.json`` file) and gives a
:class:`~.records.Feed`: records per HSDS table in the directory's own terms and
every problem found, each naming the file, the row (or JSON path) and the field.
The writers (:mod:`.writers`) do the reverse from plain dicts. Nothing here
imports Django.
"""

from __future__ import annotations

from pathlib import Path

from ginnel.directory.hsds import csvfeed, jsonfeed
from ginnel.directory.hsds.records import TABLES, Feed, Problem, Record

FORMATS = (csvfeed.CSV_11, csvfeed.CSV_30, jsonfeed.ORUK_30, jsonfeed.ORUK_V1)


class UnknownFormat(ValueError):
    """The path is not a feed we read; the message says why."""


def read(path: Path) -> Feed:
    """The feed at ``path``: a datapackage folder (or its datapackage.json) or a JSON file."""
    if not path.exists():
        raise UnknownFormat(f"{path} does not exist.")
    if path.is_file() and path.name == "datapackage.json":
        path = path.parent
    if path.is_dir():
        if not csvfeed.table_files(path):
            raise UnknownFormat(
                f"{path} holds no HSDS CSV files (organizations.csv, services.csv, …)."
            )
        return csvfeed.read_folder(path)
    if path.suffix.lower() == ".json":
        return jsonfeed.read_file(path)
    raise UnknownFormat(
        f"{path.name} is not a feed we read: give a folder of HSDS CSV files or a .json file "
        "(ORUK 3.0 or ORUK v1)."
    )


__all__ = ["FORMATS", "TABLES", "Feed", "Problem", "Record", "UnknownFormat", "read"]
