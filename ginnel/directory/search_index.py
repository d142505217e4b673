"""The database's own index of ``Service.search_text``, so text search does not read every row.

"Every word must appear in the text" is a substring search (``LIKE '%word%'``),
which no ordinary index helps. Both databases have a trigram index that does:

- SQLite: an FTS5 table with the trigram tokenizer (SQLite 3.34+), holding
  ``search_text`` by the service's rowid, kept in step by triggers;
- PostgreSQL: a GIN index with ``gin_trgm_ops`` (the ``pg_trgm`` extension),
  which the planner uses for ``LIKE '%word%'`` by itself.

Words shorter than three letters have no trigram: those are matched with
``LIKE`` on the rows the other words found.

:func:`ensure` makes what is missing; it runs in the migration and after every
``migrate`` (SQLite drops a table's triggers when a migration rebuilds the
table, so this puts them back and refills the index).
"""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

FTS_TABLE = "directory_service_fts"
_TRIGGERS = {
    "directory_service_fts_ai": """
        CREATE TRIGGER directory_service_fts_ai AFTER INSERT ON directory_service BEGIN
            INSERT INTO directory_service_fts(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
    "directory_service_fts_ad": """
        CREATE TRIGGER directory_service_fts_ad AFTER DELETE ON directory_service BEGIN
            INSERT INTO directory_service_fts(directory_service_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
        END""",
    "directory_service_fts_au": """
        CREATE TRIGGER directory_service_fts_au AFTER UPDATE OF search_text
        ON directory_service BEGIN
            INSERT INTO directory_service_fts(directory_service_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
            INSERT INTO directory_service_fts(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
}
PG_INDEX = "directory_service_search_trgm"
# The services whose text has every (quoted) word of the parameter.
MATCH_SQL = "SELECT rowid FROM directory_service_fts WHERE directory_service_fts MATCH %s"


def fts_ready(connection: BaseDatabaseWrapper) -> bool:
    """Whether text search may read the SQLite FTS table on this connection."""
    if connection.vendor != "sqlite":
        return False
    cached: bool | None = getattr(connection, "_ginnel_fts_ready", None)
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE name IN (%s, %s, %s, %s)",
                [FTS_TABLE, *_TRIGGERS],
            )
            cached = cursor.fetchone()[0] == 1 + len(_TRIGGERS)
        connection._ginnel_fts_ready = cached  # type: ignore[attr-defined]
    return cached


def ensure(connection: BaseDatabaseWrapper) -> None:
    """Make the text index if it is missing (and refill it when its triggers were lost)."""
    if connection.vendor == "sqlite":
        _ensure_sqlite(connection)
    elif connection.vendor == "postgresql":
        _ensure_postgresql(connection)


def _ensure_sqlite(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'directory_service'")
        if cursor.fetchone() is None:
            return
        cursor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS directory_service_fts USING fts5("
            "search_text, content='directory_service', content_rowid='id', "
            "tokenize='trigram')"
        )
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
            "'directory_service'"
        )
        present = {row[0] for row in cursor.fetchall()}
        missing = [name for name in _TRIGGERS if name not in present]
        for name in missing:
            cursor.execute(_TRIGGERS[name])
        if missing:
            cursor.execute(
                "INSERT INTO directory_service_fts(directory_service_fts) VALUES ('rebuild')"
            )
    if hasattr(connection, "_ginnel_fts_ready"):
        del connection._ginnel_fts_ready


def _ensure_postgresql(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            # A trusted extension: the database's owner may create it (PostgreSQL 13+).
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # Look before creating: even CREATE INDEX IF NOT EXISTS refuses a table with pending
        # trigger events, as inside a transaction that has just written to it (a re-run demo).
        cursor.execute("SELECT 1 FROM pg_class WHERE relname = %s AND relkind = 'i'", [PG_INDEX])
        if cursor.fetchone() is None:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON directory_service "
                "USING gin (search_text gin_trgm_ops)"
            )


def drop(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in _TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute("DROP TABLE IF EXISTS directory_service_fts")
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")


def after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """``post_migrate`` receiver: see :func:`ensure`."""
    from django.db import connections

    ensure(connections[using])
