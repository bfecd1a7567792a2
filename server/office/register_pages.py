"""The register's pages: the list (`/kontor/deltagere`) and one row (`/kontor/deltagere/{id}`)."""
from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from sqlalchemy import false, select
from sqlmodel import Session

from schemas.accounts import User
from schemas.forms import FORMS
from server.core.deps import ReleasingRoute, get_db
from server.core.errors import ApiError
from server.office import register
from server.office.layout import PageError, office_page, render
from server.office.sources import F

router = APIRouter(route_class=ReleasingRoute, include_in_schema=False)


@router.get("/kontor/deltagere")
def register_page(request: Request, db: Session = Depends(get_db), user: User = Depends(office_page("GET /kontor/deltagere"))):
    teams = register.teams(db, user.municipality_id)
    try:
        query = register.parse(request.query_params, teams)
    except ApiError as error:
        raise PageError.from_api(error) from None
    forced = register.team_of_viewer(user)
    found, total = register.rows(db, user.municipality_id, query, forced)
    pages = max(1, -(-total // register.PAGE_SIZE))
    if query.page > pages:
        raise PageError("invalid_field", "too_large", "page", limit=pages)
    register.audit_reads(db, user.id, found)

    def url(**changes) -> str:
        params = query.params(**changes)
        return "/kontor/deltagere" + (f"?{urlencode(params)}" if params else "")

    def sort_url(key: str) -> str:
        descending = query.sort == key and not query.descending
        return url(sort=key if key != "code" else None, dir="desc" if descending else None, page=None)

    export = {**query.params(page=None), **({"team_id": forced} if forced else {})}
    return render(request, "register.html", {
        "query": query, "rows": [register.display(r, teams) for r in found], "raw": found, "total": total,
        "page": query.page, "pages": pages, "columns": register.COLUMNS, "teams": teams, "forced_team": forced,
        "phases": register.PHASE_LABELS, "statuses": register.STATUSES, "url": url, "sort_url": sort_url,
        "page_url": lambda number: url(page=str(number) if number > 1 else None),
        "export_csv": "/api/register?" + urlencode({**export, "format": "csv"}),
        "export_xlsx": "/api/register?" + urlencode({**export, "format": "xlsx"}),
        "first": (query.page - 1) * register.PAGE_SIZE + 1 if found else 0,
        "last": (query.page - 1) * register.PAGE_SIZE + len(found), "wide": True,
    }, title="Deltagerliste", db=db)


@router.get("/kontor/deltagere/{citizen_id}")
def register_row(citizen_id: str, request: Request, db: Session = Depends(get_db),
                 user: User = Depends(office_page("GET /kontor/deltagere/{citizen_id}"))):
    if len(citizen_id) > 64:
        raise PageError("not_found")
    teams = register.teams(db, user.municipality_id)
    row = register.one(db, user.municipality_id, citizen_id, register.team_of_viewer(user))
    if row is None:
        raise PageError("not_found")
    responses = db.execute(
        select(F.form, F.version, F.round, F.occasion, F.filled_on).where(F.citizen_id == citizen_id, F.voided == false())
        .order_by(F.form, F.filled_on, F.created_hlc)
    ).all()
    forms = {code: form.label for code, form in FORMS.items()}
    register.audit_reads(db, user.id, [row])
    return render(request, "register_row.html", {
        "row": register.display(row, teams), "events": row["phase_history"], "columns": register.COLUMNS,
        "phases": register.PHASE_LABELS, "responses": [dict(r._mapping) for r in responses], "forms": forms,
    }, title=f"Deltager {row['code']}", db=db)
