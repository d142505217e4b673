"""``ginnel import-hsds PATH --community X``: import an Open Referral feed, all or nothing."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ginnel.communities.models import Community
from ginnel.directory.hsds.checks import check
from ginnel.directory.services.importing import ImportFailed, feed_import, feed_read
from ginnel.errors import GinnelError

SHOWN = 50


class Command(BaseCommand):
    help = (
        "Import an Open Referral feed into a community's directory: a folder of HSDS CSV "
        "files (1.1 or 3.0) or a JSON file (ORUK 3.0 services, or an ORUK v1 service list). "
        "Nothing is written if any row has a problem; importing the same feed again updates it."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "path", type=Path, help="the feed: a folder of CSV files or a .json file"
        )
        parser.add_argument("--community", required=True, help="the community's address (slug)")
        parser.add_argument(
            "--strict", action="store_true", help="treat warnings as problems: import nothing"
        )
        parser.add_argument(
            "--check", action="store_true", help="check the feed and report, but write nothing"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        community = Community.objects.filter(slug=options["community"]).first()
        if community is None:
            raise CommandError(f"There is no community {options['community']!r}.")
        path: Path = options["path"]
        self.verbose = int(options.get("verbosity", 1)) > 1
        quiet: bool = options["quiet"]
        try:
            feed = feed_read(path=path)
        except GinnelError as error:
            raise CommandError(error.message) from None
        if options["check"]:
            check(feed)
            self._report(feed.problems)
            if feed.errors:
                raise CommandError(f"{len(feed.errors)} problems: this feed would not import.")
            self.stdout.write(f"{path.name} ({feed.format}) would import.")
            return
        total = sum(len(records) for records in feed.records.values())
        bar = tqdm(total=total, unit="row", disable=quiet, desc="Importing")
        try:
            result = feed_import(
                community=community,
                feed=feed,
                strict=options["strict"],
                progress=lambda _table, n: bar.update(n),
                source=path.name,
            )
        except ImportFailed as error:
            bar.close()
            self._report(error.problems)
            raise CommandError(error.message) from None
        bar.close()
        self._report(result.warnings)
        self.stdout.write(f"Imported {path.name} ({result.format}): {result.summary()}.")

    def _report(self, problems: list[Any]) -> None:
        shown = problems if self.verbose else problems[:SHOWN]
        for problem in shown:
            label = "warning" if problem.warning else "problem"
            self.stderr.write(f"{label}: {problem}")
        if len(problems) > len(shown):
            self.stderr.write(f"… and {len(problems) - len(shown)} more (-v 2 shows them all).")
