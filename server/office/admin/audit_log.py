"""The audit log as the project lead reads it: who read or changed which citizen, when —
with names — filtered by citizen (code), user, period and action; and the access report
for one citizen (GDPR art. 15: a citizen may ask who looked them up).

Only entries by users of the lead's municipality. Looking at the log about a citizen is
itself a look at that citizen (`audit_read` with the citizen, as `GET /api/audit` does).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, func, select

from schemas.accounts import AuditEntry, Device, Organisation, User
from schemas.records import Citizen
from server.core import audit
from server.office.admin.common import LOCAL, local_time
from server.office.admin.triage import ENTITY_LABELS
from server.office.exports import csv_bytes

PAGE_SIZE = 100
REPORT_LIMIT = 100_000
ACTION_LABELS = {
    "read": "Læst", "write": "Ændret", "audit_read": "Så i loggen",
    "login": "Logget ind", "login_oidc": "Logget ind med kommunens login", "login_failed": "Mislykket login", "logout": "Logget ud",
    "device_register": "Telefon registreret", "device_revoke": "Telefon spærret", "device_readmit": "Telefon genåbnet",
    "sync_push_revoked": "Sendt fra spærret telefon",
    "user_create": "Bruger oprettet", "user_update": "Bruger ændret", "user_activate": "Bruger genaktiveret",
    "user_deactivate": "Bruger deaktiveret", "invitation_create": "Invitationslink lavet", "password_reset": "Adgangskode nulstillet",
    "password_set": "Adgangskode valgt med link", "password_change": "Adgangskode skiftet",
    "organisation_create": "Organisation oprettet", "organisation_update": "Organisation omdøbt",
    "quarantine_reapply": "Afvist ændring skrevet igen", "quarantine_dismiss": "Afvist ændring afvist",
    "schedule_update": "Skemaplan ændret",
}
A = AuditEntry


@dataclass
class Filters:
    citizen: str = ""  # the citizen's code
    user_id: str = ""
    start: date | None = None
    end: date | None = None
    action: str = ""
    page: int = 1


def municipality_users(municipality_id: str):
    return select(User.id).where(User.municipality_id == municipality_id)


def citizen_ids(db: Session, municipality_id: str, code: str) -> list[str]:
    """Every citizen of the municipality with this code (two, while a duplicate is unresolved)."""
    code = code.strip()
    if not code:
        return []
    return list(db.exec(select(Citizen.id).where(Citizen.municipality_id == municipality_id,
                                                 func.upper(Citizen.code) == code.upper())))


def _query(municipality_id: str, filters: Filters, citizens: list[str] | None):
    query = select(A).where(A.user_id.in_(municipality_users(municipality_id)))
    if citizens is not None:
        query = query.where(A.citizen_id.in_(citizens))
    if filters.user_id:
        query = query.where(A.user_id == filters.user_id)
    if filters.action:
        query = query.where(A.action == filters.action)
    if filters.start:
        query = query.where(A.at >= datetime.combine(filters.start, time(0), tzinfo=LOCAL).astimezone(UTC))
    if filters.end:
        query = query.where(A.at < datetime.combine(filters.end + timedelta(days=1), time(0), tzinfo=LOCAL).astimezone(UTC))
    return query


def search(db: Session, lead: User, filters: Filters) -> dict:
    citizens = citizen_ids(db, lead.municipality_id, filters.citizen) if filters.citizen.strip() else None
    query = _query(lead.municipality_id, filters, citizens)
    total = db.exec(select(func.count()).select_from(query.subquery())).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(filters.page, 1), pages)
    rows = db.exec(query.order_by(A.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    # Looking up who saw a citizen is itself a look at that citizen.
    for citizen_id in citizens or [None]:
        audit.record(db, "audit_read", user_id=lead.id, citizen_id=citizen_id)
    db.commit()
    return {"rows": named(db, list(rows)), "total": total, "page": page, "pages": pages,
            "citizen_found": citizens is None or bool(citizens)}


def named(db: Session, rows: list[AuditEntry]) -> list[dict]:
    user_ids = {r.user_id for r in rows if r.user_id}
    users = {u.id: u for u in db.exec(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    orgs = {o.id: o.name for o in db.exec(select(Organisation).where(Organisation.id.in_({u.organisation_id for u in users.values()})))}
    device_ids = {r.device_id for r in rows if r.device_id}
    devices = dict(db.exec(select(Device.id, Device.name).where(Device.id.in_(device_ids))).all()) if device_ids else {}
    cids = {r.citizen_id for r in rows if r.citizen_id}
    codes = dict(db.exec(select(Citizen.id, Citizen.code).where(Citizen.id.in_(cids))).all()) if cids else {}
    out = []
    for row in rows:
        user = users.get(row.user_id)
        out.append({
            "at": local_time(row.at).replace(" ", " kl. "), "at_iso": row.at,
            "user": user.display_name if user else "–", "role": user.role if user else None,
            "organisation": orgs.get(user.organisation_id, "") if user else "",
            "action": ACTION_LABELS.get(row.action, row.action), "action_code": row.action,
            "what": ENTITY_LABELS.get(row.entity or "", row.entity or ""),
            "citizen": codes.get(row.citizen_id, "(ukendt)") if row.citizen_id else "",
            "device": devices.get(row.device_id, "Web" if (row.device_id or "").startswith("web-") else "") if row.device_id else "",
        })
    return out


def actions_in_use(db: Session, municipality_id: str) -> list[tuple[str, str]]:
    codes = db.exec(select(A.action).where(A.user_id.in_(municipality_users(municipality_id))).distinct()).all()
    return sorted(((code, ACTION_LABELS.get(code, code)) for code in codes), key=lambda pair: pair[1])


REPORT_COLUMNS = ("Tidspunkt", "Medarbejder", "Rolle", "Organisation", "Handling", "Oplysning", "Enhed")


def access_report(db: Session, lead: User, code: str, role_label) -> tuple[bytes, int] | None:
    """The CSV of everything logged about the citizen(s) with this code, oldest first; None
    when no citizen of the municipality has the code."""
    citizens = citizen_ids(db, lead.municipality_id, code)
    if not citizens:
        return None
    query = _query(lead.municipality_id, Filters(), citizens).order_by(A.id).limit(REPORT_LIMIT)
    rows = named(db, list(db.exec(query)))
    for citizen_id in citizens:
        audit.record(db, "audit_read", user_id=lead.id, citizen_id=citizen_id)
    db.commit()
    lines = []
    for row in rows:
        at = row["at_iso"] if row["at_iso"].tzinfo else row["at_iso"].replace(tzinfo=UTC)
        lines.append([at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S"), row["user"], role_label(row["role"]) or "",
                      row["organisation"], row["action"], row["what"], row["device"]])
    # The reports' CSV writer: Danish Excel's format, and a name starting with "=" stays text.
    return csv_bytes(REPORT_COLUMNS, lines), len(rows)
