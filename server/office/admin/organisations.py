"""Teams of the rusmiddelcenter and partner organisations: list, create, rename."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, func, select

from schemas.accounts import Organisation, User
from server.auth import accounts
from server.core.deps import ReleasingRoute, get_db
from server.core.errors import ApiError
from server.office.admin.common import KIND_LABELS, KIND_OPTIONS, organisations
from server.office.layout import OfficeForm, PageError, office_form, office_page, render

router = APIRouter(route_class=ReleasingRoute, include_in_schema=False)
BASE = "/kontor/admin/organisationer"


def _page(request: Request, db: Session, admin: User, *, values: dict | None = None, error: ApiError | None = None,
          error_org: str | None = None, status: int = 200):
    orgs = organisations(db, admin.municipality_id)
    members = dict(db.exec(select(User.organisation_id, func.count()).where(User.municipality_id == admin.municipality_id)
                           .group_by(User.organisation_id)).all())
    return render(request, "admin/organisations.html", {
        "orgs": [{"org": o, "kind": KIND_LABELS.get(o.kind, o.kind), "members": members.get(o.id, 0)} for o in orgs],
        "kinds": KIND_OPTIONS, "values": values or {"kind": "rusmiddelcenter"}, "saved": request.query_params.get("gemt"),
        "error": error.message if error else None, "error_org": error_org,
    }, title="Teams og partnere", status_code=status, db=db)


@router.get(BASE)
def organisation_list(request: Request, db: Session = Depends(get_db),
                      admin: User = Depends(office_page("GET /kontor/admin/organisationer"))):
    return _page(request, db, admin)


@router.post(BASE)
def create(request: Request, db: Session = Depends(get_db), form: OfficeForm = Depends(office_form("POST /kontor/admin/organisationer"))):
    values = {"name": form.get("name")[:300], "kind": form.get("kind")}
    try:
        accounts.create_organisation(db, form.user.municipality_id, values["name"], values["kind"], by=form.user.id)
    except ApiError as error:
        db.rollback()
        return _page(request, db, form.user, values=values, error=error, error_org="new", status=error.status)
    db.commit()
    return RedirectResponse(f"{BASE}?gemt=oprettet", status_code=303)


@router.post(f"{BASE}/{{org_id}}")
def rename(org_id: str, request: Request, db: Session = Depends(get_db),
           form: OfficeForm = Depends(office_form("POST /kontor/admin/organisationer/{org_id}"))):
    org = db.get(Organisation, org_id) if len(org_id) <= 64 else None
    if org is None or org.municipality_id != form.user.municipality_id:
        raise PageError("not_found")
    try:
        accounts.rename_organisation(db, org, form.get("name")[:300], by=form.user.id)
    except ApiError as error:
        db.rollback()
        return _page(request, db, form.user, error=error, error_org=org_id, status=error.status)
    db.commit()
    return RedirectResponse(f"{BASE}?gemt=omdoebt", status_code=303)
