"""Scoring of wellbeing questionnaires, read from their definitions: no Django here.

A definition is plain data (stored as JSON on ``Questionnaire.definition``)::

    {
      "items": [{"code": "satisfied", "text": "...", "min": 0, "max": 10}, ...],
      "scoring": {"method": "each_item" | "sum" | "sum_then_table", ...}
    }

The methods, as the instruments' authors define them:

- ``each_item`` (ONS4 personal wellbeing): every item is reported on its own
  and the items are never added together; ``bands`` may name, per item, the
  ranges ONS reports (for example 0–4 "low" life satisfaction).
- ``sum`` (UCLA three-item loneliness): the total of the items, from
  ``len(items) * min`` to ``len(items) * max`` (3–9 for UCLA-3).
- ``sum_then_table`` (SWEMWBS): the raw total, then turned into the metric
  score by the authors' conversion ``table`` (raw total → metric score).

Every item must be answered with a whole number in its range; a definition's
``reverse`` items (none in the shipped instruments) count ``min + max - value``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

METHODS = ("each_item", "sum", "sum_then_table")


class ScoringError(ValueError):
    """The answers do not fit the definition: ``problem`` is missing, unknown or out_of_range."""

    def __init__(self, problem: str, item: str) -> None:
        super().__init__(f"{problem}: {item}")
        self.problem = problem
        self.item = item


@dataclass(frozen=True)
class Scores:
    items: dict[str, int]
    total: int | None = None
    metric: float | None = None
    bands: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"items": dict(self.items)}
        if self.total is not None:
            out["total"] = self.total
        if self.metric is not None:
            out["metric"] = self.metric
        if self.bands:
            out["bands"] = dict(self.bands)
        return out


def check_definition(definition: Mapping[str, Any]) -> None:
    """Refuse a definition this module could not score (raised as ValueError)."""
    items = definition.get("items")
    if not items:
        raise ValueError("A questionnaire needs at least one item.")
    codes = [item["code"] for item in items]
    if len(set(codes)) != len(codes):
        raise ValueError("Item codes must be different from each other.")
    for item in items:
        if not int(item["min"]) < int(item["max"]):
            raise ValueError(f"Item {item['code']}: min must be below max.")
    method = definition.get("scoring", {}).get("method")
    if method not in METHODS:
        raise ValueError(f"Unknown scoring method: {method!r}.")
    if method == "sum_then_table":
        table = definition["scoring"]["table"]
        low = sum(int(i["min"]) for i in items)
        high = sum(int(i["max"]) for i in items)
        missing = [t for t in range(low, high + 1) if str(t) not in table]
        if missing:
            raise ValueError(f"The conversion table has no row for raw totals {missing}.")


def _band(bands: list[list[Any]], value: int) -> str:
    for low, high, label in bands:
        if int(low) <= value <= int(high):
            return str(label)
    return ""


def score(definition: Mapping[str, Any], answers: Mapping[str, int]) -> Scores:
    """Score one administration's answers (item code → value) by the definition's rule."""
    items = definition["items"]
    known = {item["code"] for item in items}
    for code in answers:
        if code not in known:
            raise ScoringError("unknown", code)
    values: dict[str, int] = {}
    counted: dict[str, int] = {}
    for item in items:
        code = item["code"]
        if code not in answers or answers[code] is None:
            raise ScoringError("missing", code)
        value = answers[code]
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScoringError("out_of_range", code)
        low, high = int(item["min"]), int(item["max"])
        if not low <= value <= high:
            raise ScoringError("out_of_range", code)
        values[code] = value
        counted[code] = low + high - value if item.get("reverse") else value

    rule = definition["scoring"]
    method = rule["method"]
    if method == "each_item":
        bands = {
            code: label
            for code, value in values.items()
            if (label := _band(rule.get("bands", {}).get(code, []), value))
        }
        return Scores(items=values, bands=bands)
    total = sum(counted.values())
    if method == "sum":
        return Scores(items=values, total=total)
    if method == "sum_then_table":
        return Scores(items=values, total=total, metric=float(rule["table"][str(total)]))
    raise ValueError(f"Unknown scoring method: {method!r}.")
