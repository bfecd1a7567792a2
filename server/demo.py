"""Demo data: one municipality, its outreach team, two civil-society partners, five demo
users (password `demo`) and ~40 citizens with courses, contacts, consents, leads and forms.

Loaded by `create_app` only when `settings.demo_mode` is on, and only once: a database
that already has the demo municipality is left alone (a restart takes no time and keeps
what people did in the demo). Everything is generated from a seeded `random.Random`,
relative to the day of the first load, and written as sync operations through
`server.sync.push.apply_ops`, so snapshots, register tables, shares and the op log are
exactly what real devices would have produced. One transaction: all or nothing.
"""
from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from schemas.accounts import Municipality, Organisation, User
from schemas.schedule import FormSchedule
from server.auth.passwords import hash_password
from server.core.clock import ServerClock
from server.demo_course_work import CourseWork, DemoCourse
from server.demo_forms import FormStory, demo_schedule
from sync import hlc
from sync.ops import consent_record_id

MUNICIPALITY_ID = "11111111-1111-4111-8111-111111111111"
MUNICIPALITY_NAME = "Brobygger Kommune (demo)"
TEAM_ID = "22222222-2222-4222-8222-222222222222"
HAVNEN_ID = "33333333-3333-4333-8333-333333333333"
NORDLYS_ID = "44444444-4444-4444-8444-444444444444"
ORGANISATIONS = (
    (TEAM_ID, "Rusmiddelcenter – Fremskudt team", "rusmiddelcenter"),
    (HAVNEN_ID, "Værestedet Havnen", "civil_society"),
    (NORDLYS_ID, "Varmestuen Nordlys", "civil_society"),
)
PASSWORD = "demo"
NAMESPACE = uuid.UUID("0d3c2b1a-9e8f-4a7b-8c6d-5e4f3a2b1c0d")
# username, display name, role, organisation
USERS = (
    ("behandler", "Bo Behandler", "behandler", TEAM_ID),
    ("behandler2", "Bea Behandler", "behandler", TEAM_ID),
    ("frivillig", "Frida Frivillig (Værestedet Havnen)", "frivillig", HAVNEN_ID),
    ("projektleder", "Pia Projektleder", "projektleder", TEAM_ID),
    ("admin", "Adam Administrator", "admin", TEAM_ID),
)
CITIZENS = 40
SEED = 2026


def user_id(username: str) -> str:
    return str(uuid.uuid5(NAMESPACE, username))


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, password, role) of every demo user, for the start-up banner."""
    return [(username, PASSWORD, role) for username, _, role, _ in USERS]


def load_demo(engine: Engine, today: date | None = None) -> bool:
    """Load the demo data unless it is there already. Returns True if it loaded."""
    from server.sync.push import apply_ops, web_device_id

    with Session(engine) as db:
        if db.get(Municipality, MUNICIPALITY_ID) is not None:
            return False
        db.add(Municipality(id=MUNICIPALITY_ID, name=MUNICIPALITY_NAME))
        for org_id, name, kind in ORGANISATIONS:
            db.add(Organisation(id=org_id, municipality_id=MUNICIPALITY_ID, name=name, kind=kind))
        password_hash = hash_password(PASSWORD)
        users = {}
        for username, display_name, role, org_id in USERS:
            users[username] = User(
                id=user_id(username), username=username, display_name=display_name, password_hash=password_hash,
                role=role, organisation_id=org_id, municipality_id=MUNICIPALITY_ID, is_demo=True,
            )
            db.add(users[username])
        db.flush()

        clock = ServerClock(max_drift_ms=300_000)
        generator = DemoGenerator(today or datetime.now(UTC).date(), {name: web_device_id(u) for name, u in users.items()})
        db.add(FormSchedule(municipality_id=MUNICIPALITY_ID, **generator.schedule))
        for username, raw_ops in generator.batches():
            results = apply_ops(db, user=users[username], device_id=None, raw_ops=raw_ops, clock=clock)
            rejected = [r for r in results if r["status"] != "accepted"]
            if rejected:
                db.rollback()
                raise RuntimeError(f"demo data rejected: {rejected[0]}")
        db.commit()
    return True


def _weighted(rnd: random.Random, table: dict[str, float]) -> str:
    return rnd.choices(list(table), weights=list(table.values()))[0]


# Shares from the VIVE evaluation of the model project (figures 4.1–4.11).
FIRST_SEEN = {"own_home": 67, "dropin_shelter": 12, "public_space": 8, "social_health_service": 6,
              "municipal_authority": 4, "drug_treatment": 2, "psychiatry": 1}
AGE_YEARS = {(18, 25): 10.2, (26, 32): 23.5, (33, 49): 40.8, (50, 64): 25.5}
OTHER_PLACES = {"dropin": 4, "street": 3, "warming_room": 2, "shelter": 1, "rusmiddelcenter": 2, "other": 1}
HOME_SHARE = {"phase_1": 0.66, "phase_2": 0.835, "phase_3": 0.556}
LEAD_AREAS = ("Havnen", "Banegården", "Nordbyen", "Centrum", "Søndre Park")


class DemoGenerator:
    """Deterministic demo operations: the same `today` gives the same ops, byte for byte."""

    def __init__(self, today: date, devices: dict[str, str]):
        self.today = today
        self.devices = devices
        self.rnd = random.Random(SEED)
        self.counter = 0
        self.schedule = demo_schedule(today)
        self.courses: list[DemoCourse] = []  # for the course work drawn last

    # -- op building --------------------------------------------------------------
    def _id(self) -> str:
        return str(uuid.UUID(int=self.rnd.getrandbits(128), version=4))

    def _op(self, username: str, when: datetime, entity: str, record_id: str, kind: str,
            field: str | None = None, value=None, seen: list[str] | None = None) -> dict:
        self.counter += 1
        wall = int(when.timestamp() * 1000)
        clock = hlc.HLC(wall, self.counter % hlc.MAX_COUNTER, self.devices[username])
        return {
            "op_id": self._id(), "device_id": self.devices[username], "hlc": clock.encode(), "entity": entity,
            "record_id": record_id, "kind": kind, "field": field, "value": value, "seen": seen or [],
        }

    def _at(self, day: date) -> datetime:
        minutes = self.rnd.randint(8 * 60, 16 * 60)
        return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=UTC)

    def _days_ago(self, days: int) -> date:
        return self.today - timedelta(days=max(1, days))

    # -- the story -------------------------------------------------------------------
    def batches(self) -> list[tuple[str, list[dict]]]:
        rnd = self.rnd
        worker_ops: dict[str, list[dict]] = {"behandler": [], "behandler2": []}
        citizens = []
        phases = ["phase_1"] * 13 + ["phase_2"] * 21 + ["phase_3"] * 6
        rnd.shuffle(phases)
        for number, phase in enumerate(phases, start=1):
            worker = "behandler" if number % 3 else "behandler2"
            citizen_id = self._id()
            citizens.append((citizen_id, phase, worker))
            worker_ops[worker] += self._citizen(number, citizen_id, phase, worker)

        lead_ops, link_ops = self._leads(citizens)
        # Drawn last, so the data above stays as it was before the visibility log existed.
        visibility_ops = self._visibility()
        course_work = CourseWork(self, TEAM_ID).ops()  # and after it, the course work (issue 12)
        return [
            ("behandler", worker_ops["behandler"]),
            ("behandler2", worker_ops["behandler2"]),
            ("frivillig", lead_ops["frivillig"]),
            ("projektleder", lead_ops["projektleder"]),
            ("behandler", link_ops),
            ("behandler2", visibility_ops),
            ("behandler", course_work["behandler"]),
            ("behandler2", course_work["behandler2"]),
        ]

    def _visibility(self) -> list[dict]:
        """The team's visibility log: tours, materials, talks with partners (counts only)."""
        rnd = self.rnd
        ops = []
        for _ in range(6):
            day = self._days_ago(rnd.randint(3, 90))
            kind = rnd.choice(["outreach_tour", "outreach_tour", "materials", "talk", "reminder"])
            value = {"team_id": TEAM_ID, "done_on": day.isoformat(), "kind": kind,
                     "place_type": {"talk": "partner_office", "reminder": "online"}.get(kind, rnd.choice(["street", "dropin"])),
                     "partners": sorted(rnd.sample(["borgerservice", "jobcenter", "police", "gp", "civil_society"], rnd.randint(0, 2))),
                     "reached": rnd.randint(2, 25)}
            if not value["partners"]:
                del value["partners"]
            ops.append(self._op("behandler2", self._at(day), "visibility", self._id(), "create", value=value))
        return ops

    def _citizen(self, number: int, citizen_id: str, phase: str, worker: str) -> list[dict]:
        rnd = self.rnd
        ops: list[dict] = []
        identified = self._days_ago(rnd.randint(40, 420))
        age_band = rnd.choices(list(AGE_YEARS), weights=list(AGE_YEARS.values()))[0]
        birth_year = self.today.year - rnd.randint(*age_band)
        initials = rnd.choice("ABDEFGHJKLMNOPRSTUV") + rnd.choice("ABDEFGHJKLMNOPRSTUV")
        create = self._op(worker, self._at(identified), "citizen", citizen_id, "create", value=(citizen_value := {
            "code": f"BRO-{number:03d}", "team_id": TEAM_ID, "initials": initials,
            "sex": "male" if rnd.random() < 0.771 else rnd.choice(["female", "female", "female", "other"]),
            "birth_year": birth_year,
            "children_in_home": _weighted(rnd, {"no": 7, "yes": 1, "unknown": 2}),
        }))
        ops.append(create)

        # The course: phase changes are dated events, each having seen the one before.
        course_id = self._id()
        first_seen = _weighted(rnd, FIRST_SEEN)
        course_create = self._op(worker, self._at(identified), "course", course_id, "create", value={
            "citizen_id": citizen_id, "identified_on": identified.isoformat(), "first_seen_place": first_seen,
            "phase": {"phase": "phase_1", "date": identified.isoformat()},
        })
        ops.append(course_create)
        last_phase_op = course_create
        span = (self.today - identified).days
        enrolled = None
        if phase in ("phase_2", "phase_3"):
            enrolled = identified + timedelta(days=rnd.randint(0, max(1, span // 3)))
            ops.append(self._op(worker, self._at(enrolled), "course", course_id, "set", "started_on", enrolled.isoformat()))
            last_phase_op = self._op(worker, self._at(enrolled), "course", course_id, "set", "phase",
                                     {"phase": "phase_2", "date": enrolled.isoformat()}, seen=[last_phase_op["op_id"]])
            ops.append(last_phase_op)
            if rnd.random() < 0.706:
                plan = enrolled + timedelta(days=rnd.randint(3, 30))
                if plan < self.today:
                    ops.append(self._op(worker, self._at(plan), "course", course_id, "set", "plan_date", plan.isoformat()))
        if phase == "phase_3":
            bridging = enrolled + timedelta(days=rnd.randint(1, max(2, (self.today - enrolled).days - 1)))
            bridging = min(bridging, self._days_ago(1))
            last_phase_op = self._op(worker, self._at(bridging), "course", course_id, "set", "phase",
                                     {"phase": "phase_3", "date": bridging.isoformat()}, seen=[last_phase_op["op_id"]])
            ops.append(last_phase_op)

        self.courses.append(DemoCourse(number, citizen_id, course_id, phase, worker, identified, enrolled,
                                       last_phase_op["op_id"], last_phase_op["value"]["date"] if phase != "phase_1" else identified.isoformat(),
                                       citizen_value["children_in_home"]))
        ops += self._contacts(citizen_id, phase, worker, identified)
        ops += self._consents(citizen_id, phase, worker, identified, number)
        ops += FormStory(self, self.schedule).ops(citizen_id, phase, worker, ops)
        return ops

    def _contacts(self, citizen_id: str, phase: str, worker: str, identified: date) -> list[dict]:
        rnd = self.rnd
        ops = []
        span = (self.today - identified).days
        for _ in range(rnd.randint(3, 10)):
            day = identified + timedelta(days=rnd.randint(0, max(0, span - 1)))
            attempt = rnd.random() < 0.35
            home = rnd.random() < HOME_SHARE[phase]
            value = {
                "citizen_id": citizen_id,
                "occurred_at": self._at(day).isoformat(),
                "kind": "attempt" if attempt else "contact",
                "place": "own_home" if home else _weighted(rnd, OTHER_PLACES),
                "channel": "in_person" if rnd.random() < 0.8 else rnd.choice(["phone", "sms"]),
                "actors": sorted({"behandler_fremskudt", *rnd.sample(["skp", "vaerested_staff", "myndighed", "peer_fremskudt"], rnd.randint(0, 1))}),
            }
            if not attempt:
                value["activities"] = sorted(rnd.sample(["relational_work", "treatment_talk", "practical_help", "escort", "coordination"], rnd.randint(1, 2)))
            ops.append(self._op(worker, self._at(day), "contact", self._id(), "create", value=value))
        return ops

    def _consent(self, worker: str, day: date, citizen_id: str, purpose: str, org_id: str, action: str = "grant",
                 seen: list[str] | None = None, create: bool = True) -> dict:
        record_id = consent_record_id(citizen_id, purpose, org_id)
        event = {"action": action, "form": "written" if self.rnd.random() < 0.7 else "oral", "given_by": "citizen", "date": day.isoformat()}
        if create:
            return self._op(worker, self._at(day), "consent", record_id, "create",
                            value={"citizen_id": citizen_id, "purpose": purpose, "recipient_org_id": org_id, "state": event})
        return self._op(worker, self._at(day), "consent", record_id, "set", "state", event, seen=seen)

    def _consents(self, citizen_id: str, phase: str, worker: str, identified: date, number: int) -> list[dict]:
        rnd = self.rnd
        ops = []
        day = identified + timedelta(days=rnd.randint(0, 14))
        day = min(day, self._days_ago(1))
        if phase != "phase_1" or rnd.random() < 0.5:
            ops.append(self._consent(worker, day, citizen_id, "participation", TEAM_ID))
        if number % 5 == 0 or number in (3, 7):
            grant = self._consent(worker, day, citizen_id, "share_with_partner", HAVNEN_ID)
            ops.append(grant)
            if number == 20:  # one citizen withdrew the consent later: withdrawal stands
                later = min(day + timedelta(days=20), self._days_ago(1))
                ops.append(self._consent(worker, later, citizen_id, "share_with_partner", HAVNEN_ID, "withdraw",
                                         seen=[grant["op_id"]], create=False))
        if rnd.random() < 0.3:
            ops.append(self._consent(worker, day, citizen_id, "coordination_meeting", TEAM_ID))
        return ops

    def _leads(self, citizens: list[tuple[str, str, str]]) -> tuple[dict[str, list[dict]], list[dict]]:
        """Anonymous leads from the partners; some later linked to a citizen by a behandler."""
        rnd = self.rnd
        lead_ops: dict[str, list[dict]] = {"frivillig": [], "projektleder": []}
        link_ops: list[dict] = []
        linkable = [c for c in citizens if c[1] != "phase_3"]
        rnd.shuffle(linkable)
        for number in range(14):
            author, org_id = ("frivillig", HAVNEN_ID) if number < 9 else ("projektleder", NORDLYS_ID)
            seen_on = self._days_ago(rnd.randint(2, 120))
            lead_id = self._id()
            create = self._op(author, self._at(seen_on), "lead", lead_id, "create", value={
                "org_id": org_id, "seen_on": seen_on.isoformat(),
                "place_type": "vaerested" if org_id == HAVNEN_ID else rnd.choice(["varmestue", "street"]),
                "area": rnd.choice(LEAD_AREAS), "age_band": rnd.choice(["26_32", "33_49", "33_49", "50_64", "unknown"]),
                "sex": rnd.choice(["male", "male", "male", "female"]),
                "concerns": sorted(rnd.sample(["drug_use", "mental_health", "housing", "isolation", "physical_health"], rnd.randint(1, 3))),
            })
            lead_ops[author].append(create)
            later = min(seen_on + timedelta(days=rnd.randint(1, 10)), self._days_ago(1))
            if number % 3 == 0 and linkable:
                citizen_id, _, _ = linkable.pop()
                link_ops.append(self._op("behandler", self._at(later), "lead", lead_id, "set", "citizen_id", citizen_id))
                link_ops.append(self._op("behandler", self._at(later), "lead", lead_id, "set", "outcome", "enrolled"))
                # The citizen agreed that the referrer may hear how it went.
                link_ops.append(self._consent("behandler", later, citizen_id, "status_to_referrer", org_id))
            elif number % 3 == 1:
                link_ops.append(self._op("behandler", self._at(later), "lead", lead_id, "set", "outcome",
                                         rnd.choice(["searching", "not_found", "in_contact"])))
        return lead_ops, link_ops
