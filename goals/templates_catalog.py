"""Goal templates to start from: one per common category of mentoring goal. A template fills
the guided form and suggests milestones; the mentee changes whatever she likes.

The templates are data (goal_templates.json beside this module), read once when the module
is first imported. Their texts are English message ids, translated when shown, like the
other strings of the interface.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .kinds import Category

DATA_FILE = Path(__file__).with_name("goal_templates.json")
# The texts of a template that are shown to the mentee (and so translated).
TEXT_FIELDS = ("name", "title", "specific", "metric_name", "unit", "achievable", "relevant")


@dataclass(frozen=True)
class GoalTemplate:
    key: str
    category: str
    name: str
    title: str
    specific: str
    metric_name: str
    unit: str
    baseline_value: Decimal
    target_value: Decimal
    achievable: str
    relevant: str
    duration_days: int
    milestones: list = field(default_factory=list)

    def initial(self, *, today: date) -> dict:
        """Initial data for the goal form."""
        return {
            "title": self.title,
            "category": self.category,
            "specific": self.specific,
            "metric_name": self.metric_name,
            "unit": self.unit,
            "baseline_value": self.baseline_value,
            "target_value": self.target_value,
            "achievable": self.achievable,
            "relevant": self.relevant,
            "starts_on": today,
            "target_date": today + timedelta(days=self.duration_days),
            "milestones": "\n".join(str(m) for m in self.milestones),
        }


def _template(entry: dict) -> GoalTemplate:
    return GoalTemplate(
        key=entry["key"],
        category=Category(entry["category"]),
        baseline_value=Decimal(entry["baseline_value"]),
        target_value=Decimal(entry["target_value"]),
        duration_days=int(entry["duration_days"]),
        milestones=[_(m) for m in entry["milestones"]],
        **{name: _(entry[name]) for name in TEXT_FIELDS},
    )


def load_templates(path: Path = DATA_FILE) -> list[GoalTemplate]:
    with path.open(encoding="utf-8") as data:
        return [_template(entry) for entry in json.load(data)]


TEMPLATES = load_templates()
TEMPLATES_BY_KEY = {t.key: t for t in TEMPLATES}


def template_for(key: str | None) -> GoalTemplate | None:
    return TEMPLATES_BY_KEY.get(key or "")


def templates_offered(keys: list | None) -> list[GoalTemplate]:
    """The templates of `keys` in the catalogue's order; every template when `keys` is empty
    (a program that chose none offers them all). Unknown keys are left out."""
    if not keys:
        return list(TEMPLATES)
    chosen = set(keys)
    return [t for t in TEMPLATES if t.key in chosen]
