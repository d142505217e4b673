"""``ginnel export-hsds --community X --format F OUT``: publish a directory as a feed."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ginnel.communities.models import Community
from ginnel.directory.services.exporting import FORMATS, directory_export
from ginnel.errors import GinnelError


class Command(BaseCommand):
    help = (
        "Export a community's directory: oruk-json (ORUK 3.0, the /services page with full "
        "services) or oruk-v1 to a file, hsds-csv (an HSDS 3.0 datapackage) to a folder."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("out", type=Path, help="the file (JSON) or folder (CSV) to write")
        parser.add_argument("--community", required=True, help="the community's address (slug)")
        parser.add_argument(
            "--format", default="oruk-json", help=f"one of {', '.join(FORMATS)} (default oruk-json)"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        community = Community.objects.filter(slug=options["community"]).first()
        if community is None:
            raise CommandError(f"There is no community {options['community']!r}.")
        bar = tqdm(unit="row", disable=options["quiet"], desc="Exporting")
        try:
            result = directory_export(
                community=community,
                format=options["format"],
                out=options["out"],
                progress=bar.update,
            )
        except GinnelError as error:
            raise CommandError(error.message) from None
        finally:
            bar.close()
        self.stdout.write(f"Wrote {result.path} ({result.format}): {result.summary()}.")
