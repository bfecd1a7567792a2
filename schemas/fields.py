"""Per-field sync semantics, declared next to each column with `synced(...)`.

A synced column carries its merge rule, value kind, Danish label and limits in the
pydantic field's `json_schema_extra`; `field_specs(table)` reads them back so that
`sync/` can validate and merge operations, and `schemas.export` can hand the same facts
to the phone app, without a second, drifting list of fields.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
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
    CODE = "code"  # one code of `options`
    CODES = "codes"  # list of distinct codes of `options`
    INT = "int"
    BOOL = "bool"
    DATE = "date"  # ISO 8601 date, YYYY-MM-DD
    DATETIME = "datetime"  # ISO 8601 with a UTC offset
    REF = "ref"  # UUID of another record or organisation (`ref` says of what)
    PHASE_EVENT = "phase_event"  # {"phase": code, "date": date}
    CONSENT_EVENT = "consent_event"  # {"action", "form", "given_by", "date", "note"?}
    ANSWERS = "answers"  # form answers, checked against the response's form version
    ATTENDEES = "attendees"  # [{"org_id", "role", "consent_id"?}]: a meeting's organisations


class Ref(StrEnum):
    """What a REF field points at; the server checks it exists in the writer's municipality."""

    CITIZEN = "citizen"  # a citizen record
    TEAM = "team"  # an organisation of kind rusmiddelcenter
    ORGANISATION = "organisation"  # any organisation
    USER = "user"  # a user of the municipality (who claimed a lead)
    LEAD = "lead"  # a lead record (a contact attempt's lead)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    merge: Merge
    kind: Kind
    label: str = ""  # Danish, for forms and error messages
    options: tuple[Choice, ...] = ()
    identifying: bool = False
    # Only for the citizen's own team and the projektleder: never in a partner's view
    # (sync/scope.py refuses such a view), never shown in self-fill (children, safety, goals).
    confidential: bool = False
    required: bool = False  # must be present in the create op
    max_length: int | None = None
    ge: int | None = None
    le: int | None = None
    pattern: str | None = None
    pattern_hint: str | None = None  # the format in words, for the error message
    ref: Ref | None = None

    @cached_property  # on the hot path of every op; the spec is immutable
    def choices(self) -> frozenset[str]:
        return frozenset(option.code for option in self.options)

    @property
    def title(self) -> str:
        return self.label or self.name


JSON_KINDS = {Kind.CODES, Kind.PHASE_EVENT, Kind.CONSENT_EVENT, Kind.ANSWERS, Kind.ATTENDEES}


def synced(
    merge: Merge,
    kind: Kind,
    label: str,
    *,
    choices: tuple[Choice, ...] = (),
    identifying: bool = False,
    confidential: bool = False,
    required: bool = False,
    max_length: int | None = None,
    ge: int | None = None,
    le: int | None = None,
    pattern: str | None = None,
    pattern_hint: str | None = None,
    ref: Ref | None = None,
    index: bool = False,
) -> Any:
    """A nullable column whose value is the merge of its record's operations."""
    spec = FieldSpec(
        name="", merge=merge, kind=kind, label=label, options=choices, identifying=identifying, confidential=confidential, required=required,
        max_length=max_length, ge=ge, le=le, pattern=pattern, pattern_hint=pattern_hint, ref=ref,
    )
    column: dict[str, Any] = {"default": None, "schema_extra": {"json_schema_extra": {"synced": spec}}}
    if kind in JSON_KINDS:
        column["sa_type"] = JSON
    if index:
        column["index"] = True
    return Field(**column)


def field_specs(table: type) -> dict[str, FieldSpec]:
    """The synced fields of a table, in declaration order, named after their columns."""
    specs: dict[str, FieldSpec] = {}
    for name, info in table.model_fields.items():
        extra = info.json_schema_extra
        if isinstance(extra, dict) and isinstance(extra.get("synced"), FieldSpec):
            specs[name] = replace(extra["synced"], name=name)
    return specs
