"""Children in the home as a report: counts only, never who (the fields are confidential;
the treatment services agreed to uncover systematically whether persons in treatment have
children, 003:L412). Not uncovered is a category of its own: the point is to see it shrink."""
from __future__ import annotations

from dataclasses import dataclass

from schemas.fields import field_specs
from schemas.records import Citizen
from server.office import sources
from server.office.figures import Context, Outcome, _count, _team_groups
from server.office.items import Category
from server.office.model import Table

NOT_UNCOVERED = ("not_uncovered", "Ikke afdækket")
# Counted among the citizens with children; each count goes under the discretion rule.
FOLLOW_THROUGH = (
    ("children_offers_on", "{n} af borgerne med børn er orienteret om kommunens tilbud til børn."),
    ("notify_duty_told_on", "{n} af borgerne med børn er orienteret om den skærpede underretningspligt."),
    ("notification_on", "{n} af borgerne med børn har fået sendt en underretning."),
)


@dataclass(frozen=True)
class ChildrenInHome:
    """Citizens by children in the home (yes, no, unknown, not uncovered), split by team,
    and among those with children: the number of children and how far the follow-through got."""

    def run(self, ctx: Context) -> Outcome:
        units = sources.children_in_home(ctx.db, ctx.scope)
        for unit in units:
            unit["children"] = unit.get("children_in_home") or NOT_UNCOVERED[0]
        options = field_specs(Citizen)["children_in_home"].options
        categories = [Category(o.code, o.label, lambda v, code=o.code: v == code) for o in options]
        categories.append(Category(*NOT_UNCOVERED, lambda v: v == NOT_UNCOVERED[0]))
        total = _count(units, "children", "children", categories, False, "all", "I alt")
        parts = [_count(members, "children", "children", categories, False, key, label)
                 for key, label, members in _team_groups(ctx, units, "children", "children")]
        with_children = [u for u in units if u["children"] == "yes"]
        counted = [("{n} børn i alt i hjemmene, hvor antallet er skrevet.",
                    sum(u["children_count"] for u in with_children if isinstance(u.get("children_count"), int)))]
        counted += [(text, sum(1 for u in with_children if u.get(name))) for name, text in FOLLOW_THROUGH]
        return Outcome(Table([total, *parts], additive=True), citizens=len(units), counted_notes=counted)
