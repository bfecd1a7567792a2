"""The office's own files, its login and logout, and its start page."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlmodel import Session

from schemas.accounts import User
from server.auth.login import password_login
from server.auth.sessions import clear_session_cookie, end_session, set_session_cookie
from server.core.deps import ReleasingRoute, get_db
from server.core.errors import ApiError
from server.office.layout import LOGIN_PATH, PREFIX, STATIC_DIR, OfficeForm, office_form, office_page, render

router = APIRouter(route_class=ReleasingRoute, include_in_schema=False)

MEDIA = {".css": "text/css; charset=utf-8", ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf",
         ".eot": "application/vnd.ms-fontobject", ".svg": "image/svg+xml", ".png": "image/png"}


@router.get(f"{PREFIX}/static/{{path:path}}")
def static_file(path: str, _: User | None = Depends(office_page("GET /kontor/static/{path:path}"))) -> Response:
    target = (STATIC_DIR / path).resolve()
    media = MEDIA.get(Path(path).suffix.lower())
    if media is None or STATIC_DIR.resolve() not in target.parents or not target.is_file():
        return Response(status_code=404)
    return FileResponse(target, media_type=media, headers={"Cache-Control": "public, max-age=86400"})


def _safe_next(value: str | None) -> str:
    """Only a path inside the office (no other host, no scheme-relative URL)."""
    if value and value.startswith(f"{PREFIX}/") and not value.startswith("//") and "\\" not in value and len(value) < 2000:
        return value
    return f"{PREFIX}/"


@router.get(LOGIN_PATH)
def login_page(request: Request, next: str | None = None, user: User | None = Depends(office_page("GET /kontor/login"))):
    if user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", {"next": _safe_next(next), "error": None, "username": ""}, title="Log ind")


@router.post(LOGIN_PATH)
def login(request: Request, db: Session = Depends(get_db), form: OfficeForm = Depends(office_form("POST /kontor/login"))):
    username, password, target = form.get("username")[:100], form.get("password")[:1000], _safe_next(form.get("next"))
    error = None
    if not username or not password:
        error = "Skriv dit brugernavn og din adgangskode."
    else:
        try:
            _, token = password_login(request, db, username, password)
        except ApiError as failed:
            error = failed.message
            status = failed.status
        else:
            response = RedirectResponse(target, status_code=303)
            set_session_cookie(response, request.app.state.settings, token)
            return response
    return render(request, "login.html", {"next": target, "error": error, "username": username}, title="Log ind",
                  status_code=422 if not (username and password) else status)


@router.post(f"{PREFIX}/logout")
def logout(request: Request, db: Session = Depends(get_db), form: OfficeForm = Depends(office_form("POST /kontor/logout"))):
    end_session(request, db, form.user)
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    clear_session_cookie(response, request.app.state.settings)
    return response


@router.get(f"{PREFIX}/")
def start(request: Request, db: Session = Depends(get_db), user: User = Depends(office_page("GET /kontor/"))):
    return render(request, "home.html", {}, title="Forside", db=db)
