from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from ginnel.timebank.services import listings_remind_expiring


class Command(BaseCommand):
    # Read by operators in the command line, in English like Django's own commands.
    help = "Remind owners whose offers and requests end soon or have ended (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = listings_remind_expiring()
        self.stdout.write(
            ngettext("Sent %(n)d reminder.", "Sent %(n)d reminders.", sent) % {"n": sent}
        )
