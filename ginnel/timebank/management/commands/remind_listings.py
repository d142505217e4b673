from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ginnel.timebank.services import listings_remind_expiring


class Command(BaseCommand):
    help = "Remind owners whose offers and requests end soon or have ended (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = listings_remind_expiring()
        self.stdout.write(f"Sent {sent} reminder{'s' if sent != 1 else ''}.")
