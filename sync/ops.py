"""Operations: the unit of change a device sends. Parsing checks shape and values
against the field specs in `schemas/`; it never looks at the database.

Every refusal is an `OpRejected(code, reason, field, **details)`: its message comes from
the catalogue in schemas/problems.py, and details never carry the value that was sent.
"""
from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any

import orjson

from schemas.entities import AMEND, ARCHIVE, CONSENT_ID, CREATE, ENTITIES, SET, UNARCHIVE, VOID, EntitySpec
from schemas.enums import CONSENT_ACTIONS, CONSENT_FORMS, CONSENT_GIVEN_BY, MEETING_ROLES, PHASES, codes
from schemas.fields import FieldSpec, Kind, Merge
from schemas.forms import FORM_VERSIONS, FORMS, Form, Question, applies, form_of, unanswered
from schemas.problems import render
from sync import hlc as hlc_mod

MAX_SEEN = 200
MAX_OP_BYTES = 64 * 1024
MAX_TEXT = 4000
MAX_VOID_REASON = 500
# No op is older than the product: a wall time of 0 (or any before 2020) is a broken clock.
MIN_WALL_YEAR = 2020
MIN_WALL_MS = int(datetime(MIN_WALL_YEAR, 1, 1, tzinfo=UTC).timestamp() * 1000)
CLIENT_KEYS = ("op_id", "device_id", "hlc", "entity", "record_id", "kind", "field", "value", "seen")
# A domain date may be at most this far past the server's UTC date: it is already that
# date in the easternmost time zone (UTC+14) while UTC is still on the day before.
EASTERNMOST = timedelta(hours=14)


class NotANumber:
    """Stands for a NaN/Infinity literal of a request body: never valid JSON, never stored
    as a number (PostgreSQL's JSON refuses it; SQLite would keep invalid JSON)."""

    def __repr__(self) -> str:
        return "NaN"


NOT_A_NUMBER = NotANumber()


@dataclass(frozen=True)
class Unreadable:
    """An op whose text could not be parsed on its own (too deep, a 5,000-digit number):
    refused alone, its text kept shortened for quarantine."""

    text: str


class OpRejected(Exception):
    """An operation that can never be accepted as sent. `code` and `reason` name a
    template in schemas.problems; `details` fill it (never the value that was sent)."""

    def __init__(self, code: str, reason: str | None = None, field: str | None = None, **details):
        self.code, self.reason, self.field = code, reason, field
        self.message = render(code, reason, field=field, **details)
        super().__init__(self.message)


@dataclass(frozen=True)
class Now:
    """The server's time, passed in (sync/ stays pure): what "in the future" means."""

    ms: int
    max_drift_ms: int

    @property
    def latest_ms(self) -> int:
        return self.ms + self.max_drift_ms

    @property
    def latest_date(self) -> str:
        moment = datetime.fromtimestamp(self.latest_ms / 1000, UTC) + EASTERNMOST
        return moment.date().isoformat()


@dataclass(frozen=True)
class Op:
    op_id: str
    device_id: str
    hlc: str
    entity: str
    record_id: str
    kind: str
    field: str | None
    value: Any
    seen: frozenset[str] = field(default_factory=frozenset)
    user_id: str | None = None  # set by the server from the session, never trusted from a client

    @cached_property
    def clock(self) -> hlc_mod.HLC:
        return hlc_mod.parse(self.hlc)

    @property
    def spec(self) -> EntitySpec:
        return ENTITIES[self.entity]

    def order_key(self) -> tuple[str, str, str]:
        """Total order for merge rules: clock, then device id, then op id. The HLC's
        fixed-width encoding makes string order equal to clock order."""
        return (self.hlc, self.device_id, self.op_id)

    def client_body(self) -> dict:
        return {
            "op_id": self.op_id,
            "device_id": self.device_id,
            "hlc": self.hlc,
            "entity": self.entity,
            "record_id": self.record_id,
            "kind": self.kind,
            "field": self.field,
            "value": self.value,
            "seen": sorted(self.seen),
        }

    def content_hash(self) -> str:
        return self._content_hash

    @cached_property
    def _content_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.client_body())).hexdigest()

    def stored_body(self) -> dict:
        return {**self.client_body(), "user_id": self.user_id}

    def fields_written(self) -> frozenset[str]:
        if self.kind == CREATE:
            return frozenset(self.value)
        if self.kind in (ARCHIVE, UNARCHIVE):
            return frozenset({"archived"})
        if self.kind == VOID:
            return frozenset()
        return frozenset({self.field})


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8 unescaped: the bytes an op's content hash is taken of.
    orjson writes exactly what `json.dumps(sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)` writes for the values an accepted op holds (text, integers,
    booleans, null; tests/sync/test_canonical_json.py checks it), about ten times faster;
    anything else (an integer beyond 64 bits) takes the standard library's path."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def from_stored(body: dict) -> Op:
    return Op(
        op_id=body["op_id"],
        device_id=body["device_id"],
        hlc=body["hlc"],
        entity=body["entity"],
        record_id=body["record_id"],
        kind=body["kind"],
        field=body.get("field"),
        value=body.get("value"),
        seen=frozenset(body.get("seen") or ()),
        user_id=body.get("user_id"),
    )


def consent_record_id(citizen_id: str, purpose: str, recipient_org_id: str) -> str:
    """The id every device derives for one consent (schemas.entities.CONSENT_ID)."""
    return CONSENT_ID.derive({"citizen_id": citizen_id, "purpose": purpose, "recipient_org_id": recipient_org_id})


def parse(raw: Any, *, now_ms: int, max_drift_ms: int, user_id: str | None = None) -> Op:
    """Check one raw op from a client and return it as an Op (written by `user_id`, from
    the session), or raise OpRejected."""
    if isinstance(raw, Unreadable):
        raise OpRejected("op_malformed", "not_json")
    if not isinstance(raw, dict):
        raise OpRejected("op_malformed", "not_object")
    _check_storable(raw)
    unknown = sorted(key for key in raw if key not in CLIENT_KEYS)
    if unknown:
        # Named only when it looks like a key name: a key can be anything a client typed.
        name = unknown[0] if IDENTIFIER.fullmatch(unknown[0]) else None
        raise OpRejected("op_malformed", "unknown_key", name, allowed=CLIENT_KEYS)
    now = Now(now_ms, max_drift_ms)
    op_id = _uuid(raw, "op_id")
    record_id = _uuid(raw, "record_id")
    device_id = _text(raw, "device_id", 64)
    clock = _clock(raw, now, device_id)
    entity_name = raw.get("entity")
    entity = ENTITIES.get(entity_name) if isinstance(entity_name, str) else None
    if entity is None:
        raise OpRejected("unknown_entity", field="entity", allowed=list(ENTITIES))
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in entity.op_kinds:
        raise OpRejected("op_not_allowed", field="kind", allowed=entity.op_kinds)
    seen = _seen(raw, op_id)
    field_name, value = raw.get("field"), raw.get("value")
    if kind == CREATE:
        field_name = None
        value = _create_value(entity, value, record_id, now)
    elif kind in (SET, AMEND):
        spec = entity.writable(field_name) if isinstance(field_name, str) else None
        if spec is None:
            writable = [name for name in entity.fields if entity.writable(name)]
            raise OpRejected("unknown_field", field="field", allowed=writable)
        value = check_value(spec, value, now)
    elif kind == VOID:
        field_name = None
        value = _void_reason(value)
    elif kind in (ARCHIVE, UNARCHIVE):
        field_name, value = None, None
    op = Op(op_id, device_id, clock.encode(), entity.name, record_id, kind, field_name, value, frozenset(seen), user_id)
    op.__dict__["clock"] = clock  # parsed once (cached_property's slot)
    return op


def _check_storable(raw: dict) -> None:
    """Refuse what cannot be stored or hashed: NaN/Infinity, lone surrogates, NUL, huge or
    deep JSON. One encoding does it all: NaN and ±Infinity make it fail (a float, or the
    NOT_A_NUMBER of a parsed body), and a NUL shows in its output as an unescaped \\u0000."""
    try:
        text = json.dumps(raw, ensure_ascii=False, allow_nan=False)
    except (ValueError, TypeError):
        raise OpRejected("op_malformed", "not_a_number") from None
    except RecursionError:
        raise OpRejected("op_malformed", "unstorable") from None
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate
        raise OpRejected("op_malformed", "unstorable") from None
    if size > MAX_OP_BYTES:
        raise OpRejected("op_malformed", "too_large", limit=MAX_OP_BYTES // 1024)
    if "\\u0000" in text and ESCAPED_NUL.search(text):
        raise OpRejected("op_malformed", "nul")


# "\u0000" after an even number of backslashes (an odd number would escape the backslash).
ESCAPED_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def has_nul(value: Any) -> bool:
    """Whether any string (or key) in the JSON value holds NUL, which PostgreSQL cannot store."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _seen(raw: dict, op_id: str) -> list[str]:
    """The op ids the writer had seen, as canonical UUIDs (never the op itself)."""
    seen = raw.get("seen", [])
    if seen is None:
        return []
    if not isinstance(seen, list) or len(seen) > MAX_SEEN:
        raise OpRejected("op_malformed", "seen", "seen", limit=MAX_SEEN)
    canonical = [_uuid({"seen": item}, "seen") for item in seen]
    if op_id in canonical:
        raise OpRejected("op_malformed", "seen_self", "seen")
    return canonical


def _void_reason(value: Any) -> dict | None:
    if value is None:
        return None
    reason = value.get("reason") if isinstance(value, dict) else None
    if not isinstance(value, dict) or set(value) - {"reason"} or not (reason is None or isinstance(reason, str)) or len(reason or "") > MAX_VOID_REASON:
        raise OpRejected("invalid_value", "void", "value", limit=MAX_VOID_REASON)
    return value


def _create_value(entity: EntitySpec, value: Any, record_id: str, now: Now) -> dict:
    if not isinstance(value, dict):
        raise OpRejected("op_malformed", "create_value", "value")
    settable = [name for name, spec in entity.fields.items() if spec.merge != Merge.ARCHIVE]
    checked: dict[str, Any] = {}
    for name, item in value.items():
        spec = entity.fields.get(name)
        if spec is None or spec.merge == Merge.ARCHIVE:
            raise OpRejected("unknown_field", "create", _key_path("value", name), allowed=settable)
        if item is not None:
            checked[name] = check_value(spec, item, now)
    for spec in entity.fields.values():
        if spec.required and checked.get(spec.name) is None:
            raise OpRejected("missing_field", field=spec.name, label=spec.title)
    if entity.id_rule is not None:
        expected = entity.id_rule.derive(checked)
        if record_id != expected:
            raise OpRejected("wrong_record_id", field="record_id", expected=expected)
    if "answers" in checked and "form" in checked:
        check_answers(checked["form"], checked["answers"], now, checked.get("version"))
    return checked


def check_answers(form_code: str, answers: dict, now: Now | None = None, version: int | None = None) -> None:
    """The answers fit the form version they were given against (none: version 1): every
    key is a question of it, an answer is given only to a question that applies (its
    conditions hold: no readiness in phase 1, no drinks when not drinking), every required
    question that applies is answered, and every answer fits its question (kind, options,
    range). Otherwise OpRejected naming `answers.<key>` (the first in the form's order)
    and what to do."""
    form = form_of(form_code, version)
    if form is None:
        if form_code in FORMS:
            known = sorted(v for code, v in FORM_VERSIONS if code == form_code)
            raise OpRejected("invalid_value", "unknown_version", "version", label="Skemaversion", allowed=known)
        raise OpRejected("invalid_value", "unknown_form", "form", label="Skema")
    for key in answers:
        if form.question(key) is None:
            raise OpRejected("invalid_value", "answer_unknown", _key_path("answers", key))
    for question in form.questions:
        value = answers.get(question.key)
        path = f"answers.{question.key}"
        if not applies(question, answers):
            if not unanswered(value):
                raise OpRejected("invalid_value", "answer_not_applicable", path, label=question.label, hint=condition_text(form, question))
            continue
        if unanswered(value):
            if question.required:
                raise OpRejected("invalid_value", "answer_required", path, label=question.label)
            continue
        try:
            check_value(question.spec, value, now)
        except OpRejected as error:
            raise OpRejected(error.code, error.reason, path, **_details_of(question.spec)) from None


def condition_text(form: Form, question: Question) -> str:
    """When a question is asked, in Danish from the form's own labels (never an answer sent):
    "når 'Hvilken fase er borgeren i nu?' er Fase 2 … eller Fase 3 …"."""
    parts = []
    for condition in question.when:
        other = form.question(condition.item)
        name = other.label if other else condition.item
        if condition.in_ is not None:
            labels = [o.label for o in (other.options if other else ()) if o.code in condition.in_] or list(condition.in_)
            parts.append(f"når '{name}' er {' eller '.join(labels)}")
        else:
            parts.append(f"når '{name}' er mindst {condition.min}")
    return " og ".join(parts)


def _key_path(parent: str, key: str) -> str:
    """The field path of a key a client chose: `key` itself for a create's fields,
    `parent.key` below it — named only when it looks like a key name."""
    if not IDENTIFIER.fullmatch(key):
        return parent
    return key if parent == "value" else f"{parent}.{key}"


def _details_of(spec: FieldSpec) -> dict:
    """Every detail a value template may name, for re-rendering under another field path."""
    return {
        "label": spec.title, "limit": spec.max_length or MAX_TEXT, "allowed": sorted(spec.choices),
        "min": spec.ge, "max": spec.le, "hint": spec.pattern_hint or "",
    }


def check_value(spec: FieldSpec, value: Any, now: Now | None = None) -> Any:
    """Return the value if it fits the field's kind, else raise OpRejected naming the field."""
    name = spec.name

    def bad(reason: str, code: str = "invalid_value"):
        return OpRejected(code, reason, name, **_details_of(spec))

    if value is None:
        if spec.required:
            raise OpRejected("missing_field", field=name, label=spec.title)
        return None
    kind = spec.kind
    if kind == Kind.TEXT:
        if not isinstance(value, str):
            raise bad("not_text")
        value = value.strip()
        if not value and spec.required:
            raise OpRejected("missing_field", field=name, label=spec.title)
        if len(value) > (spec.max_length or MAX_TEXT):
            raise bad("too_long")
        if spec.pattern and value and not re.fullmatch(spec.pattern, value):
            raise bad("pattern")
        return value
    if kind == Kind.CODE:
        if not isinstance(value, str) or value not in spec.choices:
            raise bad("not_choice")
        return value
    if kind == Kind.CODES:
        if (
            not isinstance(value, list)
            or not all(isinstance(item, str) for item in value)
            or len(set(value)) != len(value)
            or not set(value) <= spec.choices
        ):
            raise bad("not_choices")
        return sorted(value)
    if kind == Kind.INT:
        if not isinstance(value, int) or isinstance(value, bool):
            raise bad("not_int")
        if (spec.ge is not None and value < spec.ge) or (spec.le is not None and value > spec.le):
            raise bad("out_of_range" if spec.ge is not None and spec.le is not None else "at_least" if spec.ge is not None else "at_most")
        return value
    if kind == Kind.BOOL:
        if not isinstance(value, bool):
            raise bad("not_bool")
        return value
    if kind == Kind.DATE:
        return _date(value, name, spec.title, now)
    if kind == Kind.DATETIME:
        return _datetime(value, name, spec.title, now)
    if kind == Kind.REF:
        ref = canonical_uuid(value)
        if ref is None:
            raise bad("not_ref")
        return ref
    if kind == Kind.PHASE_EVENT:
        phase = value.get("phase") if isinstance(value, dict) else None
        if not isinstance(value, dict) or set(value) != {"phase", "date"} or not isinstance(phase, str) or phase not in codes(PHASES):
            raise bad("phase_event")
        return {"phase": phase, "date": _date(value["date"], f"{name}.date", spec.title, now)}
    if kind == Kind.CONSENT_EVENT:
        return _consent_event(value, spec, now)
    if kind == Kind.ANSWERS:
        if not isinstance(value, dict):
            raise bad("answers")
        return value
    if kind == Kind.ATTENDEES:
        return _attendees(value, spec)
    raise AssertionError(f"unhandled kind {kind}")


CONSENT_EVENT_CODES = (("action", CONSENT_ACTIONS), ("form", CONSENT_FORMS), ("given_by", CONSENT_GIVEN_BY))


def _consent_event(value: Any, spec: FieldSpec, now: Now | None) -> dict:
    name = spec.name
    required = {"action", "form", "given_by", "date"}
    if not isinstance(value, dict) or not required <= set(value) or set(value) - required - {"note"}:
        raise OpRejected("invalid_value", "consent_event", name, label=spec.title)
    for key, options in CONSENT_EVENT_CODES:
        if not isinstance(value[key], str) or value[key] not in codes(options):
            raise OpRejected("invalid_value", "not_choice", f"{name}.{key}", label=f"{spec.title}.{key}", allowed=codes(options))
    note = value.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > 500):
        raise OpRejected("invalid_value", "too_long", f"{name}.note", label=f"{spec.title}.note", limit=500)
    return {**value, "date": _date(value["date"], f"{name}.date", spec.title, now)}


MAX_ATTENDEES = 20
ATTENDEE_KEYS = frozenset({"org_id", "role", "consent_id"})


def _attendees(value: Any, spec: FieldSpec) -> list[dict]:
    """[{"org_id": uuid, "role": code, "consent_id": uuid?}, …]: 1–20 distinct organisations.
    Whether each consent exists and is live is the server's check (server/sync/meetings.py)."""
    name, roles = spec.name, codes(MEETING_ROLES)
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_ATTENDEES:
        raise OpRejected("invalid_value", "attendees", name, label=spec.title, limit=MAX_ATTENDEES)
    out, orgs = [], set()
    for item in value:
        if not isinstance(item, dict) or not {"org_id", "role"} <= set(item) or set(item) - ATTENDEE_KEYS:
            raise OpRejected("invalid_value", "attendees", name, label=spec.title, limit=MAX_ATTENDEES)
        org = canonical_uuid(item["org_id"])
        consent = canonical_uuid(item.get("consent_id")) if item.get("consent_id") is not None else None
        if org is None or org in orgs or (item.get("consent_id") is not None and consent is None):
            raise OpRejected("invalid_value", "attendees", name, label=spec.title, limit=MAX_ATTENDEES)
        if not isinstance(item["role"], str) or item["role"] not in roles:
            raise OpRejected("invalid_value", "not_choice", f"{name}.role", label=f"{spec.title}.role", allowed=roles)
        orgs.add(org)
        out.append({"org_id": org, "role": item["role"], **({"consent_id": consent} if consent else {})})
    return out


DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")


def _date(value: Any, name: str, label: str, now: Now | None) -> str:
    if not isinstance(value, str) or not DATE_SHAPE.fullmatch(value):
        raise OpRejected("invalid_value", "not_date", name, label=label)
    try:
        date.fromisoformat(value)
    except ValueError:
        raise OpRejected("invalid_value", "not_date", name, label=label) from None
    if now is not None and value > now.latest_date:
        raise OpRejected("invalid_value", "in_future", name, label=label)
    return value


def _datetime(value: Any, name: str, label: str, now: Now | None) -> str:
    if not isinstance(value, str):
        raise OpRejected("invalid_value", "not_datetime", name, label=label)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise OpRejected("invalid_value", "not_datetime", name, label=label) from None
    if parsed.tzinfo is None:
        raise OpRejected("invalid_value", "no_timezone", name, label=label)
    if now is not None and parsed.timestamp() * 1000 > now.latest_ms:
        raise OpRejected("invalid_value", "in_future", name, label=label)
    return value


CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def canonical_uuid(value: Any) -> str | None:
    """The canonical (lower-case) text of a UUID, or None. Canonical input, the phones'
    form, is recognised without building a uuid.UUID (the push checks several per op)."""
    if not isinstance(value, str) or len(value) != 36:
        return None
    if CANONICAL_UUID.fullmatch(value):
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _uuid(raw: dict, name: str) -> str:
    value = canonical_uuid(raw.get(name))
    if value is None:
        raise OpRejected("op_malformed", "not_uuid", name)
    return value


def _text(raw: dict, name: str, limit: int) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise OpRejected("op_malformed", "bad_text", name, limit=limit)
    return value


def _clock(raw: dict, now: Now, device_id: str) -> hlc_mod.HLC:
    try:
        clock = hlc_mod.parse(raw.get("hlc"))  # type: ignore[arg-type]
    except hlc_mod.HLCError:
        raise OpRejected("op_malformed", "bad_hlc", "hlc") from None
    if clock.node != device_id:
        raise OpRejected("op_malformed", "hlc_node", "hlc")  # ties between writers break by node
    if clock.wall < MIN_WALL_MS:
        raise OpRejected("op_malformed", "hlc_too_old", "hlc", year=MIN_WALL_YEAR)
    ahead = hlc_mod.ahead_by(clock, now.ms)
    if ahead > now.max_drift_ms:
        raise OpRejected("clock_ahead", field="hlc", seconds=ahead // 1000, limit=now.max_drift_ms // 1000)
    return clock
