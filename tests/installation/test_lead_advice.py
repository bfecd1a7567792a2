"""Every code an op can be quarantined with has a line of advice for the project lead."""
from __future__ import annotations

from schemas.problems import BOTH, LEAD_ADVICE, OP, PROBLEMS


def test_every_op_code_has_advice_for_the_project_lead():
    op_codes = {code for code, problem in PROBLEMS.items() if problem.where in (OP, BOTH)}
    assert set(LEAD_ADVICE) == op_codes
    for code, advice in LEAD_ADVICE.items():
        assert advice.endswith(".") and len(advice) < 300, code
