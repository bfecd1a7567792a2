"""What a form is made of: questions with an answer kind, options, limits, whether they
must be answered, and conditions saying when they apply.

A question's kind is the vocabulary of synced fields (schemas.fields.Kind): CODE (one
option), CODES (several), INT (a whole number in a range), TEXT (a short free text of at
most `max_length` characters; free text may identify a person, so the research export
leaves every TEXT item out: server/office/research.py). `sync.ops.check_answers`
checks an answer with the same `check_value` as every other value, and `applies` is the
one rule for skip logic: the server refuses an answer to a question that does not apply,
and the phone hides it (pwa/src/questionnaire.js evaluates the exported conditions).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from schemas.enums import Choice
from schemas.fields import FieldSpec, Kind, Merge


@dataclass(frozen=True)
class Condition:
    """A question applies only when another item of the same response was answered with
    one of `in_` (codes) or with at least `min` (a number)."""

    item: str
    in_: tuple[str, ...] | None = None
    min: int | None = None

    def __post_init__(self):
        assert (self.in_ is None) != (self.min is None), "a condition has either in_ or min"

    def holds(self, answers: Mapping[str, Any]) -> bool:
        value = answers.get(self.item)
        if self.in_ is not None:
            return isinstance(value, str) and value in self.in_
        return isinstance(value, int) and not isinstance(value, bool) and value >= self.min

    def as_json(self) -> dict:
        return {"item": self.item, "in": list(self.in_)} if self.in_ is not None else {"item": self.item, "min": self.min}


def unanswered(value: Any) -> bool:
    """No answer: absent, null, empty text or an empty list (a skipped question)."""
    return value is None or value == "" or value == []


TEXT_LIMIT = 2000  # a TEXT question without its own max_length


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    kind: Kind  # CODE (one option), CODES (several), INT, TEXT: the vocabulary of synced fields
    options: tuple[Choice, ...] = ()
    min: int | None = None
    max: int | None = None
    required: bool = False  # must be answered whenever it applies
    when: tuple[Condition, ...] = ()  # applies only when every condition holds
    step: str = ""  # the title of the short step it is shown in (consecutive questions share one)
    hint: str = ""
    max_length: int | None = None  # TEXT only: at most this many characters (none: TEXT_LIMIT)

    @property
    def spec(self) -> FieldSpec:
        """The question as a field spec, so answers are checked like every other value."""
        return FieldSpec(
            name=self.key, merge=Merge.APPEND, kind=self.kind, label=self.label, options=self.options,
            required=self.required, ge=self.min, le=self.max, max_length=self.text_limit,
        )

    @property
    def text_limit(self) -> int | None:
        return (self.max_length or TEXT_LIMIT) if self.kind == Kind.TEXT else None

    def as_json(self) -> dict:
        """What the phone (schemas.export), `GET /api/forms` and the published snapshot hold."""
        out = {
            "key": self.key, "label": self.label, "kind": self.kind.value,
            "options": [[o.code, o.label] for o in self.options] or None,
            "min": self.min, "max": self.max, "required": self.required or None,
            "when": [c.as_json() for c in self.when] or None, "step": self.step or None, "hint": self.hint or None,
            "max_length": self.text_limit,  # TEXT questions only
        }
        return {key: value for key, value in out.items() if value is not None}


@dataclass(frozen=True)
class Form:
    code: str
    version: int
    label: str
    questions: tuple[Question, ...] = field(default_factory=tuple)
    filled_by: str = "behandler"  # "behandler" or "borger": who answers (the citizen may get help)

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    def as_json(self) -> dict:
        return {
            "code": self.code, "version": self.version, "label": self.label, "filled_by": self.filled_by,
            "questions": [q.as_json() for q in self.questions],
        }


def applies(question: Question, answers: Mapping[str, Any]) -> bool:
    """Whether the question is asked, given the other answers of the response."""
    return all(condition.holds(answers) for condition in question.when)


def choice(key, label, options, required=False, **more) -> Question:
    return Question(key, label, Kind.CODE, tuple(options), required=required, **more)


def multi(key, label, options, required=False, **more) -> Question:
    return Question(key, label, Kind.CODES, tuple(options), required=required, **more)


def number(key, label, low, high, required=False, **more) -> Question:
    return Question(key, label, Kind.INT, min=low, max=high, required=required, **more)


def text(key, label, max_length, required=False, **more) -> Question:
    return Question(key, label, Kind.TEXT, required=required, max_length=max_length, **more)
