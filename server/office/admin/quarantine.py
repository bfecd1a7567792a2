"""The quarantine for the project lead: the list, one rejected op, and its decision
(triage.py: re-apply corrected as a new op, or dismiss with a reason)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from schemas.accounts import User
from server.core.deps import ReleasingRoute, get_db
from server.core.errors import ApiError
from server.office.admin import triage
from server.office.layout import OfficeForm, PageError, office_form, office_page, render

router = APIRouter(route_class=ReleasingRoute, include_in_schema=False)
BASE = "/kontor/admin/karantaene"


@router.get(BASE)
def quarantine_list(request: Request, alle: bool = Query(False, description="også behandlede"), db: Session = Depends(get_db),
                    lead: User = Depends(office_page("GET /kontor/admin/karantaene"))):
    items = triage.listing(db, lead.municipality_id, include_decided=alle)
    triage.audit_reads(db, lead, items)
    return render(request, "admin/quarantine.html", {"items": items, "all": alle}, title="Afviste ændringer", db=db)


def _item(db: Session, lead: User, quarantine_id: int) -> dict:
    try:
        return triage.describe_many(db, [triage.get(db, lead.municipality_id, quarantine_id)])[0]
    except ApiError as error:
        raise PageError.from_api(error) from None


def _page(request: Request, db: Session, lead: User, quarantine_id: int, *, error: ApiError | None = None,
          value: str | None = None, reason: str = "", status: int = 200):
    item = _item(db, lead, quarantine_id)
    triage.audit_reads(db, lead, [item])
    return render(request, "admin/quarantine_item.html", {
        "item": item, "value": item["value_json"] if value is None else value, "reason": reason,
        "error": error.message if error else None, "error_field": error.field if error else None,
        "done": request.query_params.get("gemt"),
    }, title="Afvist ændring", status_code=status, db=db)


@router.get(f"{BASE}/{{quarantine_id}}")
def quarantine_item(quarantine_id: int, request: Request, db: Session = Depends(get_db),
                    lead: User = Depends(office_page("GET /kontor/admin/karantaene/{quarantine_id}"))):
    return _page(request, db, lead, quarantine_id)


@router.post(f"{BASE}/{{quarantine_id}}/genanvend")
def reapply(quarantine_id: int, request: Request, db: Session = Depends(get_db),
            form: OfficeForm = Depends(office_form("POST /kontor/admin/karantaene/{quarantine_id}/genanvend"))):
    value = form.get("value")[:64 * 1024]
    try:
        triage.reapply(db, request.app.state.clock, form.user, quarantine_id, value)
    except ApiError as error:
        db.rollback()
        if error.code == "not_found":
            raise PageError.from_api(error) from None
        return _page(request, db, form.user, quarantine_id, error=error, value=value, status=error.status)
    return RedirectResponse(f"{BASE}/{quarantine_id}?gemt=skrevet", status_code=303)


@router.post(f"{BASE}/{{quarantine_id}}/afvis")
def dismiss(quarantine_id: int, request: Request, db: Session = Depends(get_db),
            form: OfficeForm = Depends(office_form("POST /kontor/admin/karantaene/{quarantine_id}/afvis"))):
    reason = form.get("reason")[:2000]
    try:
        triage.dismiss(db, form.user, quarantine_id, reason)
    except ApiError as error:
        db.rollback()
        if error.code == "not_found":
            raise PageError.from_api(error) from None
        return _page(request, db, form.user, quarantine_id, error=error, reason=reason, status=error.status)
    return RedirectResponse(f"{BASE}/{quarantine_id}?gemt=afvist", status_code=303)
