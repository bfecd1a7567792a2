"""The follow-up after a completed course (issue 12) as a form: reached first, and housing,
work, network and use only when reached — refused by the server otherwise, with the form's
own words. The Hypothesis checks of tests/schemas/test_forms.py run over it as over every
version (they sample FORM_VERSIONS)."""
from __future__ import annotations

import pytest

from schemas import enums
from schemas.fields import Kind
from schemas.forms import FORM_VERSIONS, FORMS, published
from schemas.schedule import FOLLOW_UP_FORM
from sync.ops import OpRejected, check_answers

SITUATION = ("housing", "occupation", "network", "use")
REACHED = {"reached": "yes", "housing": "shelter", "occupation": "jobcenter", "network": "no", "use": "same"}


def test_the_follow_up_form_is_registered_and_published():
    form = FORMS[FOLLOW_UP_FORM]
    assert (form.code, form.version, form.filled_by) == ("opfoelgning", 1, "behandler")
    assert ("opfoelgning", 1) in FORM_VERSIONS and "1" in published()["opfoelgning"]
    assert form.label == dict((c.code, c.label) for c in enums.FORMS)["opfoelgning"]
    assert [q.key for q in form.questions] == ["reached", *SITUATION]
    assert all(q.kind == Kind.CODE and q.required for q in form.questions)
    for key in SITUATION:
        assert [c.as_json() for c in form.question(key).when] == [{"item": "reached", "in": ["yes"]}]
        assert "unknown" in [o.code for o in form.question(key).options], f"{key}: 'ved ikke' is an answer"
    assert form.question("network").label == "Har borgeren kontakt til familie, venner eller et fællesskab?"


def test_reached_answers_all_four_and_not_reached_answers_none():
    check_answers(FOLLOW_UP_FORM, REACHED, version=1)
    check_answers(FOLLOW_UP_FORM, {"reached": "no"}, version=1)


@pytest.mark.parametrize("key", SITUATION)
def test_an_answer_about_the_situation_of_a_citizen_not_reached_is_refused(key):
    with pytest.raises(OpRejected) as refused:
        check_answers(FOLLOW_UP_FORM, {"reached": "no", key: REACHED[key]}, version=1)
    assert refused.value.field == f"answers.{key}" and refused.value.reason == "answer_not_applicable"


@pytest.mark.parametrize("key", ["reached", *SITUATION])
def test_every_item_that_applies_must_be_answered(key):
    answers = {k: v for k, v in REACHED.items() if k != key}
    with pytest.raises(OpRejected) as refused:
        check_answers(FOLLOW_UP_FORM, answers, version=1)
    assert refused.value.field == f"answers.{key}"  # the first in the form's order: "reached" before the rest
