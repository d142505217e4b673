"""The Celery app: ``celery -A ginnel.celery worker``, or ``ginnel worker`` / ``ginnel beat``.

Configured from Django's settings, every ``CELERY_*`` name (``ginnel/settings.py``):
without ``GINNEL_BROKER_URL`` tasks run inline (``task_always_eager``) and no
worker is needed. The beat schedule is the job registry's (``ginnel/jobs.py``).
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from celery import Celery
from celery.schedules import crontab, schedule

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ginnel.settings")

app = Celery("ginnel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["ginnel.notifications"])

SEND_DUE_TASK = "ginnel.notifications.tasks.send_due_task"
RUN_JOB_TASK = "ginnel.notifications.tasks.run_job_task"


def beat_schedule() -> dict[str, dict[str, Any]]:
    """Every registered job as a Celery beat entry; the sweep as its own task."""
    from ginnel import jobs

    entries: dict[str, dict[str, Any]] = {}
    for job in jobs.all_jobs():
        when: Any
        expires: float | None = None
        if isinstance(job.schedule, jobs.Every):
            seconds = job.schedule.interval()
            when = schedule(timedelta(seconds=seconds))
            # A sweep not started before the next one is due is not worth starting.
            expires = float(seconds)
        elif isinstance(job.schedule, jobs.Daily):
            when = crontab(minute=job.schedule.minute, hour=job.schedule.hour)
        else:
            # Celery counts days of the week from Sunday (0); Python from Monday.
            when = crontab(
                minute=job.schedule.minute,
                hour=job.schedule.hour,
                day_of_week=(job.schedule.weekday + 1) % 7,
            )
        entry: dict[str, Any] = {"schedule": when}
        if job.name == jobs.SEND_DUE:
            entry["task"] = SEND_DUE_TASK
        else:
            entry["task"] = RUN_JOB_TASK
            entry["args"] = (job.name,)
        if expires is not None:
            entry["options"] = {"expires": expires}
        entries[job.name] = entry
    return entries


@app.on_after_configure.connect  # type: ignore[untyped-decorator]
def _schedule(sender: Celery, **kwargs: Any) -> None:
    import django
    from django.apps import apps

    if not apps.ready and not apps.loading:
        # Apps add their jobs in ready(): load them before reading the registry.
        django.setup()
    sender.conf.beat_schedule = {**beat_schedule(), **(sender.conf.beat_schedule or {})}
