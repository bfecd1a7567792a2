"""The lead pipeline as merged events (schemas/records.py `Lead`): two behandlere claiming a
lead offline are both kept, as a conflict; a closure concurrent with a link is a conflict on
the one resolution field (flagged), never one silently lost; whoever settles it has seen
both. The stage the volunteer reads follows from the merged state (sync.derive.lead_stage).

Checked once by hand: with `claimed_by` and `resolution` declared `Merge.LWW` instead of
`Merge.MULTI`, the concurrent tests below fail (one claim, one resolution silently wins).
"""
from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sync_factories import examples, uid

from schemas.entities import ARCHIVE, CREATE, SET
from schemas.fields import Merge
from schemas.entities import ENTITIES
from sync.derive import lead_stage
from sync.merge import record_state
from sync.ops import Op

LEAD = uid("pipeline-lead")
CREATE_VALUE = {"org_id": uid("partner"), "seen_on": "2026-03-02", "place_type": "vaerested", "age_band": "33_49"}
BO, BEA = uid("user-bo"), uid("user-bea")
CITIZEN_A, CITIZEN_B = uid("citizen-a"), uid("citizen-b")


def op(n: int, device: str, kind: str, field=None, value=None, seen=(), user=BO, wall=1_790_000_000_000) -> Op:
    hlc = f"{wall + n:013d}:00000:{device}"
    return Op(uid("op", n), device, hlc, "lead", LEAD, kind, field, value, frozenset(seen), user)


def created() -> Op:
    return op(0, "dev-volunteer", CREATE, value=CREATE_VALUE, user=uid("user-frida"))


def test_the_pipeline_fields_are_multi_value_registers():
    fields = ENTITIES["lead"].fields
    assert fields["claimed_by"].merge == Merge.MULTI
    assert fields["resolution"].merge == Merge.MULTI
    assert fields["citizen_id"].merge == Merge.MULTI


def test_two_behandlere_claiming_offline_are_a_conflict_and_both_are_kept():
    c = created()
    bo = op(1, "dev-bo", SET, "claimed_by", BO, seen=[c.op_id], user=BO)
    bea = op(2, "dev-bea", SET, "claimed_by", BEA, seen=[c.op_id], user=BEA)  # has not seen Bo's
    state = record_state("lead", [c, bo, bea])
    [conflict] = [x for x in state["conflicts"] if x["field"] == "claimed_by"]
    assert {value["value"] for value in conflict["values"]} == {BO, BEA}
    assert {value["user_id"] for value in conflict["values"]} == {BO, BEA}
    assert sorted(state["heads"]["claimed_by"]) == sorted([bo.op_id, bea.op_id])
    assert lead_stage(state) == "claimed"


def test_a_claim_that_saw_the_other_settles_the_conflict():
    c = created()
    bo = op(1, "dev-bo", SET, "claimed_by", BO, seen=[c.op_id], user=BO)
    bea = op(2, "dev-bea", SET, "claimed_by", BEA, seen=[c.op_id], user=BEA)
    settle = op(3, "dev-bea", SET, "claimed_by", BO, seen=[bo.op_id, bea.op_id], user=BEA)  # "Bo keeps it"
    state = record_state("lead", [c, bo, bea, settle])
    assert not [x for x in state["conflicts"] if x["field"] == "claimed_by"]
    assert state["fields"]["claimed_by"] == BO
    assert len(state["history"]["claimed_by"]) == 3  # nothing is lost


def test_a_claim_after_another_was_seen_is_a_handover_not_a_conflict():
    c = created()
    bo = op(1, "dev-bo", SET, "claimed_by", BO, seen=[c.op_id], user=BO)
    bea = op(2, "dev-bea", SET, "claimed_by", BEA, seen=[bo.op_id], user=BEA)
    state = record_state("lead", [c, bo, bea])
    assert state["conflicts"] == [] and state["fields"]["claimed_by"] == BEA


def test_the_same_behandler_claiming_on_two_phones_is_no_conflict():
    c = created()
    phone = op(1, "dev-bo", SET, "claimed_by", BO, seen=[c.op_id])
    tablet = op(2, "dev-bo-2", SET, "claimed_by", BO, seen=[c.op_id])
    assert record_state("lead", [c, phone, tablet])["conflicts"] == []


def _link_and_close(wall_close: int = 0):
    c = created()
    claim = op(1, "dev-bo", SET, "claimed_by", BO, seen=[c.op_id])
    link = [
        op(2, "dev-bo", SET, "citizen_id", CITIZEN_A, seen=[c.op_id]),
        op(3, "dev-bo", SET, "resolution", "link_new", seen=[c.op_id]),
    ]
    # Bea, offline since the claim, closes the lead: she has seen the claim, not the link.
    close = op(4 + wall_close, "dev-bea", SET, "resolution", "not_found", seen=[c.op_id], user=BEA)
    return [c, claim, *link, close]


def test_a_closure_concurrent_with_a_link_is_flagged_as_a_conflict():
    state = record_state("lead", _link_and_close())
    [conflict] = [x for x in state["conflicts"] if x["field"] == "resolution"]
    assert {value["value"] for value in conflict["values"]} == {"link_new", "not_found"}
    assert state["fields"]["citizen_id"] == CITIZEN_A  # the link is kept
    assert lead_stage(state) == "in_contact"  # a link among them counts until the team settles it


def test_a_closure_later_by_the_clock_still_does_not_win_silently():
    """LWW would let the closure (the later clock) erase the link; MULTI keeps both."""
    state = record_state("lead", _link_and_close(wall_close=10_000_000))
    assert {v["value"] for c in state["conflicts"] if c["field"] == "resolution" for v in c["values"]} == {"link_new", "not_found"}


def test_settling_the_resolution_with_both_seen_ends_the_conflict():
    ops = _link_and_close()
    heads = record_state("lead", ops)["heads"]["resolution"]
    settle = op(9, "dev-bo", SET, "resolution", "link_new", seen=heads)
    state = record_state("lead", [*ops, settle])
    assert not [x for x in state["conflicts"] if x["field"] == "resolution"]
    assert state["fields"]["resolution"] == "link_new" and lead_stage(state) == "in_contact"


def test_two_links_to_different_citizens_are_a_conflict():
    c = created()
    a = op(1, "dev-bo", SET, "citizen_id", CITIZEN_A, seen=[c.op_id])
    b = op(2, "dev-bea", SET, "citizen_id", CITIZEN_B, seen=[c.op_id], user=BEA)
    state = record_state("lead", [c, a, b])
    assert {v["value"] for x in state["conflicts"] if x["field"] == "citizen_id" for v in x["values"]} == {CITIZEN_A, CITIZEN_B}


def test_an_archive_concurrent_with_a_link_flags_the_lead():
    c = created()
    link = op(1, "dev-bo", SET, "resolution", "link_existing", seen=[c.op_id])
    archive = op(2, "dev-bea", ARCHIVE, seen=[c.op_id], user=BEA)
    state = record_state("lead", [c, link, archive])
    assert state["archived"] and state["flagged"] and lead_stage(state) == "closed"


@settings(max_examples=examples(60))
@given(st.permutations(range(5)), st.lists(st.sampled_from(["dev-bo", "dev-bea", "dev-x"]), min_size=2, max_size=4))
def test_concurrent_claims_are_a_conflict_in_any_order_and_on_any_phones(order, devices):
    """Every claim made without seeing the others stays visible, whatever order the ops
    arrive in; the stage is the same for every order."""
    c = created()
    users = [uid("user", i) for i in range(len(devices))]
    claims = [op(i + 1, f"{device}-{i}", SET, "claimed_by", users[i], seen=[c.op_id], user=users[i])
              for i, device in enumerate(devices)]
    ops = [c, *claims]
    arranged = [ops[i] for i in order if i < len(ops)] + ops[len(order):]
    state = record_state("lead", arranged)
    [conflict] = [x for x in state["conflicts"] if x["field"] == "claimed_by"]
    assert {value["value"] for value in conflict["values"]} == set(users)
    assert state == record_state("lead", list(reversed(arranged)))
    assert lead_stage(state) == "claimed"


@pytest.mark.parametrize("outcome, stage", [("new", "received"), ("searching", "claimed"), ("in_contact", "in_contact"),
                                            ("enrolled", "in_contact"), ("not_found", "closed"), ("not_relevant", "closed")])
def test_a_lead_from_before_the_pipeline_keeps_its_stage(outcome, stage):
    """Leads in existing databases (and the demo) have only the old `outcome`."""
    c = created()
    state = record_state("lead", [c, op(1, "dev-bo", SET, "outcome", outcome, seen=[c.op_id])])
    assert lead_stage(state) == stage


def test_every_order_of_a_full_pipeline_merges_to_one_state():
    ops = _link_and_close()
    states = {repr(record_state("lead", list(p))) for p in itertools.islice(itertools.permutations(ops), 120)}
    assert len(states) == 1
