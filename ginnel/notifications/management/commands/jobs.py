"""ginnel jobs: list the periodic jobs, or run one once, inline (for cron-only deployments)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ginnel import jobs


def _when(schedule: jobs.Schedule) -> str:
    if isinstance(schedule, jobs.Every):
        return f"every {schedule.interval()} s"
    if isinstance(schedule, jobs.Daily):
        return f"daily at {schedule.hour:02d}:{schedule.minute:02d}"
    days = ["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"]
    return f"{days[schedule.weekday]} at {schedule.hour:02d}:{schedule.minute:02d}"


class Command(BaseCommand):
    # Read by operators in the command line, in English like Django's own commands.
    help = "List the periodic jobs (ginnel jobs list) or run one now (ginnel jobs run <name>)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="the jobs, their schedules and what they do")
        run = sub.add_parser("run", help="run one job now, in this process")
        run.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for job in jobs.all_jobs():
                self.stdout.write(f"{job.name}  ({_when(job.schedule)})\n    {job.help}")
            return
        name = options["name"]
        try:
            job = jobs.get(name)
        except LookupError:
            known = ", ".join(j.name for j in jobs.all_jobs())
            raise CommandError(f"There is no job {name!r}. The jobs are: {known}.") from None
        try:
            function = jobs.resolve(job)
        except jobs.Unavailable:
            raise CommandError(
                f"Job {name!r} cannot run here: {job.target} is not available."
            ) from None
        result = function(*job.args)
        self.stdout.write(f"{name}: done" + (f" ({result})" if result is not None else "") + ".")
