"""`GET /api/organisations`: the organisations of the caller's municipality (names only)."""
from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlmodel import Session, select

from schemas.accounts import Organisation, User
from server.auth.authz import require
from server.auth.sessions import current_user
from server.core.deps import ReleasingRoute, get_db
from server.core.errors import COMMON_RESPONSES

router = APIRouter(prefix="/api", tags=["organisations"], responses=COMMON_RESPONSES, route_class=ReleasingRoute)


@router.get("/organisations", dependencies=[Depends(require("GET /api/organisations"))])
def organisations(user: User = Depends(current_user), db: Session = Depends(get_db)) -> list[dict]:
    rows = db.exec(
        select(Organisation).where(Organisation.municipality_id == user.municipality_id).order_by(Organisation.name)
    ).all()
    return [{"id": org.id, "name": org.name, "kind": org.kind} for org in rows]
