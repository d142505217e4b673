"""The export as a tree a template can print: maps, lists and text, with section titles."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SECTION_TITLES: dict[str, Promise] = {
    "about": _("About this copy"),
    "person": _("Your record"),
    "membership": _("Membership, login and roles"),
    "strengths": _("Strengths conversation"),
    "goals": _("Goals, their steps and their history"),
    "coach_notes": _("Coach notes"),
    "consents": _("Consents"),
    "safeguarding": _("Vetting and support"),
    "listings": _("Timebank offers and requests"),
    "exchanges": _("Exchanges and thank-yous"),
    "ledger": _("Timebank account and its entries (minutes)"),
    "timebank_history": _("Timebank actions about you"),
    "matching": _("Suggestions: dismissed, blocked and introductions"),
    "saved_services": _("Saved services"),
    "organisations_edited": _("Directory organisations you edit"),
    "referrals": _("Referrals, with their events, follow-ups, connections and questionnaires"),
    "referrer_records": _("Referrals you made as a referrer"),
    "notifications": _("Notifications sent to you"),
    "notification_preferences": _("Notification preferences"),
    "contact_settings": _("Contact settings"),
    "community_history": _("Community history about you"),
    "reads_of_sensitive_records": _("Who read your sensitive records"),
    "exports": _("Copies of your data made before this one"),
}


@dataclass
class Node:
    kind: str  # "map", "list", "text" or "empty"
    text: str = ""
    items: list[tuple[str, Node]] = field(default_factory=list)


def tree(value: Any) -> Node:
    if value is None or value == "" or value == [] or value == {}:
        return Node("empty")
    if isinstance(value, dict):
        return Node("map", items=[(str(k), tree(v)) for k, v in value.items()])
    if isinstance(value, list):
        return Node("list", items=[(str(i + 1), tree(v)) for i, v in enumerate(value)])
    if isinstance(value, bool):
        return Node("text", text=str(_("yes") if value else _("no")))
    return Node("text", text=str(value))


def sections(data: dict[str, Any]) -> list[tuple[str, str, Node]]:
    """(key, title, tree) for each section, in the export's order."""
    return [(key, str(SECTION_TITLES[key]), tree(value)) for key, value in data.items()]
