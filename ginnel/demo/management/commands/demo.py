"""``ginnel demo``: make (or reuse) the demo community, print its logins and serve it."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ginnel.demo.generator import (
    DEFAULT_NEIGHBOURHOODS,
    DEFAULT_PEOPLE,
    DEFAULT_SEED,
    MIN_PEOPLE,
    DemoResult,
    ensure_demo,
)
from ginnel.demo.referrals_data import referrer_login
from ginnel.errors import GinnelError

HOST = "127.0.0.1"


class Command(BaseCommand):
    help = (
        "Make a synthetic demo community (or reuse the one already made), print a login "
        f"for each role and serve it at http://{HOST}:8000."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--people",
            type=int,
            default=DEFAULT_PEOPLE,
            help=f"How many people the community has (default {DEFAULT_PEOPLE}).",
        )
        parser.add_argument(
            "--neighbourhoods",
            type=int,
            default=DEFAULT_NEIGHBOURHOODS,
            help=f"How many neighbourhoods they live in (default {DEFAULT_NEIGHBOURHOODS}).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="The same seed makes the same people (default: a fixed one).",
        )
        parser.add_argument(
            "--fresh",
            action="store_true",
            help="Delete the demo community and make it again.",
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Make the community and print the logins, but do not start the server.",
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="Port to serve on (default 8000)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        people: int = options["people"]
        port: int = options["port"]
        if people < MIN_PEOPLE:
            raise CommandError(f"--people must be at least {MIN_PEOPLE}.")
        if not 1 <= port <= 65535:
            raise CommandError("--port must be between 1 and 65535.")
        database = settings.DATABASES["default"]
        engine = str(database["ENGINE"]).rsplit(".", 1)[-1]
        self.stdout.write(f"Database: {database['NAME']} ({engine})")
        call_command("migrate", interactive=False, verbosity=0)
        started = time.monotonic()
        try:
            result = ensure_demo(
                people=people,
                seed=options["seed"],
                neighbourhoods=options["neighbourhoods"],
                fresh=options["fresh"],
                progress=options["verbosity"] >= 1,
            )
        except GinnelError as error:
            raise CommandError(error.message) from None
        self._report(result, seconds=time.monotonic() - started, port=port, seed=options["seed"])
        if not options["no_serve"]:
            call_command("runserver", "--noreload", f"{HOST}:{port}")

    def _report(self, result: DemoResult, *, seconds: float, port: int, seed: int) -> None:
        community, network = result.community, result.network
        places = ", ".join(n.name for n in community.neighbourhoods.order_by("pk"))
        if result.reused:
            self.stdout.write("Reusing the demo community (use --fresh to make it again).")
        else:
            made = "Made the demo community again" if result.replaced else "Made the demo community"
            self.stdout.write(f"{made} in {seconds:.1f} s.")
        self.stdout.write(
            f"{community.name}: {result.people:,} people in {places}.\n"
            f"{network.name} (join by application): {result.network_people:,} people.\n"
        )
        self.stdout.write(f"Log in at http://{HOST}:{port}/login/ as any of:\n")
        width = max(len(login.email) for login in result.logins)
        secret = max(len(login.password) for login in result.logins)
        for login in result.logins:
            also = (
                f"  (also in {', '.join(login.communities[1:])})" if login.communities[1:] else ""
            )
            self.stdout.write(
                f"  {login.role.label:<20} {login.email:<{width}}  {login.password:<{secret}}"
                f"  {login.name}{also}"
            )
        referrer = referrer_login(community=community, seed=seed)
        if referrer is not None:
            email, password, name = referrer
            self.stdout.write(
                f"  {'GP referrer':<20} {email:<{width}}  {password:<{secret}}  {name}"
                " (sends referrals; not a member)"
            )
        self.stdout.write("")
