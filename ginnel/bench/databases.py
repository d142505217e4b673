"""Throwaway databases for benchmarks: a temporary SQLite file, or a new PostgreSQL database.

A benchmark runs in a child process whose DATABASE_URL points at the
throwaway database, so it never touches the data of a running site.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg


@contextmanager
def throwaway(kind: str, postgres_url: str) -> Iterator[str]:
    """Yield a DATABASE_URL for a new, empty database; drop it afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="ginnel-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        return
    name = f"ginnel_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(postgres_url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_child(database_url: str, args: list[str]) -> dict[str, Any]:
    """Run ``ginnel bench … --child`` against ``database_url``; return its JSON result."""
    # SQLite hands its one write lock to waiting writers in no particular order:
    # with 16 writers one may wait long, which a benchmark should measure, not fail.
    env = {**os.environ, "DATABASE_URL": database_url, "GINNEL_SQLITE_BUSY_TIMEOUT": "600"}
    env.pop("GINNEL_SQLITE_TEST_NAME", None)
    result = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "ginnel", "bench", *args, "--child"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{result.stderr[-4000:]}")
    last = result.stdout.strip().splitlines()[-1]
    parsed: dict[str, Any] = json.loads(last)
    return parsed
