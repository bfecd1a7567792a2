"""`/kontor/admin/log`: the audit log with names and filters, and the access report of one
citizen as a CSV download (audit_log.py)."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session, select

from schemas.accounts import User
from server.core.deps import ReleasingRoute, get_db
from server.office.admin import audit_log
from server.office.layout import ROLE_LABELS, PageError, office_page, render

router = APIRouter(route_class=ReleasingRoute, include_in_schema=False)
BASE = "/kontor/admin/log"


def _date(text: str, field: str) -> date | None:
    """A date filter: empty (the form's blank field) is no limit; anything else must be a date."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PageError("invalid_field", "not_date", field) from None


@router.get(BASE)
def log_page(
    request: Request,
    borger: str = Query("", max_length=40, description="borgerens kode"),
    bruger: str = Query("", max_length=64),
    fra: str = Query("", max_length=10, description="ÅÅÅÅ-MM-DD (tom: ingen grænse)"),
    til: str = Query("", max_length=10, description="ÅÅÅÅ-MM-DD (tom: ingen grænse)"),
    handling: str = Query("", max_length=40),
    side: int = Query(1, ge=1, le=100_000),
    db: Session = Depends(get_db),
    lead: User = Depends(office_page("GET /kontor/admin/log")),
):
    start, end = _date(fra, "fra"), _date(til, "til")
    filters = audit_log.Filters(citizen=borger, user_id=bruger, start=start, end=end, action=handling, page=side)
    result = audit_log.search(db, lead, filters)
    users = db.exec(select(User).where(User.municipality_id == lead.municipality_id).order_by(User.display_name)).all()
    query = {"borger": borger, "bruger": bruger, "fra": fra, "til": til, "handling": handling}
    return render(request, "admin/audit.html", {
        **result, "filters": query, "users": [(u.id, u.display_name) for u in users],
        "actions": audit_log.actions_in_use(db, lead.municipality_id),
        "page_url": lambda number: BASE + "?" + urlencode({k: v for k, v in {**query, "side": number}.items() if v}),
    }, title="Log over opslag", db=db)


@router.get(f"{BASE}/adgangsrapport")
def access_report(borger: str = Query(..., min_length=1, max_length=40, description="borgerens kode"),
                  db: Session = Depends(get_db), lead: User = Depends(office_page("GET /kontor/admin/log/adgangsrapport"))):
    report = audit_log.access_report(db, lead, borger, ROLE_LABELS.get)
    if report is None:
        raise PageError("not_found")
    body, _ = report
    safe = "".join(ch for ch in borger if ch.isalnum() or ch in "-_")[:40] or "borger"
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="adgangsrapport-{safe}.csv"', "Cache-Control": "no-store"})
