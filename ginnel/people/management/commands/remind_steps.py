"""``ginnel remind_steps``: tell people (and their coaches) about goal steps that are due."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ginnel.people.notifications import steps_remind


class Command(BaseCommand):
    help = (
        "Tell people, and their goals' coaches, about steps of their goals that have come due "
        "(run daily; each step is told about once for the date it is due)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        told = steps_remind()
        self.stdout.write(f"Told {told} time{'s' if told != 1 else ''}.")
