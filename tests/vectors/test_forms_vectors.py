"""The shared vectors of tests/vectors/forms.json against sync.ops.check_answers (the same
file runs against pwa/src/questionnaire.js under `node --test`): which questions are asked,
and the first refusal with the server's message, which the phone must say word for word."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas.forms import applies, form_of
from sync.ops import OpRejected, check_answers

VECTORS = json.loads((Path(__file__).parent / "forms.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda case: case["name"])
def test_answers(case):
    expected = case["expected"]
    if expected["ok"]:
        check_answers(case["form"], case["answers"], None, case["version"])
        if "asked" in expected:
            form = form_of(case["form"], case["version"])
            assert [q.key for q in form.questions if applies(q, case["answers"])] == expected["asked"]
    else:
        with pytest.raises(OpRejected) as caught:
            check_answers(case["form"], case["answers"], None, case["version"])
        error = caught.value
        assert (error.code, error.reason, error.field, error.message) == (
            "invalid_value", expected["reason"], expected["field"], expected["message"])
