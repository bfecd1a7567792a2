"""The kinds of figure a report can be, each a query over `server.office.sources` that
returns counts in a `model.Table` (before the discretion rule) and, where the figure has
one, the contingency table of its Chi² test.

- `Distribution`: one item's categories — overall, by team (4.1, 4.3, 4.5) or by the
  citizen's occasion (4.13–4.35); multi-select items count units per option with the
  units that answered as denominator.
- `ItemSet`: several items with the same categories, one series per item (4.7).
- `Index`: the mean of each item per occasion, occasion 1 = 100 (4.18, 4.23).
- `Counts`: responses per calendar round or per occasion (Bilagstabel 1.1–1.3).
- `LeadPipeline`: leads registered, claimed, became citizens, closed; median days.
"""
from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from schemas import enums
from schemas.fields import field_specs
from schemas.oplog import RecordSnapshot
from schemas.records import Course
from server.office import discretion, items, sources
from server.office.items import Category
from server.office.model import Row, Series, Table
from sync.derive import lead_stage, start_wait

FORM_OF_SOURCE = {"start": "kontakt_start", "loebende": "kontakt_loebende", "progression": "progression"}


@dataclass
class Context:
    db: Session
    scope: sources.Scope
    threshold: int
    pool_below: int
    team_names: dict[str, str]
    today: str  # the day a wait still running is counted to (sync.derive.start_wait)


@dataclass
class Outcome:
    table: Table
    contingency: list[list[int]] | None = None  # rows × categories, for the Chi² test
    test_series: list[str] = field(default_factory=list)  # series keys the contingency rows are
    notes: list[str] = field(default_factory=list)
    citizens: int | None = None  # distinct citizens behind counted responses
    # notes that state a count: (text with "{n}", count); the runner puts the count under the
    # discretion rule, as every other number of a report
    counted_notes: list[tuple[str, int]] = field(default_factory=list)


# --- reading units ------------------------------------------------------------------------

def load(ctx: Context, source: str, item_keys: tuple[str, ...] | None = None) -> list[dict]:
    """The units of a source; for form responses only the answers to `item_keys`."""
    if source == "start":
        return sources.start_responses(ctx.db, ctx.scope)
    if source == "ended":
        return sources.course_ends(ctx.db, ctx.scope)
    return sources.responses(ctx.db, ctx.scope, FORM_OF_SOURCE[source], item_keys)


def _age_band(row: dict) -> str | None:
    """The age band at identification, from the birth year (when the form has none)."""
    year, identified = row.get("birth_year"), row.get("identified_on")
    if not year or not identified:
        return None
    age = int(identified[:4]) - int(year)
    for option in items.options("kontakt_start", "age_band"):
        low, _, high = option.code.partition("_")
        if low.isdigit() and (high == "plus" and age >= int(low) or high.isdigit() and int(low) <= age <= int(high)):
            return option.code
    return None


def value_of(source: str, row: dict, item: str):
    """A unit's answer to an item. The start form's sex and age band fall back to the
    register (the citizen's sex and birth year) for responses of a version without them."""
    if source in ("ended", "requests", "children"):
        return row.get(item)
    answers = row.get("answers") or {}
    value = answers.get(item)
    if source == "start" and not items.answered(value):
        if item == "sex":
            return row.get("sex")
        if item == "age_band":
            return _age_band(row)
    return value


def categories_of(source: str, item: str) -> list[Category]:
    if source == "ended":
        return items.each_option(field_specs(Course)[item].options)
    return items.each_option(items.options(FORM_OF_SOURCE[source], item))


def item_label(source: str, item: str) -> str:
    if source == "ended":
        return field_specs(Course)[item].label
    return items.label(FORM_OF_SOURCE[source], item)


def _count(units: list[dict], source: str, item: str, categories: list[Category], multi: bool, key: str, label: str) -> Series:
    rows = [Row(c.code, c.label, 0) for c in categories]
    n = 0
    hits: dict = {}  # answer → the categories it counts in (answers repeat: look each up once)

    def lookup(value) -> tuple[int, ...]:
        try:
            return hits[value]
        except KeyError:
            found = hits[value] = tuple(i for i, category in enumerate(categories) if category.matches(value))
            return found
        except TypeError:  # an unhashable answer (a list for a one-choice category)
            return tuple(i for i, category in enumerate(categories) if category.matches(value))

    for unit in units:
        value = value_of(source, unit, item)
        if not items.answered(value):
            continue  # item non-response: not in N
        if multi and isinstance(value, list):
            matched = {i for v in value for i in lookup(v)}
        else:
            matched = lookup(value)
        for index in matched:
            rows[index].count += 1
        n += 1 if (matched or multi) else 0
    return Series(key, label, n, rows)


def _team_groups(ctx: Context, units: list[dict], source: str, item: str) -> list[tuple[str, str, list[dict]]]:
    """(key, label, units) per team; teams with fewer answering units than `pool_below` are
    pooled into one series ("small teams can be pooled", as the evaluation pooled two
    municipalities)."""
    by_team: dict[str, list[dict]] = {}
    for unit in units:
        by_team.setdefault(unit.get("team_id") or "", []).append(unit)
    groups, small = [], []
    for team_id in sorted(by_team, key=lambda t: ctx.team_names.get(t, t)):
        answering = sum(1 for u in by_team[team_id] if items.answered(value_of(source, u, item)))
        label = ctx.team_names.get(team_id, "Uden team")
        (small if answering < ctx.pool_below else groups).append((team_id, label, by_team[team_id]))
    if len(small) == 1 and not groups:
        groups = small
    elif small:
        groups.append(("pooled", "Mindre teams samlet: " + ", ".join(label for _, label, _ in small),
                       [u for _, _, members in small for u in members]))
    return groups


# --- figure kinds -------------------------------------------------------------------------

@dataclass(frozen=True)
class Distribution:
    source: str  # start | loebende | progression | ended
    item: str
    categories: Callable[[], list[Category]] | None = None  # default: the item's options
    multi: bool = False
    split: str | None = None  # team | occasion
    where: Callable[[dict], bool] | None = None  # which units the item was asked of
    test: bool = False
    occasions: int = 4
    where_items: tuple[str, ...] = ()  # the answers `where` reads

    def run(self, ctx: Context) -> Outcome:
        units = [u for u in load(ctx, self.source, (self.item, *self.where_items)) if self.where is None or self.where(u)]
        categories = self.categories() if self.categories else categories_of(self.source, self.item)
        count = lambda members, key, label: _count(members, self.source, self.item, categories, self.multi, key, label)  # noqa: E731
        answered = [u for u in units if items.answered(value_of(self.source, u, self.item))]
        citizens = len({u.get("citizen_id") or u.get("id") for u in answered})
        if self.split == "occasion":
            by_occasion: dict[int, list[dict]] = {}
            for unit in units:
                by_occasion.setdefault(unit["occasion"], []).append(unit)
            series = [count(by_occasion.get(k, []), str(k), f"Besvarelse {k}") for k in range(1, self.occasions + 1)]
            shown = [s for s in series if s.n and s.n >= ctx.threshold]
            table = Table(series, exclusive=not self.multi)
            return Outcome(table, [[r.count for r in s.rows] for s in shown] if self.test else None,
                           [s.key for s in shown], citizens=citizens)
        total = count(units, "all", "I alt")
        if self.split == "team":
            parts = [count(members, key, label) for key, label, members in _team_groups(ctx, units, self.source, self.item)]
            table = Table([total, *parts], additive=True, exclusive=not self.multi)
            return Outcome(table, [[r.count for r in s.rows] for s in parts] if self.test else None,
                           [s.key for s in parts], citizens=citizens)
        return Outcome(Table([total], exclusive=not self.multi), citizens=citizens)


@dataclass(frozen=True)
class ItemSet:
    source: str
    item_keys: tuple[str, ...]
    categories: Callable[[str], list[Category]]
    where: Callable[[dict], bool] | None = None
    where_items: tuple[str, ...] = ()

    def run(self, ctx: Context) -> Outcome:
        units = [u for u in load(ctx, self.source, (*self.item_keys, *self.where_items)) if self.where is None or self.where(u)]
        series = [_count(units, self.source, key, self.categories(key), False, key, item_label(self.source, key))
                  for key in self.item_keys]
        return Outcome(Table(series, exclusive=True), citizens=len({u["citizen_id"] for u in units}))


@dataclass(frozen=True)
class Index:
    """Each item's mean per occasion as an index, occasion 1 = 100. An item's line stops at
    the first occasion answered by fewer than the threshold."""

    item_keys: tuple[str, ...]
    max_occasion: int = 7

    def run(self, ctx: Context) -> Outcome:
        units = load(ctx, "progression", self.item_keys)
        by_occasion: dict[int, list[dict]] = {}
        for unit in units:
            by_occasion.setdefault(unit["occasion"], []).append(unit)
        series = []
        for key in self.item_keys:
            rows = []
            base = None
            for k in range(1, self.max_occasion + 1):
                values = [items.number(u["answers"].get(key)) for u in by_occasion.get(k, [])]
                values = [v for v in values if v is not None]
                if len(values) < ctx.threshold:
                    break
                mean = statistics.fmean(values)
                base = mean if k == 1 else base
                index = round(100.0 * mean / base, 1) if base else None
                rows.append(Row(str(k), f"Besvarelse {k}", len(values), percent=index, value=index))
            first = rows[0].count if rows else 0
            series.append(Series(key, items.label("progression", key), first, rows))
        return Outcome(Table(series, kind="index"), citizens=len({u["citizen_id"] for u in units}))


@dataclass(frozen=True)
class Counts:
    """Responses of a form per calendar round (`by="round"`) or per occasion (`by="occasion"`,
    the last group pooled as the evaluation's "5–8")."""

    form: str
    by: str
    groups: tuple[tuple[int, int], ...]
    split: str | None = None

    def run(self, ctx: Context) -> Outcome:
        units = sources.responses(ctx.db, ctx.scope, self.form, ())
        word = "Runde" if self.by == "round" else "Besvarelse"
        categories = [Category(str(a) if a == b else f"{a}_{b}", f"{word} {a}" if a == b else f"{word} {a}–{b}",
                               lambda v, a=a, b=b: isinstance(v, int) and a <= v <= b) for a, b in self.groups]

        def series(members, key, label):
            rows = [Row(c.code, c.label, sum(1 for u in members if c.matches(u[self.by]))) for c in categories]
            return Series(key, label, sum(r.count for r in rows), rows)

        total = series(units, "all", "I alt")
        notes = []
        outside = sum(1 for u in units if not any(c.matches(u[self.by]) for c in categories))
        counted = [("{n} besvarelser uden " + word.lower() + " i tabellens intervaller er ikke talt med.", outside)] if outside else []
        if self.split == "team":
            by_team: dict[str, list[dict]] = {}
            for unit in units:
                by_team.setdefault(unit.get("team_id") or "", []).append(unit)
            parts = [series(m, t, ctx.team_names.get(t, "Uden team")) for t, m in sorted(by_team.items(), key=lambda kv: ctx.team_names.get(kv[0], kv[0]))]
            return Outcome(Table([total, *parts], additive=True), notes=notes, citizens=len({u["citizen_id"] for u in units}),
                           counted_notes=counted)
        return Outcome(Table([total]), notes=notes, citizens=len({u["citizen_id"] for u in units}), counted_notes=counted)


WAIT_CATEGORIES = (
    ("started_within", f"Startet inden for {enums.START_WITHIN_DAYS} dage"),
    ("started_after", f"Startet mere end {enums.START_WITHIN_DAYS} dage efter anmodningen"),
    ("waiting_within", f"Venter stadig, højst {enums.START_WITHIN_DAYS} dage"),
    ("waiting_over", f"Venter stadig, mere end {enums.START_WITHIN_DAYS} dage"),
    ("ended_without_start", "Afsluttet uden opstart"),
)


def wait_category(row: dict, today: str) -> str:
    """Where a requested course stands on the 14-day rule (sync.derive.start_wait decides
    the wait and whether it is over the limit; this only names the case)."""
    wait = start_wait({"fields": {k: row.get(k) for k in ("requested_on", "started_on", "ended_on")}}, today)
    if row.get("started_on"):
        return "started_after" if wait["over_limit"] else "started_within"
    if wait["waiting"]:
        return "waiting_over" if wait["over_limit"] else "waiting_within"
    return "ended_without_start"


@dataclass(frozen=True)
class StartWait:
    """Citizens by the request date of their course: started within the 14 days, after
    more than 14, still waiting (within or over), or ended without a start; split by team."""

    def run(self, ctx: Context) -> Outcome:
        units, undated = sources.course_requests(ctx.db, ctx.scope)
        for unit in units:
            unit["start_wait"] = wait_category(unit, ctx.today)
        categories = [Category(code, label, lambda v, code=code: v == code) for code, label in WAIT_CATEGORIES]
        total = _count(units, "requests", "start_wait", categories, False, "all", "I alt")
        parts = [_count(members, "requests", "start_wait", categories, False, key, label)
                 for key, label, members in _team_groups(ctx, units, "requests", "start_wait")]
        counted = [("{n} forløb uden anmodningsdato er ikke talt med (de er identificeret i perioden).", undated)] if undated else []
        return Outcome(Table([total, *parts], additive=True), citizens=len(units), counted_notes=counted)


def phase_2_dates(db: Session, citizen_ids: list[str]) -> dict[str, str]:
    """The first date each citizen's courses record phase 2 (or 3) in their phase history."""
    if not citizen_ids:
        return {}
    out: dict[str, str] = {}
    rows = db.exec(select(RecordSnapshot.citizen_id, RecordSnapshot.state).where(
        RecordSnapshot.entity == "course", RecordSnapshot.citizen_id.in_(citizen_ids)))
    for citizen_id, state in rows:
        if state.get("archived"):
            continue
        for write in state.get("history", {}).get("phase", []):
            event = write.get("value") or {}
            if event.get("phase") in enums.PLAN_PHASES and event.get("date"):
                if citizen_id not in out or event["date"] < out[citizen_id]:
                    out[citizen_id] = event["date"]
    return out


def _days(start: str, end: str | None) -> int | None:
    if not start or not end:
        return None
    return (date.fromisoformat(end[:10]) - date.fromisoformat(start[:10])).days


@dataclass(frozen=True)
class LeadPipeline:
    def run(self, ctx: Context) -> Outcome:
        leads = sources.leads(ctx.db, ctx.scope)
        # The stage the push derived (lead.stage: claims, attempts, resolution); older rows
        # without it from their outcome.
        stages = [lead["stage"] or lead_stage({"archived": bool(lead["archived"]), "fields": {"outcome": lead["outcome"]}})
                  for lead in leads]
        closings = [c for c in enums.LEAD_RESOLUTIONS if c.code not in enums.LEAD_LINKS]

        def closed_as(lead: dict) -> str | None:
            """The closing reason of a live lead: its resolution, else its older outcome's."""
            if lead["archived"]:
                return None
            return lead["resolution"] or enums.LEAD_RESOLUTION_OF_OUTCOME.get(lead["outcome"])
        rows = [
            # An archived lead (deleted, e.g. noted twice) was closed, not taken by anyone.
            Row("claimed", "Taget af en behandler", sum(1 for s, lead in zip(stages, leads) if s != "received" and not lead["archived"])),
            Row("in_contact", "I kontakt", sum(1 for s in stages if s == "in_contact")),
            Row("citizen", "Blev borgere i et forløb", sum(1 for lead in leads if lead["citizen_id"])),
            *(Row(f"resolution_{c.code}", c.label, sum(1 for lead in leads if closed_as(lead) == c.code)) for c in closings),
            Row("archived", "Afsluttet: arkiveret", sum(1 for lead in leads if lead["archived"])),
        ]
        funnel = Series("all", "Henvisninger", len(leads), rows)
        linked = [lead for lead in leads if lead["citizen_id"]]
        ids = sorted({lead["citizen_id"] for lead in linked})
        contacts, phase_2 = sources.first_contacts(ctx.db, ids), phase_2_dates(ctx.db, ids)
        to_contact = [d for d in (_days(lead["seen_on"], contacts.get(lead["citizen_id"])) for lead in linked) if d is not None and d >= 0]
        to_phase_2 = [d for d in (_days(lead["seen_on"], phase_2.get(lead["citizen_id"])) for lead in linked) if d is not None and d >= 0]
        medians = [
            Series("days_to_first_contact", "Dage fra henvisning til første kontakt", len(to_contact),
                   [Row("median", "Median antal dage", statistics.median(to_contact) if to_contact else None)], kind="summary"),
            Series("days_to_phase_2", "Dage fra henvisning til fase 2", len(to_phase_2),
                   [Row("median", "Median antal dage", statistics.median(to_phase_2) if to_phase_2 else None)], kind="summary"),
        ]
        work = sources.visibility(ctx.db, ctx.scope)
        visibility = Series("visibility", "Synlighedsarbejde (registreringer)", len(work), [
            Row(f"visibility_{c.code}", c.label, sum(1 for w in work if w["kind"] == c.code)) for c in enums.VISIBILITY_KINDS])
        table = Table([funnel, *medians, visibility], exclusive=False)
        # A sum of the workers' estimates, not a count of units: a note, not a row with a percentage.
        reached = discretion.shown(sum(w["reached"] or 0 for w in work), ctx.threshold)
        notes = ["Rækkerne overlapper (en henvisning kan være taget og blevet borger): de summer ikke til antallet af henvisninger.",
                 f"Synlighedsarbejde tælles efter datoen, det blev udført. Personer nået i alt: {reached} (et skøn uden navne).",
                 "Medianerne er over henvisninger, der blev til borgere med en første kontakt (fase 2); N er hvor mange medianen bygger på."]
        return Outcome(table, notes=notes)
