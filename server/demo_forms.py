"""The demo's form responses: kontaktskema start, kontaktskema løbende per round and the
progressionsskema every round, as the demo's behandlere would have filled them, through the
same sync ops as everything else (server/demo.py).

Responses filled long ago were answered against version 1 of each form (without a
version, as phones sent them before versions: a response without one is version 1), newer
ones against the latest version. Every response carries its schedule round. Some citizens
have rounds left unanswered, so the lists show forms due and overdue. Løbende answers are
what the pre-fill gives from the demo's contacts (sync.derive.loebende_prefill).
"""
from __future__ import annotations

from datetime import date, timedelta

from schemas.forms import FORMS, applies
from schemas.forms import progression as progression_form
from schemas.schedule import DEFAULT_SCHEDULE, ENROLMENT_CONSENT
from sync.derive import loebende_prefill, round_end, round_of, round_start

V1_BEFORE_DAYS = 120  # filled longer ago than this: version 1
V1_MAIN_PLACES = {"own_home", "vaerested", "street", "rusmiddelcenter", "other"}


def demo_schedule(today: date) -> dict:
    """The demo municipality's schedule: the default cadence, rounds counted from the first
    day of the month 15 months before the demo's first day (older than every demo course)."""
    month = today.year * 12 + today.month - 1 - 15
    return {**DEFAULT_SCHEDULE, "starts_on": date(month // 12, month % 12 + 1, 1).isoformat()}


class FormStory:
    """One citizen's responses. `gen` is the DemoGenerator: its random stream, op builder and day."""

    def __init__(self, gen, schedule: dict):
        self.gen, self.schedule, self.rnd = gen, schedule, gen.rnd

    def ops(self, citizen_id: str, phase: str, worker: str, citizen_ops: list[dict]) -> list[dict]:
        enrolled = self._enrolled(citizen_ops)
        if enrolled is None:
            return []
        yesterday = self.gen._days_ago(1)
        contacts = [{"id": op["record_id"], "fields": op["value"]} for op in citizen_ops if op["entity"] == "contact"]
        course = next(op["value"] for op in citizen_ops if op["entity"] == "course" and op["kind"] == "create")
        plan = next((op["value"] for op in citizen_ops if op["entity"] == "course" and op.get("field") == "plan_date"), None)
        citizen = next(op["value"] for op in citizen_ops if op["entity"] == "citizen")
        status = {"phase": phase, "plan_date": plan}
        out: list[dict] = []
        if self.rnd.random() < 0.85:  # the rest: kontaktskema start due or overdue
            day = min(enrolled + timedelta(days=self.rnd.randint(0, 10)), yesterday)
            out.append(self._response(worker, citizen_id, "kontakt_start", 1, day, "practitioner",
                                      self._start_answers(day, citizen, course)))
        for number, day in self._rounds("kontakt_loebende", enrolled, answered=0.75, current=0.3):
            since = max(enrolled, day - timedelta(days=90))
            answers = self._loebende_answers(day, loebende_prefill(contacts, status, since.isoformat(), day.isoformat()), phase)
            out.append(self._response(worker, citizen_id, "kontakt_loebende", number, day, "practitioner", answers))
        for occasion, (number, day) in enumerate(self._rounds("progression", enrolled, answered=0.65, current=0.3), start=1):
            if occasion > self.schedule["progression_max"]:
                break
            by = "citizen" if self.rnd.random() < 0.3 else "citizen_helped"
            out.append(self._response(worker, citizen_id, "progression", number, day, by, self._progression_answers(day)))
        return out

    # -- the pieces ------------------------------------------------------------------
    def _enrolled(self, citizen_ops: list[dict]) -> date | None:
        dates = [date.fromisoformat(op["value"]) for op in citizen_ops if op["entity"] == "course" and op.get("field") == "started_on"]
        dates += [
            date.fromisoformat(op["value"]["state"]["date"]) for op in citizen_ops
            if op["entity"] == "consent" and op["kind"] == "create" and op["value"]["purpose"] == ENROLMENT_CONSENT
        ]
        return min(dates) if dates else None

    def _rounds(self, form: str, enrolled: date, answered: float, current: float) -> list[tuple[int, date]]:
        """(round, day filled) of the rounds this citizen answered: most past rounds, some current ones."""
        today = self.gen.today
        first, last = round_of(self.schedule, form, enrolled.isoformat()), round_of(self.schedule, form, today.isoformat())
        out = []
        for number in range(first, last + 1):
            if self.rnd.random() >= (current if number == last else answered):
                continue
            start = max(date.fromisoformat(round_start(self.schedule, form, number)), enrolled)
            end = min(date.fromisoformat(round_end(self.schedule, form, number)), self.gen._days_ago(1))
            if start > end:
                continue
            out.append((number, start + timedelta(days=self.rnd.randint(0, (end - start).days))))
        return out

    def _version(self, form: str, day: date) -> int:
        return 1 if (self.gen.today - day).days > V1_BEFORE_DAYS else FORMS[form].version

    def _response(self, worker: str, citizen_id: str, form: str, number: int, day: date, by: str, answers_of: dict) -> dict:
        version = self._version(form, day)
        value = {"citizen_id": citizen_id, "form": form, "round": number, "filled_on": day.isoformat(), "filled_by": by,
                 "answers": answers_of[version]}
        if version != 1:
            value["version"] = version
        if self.rnd.random() < 0.1:
            value["on_paper"] = True
        return self.gen._op(worker, self.gen._at(day), "form_response", self.gen._id(), "create", value=value)

    def _pick(self, table: dict[str, float]) -> str:
        return self.rnd.choices(list(table), weights=list(table.values()))[0]

    def _start_answers(self, day: date, citizen: dict, course: dict) -> dict[int, dict]:
        rnd = self.rnd
        attachment = self._pick({"known_dropped_out": 62, "unknown_before": 20, "sporadic_unclear": 18})
        substitution = self._pick({"never": 59, "before": 21, "now": 20})
        actors = sorted({"behandler_fremskudt", *rnd.sample(["skp", "myndighed", "vaerested_staff", "behandler_other"], rnd.randint(0, 2))})
        services = sorted(rnd.sample(["bostoette", "ambulant_psychiatry", "elder_care", "jobcenter", "somatic", "other"], rnd.randint(1, 2)))
        age = day.year - citizen["birth_year"]
        band = "18_25" if age <= 25 else "26_32" if age <= 32 else "33_49" if age <= 49 else "50_64" if age <= 64 else "65_plus"
        receives = rnd.random() < 0.641
        v2 = {
            "sex": citizen["sex"], "age_band": band, "first_seen_place": course["first_seen_place"],
            "spotted_by": self._pick({"fremskudt_behandler": 50, "other_behandler": 24, "civil_society": 10, "other": 16}),
            "actors_first_contact": actors, "attachment": attachment, "substitution": substitution,
            "other_services_any": "yes" if receives else "no",
        }
        if receives:
            v2["other_services"] = services
        v1 = {"first_seen_place": course["first_seen_place"], "attachment": attachment, "substitution": substitution,
              "substances": sorted(rnd.sample(["hash", "amphetamine", "cocaine", "opioids", "mixed"], rnd.randint(1, 2)))}
        v3 = {**v2, **({"spotted_by_other": "En nabo"} if v2["spotted_by"] == "other" else {})}  # no draw: the same stream
        return {1: v1, 2: v2, 3: v3}

    def _loebende_answers(self, day: date, prefill: dict, phase: str) -> dict[int, dict]:
        rnd = self.rnd
        main = prefill["main_place"] or "own_home"
        v2 = {key: value for key, value in prefill.items() if value is not None}
        v2["main_place"] = main
        if phase in ("phase_2", "phase_3"):
            for key in ("stable_contact", "positive_development", "can_attend", "prepared_transfer", "safe_with_new"):
                v2[f"readiness_{key}"] = str(rnd.randint(1, 5) if phase == "phase_3" else rnd.randint(1, 4))
        if rnd.random() < 0.4:
            v2["civil_society_activities"] = sorted(rnd.sample(["communities", "coordination", "escort", "network", "employment"], rnd.randint(1, 2)))
        v1 = {key: v2[key] for key in ("phase", "attempt_frequency", "contact_frequency", "plan_made")}
        v1["main_place"] = main if main in V1_MAIN_PLACES else "other"
        return {1: v1, 2: v2}

    def _progression_answers(self, day: date) -> dict[int, dict]:
        rnd = self.rnd
        v1 = {f"recovery_{key}": str(rnd.randint(1, 5)) for key, _ in progression_form.RECOVERY_ITEMS}
        v1 |= {f"wellbeing_{key}": rnd.randint(2, 8) for key, _ in progression_form.WELLBEING_V1}
        v1 |= {"days_cannabis": rnd.randint(0, 7), "days_other_drugs": rnd.randint(0, 7)}
        # Version 2: every item, some skipped, the drinking items only when they apply.
        form = FORMS["progression"]
        v2: dict = {}
        for q in form.questions:
            if not applies(q, v2) or rnd.random() < 0.08:
                continue
            if q.options:
                v2[q.key] = rnd.choice(q.options).code if q.key != "alcohol_frequency" else self._pick(
                    {"never": 50, "1_2": 20, "3_4": 15, "5_7": 15})
            else:
                v2[q.key] = rnd.randint(q.min, min(q.max, 12))
        return {1: v1, 2: v2}
