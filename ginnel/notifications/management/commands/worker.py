"""ginnel worker: run the job queue's worker (sending, digests, reminders), optionally with beat."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from ginnel.notifications.management.commands._queue import configured_app


class Command(BaseCommand):
    # Read by operators in the command line, in English like Django's own commands.
    help = (
        "Run a Celery worker for Ginnel's job queue (needs GINNEL_BROKER_URL). "
        "--beat also runs the schedule in this process: use it only for a single worker."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--concurrency", type=int, default=2, help="tasks run at once (default 2)"
        )
        parser.add_argument(
            "-B", "--beat", action="store_true", help="also run the periodic schedule"
        )
        parser.add_argument("--loglevel", default="INFO")
        parser.add_argument(
            "--pool", default="prefork", choices=["prefork", "solo", "threads"], help="worker pool"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        app: Any = configured_app()
        argv = [
            "worker",
            f"--concurrency={options['concurrency']}",
            f"--loglevel={options['loglevel']}",
            f"--pool={options['pool']}",
        ]
        if options["beat"]:
            argv.append("--beat")
        app.worker_main(argv)
