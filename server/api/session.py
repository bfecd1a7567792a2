"""Log in, who am I, log out: `/api/session`."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlmodel import Session

from schemas.accounts import Organisation, User
from server.auth.authz import require
from server.auth.login import password_login
from server.auth.sessions import clear_session_cookie, end_session, public_user, set_session_cookie
from server.core.deps import ReleasingRoute, get_db
from server.core.errors import COMMON_RESPONSES, problem_responses

router = APIRouter(prefix="/api/session", tags=["session"], responses=COMMON_RESPONSES, route_class=ReleasingRoute)


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class UserOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: str
    organisation_id: str
    organisation_name: str | None
    municipality_id: str


class SessionOut(BaseModel):
    user: UserOut


def _user_out(db: Session, user: User) -> dict:
    organisation = db.get(Organisation, user.organisation_id)
    return {"user": public_user(user, organisation.name if organisation else None)}


@router.post("", response_model=SessionOut, summary="Log ind (sætter sessions-cookien)", responses=problem_responses(429))
def login(
    body: LoginIn,
    request: Request,
    db: Session = Depends(get_db),
    _: User | None = Depends(require("POST /api/session")),
):
    user, token = password_login(request, db, body.username, body.password)
    response = JSONResponse(_user_out(db, user))
    set_session_cookie(response, request.app.state.settings, token)
    return response


@router.get("", response_model=SessionOut, summary="Den indloggede bruger")
def who_am_i(db: Session = Depends(get_db), user: User = Depends(require("GET /api/session"))):
    return _user_out(db, user)


@router.delete("", status_code=204, summary="Log ud (sletter sessionen)")
def logout(request: Request, db: Session = Depends(get_db), user: User | None = Depends(require("DELETE /api/session"))):
    end_session(request, db, user)
    response = Response(status_code=204)
    clear_session_cookie(response, request.app.state.settings)
    return response
