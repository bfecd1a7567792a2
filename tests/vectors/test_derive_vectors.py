"""The shared vectors of tests/vectors/derive.json against sync/derive.py (the same file
runs against pwa/src/derive.js under `node --test`, tests/vectors/test_vectors_js.py)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from sync.derive import (
    citizen_status, current_course, due, enrolled_on, follow_up, lead_age_days, lead_stage, loebende_prefill, occasions,
    start_wait,
)

VECTORS = json.loads((Path(__file__).parent / "derive.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", VECTORS["citizen_status"], ids=lambda case: case["name"])
def test_citizen_status(case):
    assert citizen_status(case["courses"]) == case["expected"]
    current = current_course(case["courses"])
    assert (current["id"] if current else None) == case["expected"]["course_id"]


@pytest.mark.parametrize("case", VECTORS["start_wait"], ids=lambda case: case["name"])
def test_start_wait(case):
    assert start_wait(case["course"], case["today"]) == case["expected"]


@pytest.mark.parametrize("case", VECTORS["lead_stage"], ids=lambda case: case["name"])
def test_lead_stage(case):
    assert lead_stage(case["lead"], case.get("attempts", [])) == case["expected"]


@pytest.mark.parametrize("case", VECTORS["lead_age_days"], ids=lambda case: case["name"])
def test_lead_age_days(case):
    assert lead_age_days(case["lead"], case["today"]) == case["expected"]


@pytest.mark.parametrize("case", VECTORS["due"], ids=lambda case: case["name"])
def test_due(case):
    assert due(case["status"], case["responses"], case["schedule"], case["today"]) == case["expected"]


@pytest.mark.parametrize("case", VECTORS["follow_up"], ids=lambda case: case["name"])
def test_follow_up(case):
    """The fact, and what `due` makes of it for the citizen (as GET /api/citizens/{id} does)."""
    fact = follow_up(case["courses"], case["consents"], case["responses"])
    assert fact == case["expected"]["follow_up"]
    status = {**citizen_status(case["courses"]), "enrolled_on": enrolled_on(case["courses"], case["consents"]),
              "archived": False, "follow_up": fact}
    assert due(status, case["responses"], case["schedule"], case["today"]) == case["expected"]["due"]


@pytest.mark.parametrize("case", VECTORS["enrolled_on"], ids=lambda case: case["name"])
def test_enrolled_on(case):
    assert enrolled_on(case["courses"], case["consents"]) == case["expected"]


@pytest.mark.parametrize("case", VECTORS["occasions"], ids=lambda case: case["name"])
def test_occasions(case):
    assert occasions(case["responses"]) == case["expected"]


@pytest.mark.parametrize("case", VECTORS["loebende_prefill"], ids=lambda case: case["name"])
def test_loebende_prefill(case):
    assert loebende_prefill(case["contacts"], case["status"], case["since"], case["until"]) == case["expected"]
