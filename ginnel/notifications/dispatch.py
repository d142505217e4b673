"""Sending the outbox (placeholder until the dispatcher lands)."""

from __future__ import annotations

from collections.abc import Sequence


def send_deliveries(delivery_ids: Sequence[int]) -> None:
    """Send these deliveries now (each claimed once; see the dispatcher)."""
