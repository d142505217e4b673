"""Where work goes after a commit: the job queue when one is configured, else inline.

:func:`after_commit_send` is what :func:`services.notify` calls. The job-queue
layer (``ginnel/notifications/tasks.py`` with Celery) installs a sender with
:func:`use_sender`; until then (the demo, SQLite, tests) deliveries are sent
inline by :func:`ginnel.notifications.dispatch.send_deliveries` once the
transaction commits. Either way the outbox rows are already written, so a
sender that never runs (a broker down) delays a message; the periodic sweep
sends it later.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import transaction

Sender = Callable[[Sequence[int]], None]


def _inline(delivery_ids: Sequence[int]) -> None:
    from ginnel.notifications.dispatch import send_deliveries

    send_deliveries(delivery_ids)


_sender: list[Sender] = [_inline]


def use_sender(sender: Sender) -> None:
    """Send deliveries through ``sender`` (the job queue) from now on."""
    _sender[0] = sender


def after_commit_send(delivery_ids: Sequence[int]) -> None:
    if delivery_ids:
        ids = list(delivery_ids)
        transaction.on_commit(lambda: _sender[0](ids), robust=True)
