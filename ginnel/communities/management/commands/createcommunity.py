"""ginnel createcommunity: a real community and its first administrator."""

from __future__ import annotations

import getpass
import os
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from ginnel.communities.models import CommunityKind, SignupMode
from ginnel.communities.services import community_create
from ginnel.errors import GinnelError
from ginnel.people.models import User


class Command(BaseCommand):
    help = (
        "Create a community with its neighbourhoods and first administrator. The password "
        "is asked for, or read from --admin-password-file or GINNEL_ADMIN_PASSWORD; "
        "never from the command line, where other users of the machine could see it."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--name", required=True, help="e.g. 'Calder Vale Timebank'")
        parser.add_argument("--slug", help="web address part; made from the name if not given")
        parser.add_argument("--kind", choices=CommunityKind.values, default=CommunityKind.TIMEBANK)
        parser.add_argument("--signup", choices=SignupMode.values, default=SignupMode.APPLICATION)
        parser.add_argument(
            "--neighbourhood", action="append", default=[], help="repeat for each neighbourhood"
        )
        parser.add_argument("--description", default="")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", required=True, help="the name others will see")
        parser.add_argument("--admin-password-file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["admin_email"].strip().lower()
        password = None
        if not User.objects.filter(email__iexact=email).exists():
            password = self._password(options["admin_password_file"])
        slug = options["slug"] or slugify(options["name"])[:60]
        try:
            community = community_create(
                name=options["name"],
                slug=slug,
                kind=options["kind"],
                signup_mode=options["signup"],
                neighbourhoods=options["neighbourhood"],
                description=options["description"],
                admin_email=email,
                admin_password=password,
                admin_name=options["admin_name"],
            )
        except GinnelError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {community.name} at /c/{community.slug}/ with administrator {email}."
            )
        )

    def _password(self, path: Path | None) -> str:
        if path is not None:
            try:
                return path.read_text().strip()
            except OSError as error:
                raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        from_env = os.environ.get("GINNEL_ADMIN_PASSWORD", "")
        if from_env:
            return from_env
        if not sys.stdin.isatty():
            raise CommandError(
                "A new administrator needs a password: use --admin-password-file or "
                "GINNEL_ADMIN_PASSWORD when not running interactively."
            )
        first = getpass.getpass("Password for the administrator: ")
        if first != getpass.getpass("The same password again: "):
            raise CommandError("The two passwords were not the same.")
        return first
