"""Facts derived from merged records, each computed once: the server projects them into
typed columns for the office, the phone computes them from its local views with the
same rules in `pwa/src/derive.js`. Shared test vectors (tests/vectors/*.json) run
against both, so the two cannot drift.

Inputs are record states as `sync.merge.record_state` makes them (or the phone's local
views, which have the same shape): `{"id", "fields", "archived", "created_hlc", ...}`.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from schemas.enums import (
    COMPLETED_END_REASONS, FOLLOW_UP_CONSENT, LEAD_ATTEMPT_REACHED, LEAD_LINKS, LEAD_STAGE_OF_OUTCOME, PLAN_PHASES,
    START_WITHIN_DAYS,
)
from schemas.forms import kontakt_loebende as loebende
from schemas.schedule import (
    CADENCE_OF_FORM, ENROLMENT_CONSENT, FOLLOW_UP_FORM, FOLLOW_UP_LISTED_DAYS, FOLLOW_UP_MONTHS, MAX_OCCASIONS_OF_FORM,
    ONCE_FORM,
)

PREFILL_PHASES = frozenset(option.code for option in loebende.PHASES_1_3)


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


def start_wait(course: dict | None, today: str) -> dict:
    """The 14-day rule (serviceloven): treatment starts within START_WITHIN_DAYS of the day
    the citizen asked for it (the course's `requested_on`). The wait runs until the start
    (`started_on`), else until the course ended, else until today (still waiting):
    `{"requested_on", "days", "waiting", "over_limit"}`; no request date: nothing to flag."""
    fields = course["fields"] if course else {}
    requested = fields.get("requested_on")
    if not requested:
        return {"requested_on": None, "days": None, "waiting": False, "over_limit": False}
    until = fields.get("started_on") or fields.get("ended_on")
    days = max(0, (date.fromisoformat(until or today) - date.fromisoformat(requested)).days)
    return {"requested_on": requested, "days": days, "waiting": until is None, "over_limit": days > START_WITHIN_DAYS}


STAGE_ORDER = ("received", "claimed", "in_contact")


def lead_stage(lead: dict, attempts: Iterable[dict] = ()) -> str:
    """Where a lead is in the pipeline, in the volunteer's terms (schemas.enums.LEAD_STAGES),
    from the lead and its contact attempts — never from anything of the citizen it became:
    - archived, or resolved by a closure: closed; resolved by a link: in contact. While two
      resolutions are in conflict (a closure concurrent with a link) a link among them
      counts: someone found the person, and the team settles the rest;
    - else the furthest of: claimed (a claim or any attempt), in contact (an attempt that
      reached the person), and what an older app's `outcome` says (a closing outcome
      closes the lead).
    The attempts are the lead's `lead_attempt` records; voided ones do not count."""
    if lead.get("archived"):
        return "closed"
    fields = lead["fields"]
    resolutions = {value["value"] for c in lead.get("conflicts") or () if c["field"] == "resolution" for value in c["values"]}
    resolutions = (resolutions | {fields.get("resolution")}) - {None}
    if resolutions & LEAD_LINKS:
        return "in_contact"
    if resolutions:
        return "closed"
    legacy = LEAD_STAGE_OF_OUTCOME.get(fields.get("outcome"), "received")
    if legacy == "closed":
        return "closed"
    stages = {legacy}
    live = [a for a in _live(attempts) if a["fields"].get("lead_id") == lead["id"]]
    if fields.get("claimed_by") or live:
        stages.add("claimed")
    if any(a["fields"].get("result") in LEAD_ATTEMPT_REACHED for a in live):
        stages.add("in_contact")
    return max(stages, key=STAGE_ORDER.index)


def lead_age_days(lead: dict, today: str) -> int:
    """How many days ago the person was seen (the lead's `seen_on`), never below 0."""
    seen = lead["fields"].get("seen_on")
    return max(0, (date.fromisoformat(today) - date.fromisoformat(seen)).days) if seen else 0


# --- forms: occasions, enrolment, rounds, what is due, the pre-filled kontaktskema løbende ---

def _live(states: Iterable[dict]) -> list[dict]:
    return [s for s in states if not s.get("voided") and not s.get("archived")]


def occasions(responses: Iterable[dict]) -> dict[str, int]:
    """Each live response's occasion ("besvarelse k"): the citizen's k-th live response of
    that form, in the order filled_on, then created_hlc, then id. Derived, never stored by a
    phone: two phones answering offline both count, and nothing conflicts."""
    by_form: dict[str, list[dict]] = {}
    for state in _live(responses):
        by_form.setdefault(state["fields"].get("form"), []).append(state)
    out: dict[str, int] = {}
    for states in by_form.values():
        states.sort(key=lambda s: (s["fields"].get("filled_on") or "", s.get("created_hlc") or "", s["id"]))
        out.update({state["id"]: k for k, state in enumerate(states, start=1)})
    return out


def enrolled_on(courses: Iterable[dict], consents: Iterable[dict]) -> str | None:
    """When the citizen joined: the earliest of the current course's start and the date of
    a live consent to participate (schemas.schedule.ENROLMENT_CONSENT)."""
    dates = []
    course = current_course(list(courses))
    if course is not None and course["fields"].get("started_on"):
        dates.append(course["fields"]["started_on"])
    for consent in _live(consents):
        fields = consent["fields"]
        state = fields.get("state") if isinstance(fields.get("state"), dict) else {}
        if fields.get("purpose") == ENROLMENT_CONSENT and fields.get("granted") is True and state.get("date"):
            dates.append(state["date"])
    return min(dates) if dates else None


def _month(day: str) -> int:
    return int(day[:4]) * 12 + int(day[5:7]) - 1


def round_of(schedule: dict, form: str, day: str) -> int | None:
    """The schedule's round (calendar period) a day falls in, for this form: kontaktskema
    start has one round; None before the schedule starts. The follow-up has no calendar
    rounds (its round is the follow-up it answers, set when filled): None."""
    if form == ONCE_FORM:
        return 1
    if form == FOLLOW_UP_FORM:
        return None
    months = schedule[CADENCE_OF_FORM[form]]
    since = _month(day) - _month(schedule["starts_on"])
    return None if since < 0 else since // months + 1


def round_end(schedule: dict, form: str, number: int) -> str:
    """The last day of a round of a periodic form."""
    last = _month(schedule["starts_on"]) + number * schedule[CADENCE_OF_FORM[form]] - 1
    year, month = divmod(last + 1, 12)  # the first day of the month after, minus one day
    return (date(year, month + 1, 1) - timedelta(days=1)).isoformat()


def round_start(schedule: dict, form: str, number: int) -> str:
    first = _month(schedule["starts_on"]) + (number - 1) * schedule[CADENCE_OF_FORM[form]]
    year, month = divmod(first, 12)
    return date(year, month + 1, 1).isoformat()


def _round_answered(schedule: dict, response: dict) -> int | None:
    fields = response["fields"]
    number = fields.get("round")
    if isinstance(number, int) and not isinstance(number, bool):
        return number
    return round_of(schedule, fields.get("form"), fields["filled_on"]) if fields.get("filled_on") else None


def add_months(day: str, months: int) -> str:
    """The same day `months` later; past the end of a shorter month, its last day."""
    year, month = divmod(_month(day) + months, 12)
    last = (date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month + 1, min(int(day[8:10]), last)).isoformat()


def follow_up(courses: Iterable[dict], consents: Iterable[dict], responses: Iterable[dict]) -> dict:
    """The follow-up after a completed course (KL's recommendation): when the current course
    ended with a completed end reason (schemas.enums.COMPLETED_END_REASONS) and a live
    consent to follow-up contact (FOLLOW_UP_CONSENT, any recipient) exists, round k of
    FOLLOW_UP_FORM is due FOLLOW_UP_MONTHS[k-1] months after the end, until a live response
    has that round. `{"reason", "ended_on", "rounds": [{"round", "due_on"}]}` with the rounds
    still open; `reason` says why none is: "not_ended", "interrupted" (ended, not
    completed), "no_consent", "done" (every round answered), else None."""
    course = current_course(list(courses))
    fields = course["fields"] if course else {}
    ended_on = fields.get("ended_on")
    out = {"reason": None, "ended_on": ended_on, "rounds": []}
    if not ended_on:
        return {**out, "reason": "not_ended"}
    if fields.get("end_reason") not in COMPLETED_END_REASONS:
        return {**out, "reason": "interrupted"}
    if not any(c["fields"].get("purpose") == FOLLOW_UP_CONSENT and c["fields"].get("granted") is True for c in _live(consents)):
        return {**out, "reason": "no_consent"}
    answered = {r["fields"].get("round") for r in _live(responses) if r["fields"].get("form") == FOLLOW_UP_FORM}
    rounds = [{"round": k, "due_on": add_months(ended_on, months)}
              for k, months in enumerate(FOLLOW_UP_MONTHS, start=1) if k not in answered]
    return {**out, "rounds": rounds, "reason": None if rounds else "done"}


def _follow_ups_due(fact: dict | None, today: str) -> list[dict]:
    """The open follow-up rounds listed today: from FOLLOW_UP_LISTED_DAYS before the due date."""
    out = []
    for entry in (fact or {}).get("rounds") or ():
        listed = (date.fromisoformat(entry["due_on"]) - timedelta(days=FOLLOW_UP_LISTED_DAYS)).isoformat()
        if today >= listed:
            out.append({"form": FOLLOW_UP_FORM, "round": entry["round"], "due_on": entry["due_on"], "overdue": today > entry["due_on"]})
    return out


def due(status: dict, responses: Iterable[dict], schedule: dict, today: str) -> list[dict]:
    """What is due for one citizen today: `[{"form", "round", "due_on", "overdue"}]`.

    `status`: `enrolled_on` (enrolled_on()), `ended` (citizen_status) and `archived`. Only an
    active citizen (enrolled by today, course not ended, not archived) has anything due:
    - kontaktskema start once, `start_within_days` after enrolment, until one is given;
    - each periodic form (schemas.schedule.CADENCE_OF_FORM) the current round, unless a
      response has that round; when the previous round had none either (and the citizen
      was enrolled before it ended), that round too, overdue. The progressionsskema stops
      after `progression_max` occasions (only the current round when one is left).
    The follow-up after a completed course (`status["follow_up"]`: follow_up()) is due by
    its own rule, only for an ended course, and makes no other form due.
    Computed each time from the responses; nothing of it is stored."""
    if status.get("archived"):
        return []
    if status.get("ended"):
        return _follow_ups_due(status.get("follow_up"), today)
    enrolled = status.get("enrolled_on")
    if not enrolled or enrolled > today:
        return []
    by_form: dict[str, list[dict]] = {}
    for response in _live(responses):
        by_form.setdefault(response["fields"].get("form"), []).append(response)
    out = []
    if not by_form.get(ONCE_FORM):
        due_on = (date.fromisoformat(enrolled) + timedelta(days=schedule["start_within_days"])).isoformat()
        out.append({"form": ONCE_FORM, "round": 1, "due_on": due_on, "overdue": today > due_on})
    for form in CADENCE_OF_FORM:
        current = round_of(schedule, form, today)
        given = by_form.get(form, [])
        left = schedule[MAX_OCCASIONS_OF_FORM[form]] - len(given) if form in MAX_OCCASIONS_OF_FORM else None
        answered = {_round_answered(schedule, r) for r in given}
        if current is None or current in answered or (left is not None and left <= 0):
            continue
        entries = []
        previous = current - 1
        if previous >= 1 and previous not in answered and enrolled <= round_end(schedule, form, previous):
            entries.append({"form": form, "round": previous, "due_on": round_end(schedule, form, previous), "overdue": True})
        entries.append({"form": form, "round": current, "due_on": round_end(schedule, form, current), "overdue": False})
        out += entries[-left:] if left is not None else entries
    return out


def frequency(count: int, days: int) -> str:
    """How often, in the six categories of kontaktskema løbende, from a count in a period."""
    if count <= 0:
        return loebende.FREQUENCY_NONE
    for code, half_days in loebende.FREQUENCY_LIMITS_HALF_DAYS:
        if 2 * days < half_days * count:
            return code
    return loebende.FREQUENCY_RAREST


def loebende_prefill(contacts: Iterable[dict], status: dict, since: str, until: str) -> dict:
    """What kontaktskema løbende is pre-filled with, from what the phone knows for the period
    `since`..`until` (dates, both included): how often contact was attempted (every contact
    and attempt) and how often it happened (contacts), where the work mostly took place
    (contacts, else attempts), the current phase and whether there is a behandlingsplan.
    The behandler confirms or corrects each.

    Outside office hours and practical help (`outside_hours`, `help_given`) feed no item:
    the form asks nothing about the hours, and its activities item is the civil society's
    activities (figures.md §1e), not the behandler's own help — so no honest mapping."""
    inside = [c for c in _live(contacts) if since <= (c["fields"].get("occurred_at") or "")[:10] <= until]
    made = [c for c in inside if c["fields"].get("kind") == "contact"]
    days = max(loebende.MIN_PERIOD_DAYS, (date.fromisoformat(until) - date.fromisoformat(since)).days + 1)
    phase = status.get("phase")
    return {
        "phase": phase if phase in PREFILL_PHASES else None,
        "main_place": _main_place(made or inside),
        "attempt_frequency": frequency(len(inside), days),
        "contact_frequency": frequency(len(made), days),
        "plan_made": "yes" if status.get("plan_date") else "no",
    }


def _main_place(contacts: list[dict]) -> str | None:
    counts: dict[str, int] = {}
    for contact in contacts:
        fields = contact["fields"]
        # A joint call (the citizen beside the behandler) happens where the two of them are.
        remote = fields.get("channel") and fields["channel"] not in loebende.IN_PERSON_CHANNELS and not fields.get("joint_call")
        if remote:
            place = loebende.REMOTE_PLACE
        else:
            place = loebende.MAIN_PLACE_OF_CONTACT_PLACE.get(fields.get("place"))
        if place:
            counts[place] = counts.get(place, 0) + 1
    if not counts:
        return None
    order = [option.code for option in loebende.MAIN_PLACES]
    return max(counts, key=lambda place: (counts[place], -order.index(place)))
