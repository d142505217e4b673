"""ginnel beat: put the periodic jobs (ginnel/jobs.py) on the job queue at their times."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from ginnel.notifications.management.commands._queue import configured_app


class Command(BaseCommand):
    # Read by operators in the command line, in English like Django's own commands.
    help = (
        "Run Celery beat: sends each periodic job to the workers when it is due "
        "(needs GINNEL_BROKER_URL; run exactly one beat per deployment)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args: Any, **options: Any) -> None:
        app: Any = configured_app()
        app.start(["beat", f"--loglevel={options['loglevel']}"])
