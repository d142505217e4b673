"""ginnel serve: run Ginnel with gunicorn (production), after checking migrations."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication

from ginnel.wsgi import application


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return application


class Command(BaseCommand):
    help = "Serve Ginnel with gunicorn. Put it behind a TLS-terminating proxy in production."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--timeout", type=int, default=60)

    def handle(self, *args: Any, **options: Any) -> None:
        self.check(databases=["default"])
        self.check_migrations()
        _Gunicorn(
            {
                "bind": options["bind"],
                "workers": options["workers"],
                "threads": options["threads"],
                "timeout": options["timeout"],
                "accesslog": "-",
            }
        ).run()
