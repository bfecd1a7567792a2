"""Users of the administrator's municipality: list, create (with an invitation link), change
name, role, team and login id, a new invitation or reset link, deactivate and reactivate.

A link is shown once, on the page that made it (only its hash is stored): the
administrator passes it on to the person (in person, by the municipality's mail).
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, func, select

from schemas.accounts import Device, Organisation, User
from server.auth import accounts
from server.core.deps import ReleasingRoute, get_db
from server.core.errors import ApiError
from server.office.admin import triage
from server.office.admin.common import ROLE_OPTIONS, org_options, user_in
from server.office.layout import OfficeForm, PageError, office_form, office_page, render

router = APIRouter(route_class=ReleasingRoute, include_in_schema=False)
BASE = "/kontor/admin/brugere"
FIELDS = ("display_name", "username", "role", "organisation_id", "external_id")


def _origin(request: Request) -> str:
    return request.app.state.settings.public_origin or str(request.base_url)


def _user(db: Session, admin: User, user_id: str) -> User:
    user = user_in(db, admin, user_id)
    if user is None:
        raise PageError("not_found")
    return user


@router.get(BASE)
def user_list(request: Request, db: Session = Depends(get_db), admin: User = Depends(office_page("GET /kontor/admin/brugere"))):
    users = db.exec(select(User).where(User.municipality_id == admin.municipality_id).order_by(User.display_name)).all()
    orgs = {o.id: o.name for o in db.exec(select(Organisation).where(Organisation.municipality_id == admin.municipality_id))}
    phones = dict(db.exec(select(Device.user_id, func.count()).where(Device.user_id.in_([u.id for u in users]),
                                                                    Device.revoked_at.is_(None)).group_by(Device.user_id)).all())
    rows = [{"user": u, "org": orgs.get(u.organisation_id, ""), "has_password": accounts.has_password(u), "phones": phones.get(u.id, 0)}
            for u in users]
    return render(request, "admin/users.html", {"rows": rows}, title="Brugere", db=db)


def _form_page(request: Request, db: Session, admin: User, values: dict, error: ApiError | None = None, status: int = 200):
    return render(request, "admin/user_new.html", {
        "values": values, "roles": ROLE_OPTIONS, "orgs": org_options(db, admin.municipality_id),
        "error": error.message if error else None, "error_field": error.field if error else None,
    }, title="Ny bruger", status_code=status, db=db)


@router.get(f"{BASE}/ny")
def new_user(request: Request, db: Session = Depends(get_db), admin: User = Depends(office_page("GET /kontor/admin/brugere/ny"))):
    return _form_page(request, db, admin, {"role": "behandler"})


@router.post(BASE)
def create_user(request: Request, db: Session = Depends(get_db), form: OfficeForm = Depends(office_form("POST /kontor/admin/brugere"))):
    admin = form.user
    values = {name: form.get(name)[:300] for name in FIELDS}
    try:
        user = accounts.create_user(db, municipality_id=admin.municipality_id, username=values["username"],
                                    display_name=values["display_name"], role=values["role"],
                                    organisation_id=values["organisation_id"], external_id=values["external_id"], by=admin.id)
        token = accounts.issue_link(db, request.app.state.settings, user, "invite", by=admin.id)
    except ApiError as error:
        db.rollback()
        return _form_page(request, db, admin, values, error, status=error.status)
    db.commit()
    return _link_page(request, db, user, token, "invite", status=201)


def _link_page(request: Request, db: Session, user: User, token: str, purpose: str, status: int = 200):
    return render(request, "admin/link.html", {
        "target": user, "link": accounts.link_url(_origin(request), token), "purpose": purpose,
        "hours": request.app.state.settings.invitation_hours,
    }, title="Bruger oprettet" if purpose == "invite" and status == 201 else "Nyt engangslink", status_code=status, db=db)


@router.get(f"{BASE}/{{user_id}}")
def user_page(user_id: str, request: Request, db: Session = Depends(get_db),
              admin: User = Depends(office_page("GET /kontor/admin/brugere/{user_id}"))):
    user = _user(db, admin, user_id)
    return _user_page(request, db, admin, user, values=None)


def _user_page(request: Request, db: Session, admin: User, user: User, values: dict | None, error: ApiError | None = None,
               status: int = 200):
    devices = db.exec(select(Device).where(Device.user_id == user.id).order_by(Device.created_at)).all()
    pending = triage.pending_by_device(db, [d.id for d in devices])
    saved = request.query_params.get("gemt")
    return render(request, "admin/user.html", {
        "target": user, "values": values or {name: getattr(user, name) or "" for name in FIELDS},
        "roles": ROLE_OPTIONS, "orgs": org_options(db, admin.municipality_id), "devices": devices, "pending": pending,
        "has_password": accounts.has_password(user), "is_self": user.id == admin.id,
        "error": error.message if error else None, "error_field": error.field if error else None,
        "saved": saved, "org_name": (db.get(Organisation, user.organisation_id) or Organisation(name="")).name,
    }, title=user.display_name, status_code=status, db=db)


@router.post(f"{BASE}/{{user_id}}")
def save_user(user_id: str, request: Request, db: Session = Depends(get_db),
              form: OfficeForm = Depends(office_form("POST /kontor/admin/brugere/{user_id}"))):
    admin = form.user
    user = _user(db, admin, user_id)
    values = {name: form.get(name)[:300] for name in FIELDS}
    values["username"] = user.username
    try:
        moved = accounts.change_user(db, user, by=admin, display_name=values["display_name"], role=values["role"],
                                     organisation_id=values["organisation_id"], external_id=values["external_id"])
    except ApiError as error:
        db.rollback()
        return _user_page(request, db, admin, _user(db, admin, user_id), values, error, status=error.status)
    db.commit()
    return RedirectResponse(f"{BASE}/{user.id}?gemt={'flyttet' if moved else 'ja'}", status_code=303)


@router.post(f"{BASE}/{{user_id}}/link")
def new_link(user_id: str, request: Request, db: Session = Depends(get_db),
             form: OfficeForm = Depends(office_form("POST /kontor/admin/brugere/{user_id}/link"))):
    user = _user(db, form.user, user_id)
    if not user.active:
        raise PageError("link_expired")
    purpose = "reset" if accounts.has_password(user) else "invite"
    token = accounts.issue_link(db, request.app.state.settings, user, purpose, by=form.user.id)
    db.commit()
    return _link_page(request, db, user, token, purpose)


@router.post(f"{BASE}/{{user_id}}/aktiv")
def set_active(user_id: str, request: Request, db: Session = Depends(get_db),
               form: OfficeForm = Depends(office_form("POST /kontor/admin/brugere/{user_id}/aktiv"))):
    user = _user(db, form.user, user_id)
    active = form.get("active") == "1"
    try:
        accounts.set_active(db, user, active, by=form.user)
    except ApiError as error:
        raise PageError.from_api(error) from None
    db.commit()
    return RedirectResponse(f"{BASE}/{user.id}?gemt={'aktiv' if active else 'deaktiveret'}", status_code=303)
