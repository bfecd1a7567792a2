"""The reports' view of a form item: its label and options, read from the schemas.forms
registry (the latest version that has the item; an item key means the same item in every
version, so v1 answers count with v2's), and the evaluation's collapsed categories.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from schemas.enums import Choice
from schemas.forms import FORM_VERSIONS, FORMS, Question


def question(form: str, key: str) -> Question | None:
    latest = FORMS.get(form)
    found = latest.question(key) if latest else None
    if found is not None:
        return found
    older = sorted((v for (code, v) in FORM_VERSIONS if code == form), reverse=True)
    for version in older:
        found = FORM_VERSIONS[(form, version)].question(key)
        if found is not None:
            return found
    return None


def options(form: str, key: str) -> tuple[Choice, ...]:
    found = question(form, key)
    return found.options if found else ()


def label(form: str, key: str, default: str | None = None) -> str:
    found = question(form, key)
    return found.label if found else (default or key)


@dataclass(frozen=True)
class Category:
    """One row of a report: a code, its Danish label and which raw answers it counts."""

    code: str
    label: str
    matches: Callable[[object], bool]


def each_option(choices: tuple[Choice, ...]) -> list[Category]:
    return [Category(c.code, c.label, lambda value, code=c.code: value == code) for c in choices]


def grouped(choices: tuple[Choice, ...], groups: list[tuple[str, ...]]) -> list[Category]:
    """Options collapsed as the evaluation shows them, e.g. ("1","2") → "Slet ikke / Lidt";
    the code is the members' codes joined by "_", the label their labels joined by " / ".
    Options the groups do not name keep a row of their own."""
    by_code = {c.code: c for c in choices}
    out, used = [], set()
    for group in groups:
        members = [by_code[code] for code in group if code in by_code]
        if not members:
            continue
        used |= {m.code for m in members}
        codes = frozenset(m.code for m in members)
        out.append(Category("_".join(m.code for m in members), " / ".join(m.label for m in members),
                            lambda value, codes=codes: value in codes))
    out += [Category(c.code, c.label, lambda value, code=c.code: value == code) for c in choices if c.code not in used]
    return out


def ranges(bands: list[tuple[int, int]], unit: str = "", labels: dict | None = None) -> list[Category]:
    """Whole-number answers in bands, e.g. (0, 3) → code "0_3", label "0–3" (or `labels[band]`)."""
    out = []
    for low, high in bands:
        code = str(low) if low == high else f"{low}_{high}"
        text = (labels or {}).get((low, high)) or (str(low) if low == high else f"{low}–{high}") + unit
        out.append(Category(code, text, lambda value, low=low, high=high: _int(value) is not None and low <= _int(value) <= high))
    return out


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def number(value) -> float | None:
    """An answer as a number for a mean (scale codes "1"–"5", 0–10 integers)."""
    found = _int(value)
    return float(found) if found is not None else None


def answered(value) -> bool:
    return value is not None and value != "" and value != []
