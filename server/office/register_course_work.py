"""The course work in the register (issue 12): how many goals the behandlingsplan has in
the citizen's own words, and where the follow-up after a completed course stands — read for
one page of rows at a time from the typed tables, decided by the phone's rule
(sync.derive.follow_up). Never the goals' wording, never the children in the home (those
are counts in the `children-in-home` report only)."""
from __future__ import annotations

from sqlalchemy import false, func, or_, select
from sqlmodel import Session

from schemas.enums import FOLLOW_UP_CONSENT
from schemas.records import Consent, FormResponse, Goal
from schemas.schedule import FOLLOW_UP_FORM
from sync.derive import follow_up

G, N, F = Goal.__table__.c, Consent.__table__.c, FormResponse.__table__.c
STATE_TEXT = {
    "not_ended": "",
    "interrupted": "Ingen – forløbet blev afbrudt",
    "no_consent": "Ingen – intet samtykke",
    "done": "Gennemført",
}


def add(db: Session, rows: list[dict], today: str) -> None:
    """`goals` (live goals) and `follow_up` (the follow-up's state, a short Danish text) on
    each row, in three queries for the page."""
    ids = [row["id"] for row in rows]
    if not ids:
        return
    goals = dict(db.execute(select(G.citizen_id, func.count()).where(
        G.citizen_id.in_(ids), or_(G.archived.is_(None), G.archived == false())).group_by(G.citizen_id)).all())
    consented = set(db.execute(select(N.citizen_id).where(
        N.citizen_id.in_(ids), N.purpose == FOLLOW_UP_CONSENT, N.granted.is_(True))).scalars())
    answered: dict[str, list[dict]] = {}
    for citizen_id, number in db.execute(select(F.citizen_id, F.round).where(
            F.citizen_id.in_(ids), F.form == FOLLOW_UP_FORM, F.voided == false())):
        answered.setdefault(citizen_id, []).append({"fields": {"form": FOLLOW_UP_FORM, "round": number}})
    for row in rows:
        row["goals"] = goals.get(row["id"], 0)
        course = [{"id": row["course_id"], "fields": {"ended_on": row.get("ended_on"), "end_reason": row.get("end_reason")}}] \
            if row.get("course_id") else []
        consents = [{"fields": {"purpose": FOLLOW_UP_CONSENT, "granted": True}}] if row["id"] in consented else []
        row["follow_up"] = follow_up_text(follow_up(course, consents, answered.get(row["id"], [])), today)


def follow_up_text(fact: dict, today: str) -> str:
    """The next open round and its date ("Runde 1 senest 2026-11-18, overskredet"), else why none."""
    if fact["rounds"]:
        first = fact["rounds"][0]
        late = ", overskredet" if today > first["due_on"] else ""
        return f"Runde {first['round']} senest {first['due_on']}{late}"
    return STATE_TEXT[fact["reason"]]
