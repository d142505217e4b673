"""The job queue's tasks: sending the outbox, the sweep, and every periodic job by name.

With a broker (``GINNEL_BROKER_URL``) :func:`install_sender` makes
:func:`ginnel.notifications.services.notify` hand the deliveries it wrote to
:func:`send_deliveries_task` once the transaction commits. If the broker is
down the hand-off is logged and dropped: the rows are already in the outbox,
and :func:`send_due_task` (every ``GINNEL_SWEEP_SECONDS``) sends them. So an
outage delays a message and never loses one, and the person's request never
fails because Redis did.

Every task is safe to run twice: the dispatcher claims each delivery before
sending it and sends under its idempotency key, so a task redelivered after a
worker died (``task_acks_late``, ``task_reject_on_worker_lost``) finds the
delivery sent, or recovers it with the provider's ``find(reference)``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from ginnel import jobs
from ginnel.celery import app
from ginnel.notifications import dispatch, queue

logger = logging.getLogger(__name__)


@app.task(name="ginnel.notifications.tasks.send_deliveries_task")  # type: ignore[untyped-decorator]
def send_deliveries_task(delivery_ids: Sequence[int]) -> None:
    """Send these deliveries (written by notify(); each claimed once by the dispatcher)."""
    dispatch.send_deliveries(list(delivery_ids))


@app.task(name="ginnel.notifications.tasks.send_due_task")  # type: ignore[untyped-decorator]
def send_due_task() -> int:
    """The sweep: send every delivery that is due, and recover any left half sent."""
    return dispatch.send_due()


@app.task(name="ginnel.notifications.tasks.run_job_task")  # type: ignore[untyped-decorator]
def run_job_task(name: str) -> Any:
    """Run one registered periodic job (ginnel/jobs.py) by name."""
    return jobs.run(name)


def queue_sender(delivery_ids: Sequence[int]) -> None:
    """Hand deliveries to the worker; if the broker is down, leave them to the sweep."""
    try:
        send_deliveries_task.delay(list(delivery_ids))
    except (OperationalError, RedisError, OSError) as error:
        logger.warning(
            "The job queue's broker did not take %d deliveries (%s); the sweep will send them.",
            len(delivery_ids),
            error,
        )


def install_sender() -> bool:
    """Send through the job queue when a broker is configured; True if it now does."""
    if not getattr(settings, "CELERY_BROKER_URL", ""):
        return False
    queue.use_sender(queue_sender)
    return True
