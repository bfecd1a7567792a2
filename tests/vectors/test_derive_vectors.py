"""The shared vectors of tests/vectors/derive.json against sync/derive.py (the same file
runs against pwa/src/derive.js under `node --test`, tests/vectors/test_vectors_js.py)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from sync.derive import citizen_status, current_course, lead_stage

VECTORS = json.loads((Path(__file__).parent / "derive.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", VECTORS["citizen_status"], ids=lambda case: case["name"])
def test_citizen_status(case):
    assert citizen_status(case["courses"]) == case["expected"]
    current = current_course(case["courses"])
    assert (current["id"] if current else None) == case["expected"]["course_id"]


@pytest.mark.parametrize("case", VECTORS["lead_stage"], ids=lambda case: case["name"])
def test_lead_stage(case):
    assert lead_stage(case["lead"]) == case["expected"]
