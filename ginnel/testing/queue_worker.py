"""Loaded into the worker process the reliability tests start (``--include``).

It registers the tests' notification kind. The tests shorten the dispatcher's
lease and first backoff through the worker's environment
(``GINNEL_SEND_LEASE_SECONDS``, ``GINNEL_SEND_BACKOFF_SECONDS``, read by the
settings), so a killed worker's send is recovered, and a failed one retried,
within seconds rather than minutes.

Never loaded by a deployment's worker.
"""

from __future__ import annotations

from ginnel.testing.queued_kind import QUEUED

__all__ = ["QUEUED"]
