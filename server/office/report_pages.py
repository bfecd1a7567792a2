"""The report pages (`/kontor/rapporter`, one page per catalogue entry: chart, then the
table) and the exports page with the municipality's API tokens (`/kontor/eksport`)."""
from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from schemas.accounts import User
from server.core.deps import ReleasingRoute, get_db
from server.core.errors import ApiError
from server.office import charts, discretion, runner, tokens
from server.office.catalogue import REPORTS, UNIT_LABELS
from server.office.layout import OfficeForm, PageError, office_form, office_page, render
from server.office.sources import teams as teams_of

router = APIRouter(route_class=ReleasingRoute, include_in_schema=False)
GROUPS = (
    ("Kapitel 3: Samarbejde og aktører", lambda r: r.figure.startswith("3.")),
    ("Kapitel 4: Borgerne, kontakten og afslutningen (figur 4.1–4.12)", lambda r: r.figure.startswith("4.") and int(r.figure[2:]) <= 12),
    ("Kapitel 4: Progression (figur 4.13–4.35, pr. besvarelse)", lambda r: r.figure.startswith("4.") and int(r.figure[2:]) > 12),
    ("Bilagstabeller, henvisninger og opstart", lambda r: not r.figure[:1].isdigit()),
)


@router.get("/kontor/rapporter")
def catalogue_page(request: Request, db: Session = Depends(get_db), user: User = Depends(office_page("GET /kontor/rapporter"))):
    groups = [(title, [r for r in REPORTS.values() if belongs(r)]) for title, belongs in GROUPS]
    return render(request, "reports.html", {"groups": groups, "units": UNIT_LABELS}, title="Rapporter", db=db)


@router.get("/kontor/rapporter/{report_id}")
def report_page(report_id: str, request: Request, db: Session = Depends(get_db),
                user: User = Depends(office_page("GET /kontor/rapporter/{report_id}"))):
    report = REPORTS.get(report_id)
    if report is None:
        raise PageError("not_found")
    teams = teams_of(db, user.municipality_id)
    settings = request.app.state.settings
    try:
        filters = runner.parse_filters(request.query_params, set(teams))
    except ApiError as error:
        raise PageError.from_api(error) from None
    result = runner.run(db, report, filters, user.municipality_id, threshold=settings.report_threshold,
                        pool_below=settings.report_pool_below)
    svg = charts.svg(result)
    query = urlencode(filters.params())
    base = f"/api/reports/{report.id}?" + (query + "&" if query else "")
    return render(request, "report.html", {
        "report": result.report, "result": result, "filters": filters, "teams": teams, "units": UNIT_LABELS,
        "chart": charts.data_url(svg) if svg else None, "threshold": result.threshold,
        "downloads": {"csv": base + "format=csv", "xlsx": base + "format=xlsx", "json": base.rstrip("?&")},
        "chart_text": _chart_text(result),
        "mark": lambda reason: discretion.mark(reason, result.threshold), "complementary_note": discretion.COMPLEMENTARY_NOTE,
        "complementary": any(s.n_hidden == discretion.COMPLEMENTARY or any(r.hidden == discretion.COMPLEMENTARY for r in s.rows)
                             for s in result.series),
    }, title=report.title, db=db)


def _chart_text(result: runner.Result) -> str:
    """The chart's alternative text: what it shows; the numbers are in the table below."""
    parts = [s.label for s in result.series][:6]
    return f"Diagram: {result.report.title}. Viser {', '.join(parts)}. Tallene står i tabellen under diagrammet."


@router.get("/kontor/eksport")
def exports_page(request: Request, db: Session = Depends(get_db), user: User = Depends(office_page("GET /kontor/eksport"))):
    return _exports(request, db, user)


def _exports(request: Request, db: Session, user: User, *, new_token: str | None = None, error: str | None = None,
             status_code: int = 200):
    return render(request, "exports.html", {
        "tokens": tokens.of_municipality(db, user.municipality_id), "new_token": new_token, "error": error,
        "reports": list(REPORTS.values()), "base_url": str(request.base_url).rstrip("/"),
    }, title="Eksport og API", db=db, status_code=status_code)


@router.post("/kontor/eksport/noegler")
def create_token(request: Request, db: Session = Depends(get_db),
                 form: OfficeForm = Depends(office_form("POST /kontor/eksport/noegler"))):
    name = form.get("name").strip()
    if not name or len(name) > 80:
        return _exports(request, db, form.user, error="Giv nøglen et navn på 1–80 tegn, fx 'Power BI – ledelsesinformation'.",
                        status_code=422)
    _, secret = tokens.create(db, request, form.user, name)
    return _exports(request, db, form.user, new_token=secret)


@router.post("/kontor/eksport/noegler/{token_id}/tilbagekald")
def revoke_token(token_id: str, request: Request, db: Session = Depends(get_db),
                 form: OfficeForm = Depends(office_form("POST /kontor/eksport/noegler/{token_id}/tilbagekald"))):
    if tokens.revoke(db, form.user, token_id) is None:
        raise PageError("not_found")
    return RedirectResponse("/kontor/eksport", status_code=303)
