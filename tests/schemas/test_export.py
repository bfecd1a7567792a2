"""The phone app's copy of the domain (pwa/src/gen/schema.js) is generated from schemas/."""
from __future__ import annotations

from schemas import export
from schemas.entities import ENTITIES


def test_the_generated_schema_is_current():
    """Fails when schemas/ changed after the last export: run `make pwa`."""
    assert export.TARGET.read_text(encoding="utf-8") == export.render(), "pwa/src/gen/schema.js is stale: run `make pwa`"


def test_every_entity_field_and_code_list_is_exported():
    document = export.document()
    for name, spec in ENTITIES.items():
        exported = document["entities"][name]
        assert list(exported["fields"]) == list(spec.fields)
        for field, field_spec in spec.fields.items():
            assert exported["fields"][field]["merge"] == field_spec.merge.value
            assert exported["fields"][field].get("options", []) == [[o.code, o.label] for o in field_spec.options]
    assert {"ROLES", "PHASES", "LEAD_STAGES", "ORGANISATION_KINDS", "FORMS"} <= set(document["lists"])
    assert all(str(form["latest"]) in form["versions"] for form in document["forms"].values())


def test_every_synced_field_has_a_danish_label():
    for spec in ENTITIES.values():
        for field in spec.fields.values():
            assert field.label, f"{spec.name}.{field.name} needs a label in synced(...)"


def test_the_protocol_docs_error_table_is_generated_from_the_catalogue():
    assert export.PROTOCOL_DOC.read_text(encoding="utf-8") == export.protocol_doc(), "docs/sync-protocol.md's error table is stale: run `make pwa`"
