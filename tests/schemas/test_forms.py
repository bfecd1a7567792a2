"""The forms as versioned data (schemas/forms): a published version never changes, an item
keeps its type, version 2 holds the evaluation's items under the keys the office reads, and
the server's validation (sync.ops.check_answers) accepts exactly the answers that fit the
version they were given against: generated answers for every version, old ones included."""
from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import forms
from schemas.fields import Kind
from schemas.forms import FORM_VERSIONS, FORMS, applies, form_of, publish_problems
from sync.ops import OpRejected, check_answers

VERSIONS = sorted(FORM_VERSIONS.values(), key=lambda f: (f.code, f.version))


# ----------------------------------------------------------------------------- published
def test_every_version_is_published_and_unchanged():
    """Fails when a published version was edited (add a version instead) or a new version
    was not published yet (run `make pwa`)."""
    assert publish_problems() == []
    published = forms.published()
    for (code, version), form in FORM_VERSIONS.items():
        assert published.get(code, {}).get(str(version)) == form.as_json(), f"{code} v{version} is not published: run `make pwa`"


def test_a_changed_published_version_is_refused():
    published = forms.published()
    edited = copy.deepcopy(published)
    edited["progression"]["1"]["questions"][0]["label"] = "Noget andet"
    assert any("progression version 1 is published and changed" in p for p in publish_problems(edited))
    dropped = copy.deepcopy(published)
    dropped["kontakt_start"]["4"] = dropped["kontakt_start"]["3"] | {"version": 4}
    assert any("kontakt_start version 4 is published and changed" in p for p in publish_problems(dropped))


def test_an_item_that_changes_its_type_is_refused_at_build_time():
    """An earlier version published `days_cannabis` as a code: today's int is refused, with the key named."""
    published = copy.deepcopy(forms.published())
    question = next(q for q in published["progression"]["1"]["questions"] if q["key"] == "days_cannabis")
    question["kind"] = "code"
    problems = publish_problems(published)
    assert any("item days_cannabis is int but was published as code" in p for p in problems), problems


def test_the_export_refuses_to_publish_a_changed_version(tmp_path, monkeypatch):
    published = forms.published()
    published["kontakt_loebende"]["1"]["label"] = "Ændret"
    target = tmp_path / "published.json"
    target.write_text(json.dumps(published), encoding="utf-8")
    monkeypatch.setattr(forms, "PUBLISHED", target)
    with pytest.raises(SystemExit, match="published forms never change: add a version"):
        forms.write_published()
    assert json.loads(target.read_text(encoding="utf-8")) == published  # nothing written


def test_a_response_without_a_version_is_version_1():
    assert form_of("kontakt_start") is FORM_VERSIONS[("kontakt_start", 1)]
    check_answers("kontakt_start", {"first_seen_place": "own_home", "substances": ["hash"]})


# ----------------------------------------------------------------------------- the items
CONTRACT = {  # the item keys the office reads (server/office), in the form's order
    "kontakt_start": ["sex", "age_band", "first_seen_place", "spotted_by", "spotted_by_other", "actors_first_contact", "attachment",
                      "substitution", "other_services_any", "other_services"],
    "kontakt_loebende": ["phase", "main_place", "readiness_stable_contact", "readiness_positive_development",
                         "readiness_can_attend", "readiness_prepared_transfer", "readiness_safe_with_new",
                         "attempt_frequency", "contact_frequency", "civil_society_activities", "plan_made"],
    "progression": ["recovery_supported", "recovery_hope", "recovery_self_worth", "recovery_meaningful", "recovery_control",
                    "wellbeing_personal", "wellbeing_relations", "wellbeing_social", "wellbeing_physical",
                    "daily_sleep", "daily_get_up", "daily_concentrate", "daily_plan_day", "daily_keep_appointments", "daily_tidy",
                    "daily_food", "days_cannabis", "days_other_drugs", "alcohol_frequency", "drinks_per_occasion", "days_binge"],
}


LATEST = {"kontakt_start": 3, "kontakt_loebende": 2, "progression": 2}


def codes(form, key):
    return [o.code for o in form.question(key).options]


@pytest.mark.parametrize("code", sorted(CONTRACT))
def test_the_latest_version_has_the_contract_keys(code):
    assert [q.key for q in FORMS[code].questions] == CONTRACT[code]
    assert FORMS[code].version == LATEST[code]


def test_kontaktskema_start_as_the_evaluation_asked_it():
    form = FORMS["kontakt_start"]
    assert codes(form, "sex") == ["male", "female", "other"]  # Mand/Kvinde, and our "Andet"
    assert codes(form, "age_band") == ["18_25", "26_32", "33_49", "50_64", "65_plus"]
    assert len(codes(form, "first_seen_place")) == 7 and len(codes(form, "actors_first_contact")) == 12
    assert len(codes(form, "attachment")) == 3 and codes(form, "substitution") == ["now", "before", "never"]
    assert codes(form, "other_services_any") == ["yes", "no"] and len(codes(form, "other_services")) == 8
    assert form.question("other_services").when[0].as_json() == {"item": "other_services_any", "in": ["yes"]}
    assert form.question("actors_first_contact").kind == Kind.CODES and form.question("other_services").kind == Kind.CODES
    assert form.question("substances") is None
    # Version 3: "Øvrige" and who, as a short free text (optional; never in the research export).
    other = form.question("spotted_by_other")
    assert (other.kind, other.max_length, other.required) == (Kind.TEXT, 80, False)
    assert other.when[0].as_json() == {"item": "spotted_by", "in": ["other"]} and other.spec.max_length == 80


def test_kontaktskema_loebende_as_the_evaluation_asked_it():
    form = FORMS["kontakt_loebende"]
    assert codes(form, "phase") == ["phase_1", "phase_2", "phase_3"]
    frequencies = ["several_weekly", "weekly", "biweekly", "monthly", "rarer", "none"]
    assert codes(form, "attempt_frequency") == codes(form, "contact_frequency") == frequencies
    for key in CONTRACT["kontakt_loebende"][2:7]:
        assert form.question(key).when[0].as_json() == {"item": "phase", "in": ["phase_2", "phase_3"]}
        assert [o.label for o in form.question(key).options] == ["Slet ikke", "Lidt", "I nogen grad", "En hel del", "Rigtig meget"]
    assert len(codes(form, "civil_society_activities")) == 8 and codes(form, "plan_made") == ["yes", "no"]


def test_progressionsskema_as_the_evaluation_asked_it():
    form = FORMS["progression"]
    assert not any(q.required for q in form.questions), "the citizen may skip every item"
    for key in CONTRACT["progression"][:5]:
        assert codes(form, key) == ["1", "2", "3", "4", "5"]
    for key in CONTRACT["progression"][5:9]:
        assert (form.question(key).kind, form.question(key).min, form.question(key).max) == (Kind.INT, 0, 10)
    for key in CONTRACT["progression"][9:16]:
        assert codes(form, key) == ["1", "2", "3", "4", "5"]
    for key in ("days_cannabis", "days_other_drugs", "days_binge"):
        assert (form.question(key).min, form.question(key).max) == (0, 7)
    assert form.question("drinks_per_occasion").when[0].as_json() == {"item": "alcohol_frequency", "in": ["1_2", "3_4", "5_7"]}
    assert form.question("days_binge").when[0].as_json() == {"item": "drinks_per_occasion", "min": 5}


def test_the_citizens_form_never_says_behandling_or_misbrug():
    """Citizens fear losing children, job or home: the progressionsskema uses their words."""
    for form in (f for f in VERSIONS if f.code == "progression"):
        texts = [form.label, *(t for q in form.questions for t in (q.label, q.hint, q.step, *(o.label for o in q.options)))]
        for text in texts:
            assert "behandl" not in text.lower() and "misbrug" not in text.lower(), text


def test_a_published_item_keeps_its_kind_in_every_version():
    kinds: dict[tuple[str, str], Kind] = {}
    for form in VERSIONS:
        for q in form.questions:
            assert kinds.setdefault((form.code, q.key), q.kind) == q.kind, (form.code, form.version, q.key)


# ----------------------------------------------------------------------------- validation
def value_of(q):
    if q.kind == Kind.CODE:
        return st.sampled_from([o.code for o in q.options])
    if q.kind == Kind.CODES:
        return st.lists(st.sampled_from([o.code for o in q.options]), unique=True, min_size=1 if q.required else 0)
    if q.kind == Kind.TEXT:
        return st.text(min_size=1, max_size=q.text_limit)
    return st.integers(q.min, q.max)


@st.composite
def answered(draw, form):
    """Valid answers: in order, a question that applies is answered when required, else maybe."""
    answers: dict = {}
    for q in form.questions:
        if applies(q, answers) and (q.required or draw(st.booleans())):
            answers[q.key] = draw(value_of(q))
    return answers


@st.composite
def bad_value(draw, q):
    """A value of the wrong shape or out of range for the question."""
    if q.kind == Kind.CODE:
        return draw(st.one_of(st.text(min_size=1).filter(lambda t: t not in {o.code for o in q.options}), st.integers(), st.lists(st.just(q.options[0].code), min_size=1)))
    if q.kind == Kind.CODES:
        first = q.options[0].code
        return draw(st.sampled_from([[first, first], ["no_such_code"], first, 3, [1]]))
    if q.kind == Kind.TEXT:
        return draw(st.one_of(st.text(st.characters(categories=("L", "N")), min_size=q.text_limit + 1), st.integers(), st.lists(st.just("x"), min_size=1)))
    return draw(st.one_of(st.integers(max_value=q.min - 1), st.integers(min_value=q.max + 1), st.text(min_size=1, max_size=3), st.booleans(), st.floats(allow_nan=False)))


@settings(max_examples=300)
@given(st.sampled_from(VERSIONS).flatmap(lambda form: st.tuples(st.just(form), answered(form))))
def test_generated_answers_of_every_version_are_accepted(case):
    form, answers = case
    check_answers(form.code, answers, None, form.version)


@settings(max_examples=300)
@given(st.data())
def test_one_bad_answer_is_refused_naming_its_item(data):
    form = data.draw(st.sampled_from(VERSIONS))
    answers = data.draw(answered(form))
    asked = [q for q in form.questions if applies(q, answers)]
    q = data.draw(st.sampled_from(asked))
    broken = {**answers, q.key: data.draw(bad_value(q))}
    # Items that depend on this one may stop applying: drop their answers so that only one thing is wrong.
    for later in form.questions[form.questions.index(q) + 1:]:
        if not applies(later, broken):
            broken.pop(later.key, None)
    with pytest.raises(OpRejected) as caught:
        check_answers(form.code, broken, None, form.version)
    assert (caught.value.code, caught.value.field) == ("invalid_value", f"answers.{q.key}")


@settings(max_examples=300)
@given(st.data())
def test_an_answer_to_a_question_that_does_not_apply_is_refused(data):
    form = data.draw(st.sampled_from([f for f in VERSIONS if any(q.when for q in f.questions)]))
    answers = data.draw(answered(form))
    skipped = [q for q in form.questions if not applies(q, answers)]
    if not skipped:
        return
    q = data.draw(st.sampled_from(skipped))
    with pytest.raises(OpRejected) as caught:
        check_answers(form.code, {**answers, q.key: data.draw(value_of(q).filter(lambda v: v != []))}, None, form.version)
    assert (caught.value.reason, caught.value.field) == ("answer_not_applicable", f"answers.{q.key}")
    assert q.label in caught.value.message and "Fjern svaret" in caught.value.message


@settings(max_examples=200)
@given(st.data())
def test_a_required_question_that_applies_must_be_answered(data):
    form = data.draw(st.sampled_from(VERSIONS))
    answers = data.draw(answered(form))
    required = [q for q in form.questions if q.required and applies(q, answers)]
    if not required:
        return
    q = data.draw(st.sampled_from(required))
    missing = {k: v for k, v in answers.items() if k != q.key}
    for later in form.questions[form.questions.index(q) + 1:]:
        if not applies(later, missing):
            missing.pop(later.key, None)
    with pytest.raises(OpRejected) as caught:
        check_answers(form.code, missing, None, form.version)
    assert (caught.value.reason, caught.value.field) == ("answer_required", f"answers.{q.key}")
