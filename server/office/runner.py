"""One runner for every report: read the filters, run the entry's query, apply the
discretion rule, compute the Chi² test, and hand one `Result` to every format (the HTML
page, JSON, CSV, XLSX), so all of them show the same numbers under the same rule.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from scipy.stats import chi2_contingency
from sqlmodel import Session

from server.core.errors import ApiError
from server.office import discretion, sources
from server.office.catalogue import PERIODS, SOURCES, UNIT_LABELS, Report
from server.office.figures import Context, Outcome
from server.office.model import Table


@dataclass(frozen=True)
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    team_id: str | None = None
    panel: bool = False

    def params(self) -> dict[str, str]:
        out = {}
        if self.date_from:
            out["from"] = self.date_from.isoformat()
        if self.date_to:
            out["to"] = self.date_to.isoformat()
        if self.team_id:
            out["team_id"] = self.team_id
        if self.panel:
            out["panel"] = "1"
        return out


def date_param(params: Mapping[str, str], name: str) -> date | None:
    """A YYYY-MM-DD filter parameter, or None when empty (a clear 422 naming it otherwise)."""
    text = (params.get(name) or "").strip()
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError("invalid_field", "not_date", name) from None


def parse_filters(params: Mapping[str, str], team_ids: set[str]) -> Filters:
    """The query's filters; a bad value → 422 naming the field (never echoing it)."""
    date_from, date_to = date_param(params, "from"), date_param(params, "to")
    if date_from and date_to and date_from > date_to:
        raise ApiError("invalid_field", "too_small", "to", limit=date_from.isoformat())
    team_id = (params.get("team_id") or "").strip() or None
    if team_id is not None and team_id not in team_ids:
        raise ApiError("invalid_field", "unknown", "team_id")
    panel = (params.get("panel") or "").strip().lower()
    if panel not in ("", "0", "1", "true", "false"):
        raise ApiError("invalid_field", "not_bool", "panel")
    return Filters(date_from, date_to, team_id, panel in ("1", "true"))


@dataclass
class Result:
    report: Report
    filters: Filters
    threshold: int
    table: Table
    test: dict | None
    notes: list[str] = field(default_factory=list)
    citizens: int | str | None = None  # after the discretion rule: the count or "<3"

    @property
    def series(self):
        return self.table.series


def _test(outcome: Outcome, table: Table) -> tuple[dict | None, str | None]:
    if not outcome.contingency:
        return None, None
    by_key = {s.key: s for s in table.series}
    involved = [by_key[key] for key in outcome.test_series if key in by_key]
    if any(s.n_suppressed or any(r.suppressed for r in s.rows) for s in involved):
        return None, "Chi²-testen vises ikke, fordi tabellen har skjulte celler (diskretion)."
    observed = [row for row in outcome.contingency if sum(row)]
    columns = [j for j in range(len(observed[0]) if observed else 0) if any(row[j] for row in observed)]
    observed = [[row[j] for j in columns] for row in observed]
    if len(observed) < 2 or len(columns) < 2:
        return None, "Chi²-testen kræver mindst to grupper og to kategorier med besvarelser."
    statistic, p, df, _ = chi2_contingency(observed, correction=False)
    return {"name": "chi2", "statistic": round(float(statistic), 4), "df": int(df), "p": round(float(p), 4)}, None


def run(db: Session, report: Report, filters: Filters, municipality_id: str, *, threshold: int, pool_below: int,
        today: str | None = None) -> Result:
    scope = sources.Scope(municipality_id, filters.date_from, filters.date_to, filters.team_id, filters.panel and report.panel)
    team_names = sources.teams(db, municipality_id)
    if today is None:
        from server.api.schedule import today as today_in_denmark  # here: server.api imports the office

        today = today_in_denmark()
    outcome: Outcome = report.query.run(Context(db, scope, threshold, pool_below, team_names, today))
    table = discretion.apply(outcome.table, threshold)
    test, test_note = _test(outcome, table)
    notes = [f"Enhed: {UNIT_LABELS[report.unit]}. Kilde: {SOURCES[report.source]}.", PERIODS[report.source]]
    if report.multi:
        notes.append("Flere svar er mulige: procenterne summer ikke til 100, og nævneren er "
                     + ("borgere" if report.unit == "citizens" else "besvarelser") + ", der har svaret på spørgsmålet.")
    if report.note:
        notes.append(report.note)
    if scope.panel:
        notes.append("Kun borgere, der har besvaret skemaet ved alle besvarelser 1–4.")
    notes += outcome.notes
    notes += [text.format(n=discretion.shown(count, threshold)) for text, count in outcome.counted_notes]
    if test_note:
        notes.append(test_note)
    citizens = None if outcome.citizens is None else discretion.shown(outcome.citizens, threshold)
    return Result(report, filters, threshold, table, test, notes, citizens)


def as_json(result: Result) -> dict:
    """The shape other tools read (docs/office.md): counts and percents after the rule."""
    report, filters = result.report, result.filters
    return {
        "id": report.id, "figure": report.figure, "title": report.title, "unit": report.unit,
        "from": filters.date_from.isoformat() if filters.date_from else None,
        "to": filters.date_to.isoformat() if filters.date_to else None,
        "threshold": result.threshold,
        "series": [
            {"key": s.key, "label": s.label, "n": s.n,
             "rows": [{"code": r.code, "label": r.label, "count": r.count, "percent": r.percent, "suppressed": r.suppressed}
                      for r in s.rows]}
            for s in result.table.series
        ],
        "test": result.test,
    }
