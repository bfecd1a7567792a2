"""What the administration pages share: times in Danish local time, the option lists of
the forms, and rendering a form again with the error of schemas/problems.py."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from schemas import enums
from schemas.accounts import Organisation, User
from server.office.layout import templates

LOCAL = ZoneInfo("Europe/Copenhagen")
ROLE_OPTIONS = [(role.code, role.label) for role in enums.ROLES]
KIND_OPTIONS = [(kind.code, kind.label) for kind in enums.ORGANISATION_KINDS]
KIND_LABELS = dict(KIND_OPTIONS)


def local_time(moment: datetime | None, with_time: bool = True) -> str:
    if moment is None:
        return "–"
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(LOCAL).strftime("%d-%m-%Y %H:%M" if with_time else "%d-%m-%Y")


templates.env.filters["admin_time"] = local_time


def oidc_login(request) -> dict | None:
    """The identity provider's button on the office's login page, when one is configured."""
    from server.auth import oidc

    settings = request.app.state.settings
    return {"label": settings.oidc_label, "url": "/api/session/oidc"} if oidc.enabled(settings) else None


templates.env.globals["oidc_login"] = oidc_login


def organisations(db: Session, municipality_id: str) -> list[Organisation]:
    return list(db.exec(select(Organisation).where(Organisation.municipality_id == municipality_id).order_by(Organisation.name)))


def org_options(db: Session, municipality_id: str) -> list[tuple[str, str]]:
    return [(org.id, f"{org.name} ({KIND_LABELS.get(org.kind, org.kind)})") for org in organisations(db, municipality_id)]


def user_in(db: Session, admin: User, user_id: str) -> User | None:
    user = db.get(User, user_id) if len(user_id) <= 64 else None
    return user if user is not None and user.municipality_id == admin.municipality_id else None
