"""Per-field sync semantics, declared next to each column with `synced(...)`.

A synced column carries its merge rule and value kind in the pydantic field's
`json_schema_extra`; `field_specs(table)` reads them back so that `sync/` can
validate and merge operations without a second, drifting list of fields.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlmodel import JSON, Field

from schemas.enums import Choice


class Merge(StrEnum):
    """How concurrent writes to one field combine (see docs/sync-protocol.md)."""

    IMMUTABLE = "immutable"  # set once by the create op; earliest create wins
    LWW = "lww"  # last writer wins by HLC, ties by device id; losers kept as "also edited"
    MULTI = "multi"  # multi-value register: concurrent values are a visible conflict
    CONSENT = "consent"  # events; a withdrawal stands unless a grant has seen it
    APPEND = "append"  # append-only entry: corrected by `amend`, never overwritten
    ARCHIVE = "archive"  # archive instead of delete; concurrent edits flag the record


class Kind(StrEnum):
    """The shape a field's value must have on the wire."""

    TEXT = "text"
    CODE = "code"  # one code of `choices`
    CODES = "codes"  # list of distinct codes of `choices`
    INT = "int"
    BOOL = "bool"
    DATE = "date"  # ISO 8601 date, YYYY-MM-DD
    DATETIME = "datetime"  # ISO 8601 with a UTC offset
    REF = "ref"  # UUID of another record or organisation
    PHASE_EVENT = "phase_event"  # {"phase": code, "date": date}
    CONSENT_EVENT = "consent_event"  # {"action", "form", "given_by", "date"}
    ANSWERS = "answers"  # form answers, checked against schemas.forms


@dataclass(frozen=True)
class FieldSpec:
    name: str
    merge: Merge
    kind: Kind
    choices: frozenset[str] = frozenset()
    identifying: bool = False
    required: bool = False  # must be present in the create op
    max_length: int | None = None
    ge: int | None = None
    le: int | None = None
    pattern: str | None = None
    server_set: bool = False  # filled by the server from the session, never by a client


JSON_KINDS = {Kind.CODES, Kind.PHASE_EVENT, Kind.CONSENT_EVENT, Kind.ANSWERS}


def synced(
    merge: Merge,
    kind: Kind,
    *,
    choices: tuple[Choice, ...] = (),
    identifying: bool = False,
    required: bool = False,
    max_length: int | None = None,
    ge: int | None = None,
    le: int | None = None,
    pattern: str | None = None,
    server_set: bool = False,
    index: bool = False,
) -> Any:
    """A nullable column whose value is the merge of its record's operations."""
    extra = {
        "merge": merge.value,
        "kind": kind.value,
        "choices": [c.code for c in choices],
        "identifying": identifying,
        "required": required,
        "max_length": max_length,
        "ge": ge,
        "le": le,
        "pattern": pattern,
        "server_set": server_set,
    }
    column: dict[str, Any] = {"default": None, "schema_extra": {"json_schema_extra": extra}}
    if kind in JSON_KINDS:
        column["sa_type"] = JSON
    if index:
        column["index"] = True
    return Field(**column)


def field_specs(table: type) -> dict[str, FieldSpec]:
    specs: dict[str, FieldSpec] = {}
    for name, info in table.model_fields.items():
        extra = info.json_schema_extra
        if not isinstance(extra, dict) or "merge" not in extra:
            continue
        specs[name] = FieldSpec(
            name=name,
            merge=Merge(extra["merge"]),
            kind=Kind(extra["kind"]),
            choices=frozenset(extra["choices"]),
            identifying=extra["identifying"],
            required=extra["required"],
            max_length=extra["max_length"],
            ge=extra["ge"],
            le=extra["le"],
            pattern=extra["pattern"],
            server_set=extra["server_set"],
        )
    return specs
