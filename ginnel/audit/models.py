"""What the audit app keeps: a record of every subject-access export.

Append-only: a row is written in the same transaction as the export is made
and never changed or deleted (the query set refuses ``update`` and ``delete``).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ginnel.referrals.models import AppendOnlyQuerySet


class ExportFormat(models.TextChoices):
    JSON = "json", _("Data file (JSON)")
    HTML = "html", _("Readable page")


class ExportRecord(models.Model):
    """Someone produced everything held about a person: who, whose, when, why, in what form."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    by = models.ForeignKey("communities.Membership", on_delete=models.PROTECT, related_name="+")
    whose = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    format = models.CharField(max_length=10, choices=ExportFormat.choices)
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[ExportRecord]] = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ("-at", "-id")
        indexes = [models.Index(fields=["community", "whose", "-at"])]

    def __str__(self) -> str:
        return f"{self.by_id} exported {self.whose_id} ({self.format})"
