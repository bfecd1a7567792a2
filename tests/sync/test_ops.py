"""`sync.ops.parse`: valid ops of every entity and kind pass; every bad op is an `OpRejected`
with a stable code and a `field` that names the problem. Content hashes are canonical."""
from __future__ import annotations

import dataclasses
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.hlc import hlc_text
from sync_factories import (
    DRIFT_MS,
    NOW_MS,
    any_raw_op,
    creatable,
    initial_value,
    normalised,
    op_kinds_pairs,
    raw_ops,
    uid,
    writable,
)

from schemas.entities import AMEND, ARCHIVE, CREATE, ENTITIES, OP_KINDS, SET, UNARCHIVE, VOID
from schemas.enums import Choice
from schemas.fields import FieldSpec, Kind, Merge
from schemas.forms import FORM_VERSIONS, applies
from schemas.problems import PROBLEMS
from sync import ops
from sync.ops import MAX_SEEN, Op, OpRejected, consent_record_id


def parse(raw):
    return ops.parse(raw, now_ms=NOW_MS, max_drift_ms=DRIFT_MS)


def rejected(raw) -> OpRejected:
    with pytest.raises(OpRejected) as info:
        parse(raw)
    assert info.value.code in PROBLEMS, f"code {info.value.code!r} is not in schemas.problems"
    assert info.value.message  # a sentence for the person, never empty
    return info.value


def base(entity: str = "citizen", kind: str = SET, **kw) -> dict:
    """A valid raw op to spoil one key at a time."""
    spec = ENTITIES[entity]
    raw = {
        "op_id": uid("op", entity, kind),
        "device_id": "dev-a",
        "hlc": hlc_text(NOW_MS - 1000, 0, "dev-a"),
        "entity": entity,
        "record_id": uid("rec", entity),
        "kind": kind,
        "field": None,
        "value": None,
        "seen": [],
    }
    if kind == CREATE:
        raw["value"] = initial_value(spec)
        if entity == "consent":
            v = raw["value"]
            v["recipient_org_id"] = uid("org")
            raw["record_id"] = consent_record_id(v["citizen_id"], v["purpose"], v["recipient_org_id"])
    elif kind in (SET, AMEND):
        field = writable(spec)[0]
        raw["field"], raw["value"] = field.name, initial_value(spec).get(field.name)
    raw.update(kw)
    parse(raw) if not kw else None  # the unspoilt base must itself be valid
    return raw


# ----------------------------------------------------------------------------- valid ops
@pytest.mark.parametrize("entity, kind", op_kinds_pairs())
@given(data=st.data())
def test_valid_ops_of_every_entity_and_kind_pass(entity, kind, data):
    raw = data.draw(raw_ops(entity, kind))
    op = parse(raw)
    assert isinstance(op, Op)
    assert (op.op_id, op.device_id, op.hlc, op.entity, op.record_id, op.kind) == (
        raw["op_id"], raw["device_id"], raw["hlc"], entity, raw["record_id"], kind,
    )
    assert op.seen == frozenset(raw["seen"])
    assert op.user_id is None  # never taken from the client
    spec = ENTITIES[entity]
    if kind in (SET, AMEND):
        assert op.field == raw["field"]
        assert op.value == normalised(spec.fields[op.field], raw["value"])
    elif kind == CREATE:
        assert op.field is None
        expected = {k: normalised(spec.fields[k], v) for k, v in raw["value"].items() if v is not None}
        assert op.value == expected
    elif kind in (ARCHIVE, UNARCHIVE):
        assert (op.field, op.value) == (None, None)
    # The canonical body is a fixed point: re-parsing what we store gives the same op and hash.
    again = parse(op.client_body())
    assert again == op
    assert again.content_hash() == op.content_hash()


def test_every_entity_and_kind_is_covered():
    pairs = set(op_kinds_pairs())
    assert {e for e, _ in pairs} == set(ENTITIES)
    assert {k for _, k in pairs} == set(OP_KINDS)


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_create_with_only_the_required_fields_passes(entity):
    spec = ENTITIES[entity]
    full = base(entity, CREATE)
    value = {s.name: full["value"][s.name] for s in creatable(spec) if s.required}
    raw = {**full, "value": value}
    assert parse(raw).value == value


def test_values_are_normalised():
    op = parse(base("citizen", SET, field="name", value="  Jens Hansen  "))
    assert op.value == "Jens Hansen"
    op = parse(base("lead", SET, field="concerns", value=["other", "drug_use"]))
    assert op.value == ["drug_use", "other"]
    op = parse(base("citizen", SET, op_id=uid("x").upper(), field="name", value="x"))
    assert op.op_id == uid("x")


@pytest.mark.parametrize("entity", sorted(e for e, s in ENTITIES.items() if SET in s.op_kinds))
def test_set_to_null_clears_an_optional_field_but_not_a_required_one(entity):
    spec = ENTITIES[entity]
    for field in writable(spec):
        raw = base(entity, SET, field=field.name, value=None)
        if field.required:
            problem = rejected(raw)
            assert (problem.code, problem.field) == ("missing_field", field.name)
        else:
            assert parse(raw).value is None


# ----------------------------------------------------------------------------- malformed
@pytest.mark.parametrize("raw", [None, [], "op", 7, 1.5, True, [("op_id", "x")]])
def test_an_op_that_is_not_an_object_is_malformed(raw):
    problem = rejected(raw)
    assert problem.code == "op_malformed"


@pytest.mark.parametrize("key", ["op_id", "record_id", "device_id", "hlc"])
def test_a_missing_key_is_malformed_and_named(key):
    raw = base()
    del raw[key]
    problem = rejected(raw)
    assert (problem.code, problem.field) == ("op_malformed", key)


@pytest.mark.parametrize("key", ["op_id", "record_id"])
@pytest.mark.parametrize(
    "bad",
    [
        "not-a-uuid",
        "",
        123,
        None,
        uuid.UUID(int=5).hex,  # 32 hex digits, no hyphens
        "{" + str(uuid.UUID(int=5)) + "}",
        "urn:uuid:" + str(uuid.UUID(int=5)),
        "0b6a1d1e-2f1c-4a51-9f6e-2f9d3c1b7a1g",  # 'g'
        ["0b6a1d1e-2f1c-4a51-9f6e-2f9d3c1b7a10"],
    ],
)
def test_a_bad_uuid_is_malformed_and_named(key, bad):
    problem = rejected(base(**{key: bad}))
    assert (problem.code, problem.field) == ("op_malformed", key)


@pytest.mark.parametrize("bad", ["", 5, None, "d" * 65])
def test_a_bad_device_id_is_malformed(bad):
    problem = rejected(base(device_id=bad))
    assert (problem.code, problem.field) == ("op_malformed", "device_id")


@pytest.mark.parametrize("key", ["user_id", "seq", "Op_id", "created_by", ""])
def test_an_unknown_key_is_malformed_and_named(key):
    """`user_id` in particular: the server sets it from the session, a client may not."""
    problem = rejected({**base(), key: "x"})
    assert (problem.code, problem.field) == ("op_malformed", key or None)


@pytest.mark.parametrize("bad", ["not-a-clock", 1795000000000, None, "1795000000000:00000:", "179500000000:00000:n"])
def test_a_bad_hlc_is_malformed(bad):
    problem = rejected(base(hlc=bad))
    assert (problem.code, problem.field) == ("op_malformed", "hlc")


def test_an_hlc_with_non_ascii_digits_is_malformed_not_a_crash():
    problem = rejected(base(hlc="000000000000\u00b2:00000:dev-a"))
    assert (problem.code, problem.field) == ("op_malformed", "hlc")


@pytest.mark.parametrize("bad", ["abc", [1], [None], ["x" * 65], [str(i) for i in range(MAX_SEEN + 1)], 5, True])
def test_bad_seen_is_malformed(bad):
    problem = rejected(base(seen=bad))
    assert (problem.code, problem.field) == ("op_malformed", "seen")


def test_seen_at_the_limit_passes():
    assert len(parse(base(seen=[uid(i) for i in range(MAX_SEEN)])).seen) == MAX_SEEN


@pytest.mark.parametrize("bad", [0, "", {}, False])
def test_falsy_non_list_seen_is_malformed(bad):
    problem = rejected(base(seen=bad))
    assert (problem.code, problem.field) == ("op_malformed", "seen")


# ----------------------------------------------------------------------------- entity, kind, field
@pytest.mark.parametrize("bad", ["person", "", None, "Citizen", "records", 5])
def test_an_unknown_entity_is_rejected(bad):
    problem = rejected({**base(), "entity": bad})
    assert (problem.code, problem.field) == ("unknown_entity", "entity")


@pytest.mark.parametrize("key, bad", [("entity", ["citizen"]), ("entity", {"x": 1}), ("kind", ["set"]), ("kind", {})])
def test_unhashable_entity_or_kind_is_rejected_not_a_crash(key, bad):
    problem = rejected({**base(), key: bad})
    assert problem.field == key


def _not_allowed_pairs():
    for entity, spec in ENTITIES.items():
        for kind in sorted(OP_KINDS - spec.op_kinds) + ["delete", "", None]:
            yield entity, kind


@pytest.mark.parametrize("entity, kind", list(_not_allowed_pairs()))
def test_an_op_kind_not_allowed_for_the_entity_is_rejected(entity, kind):
    raw = base(entity, CREATE)
    raw = {**raw, "kind": kind, "field": writable(ENTITIES[entity])[0].name}
    problem = rejected(raw)
    assert (problem.code, problem.field) == ("op_not_allowed", "kind")


def test_the_named_examples_are_not_allowed():
    assert rejected(base("contact", CREATE) | {"kind": SET, "field": "note", "value": "x"}).code == "op_not_allowed"
    assert rejected(base("form_response", CREATE) | {"kind": SET, "field": "round", "value": 1}).code == "op_not_allowed"
    assert rejected(base("citizen", CREATE) | {"kind": AMEND, "field": "name", "value": "x"}).code == "op_not_allowed"
    assert rejected(base("consent", CREATE) | {"kind": ARCHIVE}).code == "op_not_allowed"
    assert rejected(base("contact", CREATE) | {"kind": ARCHIVE}).code == "op_not_allowed"


def _unwritable_fields():
    for entity, spec in ENTITIES.items():
        kind = AMEND if spec.append_only else SET
        names = [s.name for s in spec.fields.values() if spec.writable(s.name) is None]
        for name in names + ["no_such_field", "", None, 5, "user_id"]:
            yield entity, kind, name


@pytest.mark.parametrize("entity, kind, name", list(_unwritable_fields()))
def test_set_or_amend_of_an_unknown_or_unwritable_field_is_rejected(entity, kind, name):
    """Unknown names, immutable fields (set by the create) and `archived` (archive ops only)."""
    problem = rejected(base(entity, kind, field=name, value="x"))
    assert (problem.code, problem.field) == ("unknown_field", "field")


def test_immutable_and_archive_fields_are_the_unwritable_ones():
    for spec in ENTITIES.values():
        for f in spec.fields.values():
            expected = f.merge not in (Merge.IMMUTABLE, Merge.ARCHIVE)
            assert (spec.writable(f.name) is not None) == expected


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_create_with_an_unknown_or_archive_field_is_rejected_naming_it(entity):
    spec = ENTITIES[entity]
    raw = base(entity, CREATE)
    problem = rejected({**raw, "value": {**raw["value"], "no_such_field": 1}})
    assert (problem.code, problem.field) == ("unknown_field", "no_such_field")
    if "archived" in spec.fields:
        problem = rejected({**raw, "value": {**raw["value"], "archived": True}})
        assert (problem.code, problem.field) == ("unknown_field", "archived")


def _required_fields():
    for entity, spec in ENTITIES.items():
        for f in creatable(spec):
            if f.required:
                yield entity, f.name


@pytest.mark.parametrize("entity, name", list(_required_fields()))
def test_create_without_a_required_field_is_rejected_naming_it(entity, name):
    raw = base(entity, CREATE)
    for missing in ("absent", None):
        value = {k: v for k, v in raw["value"].items() if k != name}
        if missing is None:
            value[name] = None
        problem = rejected({**raw, "value": value})
        assert (problem.code, problem.field) == ("missing_field", name)


@pytest.mark.parametrize("bad", [None, "x", [], 5])
def test_create_value_must_be_an_object(bad):
    problem = rejected(base("citizen", CREATE) | {"value": bad})
    assert (problem.code, problem.field) == ("op_malformed", "value")


@pytest.mark.parametrize("name, bad", [("code", ""), ("initials", "   ")])
def test_a_required_text_field_cannot_be_blank(name, bad):
    raw = base("citizen", CREATE)
    problem = rejected({**raw, "value": {**raw["value"], name: bad}})
    assert problem.field == name


# ----------------------------------------------------------------------------- wrong values per kind
WRONG: dict[Kind, list] = {
    Kind.TEXT: [5, ["a"], {"a": 1}, True],
    Kind.CODE: ["no_such_code", 5, "", True],
    Kind.CODES: ["not-a-list", ["no_such_code"], 5],
    Kind.INT: ["5", 1.5, True, -(10**12), 10**12],
    Kind.BOOL: ["true", 1, 0, "yes"],
    Kind.DATE: ["23-11-2026", "2026-02-30", "2026-1-5", 20261123, "20261123", "2026-11-23T10:00:00"],
    Kind.DATETIME: ["2026-11-23T14:05:00", "yesterday", 5, "2026-13-01T00:00:00Z"],
    Kind.REF: ["not-a-uuid", 5, "12"],
    Kind.PHASE_EVENT: [{"phase": "phase_9", "date": "2026-01-01"}, {"phase": "phase_1"}, "phase_1",
                       {"phase": "phase_1", "date": "2026-01-01", "x": 1}],
    Kind.CONSENT_EVENT: [{"action": "grant"}, "grant",
                         {"action": "grant", "form": "oral", "given_by": "citizen", "date": "2026-01-01", "x": 1}],
    Kind.ANSWERS: ["x", ["a"], 5],
    Kind.ATTENDEES: [[], "x", [{"org_id": "not-a-uuid", "role": "behandler"}], [{"role": "behandler"}],
                     [{"org_id": "0b6a1d1e-2f1c-4a51-9f6e-2f9d3c1b7a10", "role": "behandler", "x": 1}],
                     [{"org_id": "0b6a1d1e-2f1c-4a51-9f6e-2f9d3c1b7a10", "role": "behandler"}] * 2],
}
# Wrong values whose problem is in a named sub-key.
WRONG_SUBKEY: dict[Kind, list[tuple[dict, str]]] = {
    Kind.PHASE_EVENT: [({"phase": "phase_1", "date": "2026-02-30"}, "date")],
    Kind.CONSENT_EVENT: [
        ({"action": "maybe", "form": "oral", "given_by": "citizen", "date": "2026-01-01"}, "action"),
        ({"action": "grant", "form": "email", "given_by": "citizen", "date": "2026-01-01"}, "form"),
        ({"action": "grant", "form": "oral", "given_by": "mother", "date": "2026-01-01"}, "given_by"),
        ({"action": "grant", "form": "oral", "given_by": "citizen", "date": "01-01-2026"}, "date"),
        ({"action": "grant", "form": "oral", "given_by": "citizen", "date": "2026-01-01", "note": "n" * 501}, "note"),
        ({"action": "grant", "form": "oral", "given_by": "citizen", "date": "2026-01-01", "note": 5}, "note"),
    ],
}


def test_every_kind_has_wrong_values():
    assert set(WRONG) == set(Kind)


def _wrong_cases():
    for entity, spec in ENTITIES.items():
        kind = AMEND if spec.append_only else SET
        for f in writable(spec):
            for bad in WRONG[f.kind]:
                yield pytest.param(entity, kind, f.name, bad, id=f"{entity}.{f.name}={bad!r}"[:80])
            if f.max_length:
                yield pytest.param(entity, kind, f.name, "x" * (f.max_length + 1), id=f"{entity}.{f.name}=too-long")
            if f.pattern:
                yield pytest.param(entity, kind, f.name, "?!?!?!?!", id=f"{entity}.{f.name}=pattern")
            if f.ge is not None:
                yield pytest.param(entity, kind, f.name, f.ge - 1, id=f"{entity}.{f.name}=below")
            if f.le is not None:
                yield pytest.param(entity, kind, f.name, f.le + 1, id=f"{entity}.{f.name}=above")


@pytest.mark.parametrize("entity, kind, name, bad", list(_wrong_cases()))
def test_a_value_of_the_wrong_type_is_rejected_naming_the_field(entity, kind, name, bad):
    problem = rejected(base(entity, kind, field=name, value=bad))
    assert (problem.code, problem.field) == ("invalid_value", name)


def test_a_bad_reference_is_rejected_naming_the_field():
    """Whatever the code, a bad reference never passes and names its field."""
    for entity, spec in ENTITIES.items():
        for f in writable(spec):
            if f.kind == Kind.REF:
                problem = rejected(base(entity, SET, field=f.name, value="not-a-uuid"))
                assert problem.field == f.name


def _spec(kind: Kind) -> FieldSpec:
    options = (Choice("a", "A"), Choice("b", "B")) if kind in (Kind.CODE, Kind.CODES) else ()
    return FieldSpec(name="f", merge=Merge.LWW, kind=kind, options=options, ge=0, le=10)


@pytest.mark.parametrize("kind", [k for k in Kind if k != Kind.REF])
def test_check_value_rejects_wrong_values_for_every_kind(kind):
    """Also the kinds no writable field uses today (e.g. BOOL)."""
    for bad in WRONG[kind]:
        if kind == Kind.CODE and bad in ("a", "b"):
            continue
        with pytest.raises(OpRejected) as info:
            ops.check_value(_spec(kind), bad)
        assert info.value.code == "invalid_value"
        assert info.value.field == "f" or info.value.field.startswith("f.")


@pytest.mark.parametrize("kind", list(WRONG_SUBKEY))
def test_a_wrong_sub_value_is_named_by_its_path(kind):
    entity, name = next(
        (e, f.name) for e, s in ENTITIES.items() for f in writable(s) if f.kind == kind
    )
    for bad, sub in WRONG_SUBKEY[kind]:
        problem = rejected(base(entity, SET, field=name, value=bad))
        assert (problem.code, problem.field) == ("invalid_value", f"{name}.{sub}")


@pytest.mark.parametrize(
    "entity, name, bad",
    [
        ("citizen", "sex", ["male"]),
        ("citizen", "sex", {"code": "male"}),
        ("lead", "concerns", [["drug_use"]]),
        ("course", "phase", {"phase": ["phase_1"], "date": "2026-01-01"}),
        ("consent", "state", {"action": ["grant"], "form": "oral", "given_by": "citizen", "date": "2026-01-01"}),
    ],
)
def test_an_unhashable_value_is_rejected_not_a_crash(entity, name, bad):
    problem = rejected(base(entity, SET, field=name, value=bad))
    assert problem.code == "invalid_value"
    assert problem.field.split(".")[0] == name


def test_a_week_date_is_not_a_date():
    problem = rejected(base("course", SET, field="plan_date", value="2026-W47-1"))
    assert (problem.code, problem.field) == ("invalid_value", "plan_date")


@pytest.mark.parametrize("bad", ["reason", {"reason": "x", "by": "me"}, ["x"]])
def test_a_void_with_anything_but_a_reason_is_rejected(bad):
    for entity in ("contact", "form_response"):
        problem = rejected(base(entity, VOID, value=bad))
        assert (problem.code, problem.field) == ("invalid_value", "value")


def test_archive_ops_drop_field_and_value():
    op = parse(base("citizen", ARCHIVE, field="name", value="x"))
    assert (op.field, op.value) == (None, None)


# ----------------------------------------------------------------------------- clocks
def test_an_hlc_too_far_ahead_is_rejected_as_clock_ahead():
    problem = rejected(base(hlc=hlc_text(NOW_MS + DRIFT_MS + 1)))
    assert (problem.code, problem.field) == ("clock_ahead", "hlc")
    assert PROBLEMS["clock_ahead"].retry


@given(st.integers(1, 10**11))
def test_any_clock_beyond_the_drift_is_rejected(beyond):
    problem = rejected(base(hlc=hlc_text(NOW_MS + DRIFT_MS + beyond)))
    assert problem.code == "clock_ahead"


def test_an_hlc_at_the_drift_bound_or_in_the_past_passes():
    assert parse(base(hlc=hlc_text(NOW_MS + DRIFT_MS))).clock.wall == NOW_MS + DRIFT_MS
    assert parse(base(hlc=hlc_text(NOW_MS - 10**11))).clock.wall == NOW_MS - 10**11


@pytest.mark.parametrize("wall", [0, 1, 1_577_836_799_999])
def test_a_wall_time_before_2020_is_a_broken_clock(wall):
    """A wall time of 0 was accepted (it would sort before every other write)."""
    problem = rejected(base(hlc=hlc_text(wall)))
    assert (problem.code, problem.reason, problem.field) == ("op_malformed", "hlc_too_old", "hlc")


def test_the_hlc_names_the_device_that_made_the_op():
    """Ties between writers break by the clock's node: it must be the op's device."""
    problem = rejected(base(hlc=hlc_text(NOW_MS - 1000, 0, "dev-b")))
    assert (problem.code, problem.reason, problem.field) == ("op_malformed", "hlc_node", "hlc")


# ----------------------------------------------------------------------------- consent record id
def test_a_consent_with_a_record_id_not_derived_from_its_key_is_rejected():
    raw = base("consent", CREATE)
    v = raw["value"]
    for wrong in (
        uid("random"),
        consent_record_id(v["recipient_org_id"], v["purpose"], v["citizen_id"]),  # parts swapped
        consent_record_id(v["citizen_id"], "participation" if v["purpose"] != "participation" else "follow_up",
                          v["recipient_org_id"]),
    ):
        problem = rejected({**raw, "record_id": wrong})
        assert (problem.code, problem.field) == ("wrong_record_id", "record_id")


def test_the_consent_record_id_is_a_pure_function_of_citizen_purpose_recipient():
    a = consent_record_id(uid("c"), "share_with_partner", uid("o"))
    assert a == consent_record_id(uid("c"), "share_with_partner", uid("o"))
    assert a != consent_record_id(uid("c"), "status_to_referrer", uid("o"))
    assert str(uuid.UUID(a)) == a


def test_a_consent_record_id_in_upper_case_is_normalised_and_accepted():
    raw = base("consent", CREATE)
    op = parse({**raw, "record_id": raw["record_id"].upper()})
    assert op.record_id == raw["record_id"]


# ----------------------------------------------------------------------------- form answers
def _form_raw(form: str, answers: dict, version: int | None = None) -> dict:
    raw = base("form_response", CREATE)
    value = {**raw["value"], "form": form, "answers": answers}
    value.pop("version", None)
    if version is not None:
        value["version"] = version
    return {**raw, "value": value}


def _minimal(form) -> dict:
    """The required answers of the questions that apply (in order, the first option each)."""
    answers: dict = {}
    for q in form.questions:
        if q.required and applies(q, answers):
            answers[q.key] = q.options[0].code if q.kind == Kind.CODE else [q.options[0].code] if q.kind == Kind.CODES else q.min
    return answers


@pytest.mark.parametrize("form_key", sorted(FORM_VERSIONS), ids=lambda key: f"{key[0]}-v{key[1]}")
def test_invalid_form_answers_are_rejected_naming_the_question(form_key):
    form = FORM_VERSIONS[form_key]
    required = _minimal(form)
    assert parse(_form_raw(form.code, required, form.version)).value["answers"] == required
    cases = [({**required, "no_such_question": 1}, "no_such_question")]
    for q in form.questions:
        if not applies(q, required):
            continue
        if q.required:
            cases.append(({k: v for k, v in required.items() if k != q.key}, q.key))
            cases.append(({**required, q.key: ""}, q.key))
        if q.kind == Kind.CODE:
            cases.append(({**required, q.key: "no_such_option"}, q.key))
        elif q.kind == Kind.CODES:
            first = q.options[0].code
            cases += [({**required, q.key: [first, first]}, q.key), ({**required, q.key: ["nope"]}, q.key),
                      ({**required, q.key: first}, q.key)]
        elif q.kind == Kind.INT:
            cases += [({**required, q.key: q.max + 1}, q.key), ({**required, q.key: q.min - 1}, q.key),
                      ({**required, q.key: True}, q.key), ({**required, q.key: "3"}, q.key)]
    for answers, key in cases:
        problem = rejected(_form_raw(form.code, answers, form.version))
        assert (problem.code, problem.field) == ("invalid_value", f"answers.{key}"), answers


def test_an_unknown_form_is_rejected_as_a_bad_code():
    problem = rejected(_form_raw("no_such_form", {}))
    assert (problem.code, problem.field) == ("invalid_value", "form")


def test_an_unhashable_choice_answer_is_rejected_not_a_crash():
    problem = rejected(_form_raw("kontakt_start", {"first_seen_place": ["own_home"]}))
    assert (problem.code, problem.field) == ("invalid_value", "answers.first_seen_place")


# ----------------------------------------------------------------------------- content hash
@given(any_raw_op(), st.randoms(use_true_random=False))
def test_the_content_hash_is_stable_under_key_order(raw, rnd):
    op = parse(raw)

    def shuffled(d):
        if not isinstance(d, dict):
            return d
        items = list(d.items())
        rnd.shuffle(items)
        return {k: shuffled(v) for k, v in items}

    other = shuffled(raw)
    other["seen"] = rnd.sample(raw["seen"], len(raw["seen"]))
    assert parse(other).content_hash() == op.content_hash()
    # user_id is set by the server and is no part of what the client sent
    assert dataclasses.replace(op, user_id="someone").content_hash() == op.content_hash()


@given(any_raw_op(), any_raw_op())
def test_different_content_gives_a_different_hash(a, b):
    x, y = parse(a), parse(b)
    assert (x.content_hash() == y.content_hash()) == (x.client_body() == y.client_body())


@pytest.mark.parametrize(
    "change",
    [
        {"device_id": "dev-b", "hlc": hlc_text(NOW_MS - 1000, 0, "dev-b")},
        {"hlc": hlc_text(NOW_MS - 999, 0, "dev-a")},
        {"value": "Bb"},
        {"seen": [uid("s")]},
        {"record_id": uid("other")},
        {"op_id": uid("other-op")},
    ],
)
def test_any_change_of_content_changes_the_hash(change):
    raw = base("citizen", SET, field="name", value="Aa")
    assert parse({**raw, **change}).content_hash() != parse(raw).content_hash()


def test_the_hash_is_sha256_hex():
    h = parse(base()).content_hash()
    assert len(h) == 64 and int(h, 16) >= 0


def test_seen_ids_are_normalised_like_op_ids():
    first = parse(base(op_id=uid("first").upper()))
    second = parse(base(op_id=uid("second"), seen=[uid("first").upper()]))
    assert first.op_id in second.seen


def test_an_op_that_has_seen_itself_is_malformed():
    raw = base()
    problem = rejected({**raw, "seen": [raw["op_id"]]})
    assert (problem.code, problem.field) == ("op_malformed", "seen")


@pytest.mark.parametrize(
    "value",
    ["NUL\x00inside", "lone \ud800 surrogate", "x" * (70 * 1024)],
    ids=["nul", "surrogate", "oversized"],
)
def test_text_that_cannot_be_stored_is_malformed_not_a_crash(value):
    problem = rejected(base("citizen", SET, field="address_note", value=value))
    assert problem.code == "op_malformed"


def test_text_that_merely_spells_a_nul_escape_is_fine():
    op = parse(base("citizen", SET, field="address_note", value="skrev \\u0000 i feltet"))
    assert op.value == "skrev \\u0000 i feltet"
