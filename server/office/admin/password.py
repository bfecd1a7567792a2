"""Choosing a password: with a one-time link (`/kontor/adgangskode/{token}`, no login: the
link is the proof), and changing one's own (`/kontor/konto`, the current password first).

The link page carries no personal data beyond the user's own username, sends no referrer
(Referrer-Policy: no-referrer on every response) and is never cached; a used, expired or
voided link answers 410 with the same words, so links cannot be probed.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from schemas.accounts import User
from server.auth import accounts
from server.auth.passwords import hash_password, verify_password
from server.auth.sessions import end_sessions_of, set_session_cookie, start_session
from server.core import audit
from server.core.deps import ReleasingRoute, get_db
from server.core.errors import ApiError
from server.office.layout import OfficeForm, office_form, office_page, render

router = APIRouter(route_class=ReleasingRoute, include_in_schema=False)


def _choose_page(request: Request, token: str, user: User, error: ApiError | None = None, status: int = 200):
    return render(request, "admin/choose_password.html", {
        "token": token, "username": user.username, "min": accounts.MIN_PASSWORD,
        "error": error.message if error else None, "error_field": error.field if error else None,
    }, title="Vælg adgangskode", status_code=status)


@router.get("/kontor/adgangskode/{token}")
def choose(token: str, request: Request, db: Session = Depends(get_db),
           _: User | None = Depends(office_page("GET /kontor/adgangskode/{token}"))):
    _, user = accounts.open_link(db, request.app.state.settings, token)  # 410 link_expired
    return _choose_page(request, token, user)


@router.post("/kontor/adgangskode/{token}")
def chosen(token: str, request: Request, db: Session = Depends(get_db),
           form: OfficeForm = Depends(office_form("POST /kontor/adgangskode/{token}"))):
    settings = request.app.state.settings
    try:
        user = accounts.use_link(db, settings, token, form.get("password")[:accounts.MAX_PASSWORD + 1],
                                 form.get("repeat")[:accounts.MAX_PASSWORD + 1])
    except ApiError as error:
        db.rollback()
        if error.code == "link_expired":
            raise
        return _choose_page(request, token, accounts.open_link(db, settings, token)[1], error, status=error.status)
    db.commit()
    return render(request, "admin/password_chosen.html", {"username": user.username}, title="Adgangskoden er gemt")


def _account_page(request: Request, db: Session, error: ApiError | None = None, saved: bool = False, status: int = 200):
    return render(request, "admin/account.html", {
        "min": accounts.MIN_PASSWORD, "saved": saved,
        "error": error.message if error else None, "error_field": error.field if error else None,
    }, title="Min konto", status_code=status, db=db)


@router.get("/kontor/konto")
def account(request: Request, db: Session = Depends(get_db), _: User = Depends(office_page("GET /kontor/konto"))):
    return _account_page(request, db, saved=request.query_params.get("gemt") == "1")


@router.post("/kontor/konto/adgangskode")
def change_password(request: Request, db: Session = Depends(get_db),
                    form: OfficeForm = Depends(office_form("POST /kontor/konto/adgangskode"))):
    settings, user = request.app.state.settings, form.user
    try:
        if not verify_password(user.password_hash, form.get("current")[:accounts.MAX_PASSWORD]):
            raise ApiError("bad_credentials")
        accounts.check_new_password(form.get("password")[:accounts.MAX_PASSWORD + 1], form.get("repeat")[:accounts.MAX_PASSWORD + 1])
    except ApiError as error:
        return _account_page(request, db, error, status=error.status if error.code != "bad_credentials" else 422)
    user.password_hash = hash_password(form.get("password"))
    db.add(user)
    # Every other session ends (a changed password is often a suspected leak); this one
    # goes on in a new session.
    end_sessions_of(db, user.id)
    token = start_session(db, settings, user)
    audit.record(db, "password_change", user_id=user.id, entity="user", record_id=user.id)
    db.commit()
    response = RedirectResponse("/kontor/konto?gemt=1", status_code=303)  # the next page's forms carry the new session's CSRF
    set_session_cookie(response, settings, token)
    return response
