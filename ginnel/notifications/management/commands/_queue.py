"""What ``ginnel worker`` and ``ginnel beat`` share: the Celery app, refused without a broker."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError

from ginnel.celery import app, beat_schedule

NO_BROKER = (
    "No job queue is configured: set GINNEL_BROKER_URL (redis://127.0.0.1:6379/0) to run a "
    "worker. Without it every task runs inline in the web process and no worker is needed; "
    "`ginnel jobs run <name>` runs a periodic job once, from cron."
)


def configured_app() -> object:
    if not getattr(settings, "CELERY_BROKER_URL", ""):
        raise CommandError(NO_BROKER)
    # Apps may add jobs in ready(): read the registry now that every app is loaded.
    app.conf.beat_schedule = beat_schedule()
    return app
