"""The rows reports count, read with plain SQL from the typed register tables (citizen,
course, form_response, lead, contact), never from the sync snapshots' JSON.

Every loader is bounded by the municipality and leaves out archived citizens (archive
is how a citizen is deleted) and voided responses. The period (`Scope.date_from/to`)
applies to the date each unit belongs to: a citizen's identification date (start form,
register), a response's filled-in date, a course end's end date, a course's request date
(the 14-day rule), a lead's date seen, a citizen's children in the home by the
identification date of its courses.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, false, func, or_, select
from sqlmodel import Session

from schemas.accounts import Organisation
from schemas.records import Citizen, Contact, Course, FormResponse, Lead, VisibilityWork

CITIZEN, COURSE, FORM = Citizen.__table__, Course.__table__, FormResponse.__table__
C, K, F, L, T = CITIZEN.c, COURSE.c, FORM.c, Lead.__table__.c, Contact.__table__.c


@dataclass(frozen=True)
class Scope:
    municipality_id: str
    date_from: date | None = None
    date_to: date | None = None
    team_id: str | None = None  # only this team's citizens
    panel: bool = False  # progression: only citizens who answered every occasion 1–4


def _live_citizen():
    return or_(C.archived.is_(None), C.archived == false())


def _period(column, scope: Scope):
    clauses = []
    if scope.date_from is not None:
        clauses.append(column >= scope.date_from.isoformat())
    if scope.date_to is not None:
        clauses.append(column <= scope.date_to.isoformat())
    return and_(*clauses) if clauses else None


def _where(query, *clauses):
    return query.where(*[c for c in clauses if c is not None])


def teams(db: Session, municipality_id: str) -> dict[str, str]:
    """The municipality's teams (organisations of kind rusmiddelcenter): id → name."""
    rows = db.exec(select(Organisation.id, Organisation.name).where(
        Organisation.municipality_id == municipality_id, Organisation.kind == "rusmiddelcenter").order_by(Organisation.name))
    return {row.id: row.name for row in rows}


def start_responses(db: Session, scope: Scope) -> list[dict]:
    """Kontaktskema start per citizen (its newest live response), with the citizen's
    register facts; the period is the identification date of the citizen's course."""
    newest = (
        select(F.citizen_id, F.answers, func.row_number().over(
            partition_by=F.citizen_id, order_by=(F.filled_on.desc(), F.created_hlc.desc(), F.id.desc())).label("k"))
        .where(F.form == "kontakt_start", F.voided == false(), F.municipality_id == scope.municipality_id)
        .subquery()
    )
    query = (
        select(C.id, C.team_id, C.sex, C.birth_year, K.identified_on, newest.c.answers)
        .select_from(CITIZEN.join(newest, and_(newest.c.citizen_id == C.id, newest.c.k == 1)).outerjoin(COURSE, K.id == C.course_id))
    )
    query = _where(query, C.municipality_id == scope.municipality_id, _live_citizen(),
                   C.team_id == scope.team_id if scope.team_id else None, _period(K.identified_on, scope))
    return [dict(row._mapping) for row in db.execute(query)]


def responses(db: Session, scope: Scope, form: str, item_keys: tuple[str, ...] | None = None) -> list[dict]:
    """Live responses of a form filled in the period, each with its occasion (the
    citizen's k-th live response of the form, counted over all its responses). With
    `item_keys`, only those answers are read (in SQL: a report needs one or two items of
    a form of thirty, and decoding every answer dict is most of its time)."""
    answers = [F.answers] if item_keys is None else [F.answers[key].label(f"item_{n}") for n, key in enumerate(item_keys)]
    inner = (
        select(F.id, F.citizen_id, F.filled_on, F.round, *answers, _occasion(db, scope.municipality_id, form), C.team_id, C.created_by)
        .select_from(FORM.join(CITIZEN, C.id == F.citizen_id))
        .where(F.form == form, F.voided == false(), F.municipality_id == scope.municipality_id, _live_citizen())
        .subquery()
    )
    query = _where(select(inner), inner.c.team_id == scope.team_id if scope.team_id else None, _period(inner.c.filled_on, scope))
    result = db.execute(query)
    keys = list(result.keys())
    rows = [dict(zip(keys, row)) for row in result]
    if item_keys is not None:
        for row in rows:
            row["answers"] = {key: row.pop(f"item_{n}") for n, key in enumerate(item_keys)}
    if scope.panel:
        full = panel_citizens(db, scope.municipality_id, form)
        rows = [row for row in rows if row["citizen_id"] in full]
    return rows


def _occasion(db: Session, municipality_id: str, form: str):
    """The occasion column the server derives (sync.derive.occasions); only where a live
    response lacks it, the same number computed in SQL (the citizen's k-th live response
    by filled-in date, creation HLC and id)."""
    missing = db.execute(select(F.id).where(F.form == form, F.voided == false(), F.municipality_id == municipality_id,
                                            F.occasion.is_(None)).limit(1)).first()
    if missing is None:
        return F.occasion.label("occasion")
    computed = func.row_number().over(partition_by=F.citizen_id, order_by=(F.filled_on, F.created_hlc, F.id))
    return func.coalesce(F.occasion, computed).label("occasion")


def panel_citizens(db: Session, municipality_id: str, form: str, occasions: int = 4) -> set[str]:
    """Citizens with live responses of the form at every occasion 1…`occasions`."""
    query = (
        select(F.citizen_id).where(F.form == form, F.voided == false(), F.municipality_id == municipality_id)
        .group_by(F.citizen_id).having(func.count() >= occasions)
    )
    return set(db.execute(query).scalars())


def course_ends(db: Session, scope: Scope) -> list[dict]:
    """Per citizen, its newest course that ended in the period (end reason, phase at end,
    destination); archived courses never count."""
    ranked = (
        select(K.citizen_id, K.ended_on, K.end_reason, K.phase_at_end, K.destination, func.row_number().over(
            partition_by=K.citizen_id, order_by=(K.ended_on.desc(), K.created_hlc.desc(), K.id.desc())).label("k"))
        .where(K.municipality_id == scope.municipality_id, K.ended_on.is_not(None),
               or_(K.archived.is_(None), K.archived == false()))
    )
    ranked = _where(ranked, _period(K.ended_on, scope)).subquery()
    query = (
        select(ranked.c.citizen_id, ranked.c.ended_on, ranked.c.end_reason, ranked.c.phase_at_end, ranked.c.destination, C.team_id)
        .select_from(ranked.join(CITIZEN, C.id == ranked.c.citizen_id)).where(ranked.c.k == 1, _live_citizen())
    )
    query = _where(query, C.team_id == scope.team_id if scope.team_id else None)
    return [dict(row._mapping) for row in db.execute(query)]


def course_requests(db: Session, scope: Scope) -> tuple[list[dict], int]:
    """Per citizen, its newest live course requested in the period (request, start and end
    dates), and how many live courses the period's rule cannot place: those without a
    request date (counted by identification date in the period)."""
    live_course = or_(K.archived.is_(None), K.archived == false())
    ranked = (
        select(K.citizen_id, K.requested_on, K.started_on, K.ended_on, func.row_number().over(
            partition_by=K.citizen_id, order_by=(K.requested_on.desc(), K.created_hlc.desc(), K.id.desc())).label("k"))
        .where(K.municipality_id == scope.municipality_id, K.requested_on.is_not(None), live_course)
    )
    ranked = _where(ranked, _period(K.requested_on, scope)).subquery()
    team = C.team_id == scope.team_id if scope.team_id else None
    query = (
        select(ranked.c.citizen_id, ranked.c.requested_on, ranked.c.started_on, ranked.c.ended_on, C.team_id)
        .select_from(ranked.join(CITIZEN, C.id == ranked.c.citizen_id)).where(ranked.c.k == 1, _live_citizen())
    )
    rows = [dict(row._mapping) for row in db.execute(_where(query, team))]
    missing = _where(select(func.count()).select_from(COURSE.join(CITIZEN, C.id == K.citizen_id)),
                     K.municipality_id == scope.municipality_id, K.requested_on.is_(None), live_course, _live_citizen(),
                     team, _period(K.identified_on, scope))
    return rows, db.execute(missing).scalar_one()


def children_in_home(db: Session, scope: Scope) -> list[dict]:
    """Per live citizen with a live course identified in the period: the children-in-the-home
    facts (confidential: reports show them only as counts)."""
    identified = _where(select(K.citizen_id).where(K.municipality_id == scope.municipality_id,
                                                   or_(K.archived.is_(None), K.archived == false())),
                        _period(K.identified_on, scope))
    query = select(C.id.label("citizen_id"), C.team_id, C.children_in_home, C.children_count, C.children_offers_on,
                   C.notify_duty_told_on, C.notification_on).where(
        C.municipality_id == scope.municipality_id, _live_citizen(), C.id.in_(identified))
    query = _where(query, C.team_id == scope.team_id if scope.team_id else None)
    return [dict(row._mapping) for row in db.execute(query)]


def leads(db: Session, scope: Scope) -> list[dict]:
    """Leads seen in the period (a lead has no team: the team filter applies to the
    citizens leads became)."""
    query = select(L.id, L.seen_on, L.outcome, L.archived, L.citizen_id, L.stage, L.resolution).where(
        L.municipality_id == scope.municipality_id)
    rows = [dict(row._mapping) for row in db.execute(_where(query, _period(L.seen_on, scope)))]
    if scope.team_id:
        linked = [r["citizen_id"] for r in rows if r["citizen_id"]]
        in_team = set(db.execute(select(C.id).where(C.id.in_(linked), C.team_id == scope.team_id)).scalars()) if linked else set()
        rows = [r for r in rows if r["citizen_id"] in in_team]
    return rows


def visibility(db: Session, scope: Scope) -> list[dict]:
    """The visibility log's live entries done in the period (a team filter: that team's)."""
    V = VisibilityWork.__table__.c
    live = or_(V.archived.is_(None), V.archived == false())
    query = select(V.kind, V.reached).where(V.municipality_id == scope.municipality_id, live)
    return [dict(row._mapping) for row in db.execute(_where(query, _period(V.done_on, scope),
                                                              V.team_id == scope.team_id if scope.team_id else None))]


def first_contacts(db: Session, citizen_ids: list[str]) -> dict[str, str]:
    """The date of each citizen's first contact (not an attempt)."""
    if not citizen_ids:
        return {}
    query = (select(T.citizen_id, func.min(T.occurred_at)).where(T.citizen_id.in_(citizen_ids), T.kind == "contact",
                                                                  T.voided == false()).group_by(T.citizen_id))
    return {citizen: first[:10] for citizen, first in db.execute(query) if first}
