"""`/kontor/admin`: the administration's start page (what the caller's role may do here)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session, func, select

from schemas.accounts import User
from schemas.oplog import QuarantinedOp
from server.core.deps import ReleasingRoute, get_db
from server.office.admin import triage
from server.office.layout import office_page, render

router = APIRouter(route_class=ReleasingRoute, include_in_schema=False)


@router.get("/kontor/admin")
def admin_home(request: Request, db: Session = Depends(get_db), user: User = Depends(office_page("GET /kontor/admin"))):
    pending = None
    if user.role == "projektleder":
        pending = db.exec(select(func.count()).select_from(QuarantinedOp)
                          .where(triage.in_municipality(user.municipality_id), QuarantinedOp.decision.is_(None))).one()
    return render(request, "admin/home.html", {"pending": pending}, title="Administration", db=db)
