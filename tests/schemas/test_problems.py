"""The error catalogue (schemas/problems.py): every code and reason the code names exists,
templates only ask for known details, and no message ever echoes what was sent."""
from __future__ import annotations

import re
import uuid
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from support.hlc import hlc_text

from schemas.entities import ENTITIES
from schemas.problems import PROBLEMS, all_templates, placeholders
from sync.ops import CLIENT_KEYS, OpRejected, parse

ROOT = Path(__file__).resolve().parents[2]
DETAILS = {"field", "label", "limit", "allowed", "min", "max", "hint", "seconds", "expected", "year"}
NOW_MS = 1_795_000_000_000
# OpRejected("code", "reason", …) and ApiError("code", "reason", …) at call sites.
CALL = re.compile(r"""(?:OpRejected|ApiError)\(\s*"([a-z_]+)"(?:\s*,\s*"([a-z_]+)")?""")


def test_templates_ask_only_for_known_details():
    for (code, reason), template in all_templates().items():
        assert placeholders(template) <= DETAILS, (code, reason, placeholders(template) - DETAILS)


def test_every_code_and_reason_named_in_the_code_is_in_the_catalogue():
    found = 0
    for path in [*ROOT.glob("sync/*.py"), *ROOT.glob("server/**/*.py"), *ROOT.glob("schemas/*.py")]:
        for code, reason in CALL.findall(path.read_text(encoding="utf-8")):
            found += 1
            assert code in PROBLEMS, f"{path.relative_to(ROOT)}: unknown code {code}"
            if reason:
                assert reason in PROBLEMS[code].reasons, f"{path.relative_to(ROOT)}: {code} has no reason {reason}"
    assert found > 40  # the scan sees the call sites


def test_the_server_error_is_in_the_catalogue():
    assert PROBLEMS["server_error"].status == 500


MARK = "0101801234 Jens Hansen"  # what must never come back: a CPR number and a name


def _valid_op() -> dict:
    device = str(uuid.uuid4())
    return {
        "op_id": str(uuid.uuid4()), "device_id": device, "hlc": hlc_text(NOW_MS - 1000, 0, device),
        "entity": "course", "record_id": str(uuid.uuid4()), "kind": "create", "field": None,
        "value": {"citizen_id": str(uuid.uuid4()), "identified_on": "2026-01-02", "phase": {"phase": "phase_1", "date": "2026-01-02"}},
        "seen": [],
    }


shapes = st.sampled_from([MARK, [MARK], {"phase": MARK, "date": MARK}, {MARK: MARK}, f"{MARK}" * 3])
value_keys = sorted({name for spec in ENTITIES.values() for name in spec.fields})


@st.composite
def hostile_ops(draw):
    raw = _valid_op()
    where = draw(st.sampled_from(["top", "value", "new_key", "value_key", "kind_set"]))
    shape = draw(shapes)
    if where == "top":
        raw[draw(st.sampled_from(CLIENT_KEYS))] = shape
    elif where == "value":
        raw["value"][draw(st.sampled_from(value_keys))] = shape
    elif where == "new_key":
        raw[MARK] = shape
    elif where == "value_key":
        raw["value"][MARK] = shape
    else:
        raw.update(kind="set", field=draw(st.sampled_from(value_keys)), value=shape,
                   entity=draw(st.sampled_from(sorted(ENTITIES))))
    return raw


@settings(max_examples=300, deadline=None)
@given(hostile_ops())
def test_a_rejected_op_never_echoes_what_was_sent(raw):
    try:
        parse(raw, now_ms=NOW_MS, max_drift_ms=300_000)
    except OpRejected as error:
        for part in ("0101801234", "Jens", "Hansen"):
            assert part not in error.message and part not in (error.field or ""), (error.code, error.reason)


async def test_a_bad_query_value_is_named_not_echoed(app_factory, client_for, login):
    app = app_factory(demo_mode=True)
    client = client_for(app)
    await login(client, "behandler")
    response = await client.get("/api/citizens", params={"phase": MARK})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "phase" and "0101801234" not in response.text and "Jens" not in response.text
    response = await client.get("/api/citizens", params={"limit": MARK})
    assert response.status_code == 422 and "0101801234" not in response.text
    assert response.json()["error"]["field"] == "limit"
