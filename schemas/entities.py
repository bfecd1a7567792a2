"""The registry of synced entities: which tables hold them and which fields they have."""
from __future__ import annotations

from dataclasses import dataclass

from schemas.fields import FieldSpec, Merge, field_specs
from schemas.records import Citizen, CitizenIdentity, Consent, Contact, Course, FormResponse, Lead

# Operation kinds a client may send.
CREATE, SET, AMEND, VOID, ARCHIVE, UNARCHIVE = "create", "set", "amend", "void", "archive", "unarchive"
OP_KINDS = frozenset({CREATE, SET, AMEND, VOID, ARCHIVE, UNARCHIVE})


@dataclass(frozen=True)
class EntitySpec:
    name: str
    tables: tuple[type, ...]
    fields: dict[str, FieldSpec]
    append_only: bool  # contacts and form responses: amend/void, never set

    @property
    def op_kinds(self) -> frozenset[str]:
        if self.append_only:
            return frozenset({CREATE, AMEND, VOID})
        kinds = {CREATE, SET}
        if "archived" in self.fields:
            kinds |= {ARCHIVE, UNARCHIVE}
        return frozenset(kinds)

    @property
    def belongs_to_citizen(self) -> bool:
        return self.name != "lead" and self.name != "citizen"

    def writable(self, field: str) -> FieldSpec | None:
        """The spec of a field a `set`/`amend` op may write, else None."""
        spec = self.fields.get(field)
        if spec is None or spec.merge in (Merge.IMMUTABLE, Merge.ARCHIVE) or spec.server_set:
            return None
        return spec


def _entity(name: str, *tables: type, append_only: bool = False) -> EntitySpec:
    fields: dict[str, FieldSpec] = {}
    for table in tables:
        fields.update(field_specs(table))
    return EntitySpec(name=name, tables=tables, fields=fields, append_only=append_only)


ENTITIES: dict[str, EntitySpec] = {
    spec.name: spec
    for spec in (
        _entity("citizen", Citizen, CitizenIdentity),
        _entity("course", Course),
        _entity("contact", Contact, append_only=True),
        _entity("consent", Consent),
        _entity("lead", Lead),
        _entity("form_response", FormResponse, append_only=True),
    )
}
