"""Shared builders for the tests of the pure `sync/` package.

Everything here is derived from the field specs in `schemas.entities.ENTITIES`
(and the forms in `schemas.forms`), so a new field or code is covered without
editing the tests. Not a test module: pytest does not collect it.
"""
from __future__ import annotations

import string
import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from support.hlc import hlc_text

from schemas.entities import AMEND, ARCHIVE, CREATE, ENTITIES, SET, UNARCHIVE, VOID, EntitySpec
from schemas.enums import CONSENT_ACTIONS, CONSENT_FORMS, CONSENT_GIVEN_BY, MEETING_ROLES, PHASES, codes
from schemas.fields import FieldSpec, Kind, Merge
from schemas.forms import FORM_VERSIONS, Form, applies
from sync import hlc as hlc_mod
from sync.ops import MAX_TEXT, consent_record_id

NOW_MS = 1_795_000_000_000  # 2026-11-19, the server's "now" in these tests
DRIFT_MS = 5 * 60 * 1000
NS = uuid.UUID("0b6a1d1e-2f1c-4a51-9f6e-2f9d3c1b7a10")


def examples(wanted: int) -> int:
    """`max_examples` for a test that needs more than the default, without undercutting
    a larger profile (e.g. "soak") that conftest may have loaded."""
    return max(wanted, settings().max_examples)


def uid(*parts: Any) -> str:
    """A deterministic UUID for test ids (no randomness outside Hypothesis)."""
    return str(uuid.uuid5(NS, "|".join(map(str, parts))))


# ----------------------------------------------------------------------------- specs
def creatable(entity: EntitySpec) -> list[FieldSpec]:
    """Fields a create op may carry."""
    return [s for s in entity.fields.values() if s.merge != Merge.ARCHIVE]


def writable(entity: EntitySpec) -> list[FieldSpec]:
    """Fields a set/amend op may write (the entity's own rule, not a copy of it)."""
    return [s for s in entity.fields.values() if entity.writable(s.name) is not None]


def op_kinds_pairs() -> list[tuple[str, str]]:
    return [(name, kind) for name, spec in ENTITIES.items() for kind in sorted(spec.op_kinds)]


# ----------------------------------------------------------------------------- values
_plain_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40
).map(str.strip)


def text_values(spec: FieldSpec) -> st.SearchStrategy[str]:
    limit = spec.max_length or MAX_TEXT
    if spec.pattern:
        base = st.from_regex(spec.pattern, fullmatch=True)
    else:
        base = _plain_text
    return base.filter(lambda v: v == v.strip() and len(v) <= limit and (v or not spec.required))


def dates() -> st.SearchStrategy[str]:
    return st.dates(min_value=date(1990, 1, 1), max_value=date(2026, 11, 18)).map(date.isoformat)


def datetimes() -> st.SearchStrategy[str]:
    zones = st.sampled_from([timezone.utc, timezone(timedelta(hours=1)), timezone(timedelta(hours=2))])
    return st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2026, 11, 18), timezones=zones).map(
        lambda d: d.isoformat()
    )


def consent_events(action: str | None = None) -> st.SearchStrategy[dict]:
    actions = st.just(action) if action else st.sampled_from(sorted(codes(CONSENT_ACTIONS)))
    base = st.fixed_dictionaries(
        {
            "action": actions,
            "form": st.sampled_from(sorted(codes(CONSENT_FORMS))),
            "given_by": st.sampled_from(sorted(codes(CONSENT_GIVEN_BY))),
            "date": dates(),
        },
        optional={"note": _plain_text},
    )
    return base


@st.composite
def answers_for(draw, form: Form) -> dict:
    """Valid answers for one form version, built from its questions in order: a question
    whose conditions do not hold is left out, a required one that applies is answered,
    an optional one sometimes."""
    answers: dict[str, Any] = {}
    for q in form.questions:
        if applies(q, answers) and (q.required or draw(st.booleans())):
            if q.required and q.kind == Kind.CODES:  # an empty list is no answer
                answers[q.key] = draw(st.lists(st.sampled_from(sorted(q.spec.choices)), unique=True, min_size=1))
            else:
                answers[q.key] = draw(value_for(q.spec))
    return answers


def form_versions() -> st.SearchStrategy[Form]:
    """Any published version of any form (old versions must keep validating)."""
    return st.sampled_from(sorted(FORM_VERSIONS.values(), key=lambda f: (f.code, f.version)))


def value_for(spec: FieldSpec) -> st.SearchStrategy[Any]:
    """A valid wire value for the field, whatever its kind."""
    kind = spec.kind
    if kind == Kind.TEXT:
        return text_values(spec)
    if kind == Kind.CODE:
        return st.sampled_from(sorted(spec.choices))
    if kind == Kind.CODES:
        return st.lists(st.sampled_from(sorted(spec.choices)), unique=True)
    if kind == Kind.INT:
        return st.integers(spec.ge if spec.ge is not None else -(2**31), spec.le if spec.le is not None else 2**31)
    if kind == Kind.BOOL:
        return st.booleans()
    if kind == Kind.DATE:
        return dates()
    if kind == Kind.DATETIME:
        return datetimes()
    if kind == Kind.REF:
        return st.uuids().map(str)
    if kind == Kind.PHASE_EVENT:
        return st.fixed_dictionaries({"phase": st.sampled_from(sorted(codes(PHASES))), "date": dates()})
    if kind == Kind.CONSENT_EVENT:
        return consent_events()
    if kind == Kind.ANSWERS:
        # Without the form (amend ops carry only the field) any form's answers will do.
        return form_versions().flatmap(answers_for)
    if kind == Kind.ATTENDEES:
        attendee = st.fixed_dictionaries(
            {"org_id": st.uuids().map(str), "role": st.sampled_from(sorted(codes(MEETING_ROLES)))},
            optional={"consent_id": st.uuids().map(str)},
        )
        return st.lists(attendee, min_size=1, max_size=4, unique_by=lambda a: a["org_id"])
    raise AssertionError(f"no strategy for kind {kind}")


def normalised(spec: FieldSpec, value: Any) -> Any:
    """What `sync.ops.check_value` is expected to return for a valid value."""
    if value is None:
        return None
    if spec.kind == Kind.TEXT:
        return value.strip()
    if spec.kind == Kind.CODES:
        return sorted(value)
    return value


@st.composite
def create_values(draw, entity: EntitySpec) -> dict:
    value: dict[str, Any] = {}
    for spec in creatable(entity):
        if spec.kind == Kind.ANSWERS:
            continue  # depends on the form, below
        if spec.required or draw(st.booleans()):
            value[spec.name] = draw(value_for(spec))
    if "answers" in entity.fields:
        form = draw(form_versions())
        value["form"] = form.code
        if form.version == 1 and draw(st.booleans()):
            value.pop("version", None)  # a response without a version is version 1
        else:
            value["version"] = form.version
        value["answers"] = draw(answers_for(form))
    return value


# ----------------------------------------------------------------------------- raw ops
@st.composite
def raw_ops(draw, entity_name: str, kind: str) -> dict:
    """A valid raw op (what a device sends) of the given entity and kind."""
    entity = ENTITIES[entity_name]
    assert kind in entity.op_kinds
    record_id = str(draw(st.uuids()))
    field_name, value = None, None
    if kind == CREATE:
        value = draw(create_values(entity))
        if entity_name == "consent":
            record_id = consent_record_id(value["citizen_id"], value["purpose"], value["recipient_org_id"])
    elif kind in (SET, AMEND):
        spec = draw(st.sampled_from(writable(entity)))
        field_name = spec.name
        value = draw(value_for(spec) if spec.required else st.none() | value_for(spec))
    elif kind == VOID:
        value = draw(st.none() | st.fixed_dictionaries({"reason": _plain_text}))
    elif kind in (ARCHIVE, UNARCHIVE):
        pass
    node = draw(st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=1, max_size=64))
    wall = draw(st.integers(NOW_MS - 10**10, NOW_MS + DRIFT_MS))
    raw = {
        "op_id": str(draw(st.uuids())),
        "device_id": node,
        "hlc": hlc_text(wall, draw(st.integers(0, hlc_mod.MAX_COUNTER)), node),
        "entity": entity_name,
        "record_id": record_id,
        "kind": kind,
        "field": field_name,
        "value": value,
        "seen": draw(st.lists(st.uuids().map(str), max_size=5, unique=True)),
    }
    return raw


def any_raw_op() -> st.SearchStrategy[dict]:
    return st.sampled_from(op_kinds_pairs()).flatmap(lambda pair: raw_ops(*pair))


# ----------------------------------------------------------------------------- small value pools
def value_pool(spec: FieldSpec) -> list[Any]:
    """Three (or fewer) distinct valid values, so that random histories write equal values
    as well as different ones."""
    kind = spec.kind
    if kind == Kind.TEXT:
        if spec.pattern and "A-Z" in spec.pattern:
            return ["ABCD", "EFGH", "IJKL"]
        if spec.pattern and "+" in spec.pattern:
            return ["12345678", "87654321", "11223344"]
        if spec.pattern:
            return ["010203-1234", "020304-2345", "030405-3456"]
        return ["Aa", "Bb", "Cc"]
    if kind in (Kind.CODE,):
        return sorted(spec.choices)[:3]
    if kind == Kind.CODES:
        first = sorted(spec.choices)
        return [[], first[:1], first[:2]]
    if kind == Kind.INT:
        low = spec.ge if spec.ge is not None else 0
        return [low, low + 1, low + 2]
    if kind == Kind.BOOL:
        return [True, False]
    if kind == Kind.DATE:
        return ["2026-01-01", "2026-02-01", "2026-03-01"]
    if kind == Kind.DATETIME:
        return ["2026-01-01T10:00:00+01:00", "2026-01-02T10:00:00+01:00", "2026-01-03T10:00:00Z"]
    if kind == Kind.REF:
        return [uid("ref", i) for i in range(3)]
    if kind == Kind.PHASE_EVENT:
        phases = sorted(codes(PHASES))
        return [{"phase": phases[0], "date": "2026-01-01"}, {"phase": phases[1], "date": "2026-01-01"},
                {"phase": phases[1], "date": "2026-02-01"}]
    if kind == Kind.CONSENT_EVENT:
        return [
            {"action": "grant", "form": "oral", "given_by": "citizen", "date": "2026-01-01"},
            {"action": "withdraw", "form": "oral", "given_by": "citizen", "date": "2026-01-02"},
            {"action": "grant", "form": "written", "given_by": "guardian", "date": "2026-01-03"},
        ]
    if kind == Kind.ANSWERS:
        return [{"phase": "phase_1"}, {"phase": "phase_2"}]
    if kind == Kind.ATTENDEES:
        return [[{"org_id": uid("org", i), "role": "behandler"}] for i in range(3)]
    raise AssertionError(kind)


def initial_value(entity: EntitySpec) -> dict:
    """A deterministic valid create value for the entity: every creatable field."""
    value: dict[str, Any] = {}
    for spec in creatable(entity):
        value[spec.name] = value_pool(spec)[0]
    if entity.name == "form_response":
        value["form"] = "kontakt_loebende"
        value["answers"] = {"phase": "phase_1"}
    return value
