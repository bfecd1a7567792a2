"""The research export: the register and every form response, pseudonymised further than
the casework data (evaluation data is never casework data, and its pseudonymisation also
removes age, places and free text: requirements.md §18, §24).

- Citizens get a research id, `F-` + an HMAC of the citizen id under the server's secret:
  the same in every export (longitudinal work), not the municipality's code and not
  derivable from it.
- Dropped: the birth year (only the age band at identification remains), every place
  (the start form's identification place, the løbende form's main place; contacts and
  leads are not exported at all) and all free text (every text-kind question).
- Kept: team, sex, the course's dates, phase history and end, and every coded or numeric
  answer with the form's version, round and occasion.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from sqlalchemy import false, or_, select
from sqlmodel import Session

from schemas.fields import Kind
from schemas.forms import FORM_VERSIONS, FORMS
from server.office import register
from server.office.figures import _age_band
from server.office.sources import CITIZEN, COURSE, FORM, C, F, K

PLACE_ITEMS = frozenset({"first_seen_place", "main_place"})
DROPPED = ("fødselsår (kun aldersgruppe ved identifikation)", "steder (identifikationssted, hvor indsatsen foregår)",
           "al fritekst", "kommunens kode (erstattet af et forsknings-id)", "kontakter og henvisninger")


def research_id(secret_key: str, citizen_id: str) -> str:
    digest = hmac.new(("brobygger-research|" + secret_key).encode(), citizen_id.encode(), hashlib.sha256).hexdigest()
    return "F-" + digest[:12]


def items_of(form: str) -> list[str]:
    """The exported items of a form: every version's keys, in order, minus places and text."""
    keys: list[str] = []
    for (code, _version), definition in sorted(FORM_VERSIONS.items()):
        if code != form:
            continue
        for question in definition.questions:
            if question.kind == Kind.TEXT or question.key in PLACE_ITEMS or question.key in keys:
                continue
            keys.append(question.key)
    return keys


def _cell(value):
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return None  # no structured answers are exported
    return value


def sheets(db: Session, municipality_id: str, secret_key: str, teams: Mapping[str, str]) -> tuple[list, list[str]]:
    """(sheet title, columns, rows) for the export, and the citizen ids it contains."""
    found, _ = register.rows(db, municipality_id, register.Query(), None, paged=False)
    ids = [row["id"] for row in found]
    starts = {row.citizen_id: row for row in db.execute(
        select(F.citizen_id, F.answers, F.filled_on).where(F.form == "kontakt_start", F.voided == false(),
                                                           F.municipality_id == municipality_id)
        .order_by(F.filled_on, F.created_hlc))}
    people = {row.id: row for row in db.execute(
        select(C.id, C.sex, C.birth_year, K.identified_on).select_from(CITIZEN.outerjoin(COURSE, K.id == C.course_id))
        .where(C.municipality_id == municipality_id))}
    citizen_rows = []
    for row in found:
        person = people[row["id"]]
        answers = (starts[row["id"]].answers if row["id"] in starts else None) or {}
        band = answers.get("age_band") or _age_band({"birth_year": person.birth_year, "identified_on": person.identified_on})
        citizen_rows.append([
            research_id(secret_key, row["id"]), teams.get(row["team_id"], ""), answers.get("sex") or person.sex, band,
            row["identified_on"], row["started_on"], row["phase"], row["phase_date"],
            " > ".join(f"{e['phase']}:{e['date'] or ''}" for e in row["phase_history"]), row["plan_date"],
            row["ended_on"], row["end_reason"], row["phase_at_end"], row["destination"],
        ])
    out = [("Deltagere", ["forsknings_id", "team", "koen", "aldersgruppe", "identifikationsdato", "opstartsdato", "aktuel_fase",
                          "dato_aktuel_fase", "fasehistorik", "behandlingsplan_dato", "afslutningsdato", "afslutningsaarsag",
                          "fase_ved_afslutning", "afsluttes_til"], citizen_rows)]
    live = set(ids)
    for form in FORMS:
        keys = items_of(form)
        responses = db.execute(
            select(F.citizen_id, F.version, F.round, F.occasion, F.filled_on, F.filled_by, F.answers)
            .select_from(FORM.join(CITIZEN, C.id == F.citizen_id))
            .where(F.form == form, F.voided == false(), F.municipality_id == municipality_id,
                   or_(C.archived.is_(None), C.archived == false()))
            .order_by(F.citizen_id, F.filled_on, F.created_hlc)
        )
        rows = []
        for r in responses:
            if r.citizen_id not in live:
                continue
            answers = r.answers or {}
            rows.append([research_id(secret_key, r.citizen_id), r.version or 1, r.round, r.occasion, r.filled_on, r.filled_by,
                         *(_cell(answers.get(key)) for key in keys)])
        out.append((FORMS[form].label, ["forsknings_id", "version", "runde", "besvarelse", "udfyldt", "udfyldt_af", *keys], rows))
    out.append(("Om udtrækket", ["felt", "værdi"], [["Udeladt", item] for item in DROPPED]))
    return out, ids
