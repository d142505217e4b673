"""The periodic jobs: what runs on a schedule, by name, in one list.

Each job is a function named by its dotted path (imported only when it runs,
so this module imports no app) and a schedule. ``ginnel beat`` puts them on
Celery's schedule (``ginnel/celery.py``); ``ginnel jobs run <name>`` runs one
once, inline, which is all a deployment without a worker needs from cron.

An app adds its own with :func:`register` in its ``AppConfig.ready()``::

    from ginnel import jobs

    jobs.register(jobs.Job("directory.feed_sync", "ginnel.directory.feeds:sync_all",
                           jobs.Daily(hour=3), "Pull every subscribed feed."))

A job whose function cannot be imported (its app not built yet) is skipped
with a warning, never an error: see :func:`run`.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Every:
    """Every so many seconds (or as many as the setting named by ``setting`` says)."""

    seconds: int
    setting: str = ""

    def interval(self) -> int:
        if self.setting:
            from django.conf import settings

            return int(getattr(settings, self.setting, self.seconds))
        return self.seconds


@dataclass(frozen=True)
class Daily:
    """Once a day at this local time (settings.TIME_ZONE)."""

    hour: int
    minute: int = 0


@dataclass(frozen=True)
class Weekly:
    """Once a week: ``weekday`` 0 is Monday, as in Python's ``date.weekday()``."""

    weekday: int
    hour: int
    minute: int = 0


Schedule = Every | Daily | Weekly


@dataclass(frozen=True)
class Job:
    name: str  # "<app>.<what>", stable: the beat schedule's key and `ginnel jobs run <name>`
    target: str  # "package.module:function"
    schedule: Schedule
    help: str  # one line for `ginnel jobs list` and the docs (operators read it: English)
    args: tuple[str | int, ...] = ()  # what the function is called with


_jobs: dict[str, Job] = {}


def register(job: Job) -> Job:
    """Add ``job``; the same job again is harmless, another under its name an error."""
    existing = _jobs.get(job.name)
    if existing is not None and existing != job:
        raise ValueError(f"Job {job.name!r} is registered twice, differently.")
    _jobs[job.name] = job
    return job


def get(name: str) -> Job:
    try:
        return _jobs[name]
    except KeyError:
        raise LookupError(f"There is no job {name!r}.") from None


def all_jobs() -> list[Job]:
    return [_jobs[name] for name in sorted(_jobs)]


class Unavailable(LookupError):
    """The job's function is not there (its app is not built yet)."""


def resolve(job: Job) -> Callable[[], Any]:
    module_name, _, attr = job.target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            raise Unavailable(f"{job.target} is not available.") from error
        raise
    function = getattr(module, attr, None)
    if function is None:
        raise Unavailable(f"{job.target} is not available.")
    return function  # type: ignore[no-any-return]


def run(name: str) -> Any:
    """Run one job now, in this process; its result (often a count), or None if unavailable."""
    job = get(name)
    try:
        function = resolve(job)
    except Unavailable:
        logger.warning("Job %s skipped: %s is not available.", name, job.target)
        return None
    return function(*job.args)


# The jobs themselves -------------------------------------------------------------------------


def network_snapshots(today: date | None = None) -> int:
    """Write each community's network measures of the last 90 days to the data directory.

    ``<data dir>/metrics/<community>/<date>.json``: the record a coordinator
    compares month on month. Returns how many communities were measured.
    """
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from ginnel.communities.models import Community

    day = today or timezone.localdate()
    done = 0
    for slug in Community.objects.order_by("slug").values_list("slug", flat=True):
        folder = Path(settings.DATA_DIR) / "metrics" / slug
        folder.mkdir(parents=True, exist_ok=True)
        call_command(
            "metrics",
            community=slug,
            end=day.isoformat(),
            json=folder / f"{day.isoformat()}.json",
            verbosity=0,
            stdout=_Discard(),
        )
        done += 1
    return done


class _Discard:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        return None


SEND_DUE = "notifications.send_due"

register(
    Job(
        SEND_DUE,
        "ginnel.notifications.dispatch:send_due",
        Every(60, setting="GINNEL_SWEEP_SECONDS"),
        "Send deliveries that are due: retries, and any a broker outage or a lost worker left.",
    )
)
register(
    Job(
        "notifications.daily_digests",
        "ginnel.notifications.digests:build_and_send_digests",
        Daily(hour=7),
        "Send each person's daily digest of what they chose to hear about daily.",
        args=("daily",),
    )
)
register(
    Job(
        "notifications.weekly_digests",
        "ginnel.notifications.digests:build_and_send_digests",
        Weekly(weekday=0, hour=7),
        "Send each person's weekly digest (Mondays).",
        args=("weekly",),
    )
)
register(
    Job(
        "timebank.remind_listings",
        "ginnel.timebank.services:listings_remind_expiring",
        Daily(hour=9),
        "Remind owners whose offers and requests end within three days or have ended.",
    )
)
register(
    Job(
        "directory.remind_reviews",
        "ginnel.directory.services.editing:reviews_remind",
        Daily(hour=9, minute=15),
        "Remind organisation editors of directory entries not reviewed for 12 months.",
    )
)
register(
    Job(
        "referrals.contact_due",
        "ginnel.referrals.notifications:referrals_remind",
        Daily(hour=8),
        "Tell link workers which of their referrals need contact today (follow-ups due, "
        "first contact waiting).",
    )
)
register(
    Job(
        "people.steps_due",
        "ginnel.people.notifications:steps_remind",
        Daily(hour=8, minute=30),
        "Tell people (and their coaches) that a step of an active goal has come due.",
    )
)
register(
    Job(
        "network.snapshots",
        "ginnel.jobs:network_snapshots",
        Daily(hour=2, minute=30),
        "Record each community's network measures of the last 90 days in the data directory.",
    )
)
