"""Loaded by pytest before Django (``-p ginnel.testing.env``): test-only defaults.

Each is a default: the test command or CI may set them (DATABASE_URL to run
the suite on PostgreSQL, for example).
"""

import os
import tempfile

os.environ.setdefault("GINNEL_DATA_DIR", tempfile.mkdtemp(prefix="ginnel-test-"))
# A file, not SQLite's shared in-memory database: threads in the concurrency
# tests then lock the way a real deployment does (WAL, busy timeout).
os.environ.setdefault(
    "GINNEL_SQLITE_TEST_NAME", os.path.join(os.environ["GINNEL_DATA_DIR"], "test.sqlite3")
)
# Sixteen threads queueing for SQLite's one writer lock on a busy 2-core CI
# machine can wait longer than a live site's default.
os.environ.setdefault("GINNEL_SQLITE_BUSY_TIMEOUT", "120")
os.environ.setdefault("GINNEL_SECRET_KEY", "test-only-" + "x" * 60)
# Argon2 is deliberately slow; tests create hundreds of accounts.
os.environ.setdefault("GINNEL_FAST_PASSWORD_HASHER", "1")
# Tests log in with the test client, which gives django-axes no request; the
# lockout has its own test, which turns it on.
os.environ.setdefault("GINNEL_LOGIN_LOCKOUT", "0")
os.environ.setdefault("GINNEL_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
