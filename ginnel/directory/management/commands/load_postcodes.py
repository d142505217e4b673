"""``ginnel load-postcodes FILE…``: load UK postcode centres for "within 2 miles of a postcode".

Reads either of the two open postcode lists (both under the Open Government
Licence; neither is shipped with Ginnel, see docs/directory.md):

- the **ONS Postcode Directory** (ONSPD) CSV, with a header row naming
  ``pcds`` (or ``pcd``), ``lat`` and ``long``; rows without a location (ONS
  writes latitude 99.999999) are skipped;
- **OS Code-Point Open** CSVs (one per postcode area, no header, or the
  documented header): postcode, quality, easting, northing, … — eastings and
  northings are converted to WGS84 latitude and longitude by
  :mod:`ginnel.directory.osgb`.

Each FILE may be a CSV, a folder (every ``*.csv`` under it) or the ``.zip``
as downloaded (every ``*.csv`` inside it under ``Data/``). Rows go in with
bulk upserts in batches, in one transaction: a file with a malformed row
changes nothing, and loading a newer release over an older one updates the
postcodes both have.
"""

from __future__ import annotations

import csv
import zipfile
from argparse import ArgumentParser
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from tqdm import tqdm

from ginnel.directory.models import Postcode
from ginnel.directory.osgb import wgs84_from_grid
from ginnel.directory.postcodes import normalise, postcodes_loaded_forget
from ginnel.errors import GinnelError

BATCH = 5_000
# ONSPD's "no location" latitude.
_NO_LOCATION = 99.0


@dataclass(frozen=True)
class Source:
    """One CSV to read: where it is (for messages), its size and how to open it."""

    name: str
    size: int
    zip_path: Path | None = None
    member: str = ""

    def open(self) -> IO[bytes]:
        if self.zip_path is not None:
            return zipfile.ZipFile(self.zip_path).open(self.member)
        return Path(self.name).open("rb")


@dataclass
class Tally:
    loaded: int = 0
    skipped: int = 0


def sources_of(path: Path) -> list[Source]:
    """The CSVs a FILE argument names: itself, the CSVs under a folder, or inside a zip."""
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.suffix.lower() == ".csv" and p.is_file())
        return [Source(name=str(p), size=p.stat().st_size) for p in found]
    if not path.is_file():
        raise CommandError(f"There is no file or folder {path}.")
    if path.suffix.lower() == ".zip":
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile as error:
            raise CommandError(f"{path} is not a zip file we can read: {error}.") from error
        with archive:
            members = [
                info
                for info in archive.infolist()
                if info.filename.lower().endswith(".csv")
                and "/data/" in f"/{info.filename.lower()}"
                and not info.is_dir()
            ]
        # ONSPD ships the whole list in one CSV under Data/ and again split by area
        # under Data/multi_csv/: read the one file, not both.
        whole = [m for m in members if "/multi_csv/" not in f"/{m.filename.lower()}"]
        if whole and len(whole) < len(members):
            members = whole
        return [
            Source(name=f"{path}:{m.filename}", size=m.file_size, zip_path=path, member=m.filename)
            for m in sorted(members, key=lambda m: m.filename)
        ]
    return [Source(name=str(path), size=path.stat().st_size)]


def _lines(stream: IO[bytes], bar: tqdm) -> Iterator[str]:
    for raw in stream:
        bar.update(len(raw))
        yield raw.decode("utf-8-sig", errors="replace")


def rows_of(source: Source, bar: tqdm) -> Iterator[tuple[int, str, float, float] | None]:
    """(line, postcode, latitude, longitude) per row with a location, None per row without.

    Raises :class:`GinnelError` naming the file and line of a row that cannot be read.
    """
    with source.open() as stream:
        reader = csv.reader(_lines(stream, bar))
        first = next(reader, None)
        if first is None:
            return
        header = [h.strip().lower() for h in first]
        if "lat" in header and "long" in header and ("pcds" in header or "pcd" in header):
            yield from _onspd(source, reader, header)
        elif len(first) >= 4:
            # Code-Point Open: no header, or its documented column names.
            rows = reader if header[0] == "postcode" else _chain(first, reader)
            yield from _codepoint(source, rows, 1 if header[0] == "postcode" else 0)
        else:
            raise GinnelError(
                f"{source.name}: this is neither the ONS Postcode Directory (a header with "
                "pcds, lat and long) nor OS Code-Point Open (postcode, quality, easting, "
                "northing…)."
            )


def _chain(first: list[str], rest: Iterator[list[str]]) -> Iterator[list[str]]:
    yield first
    yield from rest


def _onspd(
    source: Source, reader: Iterator[list[str]], header: list[str]
) -> Iterator[tuple[int, str, float, float] | None]:
    code = header.index("pcds" if "pcds" in header else "pcd")
    lat, lon = header.index("lat"), header.index("long")
    for line, row in enumerate(reader, start=2):
        try:
            latitude, longitude = float(row[lat]), float(row[lon])
        except (IndexError, ValueError) as error:
            raise GinnelError(
                f"{source.name}, line {line}: lat and long must be numbers ({error})."
            ) from error
        if latitude > _NO_LOCATION:
            yield None
            continue
        yield line, _postcode(source, line, row[code]), latitude, longitude


def _codepoint(
    source: Source, rows: Iterator[list[str]], offset: int
) -> Iterator[tuple[int, str, float, float] | None]:
    for line, row in enumerate(rows, start=1 + offset):
        try:
            easting, northing = float(row[2]), float(row[3])
        except (IndexError, ValueError) as error:
            raise GinnelError(
                f"{source.name}, line {line}: the easting and northing (third and fourth "
                f"columns) must be numbers ({error})."
            ) from error
        if easting == 0 and northing == 0:
            yield None  # Code-Point's "no coordinates" (quality 90)
            continue
        latitude, longitude = wgs84_from_grid(easting, northing)
        yield line, _postcode(source, line, row[0]), latitude, longitude


def _postcode(source: Source, line: int, text: str) -> str:
    code = normalise(text)
    if code is None:
        raise GinnelError(f"{source.name}, line {line}: {text.strip()!r} is not a UK postcode.")
    return code


def _write(batch: dict[str, tuple[float, float]]) -> None:
    """Insert or update a batch in one statement per row, executed as one batch.

    Plain SQL (the upsert both SQLite and PostgreSQL know) rather than
    ``bulk_create``: no model objects for millions of rows.
    """
    quote = connection.ops.quote_name
    table = quote(Postcode._meta.db_table)
    code, lat, lon = (quote(c) for c in ("postcode", "latitude", "longitude"))
    sql = (
        f"INSERT INTO {table} ({code}, {lat}, {lon}) VALUES (%s, %s, %s) "  # noqa: S608 (names quoted, values bound)
        f"ON CONFLICT ({code}) DO UPDATE SET {lat} = excluded.{lat}, {lon} = excluded.{lon}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(c, la, lo) for c, (la, lo) in batch.items()])


@transaction.atomic
def load(paths: list[Path], *, progress: bool = False) -> Tally:
    """Load every postcode in ``paths``: all or nothing."""
    sources = [source for path in paths for source in sources_of(path)]
    if not sources:
        raise GinnelError("There are no CSV files in what you gave.")
    tally = Tally()
    bar = tqdm(
        total=sum(s.size for s in sources),
        unit="B",
        unit_scale=True,
        desc="Loading postcodes",
        disable=not progress,
    )
    with bar:
        for source in sources:
            batch: dict[str, tuple[float, float]] = {}
            for row in rows_of(source, bar):
                if row is None:
                    tally.skipped += 1
                    continue
                _, code, latitude, longitude = row
                batch[code] = (latitude, longitude)
                if len(batch) >= BATCH:
                    _write(batch)
                    tally.loaded += len(batch)
                    batch = {}
            if batch:
                _write(batch)
                tally.loaded += len(batch)
    transaction.on_commit(postcodes_loaded_forget)
    return tally


class Command(BaseCommand):
    help = (
        "Load UK postcode centres from the ONS Postcode Directory CSV or OS Code-Point Open "
        "(CSV files, a folder of them, or the zip as downloaded). See docs/directory.md."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--no-progress", action="store_true", help="Print no progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            tally = load(options["files"], progress=not options["no_progress"])
        except GinnelError as error:
            raise CommandError(f"{error.message} Nothing was loaded.") from error
        self.stdout.write(
            f"Loaded {tally.loaded:,} postcodes"
            + (f"; skipped {tally.skipped:,} without a location" if tally.skipped else "")
            + f". {Postcode.objects.count():,} postcodes are known now."
        )
