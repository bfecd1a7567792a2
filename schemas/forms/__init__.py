"""The evaluation's three forms as versioned data: kontaktskema start, kontaktskema løbende,
progressionsskema, and the follow-up after a completed course (opfoelgning); one module
each, holding every published version.

- `FORM_VERSIONS[(code, version)]`: every version ever published; a response (and a
  draft) keeps the version it was answered against, and an old response always validates.
- `FORMS[code]`: the latest version, the one new responses are filled in.
- A published version never changes: `schemas/forms/published.json` is the snapshot of
  every published version, written by `python -m schemas.export` (make pwa), which refuses
  to change a published version and refuses a new version that gives a published item
  another kind (the office reads answers by item key across versions). Change a form by
  adding a version to its module; tests/schemas/test_forms.py checks the same.
"""
from __future__ import annotations

import json
from pathlib import Path

from schemas.forms import kontakt_loebende, kontakt_start, opfoelgning, progression
from schemas.forms.model import Condition, Form, Question, applies, unanswered

__all__ = [
    "FORMS",
    "FORM_VERSIONS",
    "PUBLISHED",
    "Condition",
    "Form",
    "Question",
    "applies",
    "form_of",
    "publish_problems",
    "published",
    "unanswered",
]

FORM_VERSIONS: dict[tuple[str, int], Form] = {
    (form.code, form.version): form
    for module in (kontakt_start, kontakt_loebende, progression, opfoelgning)
    for form in module.VERSIONS
}
for _form in FORM_VERSIONS.values():
    _keys = [q.key for q in _form.questions]
    assert len(set(_keys)) == len(_keys), f"{_form.code} v{_form.version}: a key twice"
    for _i, _q in enumerate(_form.questions):
        # A condition looks back: the item it names comes earlier, so the phone asks in order
        # and the server reports the first wrong answer before the answers that depend on it.
        assert all(c.item in _keys[:_i] for c in _q.when), f"{_form.code} v{_form.version}: {_q.key} depends on a later item"
FORMS: dict[str, Form] = {}
for _form in FORM_VERSIONS.values():
    if _form.code not in FORMS or _form.version > FORMS[_form.code].version:
        FORMS[_form.code] = _form
DEFAULT_VERSION = 1  # a response without a version was answered against version 1


def form_of(code: str, version: int | None = None) -> Form | None:
    """The form a response was answered against (no version: version 1)."""
    return FORM_VERSIONS.get((code, DEFAULT_VERSION if version is None else version))


PUBLISHED = Path(__file__).with_name("published.json")


def published() -> dict[str, dict[str, dict]]:
    """The snapshot: form code → version (as text) → the version's definition."""
    if not PUBLISHED.exists():
        return {}
    return json.loads(PUBLISHED.read_text(encoding="utf-8"))


def snapshot() -> dict[str, dict[str, dict]]:
    """Every version defined now, as the snapshot holds them."""
    out: dict[str, dict[str, dict]] = {}
    for (code, version), form in sorted(FORM_VERSIONS.items()):
        out.setdefault(code, {})[str(version)] = form.as_json()
    return out


def publish_problems(old: dict[str, dict[str, dict]] | None = None) -> list[str]:
    """Why the forms defined now cannot be published over the snapshot `old`: a published
    version changed or disappeared, or an item key changed its kind. Empty: publishable."""
    old = published() if old is None else old
    now = snapshot()
    problems = []
    kinds: dict[tuple[str, str], tuple[str, str]] = {}
    for code, versions in sorted(old.items()):
        for version, definition in sorted(versions.items(), key=lambda kv: int(kv[0])):
            if now.get(code, {}).get(version) != definition:
                problems.append(f"{code} version {version} is published and changed: published forms never change: add a version")
            for q in definition["questions"]:
                kinds.setdefault((code, q["key"]), (q["kind"], version))
    for code, versions in sorted(now.items()):
        for version, definition in sorted(versions.items(), key=lambda kv: int(kv[0])):
            for q in definition["questions"]:
                kind, since = kinds.setdefault((code, q["key"]), (q["kind"], version))
                if kind != q["kind"]:
                    problems.append(
                        f"{code} version {version}: item {q['key']} is {q['kind']} but was published as {kind} in "
                        f"version {since}: a published item keeps its type, use a new key"
                    )
    return problems


def write_published() -> None:
    """Add new versions to the snapshot (schemas.export). Refuses when publish_problems."""
    problems = publish_problems()
    if problems:
        raise SystemExit("refusing to publish the forms:\n  " + "\n  ".join(problems))
    PUBLISHED.write_text(json.dumps(snapshot(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
