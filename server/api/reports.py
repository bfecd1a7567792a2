"""Reports, the pseudonymous register and the research export, for other tools.

- `GET /api/reports`: the catalogue (server/office/catalogue.py).
- `GET /api/reports/{report_id}?from=&to=&team_id=&panel=&format=json|csv|xlsx`: one report,
  after the discretion rule (server/office/runner.py); the same numbers as its page.
- `GET /api/register?…&format=json|csv|xlsx`: the register in the evaluation's columns
  (a behandler: the own team), every citizen an audited read.
- `GET /api/research-export?format=xlsx|zip`: register and responses without birth year,
  places and free text (server/office/research.py).
The first three also answer the municipality's API token (`Authorization: Bearer …`,
server/office/tokens.py).
"""
from __future__ import annotations

import io
import zipfile
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from schemas.accounts import User
from server.auth.authz import require
from server.core.deps import ReleasingRoute, get_db
from server.core.errors import COMMON_RESPONSES, ApiError, problem_responses
from server.office import exports, register, research, runner
from server.office.catalogue import REPORTS
from server.office.sources import teams as teams_of
from server.office.tokens import Reader, reader

router = APIRouter(prefix="/api", tags=["reports"], responses=COMMON_RESPONSES, route_class=ReleasingRoute)
FILTERS = "from (ÅÅÅÅ-MM-DD), to, team_id, panel=1 (kun borgere med besvarelse 1–4)"


class ReportEntry(BaseModel):
    id: str
    figure: str
    title: str
    unit: str = Field(description="citizens | responses | occasions | leads")


class ReportCatalogue(BaseModel):
    reports: list[ReportEntry]


class ReportRow(BaseModel):
    code: str
    label: str
    count: int | float | None = Field(description="Antal; null når skjult (diskretion). Indeksfigurer: N; medianer: dagene")
    percent: float | None = Field(description="Procent af n med én decimal; indeksfigurer: indekset (besvarelse 1 = 100)")
    suppressed: bool


class ReportSeries(BaseModel):
    key: str = Field(description='"all", et team-id, "pooled", en besvarelse ("1", "2", …) eller et spørgsmål')
    label: str
    n: int | None
    rows: list[ReportRow]


class ReportTest(BaseModel):
    name: str
    statistic: float
    df: int
    p: float


class ReportOut(BaseModel):
    id: str
    figure: str
    title: str
    unit: str
    from_: str | None = Field(alias="from")
    to: str | None
    threshold: int
    series: list[ReportSeries]
    test: ReportTest | None


class RegisterOut(BaseModel):
    total: int
    citizens: list[dict]


def _files(*media: str, description: str) -> dict:
    """OpenAPI: a 200 that is also a file of these types (`format=`)."""
    return {200: {"description": description, "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in media}}}


def _download(content: bytes, media: str, name: str) -> Response:
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def run_report(request: Request, db: Session, report_id: str, municipality_id: str) -> runner.Result:
    report = REPORTS.get(report_id)
    if report is None:
        raise ApiError("not_found")
    filters = runner.parse_filters(request.query_params, set(teams_of(db, municipality_id)))
    settings = request.app.state.settings
    return runner.run(db, report, filters, municipality_id, threshold=settings.report_threshold,
                      pool_below=settings.report_pool_below)


@router.get("/reports", response_model=ReportCatalogue, summary="Rapportkataloget: evalueringens figurer m.fl.")
def catalogue(_: Reader = Depends(reader("GET /api/reports"))):
    return {"reports": [{"id": r.id, "figure": r.figure, "title": r.title, "unit": r.unit} for r in REPORTS.values()]}


@router.get("/reports/{report_id}", response_model=ReportOut, response_model_by_alias=True,
            summary="Én rapport efter diskretionsreglen (JSON, CSV eller XLSX)",
            responses={**_files(exports.CSV_MEDIA.split(";")[0], exports.XLSX_MEDIA, description="Rapporten (JSON, CSV eller XLSX)"),
                       **problem_responses(404)})
def report(
    report_id: str,
    request: Request,
    db: Session = Depends(get_db),
    who: Reader = Depends(reader("GET /api/reports/{report_id}")),
    format: Literal["json", "csv", "xlsx"] = Query("json", description="json, csv eller xlsx. Filtre: " + FILTERS),
):
    result = run_report(request, db, report_id, who.municipality_id)
    if format == "csv":
        return _download(exports.report_csv(result), exports.CSV_MEDIA, f"{report_id}.csv")
    if format == "xlsx":
        return _download(exports.report_xlsx(result), exports.XLSX_MEDIA, f"{report_id}.xlsx")
    return runner.as_json(result)


@router.get("/register", response_model=RegisterOut, summary="Deltagerlisten, pseudonym (JSON, CSV eller XLSX)",
            responses=_files(exports.CSV_MEDIA.split(";")[0], exports.XLSX_MEDIA, description="Deltagerlisten (JSON, CSV eller XLSX)"))
def register_export(
    request: Request,
    db: Session = Depends(get_db),
    who: Reader = Depends(reader("GET /api/register")),
    format: Literal["json", "csv", "xlsx"] = Query("json", description="json, csv eller xlsx. Filtre: team_id, phase, status, from, to, code, sort, dir"),
):
    teams = register.teams(db, who.municipality_id)
    query = register.parse(request.query_params, teams)
    found, total = register.rows(db, who.municipality_id, query, who.team_id, paged=False)
    register.audit_reads(db, who.audit_user, found, who.audit_device)
    if format == "json":
        return {"total": total, "citizens": [register.as_json(row, teams) for row in found]}
    columns, rows = register.table(found, teams)
    if format == "csv":
        return _download(exports.csv_bytes(columns, rows), exports.CSV_MEDIA, "deltagerliste.csv")
    return _download(exports.xlsx_bytes([("Deltagerliste", columns, rows)]), exports.XLSX_MEDIA, "deltagerliste.xlsx")


@router.get("/research-export", summary="Forskningsudtræk: uden fødselsår, steder og fritekst (XLSX eller ZIP med CSV)",
            response_class=Response, responses=_files(exports.XLSX_MEDIA, "application/zip", description="Udtrækket"))
def research_export(
    request: Request,
    db: Session = Depends(get_db),
    user: User = Depends(require("GET /api/research-export")),
    format: Literal["xlsx", "zip"] = Query("xlsx"),
):
    teams = register.teams(db, user.municipality_id)
    sheets, ids = research.sheets(db, user.municipality_id, request.app.state.settings.secret_key, teams)
    register.audit_reads(db, user.id, [{"id": citizen_id} for citizen_id in ids])
    if format == "xlsx":
        return _download(exports.xlsx_bytes(sheets), exports.XLSX_MEDIA, "forskningsudtraek.xlsx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (title, columns, rows) in enumerate(sheets, start=1):
            archive.writestr(f"{index}-{title.lower().replace(' ', '-')}.csv", exports.csv_bytes(columns, rows))
    return _download(buffer.getvalue(), "application/zip", "forskningsudtraek.zip")
