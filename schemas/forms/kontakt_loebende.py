"""Kontaktskema løbende: per round for active citizens, filled by the behandler without the
citizen (figures.md §1e). Every published version stays here unchanged. Also what the phone
pre-fills it from (the contacts logged in the period: sync.derive.loebende_prefill)."""
from __future__ import annotations

from schemas import enums
from schemas.enums import choices
from schemas.fields import Kind
from schemas.forms.model import Condition, Form, Question, choice, multi

SCALE_5 = choices(
    ("1", "Slet ikke"), ("2", "Lidt"), ("3", "I nogen grad"), ("4", "En hel del"), ("5", "Rigtig meget")
)
FREQUENCY = choices(
    ("several_weekly", "Flere gange om ugen"),
    ("weekly", "En gang om ugen"),
    ("biweekly", "Hver 14. dag"),
    ("monthly", "En gang om måneden"),
    ("rarer", "Sjældnere"),
    ("none", "Endnu ingen kontakt / kontakten ophørt"),
)
YES_NO = choices(("yes", "Ja"), ("no", "Nej"))
CIVIL_SOCIETY = choices(
    ("communities", "Sociale fællesskaber"),
    ("coordination", "Koordinering af indsatser"),
    ("escort", "Følgeskab til indsatser"),
    ("network", "Netværksunderstøttende aktiviteter"),
    ("employment", "Beskæftigelsesrettede aktiviteter"),
    ("self_help", "Selvhjælpsgrupper"),
    ("bridging", "Brobygning til stofbehandling"),
    ("other", "Øvrige"),
)
READINESS_V1 = (
    ("stable_contact", "Stabil i behandlingskontakten med fremskudt behandler"),
    ("positive_development", "Længere periode med stabil og positiv udvikling i trivsel og mestringsevne"),
    ("can_attend", "Stabiliseret, så borgeren kan fremmøde til aftaler i ordinært tilbud"),
    ("prepared_transfer", "Forberedt på at overgå til ordinær stofbehandling"),
    ("safe_with_new", "Tryg i relationen til sin nye behandler"),
)

V1 = Form(
    "kontakt_loebende",
    1,
    "Kontaktskema løbende",
    (
        Question("phase", "Nuværende fase", Kind.CODE, enums.EVALUATION_PHASES, required=True),
        Question("main_place", "Hvor foregår arbejdet primært?", Kind.CODE, choices(
            ("own_home", "Eget hjem"), ("vaerested", "Værested"), ("street", "Gaden"),
            ("rusmiddelcenter", "Rusmiddelcenter"), ("other", "Andet"),
        )),
        *(Question(f"readiness_{key}", label, Kind.CODE, SCALE_5) for key, label in READINESS_V1),
        Question("attempt_frequency", "Hvor ofte har du forsøgt at få kontakt?", Kind.CODE, FREQUENCY),
        Question("contact_frequency", "Hvor ofte har der været kontakt?", Kind.CODE, FREQUENCY),
        Question("civil_society_activities", "Understøttende aktiviteter i civilsamfundet", Kind.CODES, CIVIL_SOCIETY),
        Question("plan_made", "Er der lavet en behandlingsplan (§101 stk. 8)?", Kind.CODE, YES_NO),
    ),
)

# Version 2: the evaluation's wording (figures.md §1e, Fig 4.6-4.10, 3.2). The report names
# only "eget hjem" as a place [L4060]; the other places are those its text names (værested,
# the street, kommunale matrikler, telefon/sms [L2678, L1240, L2723]).
PLAN_PHASES = ("phase_2", "phase_3")
PHASES_1_3 = tuple(c for c in enums.PHASES if c.code in ("phase_1", "phase_2", "phase_3"))
MAIN_PLACES = choices(
    ("own_home", "Eget hjem"),
    ("vaerested", "Værested, herberg eller varmestue"),
    ("street", "Det offentlige rum / på gaden"),
    ("rusmiddelcenter", "Rusmiddelcenter"),
    ("municipal", "Andre kommunale steder (fx jobcenter, bibliotek)"),
    ("phone", "Telefon eller sms"),
    ("other", "Andet sted"),
)
FREQUENCY_V2 = choices(
    ("several_weekly", "Flere gange om ugen"),
    ("weekly", "En gang om ugen"),
    ("biweekly", "Hver 14. dag"),
    ("monthly", "En gang om måneden"),
    ("rarer", "Sjældnere end en gang om måneden"),
    ("none", "Borgeren har endnu ikke haft kontakt med en behandler / kontakten til behandler er ophørt"),
)
READINESS_V2 = (
    ("stable_contact", "Borgeren er stabil i behandlingskontakten med fremskudt behandler"),
    ("positive_development", "Borgeren har gennem en længere periode oplevet en stabil og positiv udvikling ift. trivsel og mestringsevne"),
    ("can_attend", "Borgeren er stabiliseret i en grad, hvor borger kan fremmøde til aftaler i det ordinære behandlingstilbud"),
    ("prepared_transfer", "Borgeren er forberedt på at skulle overgå til ordinær stofbehandling"),
    ("safe_with_new", "Borgeren er tryg i relation til sin nye behandler"),
)
IN_PLAN_PHASE = (Condition("phase", in_=PLAN_PHASES),)

V2 = Form(
    "kontakt_loebende",
    2,
    "Kontaktskema løbende",
    (
        choice("phase", "Hvilken fase er borgeren i nu?", PHASES_1_3, True, step="Fase og sted"),
        choice("main_place", "Hvor foregår indsatsen primært?", MAIN_PLACES, True, step="Fase og sted"),
        *(choice(f"readiness_{key}", label, SCALE_5, True, when=IN_PLAN_PHASE, step="Parathed til brobygning",
                 hint="Kun i fase 2 og 3.") for key, label in READINESS_V2),
        choice("attempt_frequency", "Hvor ofte har fremskudt behandler typisk forsøgt at etablere kontakt med borger?",
               FREQUENCY_V2, True, step="Kontakt"),
        choice("contact_frequency", "Hvor ofte har borger typisk egentlig kontakt med fremskudt behandler?",
               FREQUENCY_V2, True, step="Kontakt"),
        multi("civil_society_activities",
              "Hvilke behandlingsunderstøttende aktiviteter deltager borgeren i varetaget af civilsamfundet?",
              CIVIL_SOCIETY, step="Aktiviteter og behandlingsplan", hint="Vælg alle, der passer. Ingen: lad feltet stå tomt."),
        choice("plan_made", "Er der udarbejdet en behandlingsplan (§ 101, stk. 8) for borgerens mål og ønsker?", YES_NO, True,
               step="Aktiviteter og behandlingsplan"),
    ),
)

VERSIONS = (V1, V2)

# --- pre-fill from the contacts logged in the period (sync.derive.loebende_prefill) -------
# Where a contact took place → where the work mostly takes place. A contact not in person
# (phone, sms, video, letter) counts as "Telefon eller sms" — unless it is a joint call
# (`joint_call`: the citizen beside the behandler), which counts at its place.
MAIN_PLACE_OF_CONTACT_PLACE = {
    "own_home": "own_home", "dropin": "vaerested", "shelter": "vaerested", "warming_room": "vaerested",
    "street": "street", "rusmiddelcenter": "rusmiddelcenter", "other": "other",
}
REMOTE_PLACE = "phone"
IN_PERSON_CHANNELS = ("in_person",)
# How often, from the average number of days between contacts in the period: below 5 days
# "flere gange om ugen", below 10.5 "en gang om ugen", below 21 "hver 14. dag", below 45 "en
# gang om måneden", else "sjældnere"; none at all: "none". In half days, so that the
# phone and the server compare whole numbers (2·days < limit·count).
FREQUENCY_LIMITS_HALF_DAYS = (("several_weekly", 10), ("weekly", 21), ("biweekly", 42), ("monthly", 90))
FREQUENCY_RAREST, FREQUENCY_NONE = "rarer", "none"
MIN_PERIOD_DAYS = 7  # a period shorter than a week counts as a week
