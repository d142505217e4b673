from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ginnel.directory.services.editing import reviews_remind


class Command(BaseCommand):
    help = (
        "Email organisation editors about directory entries not reviewed for 12 months "
        "(run daily; each entry at most once in 30 days)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = reviews_remind()
        self.stdout.write(f"Sent {sent} reminder{'s' if sent != 1 else ''}.")
