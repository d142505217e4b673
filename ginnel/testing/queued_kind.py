"""A notification kind for the job queue's tests: email, immediately, to whoever is named.

Imported by the tests, and by the worker process the reliability tests start
(``celery worker --include ginnel.testing.queued_kind``), so both know it.
"""

from __future__ import annotations

from ginnel.notifications import kinds
from ginnel.notifications.kinds import Channel, Frequency, Kind

QUEUED = kinds.register(
    Kind(
        code="tests.queued",
        label="A queued test message",
        audience="Whoever the test names",
        templates="notifications/testing/queued",
        defaults={Channel.EMAIL: Frequency.IMMEDIATELY},
    )
)
