"""Operations: the unit of change a device sends. Parsing checks shape and values
against the field specs in `schemas/`; it never looks at the database."""
from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from schemas.entities import AMEND, ARCHIVE, CREATE, ENTITIES, SET, UNARCHIVE, VOID, EntitySpec
from schemas.enums import CONSENT_ACTIONS, CONSENT_FORMS, CONSENT_GIVEN_BY, PHASES, codes
from schemas.fields import FieldSpec, Kind, Merge
from schemas.forms import check_answers
from sync import hlc as hlc_mod

MAX_SEEN = 200
MAX_OP_BYTES = 64 * 1024
MAX_TEXT = 4000
CLIENT_KEYS = ("op_id", "device_id", "hlc", "entity", "record_id", "kind", "field", "value", "seen")
# Consent records are keyed by (citizen, purpose, recipient): every device derives the same id.
CONSENT_NAMESPACE = uuid.UUID("6f1c3a2e-5b8d-4c1e-9a7f-2d4b6e8c0a13")


class OpRejected(Exception):
    """An operation that can never be accepted as sent. `code` is in schemas.problems."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


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

    @property
    def clock(self) -> hlc_mod.HLC:
        return hlc_mod.parse(self.hlc)

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
        canonical = json.dumps(self.client_body(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def stored_body(self) -> dict:
        return {**self.client_body(), "user_id": self.user_id}


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
    return str(uuid.uuid5(CONSENT_NAMESPACE, f"{citizen_id}|{purpose}|{recipient_org_id}"))


def parse(raw: Any, *, now_ms: int, max_drift_ms: int) -> Op:
    """Check one raw op from a client and return it as an Op, or raise OpRejected."""
    if not isinstance(raw, dict):
        raise OpRejected("op_malformed", "En ændring skal være et JSON-objekt.")
    _check_storable(raw)
    unknown = set(raw) - set(CLIENT_KEYS)
    if unknown:
        raise OpRejected("op_malformed", f"Ændringen har en ukendt nøgle. Tilladte nøgler: {', '.join(CLIENT_KEYS)}.", sorted(unknown)[0][:40])
    op_id = _uuid(raw, "op_id")
    record_id = _uuid(raw, "record_id")
    device_id = _text(raw, "device_id", 64)
    clock = _clock(raw, now_ms, max_drift_ms)
    entity_name = raw.get("entity")
    entity = ENTITIES.get(entity_name) if isinstance(entity_name, str) else None
    if entity is None:
        raise OpRejected("unknown_entity", f"Ukendt type af oplysning. Brug en af: {', '.join(ENTITIES)}.", "entity")
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in entity.op_kinds:
        allowed = ", ".join(sorted(entity.op_kinds))
        raise OpRejected("op_not_allowed", f"Den slags ændring er ikke tilladt for {entity.name}. Tilladt: {allowed}.", "kind")
    seen = _seen(raw, op_id)
    field_name, value = raw.get("field"), raw.get("value")
    if kind == CREATE:
        field_name = None
        value = _create_value(entity, value, record_id)
    elif kind in (SET, AMEND):
        spec = entity.writable(field_name) if isinstance(field_name, str) else None
        if spec is None:
            raise OpRejected("unknown_field", f"Feltet kan ikke ændres på {entity.name}. Felter: {', '.join(sorted(entity.fields))}.", "field")
        value = check_value(spec, value)
    elif kind == VOID:
        field_name = None
        if value is not None and (not isinstance(value, dict) or set(value) - {"reason"}):
            raise OpRejected("invalid_value", "En annullering kan kun have en begrundelse: {\"reason\": \"...\"}.", "value")
    elif kind in (ARCHIVE, UNARCHIVE):
        field_name, value = None, None
    return Op(op_id, device_id, clock.encode(), entity.name, record_id, kind, field_name, value, frozenset(seen))


def _check_storable(raw: dict) -> None:
    """Refuse what cannot be stored or hashed: lone surrogates, NUL, huge or deep JSON."""
    try:
        encoded = json.dumps(raw, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError, RecursionError, TypeError):
        raise OpRejected("op_malformed", "Ændringen indeholder tegn eller data, der ikke kan gemmes.") from None
    if len(encoded) > MAX_OP_BYTES:
        raise OpRejected("op_malformed", f"Ændringen fylder for meget (højst {MAX_OP_BYTES // 1024} KB).")
    if has_nul(raw):
        raise OpRejected("op_malformed", "Ændringen indeholder et NUL-tegn, som ikke kan gemmes.")


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
        raise OpRejected("op_malformed", f"'seen' skal være en liste med højst {MAX_SEEN} ændrings-id'er.", "seen")
    canonical = [_uuid({"seen": item}, "seen") for item in seen]
    if op_id in canonical:
        raise OpRejected("op_malformed", "'seen' må ikke indeholde ændringens eget op_id.", "seen")
    return canonical


def _create_value(entity: EntitySpec, value: Any, record_id: str) -> dict:
    if not isinstance(value, dict):
        raise OpRejected("op_malformed", "En oprettelse skal have 'value' som et objekt med felterne.", "value")
    checked: dict[str, Any] = {}
    for name, item in value.items():
        spec = entity.fields.get(name)
        if spec is None or spec.merge == Merge.ARCHIVE or spec.server_set:
            raise OpRejected("unknown_field", f"Feltet '{name}' findes ikke på {entity.name} eller kan ikke sættes.", name)
        if item is not None:
            checked[name] = check_value(spec, item)
    for spec in entity.fields.values():
        if spec.required and checked.get(spec.name) is None:
            raise OpRejected("missing_field", f"Feltet '{spec.name}' skal udfyldes.", spec.name)
    if entity.name == "consent":
        expected = consent_record_id(checked["citizen_id"], checked["purpose"], checked["recipient_org_id"])
        if record_id != expected:
            raise OpRejected("wrong_record_id", f"Samtykkets record_id skal være {expected} (uuid5 af borger|formål|modtager).", "record_id")
    if entity.name == "form_response":
        problem = check_answers(checked["form"], checked["answers"])
        if problem:
            raise OpRejected("invalid_value", problem[1], f"answers.{problem[0]}")
    return checked


def check_value(spec: FieldSpec, value: Any) -> Any:
    """Return the value if it fits the field's kind, else raise OpRejected naming the field."""
    name = spec.name
    if value is None:
        if spec.required:
            raise OpRejected("missing_field", f"Feltet '{name}' skal udfyldes.", name)
        return None
    kind = spec.kind
    if kind == Kind.TEXT:
        if not isinstance(value, str):
            raise OpRejected("invalid_value", f"'{name}' skal være tekst.", name)
        value = value.strip()
        if not value and spec.required:
            raise OpRejected("missing_field", f"Feltet '{name}' skal udfyldes.", name)
        limit = spec.max_length or MAX_TEXT
        if len(value) > limit:
            raise OpRejected("invalid_value", f"'{name}' må højst være {limit} tegn.", name)
        if spec.pattern and value and not re.fullmatch(spec.pattern, value):
            raise OpRejected("invalid_value", f"'{name}' har ikke det rigtige format.", name)
        return value
    if kind == Kind.CODE:
        if not isinstance(value, str) or value not in spec.choices:
            raise OpRejected("invalid_value", f"'{name}' skal være en af: {', '.join(sorted(spec.choices))}.", name)
        return value
    if kind == Kind.CODES:
        if (
            not isinstance(value, list)
            or not all(isinstance(item, str) for item in value)
            or len(set(value)) != len(value)
            or not set(value) <= spec.choices
        ):
            raise OpRejected("invalid_value", f"'{name}' skal være en liste af forskellige koder fra: {', '.join(sorted(spec.choices))}.", name)
        return sorted(value)
    if kind == Kind.INT:
        if not isinstance(value, int) or isinstance(value, bool):
            raise OpRejected("invalid_value", f"'{name}' skal være et helt tal.", name)
        if (spec.ge is not None and value < spec.ge) or (spec.le is not None and value > spec.le):
            raise OpRejected("invalid_value", f"'{name}' skal ligge mellem {spec.ge} og {spec.le}.", name)
        return value
    if kind == Kind.BOOL:
        if not isinstance(value, bool):
            raise OpRejected("invalid_value", f"'{name}' skal være true eller false.", name)
        return value
    if kind == Kind.DATE:
        return _date(value, name)
    if kind == Kind.DATETIME:
        if not isinstance(value, str):
            raise OpRejected("invalid_value", f"'{name}' skal være et tidspunkt (ISO 8601).", name)
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise OpRejected("invalid_value", f"'{name}' skal være et tidspunkt som 2026-11-23T14:05:00+01:00.", name) from None
        if parsed.tzinfo is None:
            raise OpRejected("invalid_value", f"'{name}' skal have en tidszone (fx +01:00 eller Z).", name)
        return value
    if kind == Kind.REF:
        try:
            return _uuid({name: value}, name)
        except OpRejected:
            raise OpRejected("invalid_value", f"'{name}' skal være et UUID.", name) from None
    if kind == Kind.PHASE_EVENT:
        phase = value.get("phase") if isinstance(value, dict) else None
        if set(value if isinstance(value, dict) else ()) != {"phase", "date"} or not isinstance(phase, str) or phase not in codes(PHASES):
            raise OpRejected("invalid_value", f"'{name}' skal være {{\"phase\": fase-kode, \"date\": dato}}.", name)
        return {"phase": value["phase"], "date": _date(value["date"], f"{name}.date")}
    if kind == Kind.CONSENT_EVENT:
        return _consent_event(value, name)
    if kind == Kind.ANSWERS:
        if not isinstance(value, dict):
            raise OpRejected("invalid_value", f"'{name}' skal være et objekt med svar.", name)
        return value
    raise AssertionError(f"unhandled kind {kind}")


def _consent_event(value: Any, name: str) -> dict:
    required = {"action", "form", "given_by", "date"}
    if not isinstance(value, dict) or not required <= set(value) or set(value) - required - {"note"}:
        raise OpRejected("invalid_value", f"'{name}' skal have action, form, given_by og date.", name)
    for key, options in (("action", CONSENT_ACTIONS), ("form", CONSENT_FORMS), ("given_by", CONSENT_GIVEN_BY)):
        if not isinstance(value[key], str) or value[key] not in codes(options):
            raise OpRejected("invalid_value", f"'{name}.{key}' skal være en af: {', '.join(sorted(codes(options)))}.", f"{name}.{key}")
    note = value.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > 500):
        raise OpRejected("invalid_value", f"'{name}.note' må højst være 500 tegn.", f"{name}.note")
    return {**value, "date": _date(value["date"], f"{name}.date")}


DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(value: Any, name: str) -> str:
    if not isinstance(value, str) or not DATE_SHAPE.fullmatch(value):
        raise OpRejected("invalid_value", f"'{name}' skal være en dato som 2026-11-23.", name)
    try:
        date.fromisoformat(value)
    except ValueError:
        raise OpRejected("invalid_value", f"'{name}' skal være en gyldig dato som 2026-11-23.", name) from None
    return value


def _uuid(raw: dict, name: str) -> str:
    value = raw.get(name)
    try:
        return str(uuid.UUID(value)) if isinstance(value, str) and len(value) == 36 else _bad_uuid(name)
    except ValueError:
        return _bad_uuid(name)


def _bad_uuid(name: str) -> str:
    raise OpRejected("op_malformed", f"'{name}' skal være et UUID som 0b6a1d1e-2f1c-4a51-9f6e-2f9d3c1b7a10.", name)


def _text(raw: dict, name: str, limit: int) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise OpRejected("op_malformed", f"'{name}' skal være tekst på 1–{limit} tegn.", name)
    return value


def _clock(raw: dict, now_ms: int, max_drift_ms: int) -> hlc_mod.HLC:
    try:
        clock = hlc_mod.parse(raw.get("hlc"))  # type: ignore[arg-type]
    except hlc_mod.HLCError as error:
        raise OpRejected("op_malformed", f"'hlc' er ugyldigt: {error}.", "hlc") from None
    ahead = hlc_mod.ahead_by(clock, now_ms)
    if ahead > max_drift_ms:
        raise OpRejected(
            "clock_ahead",
            f"Ændringens tidsstempel ligger {ahead // 1000} sekunder foran serverens ur (højst {max_drift_ms // 1000} tilladt). Ret telefonens ur.",
            "hlc",
        )
    return clock
