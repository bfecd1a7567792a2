"""The demo's course work (issue 12), drawn after everything else so the rest of the demo
stays as it was: request dates (some over the 14 days, a few still on the venteliste),
goals in the citizens' own words, the children in the home where there are children,
contacts with practical help, a joint call and work outside office hours, and two courses
ended as completed — one with consent to follow-up (so follow-ups fall due), one without."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from schemas.forms import FORMS
from schemas.schedule import FOLLOW_UP_FORM
from sync.ops import consent_record_id

GOALS = (
    "Jeg vil kunne stå op om morgenen",
    "Mere struktur på dagen",
    "Jeg vil have styr på mine regninger",
    "Jeg vil se mine børn igen",
    "Have det bedre psykisk",
    "Jeg vil have en fast læge",
    "Komme ud af huset en gang om dagen",
)


@dataclass(frozen=True)
class DemoCourse:
    number: int
    citizen_id: str
    course_id: str
    phase: str  # the phase the demo moved it to
    worker: str
    identified: date
    enrolled: date | None  # phase 2 from this day
    last_phase_op: str  # the phase event a new one must have seen
    last_phase_date: str
    children: str


class CourseWork:
    def __init__(self, generator, team_id: str):
        self.g = generator
        self.team_id = team_id
        self.rnd = generator.rnd
        self.today = generator.today

    def ops(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {"behandler": [], "behandler2": []}
        waiting = [c for c in self.g.courses if c.phase == "phase_1"][:4]
        for course in self.g.courses:
            ops = out[course.worker]
            if course.enrolled:
                ops += self._request(course, course.enrolled - timedelta(days=self.rnd.choice((3, 7, 10, 12, 16, 21))))
                ops += self._goals(course)
            elif course in waiting:  # two within the 14 days, two over them
                days = (4, 9, 18, 26)[waiting.index(course)]
                ops += self._request(course, self._ago(days), waiting_list=True)
            if course.children == "yes":
                ops += self._children(course)
            if course.number % 4 == 0:
                ops += self._contact_work(course)
        # Ended as completed: one with its first follow-up overdue, one with the first given
        # and the second overdue, one without consent (the reason shows).
        bridged = sorted((c for c in self.g.courses if c.phase == "phase_3"), key=lambda c: c.last_phase_date)
        for days, reason, consent, first_given in ((120, "other_treatment", True, True),
                                                   (45, "drug_free_or_reduced", True, False),
                                                   (20, "drug_free_or_reduced", False, False)):
            course = next((c for c in bridged if c.last_phase_date < self._ago(days).isoformat()), None)
            if course is not None:
                bridged.remove(course)
                out[course.worker] += self._end(course, days, reason, consent, first_given)
        return out

    def _ago(self, days: int) -> date:
        return self.today - timedelta(days=max(1, days))

    def _op(self, course: DemoCourse, day: date, entity: str, record_id: str, kind: str, field=None, value=None, seen=None):
        return self.g._op(course.worker, self.g._at(day), entity, record_id, kind, field, value, seen)

    def _request(self, course: DemoCourse, requested: date, waiting_list: bool = False) -> list[dict]:
        requested = max(requested, course.identified)
        ops = [self._op(course, max(requested, course.enrolled or requested), "course", course.course_id, "set",
                        "requested_on", requested.isoformat())]
        if waiting_list:
            ops.append(self._op(course, requested, "course", course.course_id, "set", "phase",
                                {"phase": "waiting_list", "date": requested.isoformat()}, seen=[course.last_phase_op]))
        return ops

    def _goals(self, course: DemoCourse) -> list[dict]:
        ops = []
        for wording in self.rnd.sample(GOALS, self.rnd.randint(1, 3)):
            set_on = min(course.enrolled + timedelta(days=self.rnd.randint(1, 20)), self._ago(1))
            goal_id = self.g._id()
            create = self._op(course, set_on, "goal", goal_id, "create", value={
                "citizen_id": course.citizen_id, "wording": wording, "set_on": set_on.isoformat(),
                "status": "active", "status_on": set_on.isoformat()})
            ops.append(create)
            if self.rnd.random() < 0.5 and set_on < self._ago(10):
                later = min(set_on + timedelta(days=self.rnd.randint(10, 60)), self._ago(1))
                status = self.rnd.choice(("progress", "achieved", "paused"))
                ops.append(self._op(course, later, "goal", goal_id, "set", "status", status, seen=[create["op_id"]]))
                ops.append(self._op(course, later, "goal", goal_id, "set", "status_on", later.isoformat(), seen=[create["op_id"]]))
        return ops

    def _children(self, course: DemoCourse) -> list[dict]:
        day = min(course.identified + timedelta(days=self.rnd.randint(1, 30)), self._ago(1))
        values = {"children_count": self.rnd.randint(1, 3),
                  "children_age_bands": sorted(self.rnd.sample(["0_2", "3_5", "6_12", "13_17"], self.rnd.randint(1, 2))),
                  "notify_duty_told_on": course.identified.isoformat(), "children_offers_on": day.isoformat()}
        return [self._op(course, day, "citizen", course.citizen_id, "set", name, value) for name, value in values.items()]

    def _contact_work(self, course: DemoCourse) -> list[dict]:
        day = self._ago(self.rnd.randint(2, 40))
        day = max(day, course.identified)
        help_given = sorted(self.rnd.sample(["enkeltydelser", "economy", "eboks_letters", "housing", "doctor_health", "escort"], 2))
        joint = self.rnd.random() < 0.5
        return [self._op(course, day, "contact", self.g._id(), "create", value={
            "citizen_id": course.citizen_id, "occurred_at": f"{day.isoformat()}T17:30:00+00:00", "kind": "contact",
            "place": "own_home", "channel": "phone" if joint else "in_person", "joint_call": joint, "outside_hours": True,
            "actors": ["behandler_fremskudt"], "activities": ["practical_help"], "help_given": help_given})]

    def _end(self, course: DemoCourse, days: int, reason: str, consent: bool, first_given: bool) -> list[dict]:
        end = self._ago(days)
        ops = [self._op(course, end, "course", course.course_id, "set", name, value) for name, value in (
            ("ended_on", end.isoformat()), ("end_reason", reason), ("phase_at_end", "phase_3"),
            ("destination", "community" if reason == "drug_free_or_reduced" else "ordinary_drug_treatment"))]
        if consent:
            ops.append(self._op(course, end, "consent", consent_record_id(course.citizen_id, "follow_up", self.team_id), "create",
                                value={"citizen_id": course.citizen_id, "purpose": "follow_up", "recipient_org_id": self.team_id,
                                       "state": {"action": "grant", "form": "oral", "given_by": "citizen", "date": end.isoformat()}}))
        first = end + timedelta(days=31)
        if first_given and first < self._ago(1):
            ops.append(self._op(course, first, "form_response", self.g._id(), "create", value={
                "citizen_id": course.citizen_id, "form": FOLLOW_UP_FORM, "version": FORMS[FOLLOW_UP_FORM].version,
                "round": 1, "filled_on": first.isoformat(), "filled_by": "practitioner",
                "answers": {"reached": "yes", "housing": "own_home", "occupation": "education", "network": "partly", "use": "less"}}))
        return ops
