"""Log in with the municipality's identity provider (server/auth/oidc.py):

- `GET /api/session/providers`: which logins this server offers (the phone's and the
  office's login screens show the identity provider's button only when it is configured).
- `GET /api/session/oidc?next=/kontor/`: to the provider (303), with the flow cookie.
- `GET /api/session/oidc/callback`: back from the provider; on success the usual session
  cookie and a page that goes on to `next`.

The callback answers with a page, not a redirect: the browser arrives here from the
provider's site, and a `SameSite=Strict` session cookie set on a cross-site redirect chain
is not sent on its next hop. The page's own (same-site) navigation — a meta refresh and a
link, no script — carries it.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from sqlmodel import Session

from schemas.accounts import User
from server.auth import oidc
from server.auth.authz import require
from server.auth.sessions import set_session_cookie, start_session
from server.core import audit
from server.core.deps import ReleasingRoute, get_db
from server.core.errors import COMMON_RESPONSES, ApiError, problem_responses
from server.office.layout import render

FRESH_COOKIE = "brobygger_fresh_login"  # readable by the app's script: it holds nothing but "1"
router = APIRouter(prefix="/api/session", tags=["session"], responses=COMMON_RESPONSES, route_class=ReleasingRoute)


class OidcOption(BaseModel):
    label: str
    url: str


class Providers(BaseModel):
    password: bool
    oidc: OidcOption | None


@router.get("/providers", response_model=Providers, summary="Måder at logge ind på")
def providers(request: Request, _: User | None = Depends(require("GET /api/session/providers"))):
    settings = request.app.state.settings
    option = {"label": settings.oidc_label, "url": "/api/session/oidc"} if oidc.enabled(settings) else None
    return {"password": True, "oidc": option}


@router.get("/oidc", status_code=303, summary="Log ind med kommunens login (videre til kommunens login)",
            responses=problem_responses(404))
def begin(request: Request, next: str | None = Query(None, max_length=2000, description="siden efter login, fx /kontor/"),
          _: User | None = Depends(require("GET /api/session/oidc"))):
    settings = request.app.state.settings
    if not oidc.enabled(settings):
        raise ApiError("not_found")
    url, flow = oidc.begin(request, settings, next)
    response = RedirectResponse(url, status_code=303)
    oidc.set_flow_cookie(response, settings, flow)
    return response


@router.get("/oidc/callback", summary="Tilbage fra kommunens login", responses=problem_responses(404))
def callback(request: Request, db: Session = Depends(get_db), _: User | None = Depends(require("GET /api/session/oidc/callback"))):
    settings = request.app.state.settings
    if not oidc.enabled(settings):
        raise ApiError("not_found")
    try:
        user, target = oidc.finish(request, settings, db)
    except ApiError as error:
        audit.record(db, "login_failed", user_id=None)
        db.commit()
        response = render(request, "admin/oidc_result.html", {"message": error.message, "target": None},
                          title="Login mislykkedes", status_code=error.status)
        oidc.clear_flow_cookie(response, settings)
        return response
    token = start_session(db, settings, user)
    audit.record(db, "login_oidc", user_id=user.id)
    db.commit()
    response = render(request, "admin/oidc_result.html", {"message": None, "target": target}, title="Du er logget ind")
    set_session_cookie(response, settings, token)
    if not target.startswith("/kontor"):
        # The phone app resumes a session on start only with this mark (pwa/src/main.js): a
        # session that outlived a wipe of the phone (too many wrong unlocks) must not.
        response.set_cookie(FRESH_COOKIE, "1", max_age=120, path="/", samesite="lax", secure=settings.cookie_secure)
    oidc.clear_flow_cookie(response, settings)
    return response
