"""The report catalogue, as data: one entry per report with its id, the figure of the VIVE
evaluation it reproduces (seed 002, figures.md §1c–1d), its title, its counting unit, its
query (a figure kind of server.office.figures) and its chart kind. `server.office.runner`
runs any entry the same way; nothing here renders or suppresses.

Units: "citizens" (start form per citizen, register, course ends), "responses"
(kontaktskema løbende: citizen × round), "occasions" (progressionsskema: the citizen's
k-th answer), "leads". Item labels and options come from the schemas.forms registry.
"""
from __future__ import annotations

from dataclasses import dataclass

from schemas.enums import PLAN_PHASES, START_WITHIN_DAYS
from schemas.forms import FORMS
from server.office import items
from server.office.children_figures import ChildrenInHome
from server.office.figures import Counts, Distribution, Index, ItemSet, LeadPipeline, StartWait

CITIZENS, RESPONSES, OCCASIONS, LEADS = "citizens", "responses", "occasions", "leads"
UNIT_LABELS = {CITIZENS: "borgere", RESPONSES: "besvarelser", OCCASIONS: "besvarelser (borgerens k-te besvarelse)",
               LEADS: "henvisninger"}
PERIODS = {
    "start": "En borger tælles efter identifikationsdatoen i sit forløb.",
    "register": "En borger tælles efter identifikationsdatoen i sit forløb.",
    "loebende": "En besvarelse tælles efter den dato, skemaet er udfyldt.",
    "progression": "En besvarelse tælles efter den dato, skemaet er udfyldt; besvarelse k er borgerens k-te besvarelse, uanset hvornår den er givet.",
    "ended": "Et afsluttet forløb tælles efter afslutningsdatoen.",
    "leads": "En henvisning tælles efter den dato, personen blev set.",
    "children": "En borger tælles, når et af borgerens forløb er identificeret i perioden.",
    "requests": "En borger tælles efter anmodningsdatoen (den dag, borgeren bad om behandling) i sit nyeste forløb med en "
                "anmodningsdato i perioden; en ventetid, der stadig løber, tælles til i dag.",
}
SOURCES = {"start": "Kontaktskema start", "loebende": "Kontaktskema løbende", "progression": "Progressionsskemaer, besvarelse 1–4",
           "ended": "Deltagerlister", "leads": "Anonyme henvisninger fra civilsamfundet", "register": "Deltagerlister",
           "requests": "Deltagerlister", "children": "Deltagerlister (børn i hjemmet)"}


@dataclass(frozen=True)
class Report:
    id: str
    figure: str  # "4.11", "Bilagstabel 1.2", "Mørketal"
    title: str
    unit: str
    query: object  # a figure kind: .run(Context) -> Outcome
    chart: str  # bar | stacked | line | none
    source: str  # key of SOURCES / PERIODS
    multi: bool = False
    panel: bool = False  # the "answered every occasion 1–4" toggle applies
    note: str = ""


def _scale(*groups):
    return lambda form, key: items.grouped(items.options(form, key), list(groups))


SL_NG_HR = (("1", "2"), ("3",), ("4", "5"))
READINESS_GROUPS = (("4", "5"), ("3",), ("2",), ("1",))
WELLBEING_BANDS = [(0, 3), (4, 6), (7, 10)]


def _progression(key, categories, where=None, where_items=()):
    return Distribution("progression", key, categories, split="occasion", where=where, test=True, where_items=where_items)


def _answers(row, key):
    return (row.get("answers") or {}).get(key)


def _drank(row) -> bool:
    value = _answers(row, "alcohol_frequency")
    return items.answered(value) and value != "never"


def _five_or_more(row) -> bool:
    return _drank(row) and (items.number(_answers(row, "drinks_per_occasion")) or 0) >= 5


def _in_plan_phase(row) -> bool:
    return _answers(row, "phase") in PLAN_PHASES


def _receives_other_services(row) -> bool:
    return items.answered(_answers(row, "other_services"))


def _days_bands():
    return items.ranges([(0, 0), (1, 4), (5, 7)], " dage", labels={(0, 0): "Ingen dage"})


def _entries() -> list[Report]:
    label = items.label
    out = [
        Report("fig-3-1", "3.1", "Figur 3.1 Aktører involveret i den indledende kontakt og relation til borgeren", CITIZENS,
               Distribution("start", "actors_first_contact", multi=True), "bar", "start", multi=True),
        Report("fig-3-2", "3.2", "Figur 3.2 Behandlingsunderstøttende aktiviteter i civilsamfundet", RESPONSES,
               Distribution("loebende", "civil_society_activities", multi=True), "bar", "loebende", multi=True),
        Report("fig-4-1", "4.1", "Figur 4.1 Køn, fordelt på team", CITIZENS,
               Distribution("start", "sex", split="team", test=True), "stacked", "start",
               note="Evalueringen fordelte på kommuner; her er kommunens teams i deres sted."),
        Report("fig-4-2", "4.2", "Figur 4.2 Alder", CITIZENS, Distribution("start", "age_band"), "bar", "start",
               note="Alderen er skemaets aldersgruppe, ellers beregnet ud fra fødselsåret ved identifikationen."),
        Report("fig-4-3", "4.3", "Figur 4.3 Borgerens tilknytning til stofbehandlingssystemet, fordelt på team", CITIZENS,
               Distribution("start", "attachment", split="team", test=True), "stacked", "start"),
        Report("fig-4-4", "4.4", "Figur 4.4 Øvrige social- og sundhedsfaglige tilbud, som borgeren modtager", CITIZENS,
               Distribution("start", "other_services", multi=True), "bar", "start", multi=True,
               note="Blandt borgere, der modtager øvrige tilbud."),
        Report("fig-4-5", "4.5", "Figur 4.5 Andel, der modtager bostøtte, fordelt på team", CITIZENS,
               Distribution("start", "other_services", lambda: [
                   items.Category("bostoette", "Modtager bostøtte", lambda v: isinstance(v, list) and "bostoette" in v),
                   items.Category("not_bostoette", "Modtager ikke bostøtte", lambda v: isinstance(v, list) and "bostoette" not in v),
               ], split="team", where=_receives_other_services, test=True), "stacked", "start",
               note="Blandt borgere, der modtager øvrige tilbud."),
        Report("fig-4-6", "4.6", "Figur 4.6 Borgernes fase", RESPONSES, Distribution("loebende", "phase"), "bar", "loebende"),
        Report("fig-4-7", "4.7", "Figur 4.7 Parathed til brobygning (kun fase 2 og 3)", RESPONSES,
               ItemSet("loebende", tuple(q.key for q in _readiness()),
                       lambda key: items.grouped(items.options("kontakt_loebende", key), list(READINESS_GROUPS)),
                       where=_in_plan_phase, where_items=("phase",)), "stacked", "loebende"),
        Report("fig-4-8", "4.8", "Figur 4.8 " + label("kontakt_loebende", "attempt_frequency"), RESPONSES,
               Distribution("loebende", "attempt_frequency"), "bar", "loebende"),
        Report("fig-4-9", "4.9", "Figur 4.9 " + label("kontakt_loebende", "contact_frequency"), RESPONSES,
               Distribution("loebende", "contact_frequency"), "bar", "loebende"),
        Report("fig-4-10", "4.10", "Figur 4.10 Er der udarbejdet en behandlingsplan (§ 101, stk. 8)?", RESPONSES,
               Distribution("loebende", "plan_made"), "bar", "loebende"),
        Report("fig-4-11", "4.11", "Figur 4.11 Årsager til afslutning", CITIZENS,
               Distribution("ended", "end_reason"), "bar", "ended"),
        Report("fig-4-12", "4.12", "Figur 4.12 Fase, som borgerne afsluttes i", CITIZENS,
               Distribution("ended", "phase_at_end"), "bar", "ended"),
    ]
    recovery, wellbeing, daily = _progression_items("recovery_", 5), _progression_items("wellbeing_", 4), _progression_items("daily_", 7)
    for figure, item in enumerate(recovery, start=13):
        out.append(Report(f"fig-4-{figure}", f"4.{figure}", f"Figur 4.{figure} " + label("progression", item),
                          OCCASIONS, _progression(item, lambda k=item: _scale(*SL_NG_HR)("progression", k)),
                          "stacked", "progression", panel=True))
    out.append(Report("fig-4-18", "4.18", "Figur 4.18 Generelt trivselsindeks (besvarelse 1 = 100)", OCCASIONS,
                      Index(recovery), "line", "progression", panel=True))
    for figure, item in enumerate(wellbeing, start=19):
        out.append(Report(f"fig-4-{figure}", f"4.{figure}", f"Figur 4.{figure} " + label("progression", item),
                          OCCASIONS, _progression(item, lambda: items.ranges(WELLBEING_BANDS)),
                          "stacked", "progression", panel=True))
    out.append(Report("fig-4-23", "4.23", "Figur 4.23 Trivsel den seneste uge (indeks, besvarelse 1 = 100)", OCCASIONS,
                      Index(wellbeing), "line", "progression", panel=True))
    for figure, item in enumerate(daily, start=24):
        out.append(Report(f"fig-4-{figure}", f"4.{figure}", f"Figur 4.{figure} " + label("progression", item), OCCASIONS,
                          _progression(item, lambda k=item: _scale(*SL_NG_HR)("progression", k)), "stacked", "progression",
                          panel=True))
    out += [
        Report("fig-4-31", "4.31", "Figur 4.31 " + label("progression", "days_cannabis"), OCCASIONS,
               _progression("days_cannabis", _days_bands), "stacked", "progression", panel=True),
        Report("fig-4-32", "4.32", "Figur 4.32 " + label("progression", "days_other_drugs"), OCCASIONS,
               _progression("days_other_drugs", _days_bands), "stacked", "progression", panel=True),
        Report("fig-4-33", "4.33", "Figur 4.33 " + label("progression", "alcohol_frequency"), OCCASIONS,
               _progression("alcohol_frequency", lambda: items.grouped(items.options("progression", "alcohol_frequency"),
                                                                       [("never",), ("1_2", "3_4"), ("5_7",)])),
               "stacked", "progression", panel=True),
        Report("fig-4-34", "4.34", "Figur 4.34 " + label("progression", "drinks_per_occasion") + " (kun dem, der drak)", OCCASIONS,
               _progression("drinks_per_occasion", lambda: items.ranges([(0, 4), (5, 60)], " genstande",
                                                                         labels={(0, 4): "Under 5 genstande", (5, 60): "5 genstande eller flere"}),
                            where=_drank, where_items=("alcohol_frequency",)), "stacked", "progression", panel=True,
               note="Spørgsmålet stilles kun til dem, der har drukket alkohol de sidste 7 dage."),
        Report("fig-4-35", "4.35", "Figur 4.35 " + label("progression", "days_binge") + " (kun dem, der drikker 5+)", OCCASIONS,
               _progression("days_binge", lambda: items.ranges([(0, 0), (1, 2), (3, 5), (6, 7)], " dage", labels={(0, 0): "Ingen dage"}),
                            where=_five_or_more, where_items=("alcohol_frequency", "drinks_per_occasion")), "stacked", "progression", panel=True,
               note="Spørgsmålet stilles kun til dem, der drikker 5 genstande eller flere, når de drikker."),
        Report("bilag-1-1", "Bilagstabel 1.1", "Bilagstabel 1.1 Kontaktskema løbende: besvarelser pr. runde, fordelt på team",
               RESPONSES, Counts("kontakt_loebende", "round", tuple((k, k) for k in range(1, 9)), split="team"), "none", "loebende"),
        Report("bilag-1-2", "Bilagstabel 1.2", "Bilagstabel 1.2 Progressionsskemaer: besvarelser pr. runde", RESPONSES,
               Counts("progression", "round", tuple((k, k) for k in range(1, 9))), "bar", "progression"),
        Report("bilag-1-3", "Bilagstabel 1.3", "Bilagstabel 1.3 Progressionsskemaer: besvarelser pr. besvarelse (1., 2., …)",
               OCCASIONS, Counts("progression", "occasion", ((1, 1), (2, 2), (3, 3), (4, 4), (5, 8))), "bar", "progression",
               panel=True),
        Report("leads-pipeline", "Mørketal", "Mørketal: anonyme henvisninger fra civilsamfundet", LEADS, LeadPipeline(), "bar", "leads"),
        Report("start-14-days", "Opstart", f"Opstart mere end {START_WITHIN_DAYS} dage efter anmodningen, fordelt på team", CITIZENS,
               StartWait(), "stacked", "requests",
               note=f"Serviceloven: behandlingen skal starte senest {START_WITHIN_DAYS} dage efter, at borgeren har bedt om den."),
        Report("children-in-home", "Børn", "Børn i hjemmet: afdækning og opfølgning, fordelt på team", CITIZENS,
               ChildrenInHome(), "stacked", "children",
               note="Kun antal: hvem der har børn, vises aldrig i rapporter og eksport."),
    ]
    return out


def _readiness():
    return [q for q in FORMS["kontakt_loebende"].questions if q.key.startswith("readiness_")]


def _progression_items(prefix: str, expected: int) -> tuple[str, ...]:
    """The progressionsskema's items of one block, in the form's order (= the figures' order)."""
    keys = tuple(q.key for q in FORMS["progression"].questions if q.key.startswith(prefix))
    assert len(keys) == expected, f"the progressionsskema's {prefix}* items changed: renumber the figures"
    return keys


REPORTS: dict[str, Report] = {report.id: report for report in _entries()}
