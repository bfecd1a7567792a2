"""The shortcut for a record whose only op is its create (sync.merge.created_state) gives
exactly the general merge's state, for every entity and any valid create."""
from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st
from sync_factories import NOW_MS, examples, raw_ops

from schemas.entities import CREATE, ENTITIES
from sync import ops
from sync.merge import created_state, merged_state, record_state


@settings(max_examples=examples(300))
@given(st.sampled_from(sorted(ENTITIES)).flatmap(lambda entity: raw_ops(entity, CREATE)), st.sampled_from([None, "u1"]))
def test_the_created_state_equals_the_general_merge(raw, user_id):
    op = dataclasses.replace(ops.parse(raw, now_ms=NOW_MS, max_drift_ms=5 * 60 * 1000), user_id=user_id)
    assert created_state(op.entity, op) == merged_state(op.entity, [op])
    assert record_state(op.entity, [op, op]) == merged_state(op.entity, [op])  # a resend is one op
