"""The content hash's canonical JSON (orjson) is byte for byte the standard library's
canonical JSON for every op the server can accept: a stored op's hash must never change
with the encoder (a resend would otherwise be "reused" instead of "duplicate")."""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from sync_factories import NOW_MS, examples, op_kinds_pairs, raw_ops

from sync import ops


def standard(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@settings(max_examples=examples(300))
@given(st.sampled_from(op_kinds_pairs()).flatmap(lambda pair: raw_ops(*pair)))
def test_canonical_json_equals_the_standard_librarys_for_accepted_ops(raw):
    op = ops.parse(raw, now_ms=NOW_MS, max_drift_ms=5 * 60 * 1000)
    body = op.client_body()
    assert ops.canonical_json(body) == standard(body)


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)))
json_like = st.recursive(st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | text,
                         lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4), max_leaves=20)


@settings(max_examples=examples(500))
@given(json_like)
def test_canonical_json_equals_the_standard_librarys_for_any_text_and_integers(value):
    """Control characters, quotes, backslashes, U+2028, astral planes: escaped alike."""
    assert ops.canonical_json(value) == standard(value)


def test_an_integer_beyond_64_bits_takes_the_standard_path():
    assert ops.canonical_json({"n": 2**70}) == standard({"n": 2**70})
