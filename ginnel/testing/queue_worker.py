"""Loaded into the worker process the reliability tests start (``--include``).

It registers the tests' notification kind, and shortens the dispatcher's
lease and first backoff from the environment, so a killed worker's send is
recovered, and a failed one retried, within seconds rather than minutes:

- ``GINNEL_TEST_SEND_LEASE_SECONDS``: how long a claimed delivery may stay
  ``sending`` before the sweep takes it for cut off;
- ``GINNEL_TEST_SEND_BACKOFF_SECONDS``: the wait after the first failed try.

Never loaded by a deployment's worker.
"""

from __future__ import annotations

import os
from datetime import timedelta

from ginnel.notifications import dispatch
from ginnel.testing.queued_kind import QUEUED

__all__ = ["QUEUED"]

_lease = os.environ.get("GINNEL_TEST_SEND_LEASE_SECONDS", "")
if _lease and hasattr(dispatch, "LEASE"):
    dispatch.LEASE = timedelta(seconds=float(_lease))
_backoff = os.environ.get("GINNEL_TEST_SEND_BACKOFF_SECONDS", "")
if _backoff and hasattr(dispatch, "BACKOFF_FIRST"):
    dispatch.BACKOFF_FIRST = timedelta(seconds=float(_backoff))
