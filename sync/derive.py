"""Facts derived from merged records, each computed once: the server projects them into
typed columns for the office, the phone computes them from its local views with the
same rules in `pwa/src/derive.js`. Shared test vectors (tests/vectors/*.json) run
against both, so the two cannot drift.

Inputs are record states as `sync.merge.record_state` makes them (or the phone's local
views, which have the same shape): `{"id", "fields", "archived", "created_hlc", ...}`.
"""
from __future__ import annotations

from collections.abc import Iterable

from schemas.enums import LEAD_STAGE_OF_OUTCOME, PLAN_PHASES


def _newest(states: list[dict]) -> dict:
    return max(states, key=lambda s: (s.get("created_hlc") or "", s["id"]))


def current_course(courses: Iterable[dict]) -> dict | None:
    """The course a citizen is in now: the newest open course (neither archived nor
    ended); when every course has ended, the newest ended one. An archived course never
    counts (archive is how a course is deleted)."""
    live = [c for c in courses if not c.get("archived")]
    if not live:
        return None
    open_courses = [c for c in live if not c["fields"].get("ended_on")]
    return _newest(open_courses or live)


def citizen_status(courses: Iterable[dict]) -> dict:
    """What the list, the citizen page and the register show about a citizen's course."""
    course = current_course(courses)
    if course is None:
        return {"course_id": None, "phase": None, "phase_date": None, "plan_date": None,
                "plan_missing": False, "ended": False, "ended_on": None}
    fields = course["fields"]
    event = fields.get("phase") if isinstance(fields.get("phase"), dict) else {}
    phase = event.get("phase")
    ended_on = fields.get("ended_on")
    return {
        "course_id": course["id"],
        "phase": phase,
        "phase_date": event.get("date"),
        "plan_date": fields.get("plan_date"),
        "plan_missing": phase in PLAN_PHASES and not fields.get("plan_date") and not ended_on,
        "ended": bool(ended_on),
        "ended_on": ended_on,
    }


def lead_stage(lead: dict) -> str:
    """Where a lead is in the pipeline, in the volunteer's terms (schemas.enums.LEAD_STAGES)."""
    if lead.get("archived"):
        return "closed"
    return LEAD_STAGE_OF_OUTCOME.get(lead["fields"].get("outcome"), "received")
