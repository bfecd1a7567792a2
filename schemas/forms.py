"""The three forms as data: kontaktskema start, kontaktskema løbende, progressionsskema.

Each question has a stable key, a Danish label and an answer type. `check_answers`
validates a FormResponse's answers against its form.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from schemas import enums
from schemas.enums import Choice, choices

SCALE_5 = choices(
    ("1", "Slet ikke"), ("2", "Lidt"), ("3", "I nogen grad"), ("4", "En hel del"), ("5", "Rigtig meget")
)
DAILY_5 = choices(("1", "Meget dårlig"), ("2", "Dårlig"), ("3", "Vekslende"), ("4", "God"), ("5", "Meget god"))
FOOD_5 = choices(("1", "Meget usund"), ("2", "Usund"), ("3", "Vekslende"), ("4", "Sund"), ("5", "Meget sund"))
FREQUENCY = choices(
    ("several_weekly", "Flere gange om ugen"),
    ("weekly", "En gang om ugen"),
    ("biweekly", "Hver 14. dag"),
    ("monthly", "En gang om måneden"),
    ("rarer", "Sjældnere"),
    ("none", "Endnu ingen kontakt / kontakten ophørt"),
)
YES_NO = choices(("yes", "Ja"), ("no", "Nej"))


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    type: str  # choice | multi | int | text
    options: tuple[Choice, ...] = ()
    min: int | None = None
    max: int | None = None
    required: bool = False


@dataclass(frozen=True)
class Form:
    code: str
    label: str
    questions: tuple[Question, ...] = field(default_factory=tuple)

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)


def _choice(key, label, options, required=False):
    return Question(key, label, "choice", options, required=required)


KONTAKT_START = Form(
    "kontakt_start",
    "Kontaktskema start",
    (
        _choice("first_seen_place", "Hvor var borgeren, da borgeren blev identificeret?", enums.FIRST_SEEN_PLACES, True),
        _choice("spotted_by", "Hvem opsporede borgeren?", choices(
            ("fremskudt_behandler", "Fremskudt behandler"),
            ("other_behandler", "Øvrige behandlere (ambulant, døgn, social, substitution)"),
            ("civil_society", "Civilsamfundsaktør"),
            ("skp", "Støttekontaktperson"),
            ("myndighed", "Myndighedssagsbehandler"),
            ("other", "Øvrige"),
        )),
        Question("actors_first_contact", "Aktører involveret i første kontakt og relation", "multi", enums.ACTORS),
        _choice("attachment", "Tilknytning til behandlingssystemet", choices(
            ("unknown_before", "Hidtil ukendt"),
            ("known_dropped_out", "Tidligere kendt men frafaldet"),
            ("sporadic_unclear", "Sporadisk kontakt / ved ikke / endnu ikke afklaret"),
        )),
        _choice("substitution", "Substitutionsbehandling", choices(
            ("now", "Modtager nu"), ("before", "Tidligere"), ("never", "Aldrig"),
        )),
        Question("other_services", "Andre sociale og sundhedsmæssige tilbud", "multi", choices(
            ("bostoette", "Bostøtte"),
            ("ambulant_psychiatry", "Ambulant psykiatrisk behandling"),
            ("elder_care", "Ældrepleje"),
            ("psychiatric_admission", "Psykiatrisk indlæggelse"),
            ("jobcenter", "Tilbud via jobcenter"),
            ("somatic", "Somatiske tilbud"),
            ("social_community", "Samværstilbud"),
            ("other", "Øvrige"),
        )),
        Question("substances", "Primære rusmidler", "multi", choices(
            ("hash", "Hash"), ("amphetamine", "Amfetamin"), ("cocaine", "Kokain"),
            ("opioids", "Opioider"), ("mixed", "Blandingsmisbrug"), ("other", "Andet"),
        )),
    ),
)

READINESS_ITEMS = (
    ("stable_contact", "Stabil i behandlingskontakten med fremskudt behandler"),
    ("positive_development", "Længere periode med stabil og positiv udvikling i trivsel og mestringsevne"),
    ("can_attend", "Stabiliseret, så borgeren kan fremmøde til aftaler i ordinært tilbud"),
    ("prepared_transfer", "Forberedt på at overgå til ordinær stofbehandling"),
    ("safe_with_new", "Tryg i relationen til sin nye behandler"),
)

KONTAKT_LOEBENDE = Form(
    "kontakt_loebende",
    "Kontaktskema løbende",
    (
        _choice("phase", "Nuværende fase", enums.PHASES, True),
        _choice("main_place", "Hvor foregår arbejdet primært?", choices(
            ("own_home", "Eget hjem"), ("vaerested", "Værested"), ("street", "Gaden"),
            ("rusmiddelcenter", "Rusmiddelcenter"), ("other", "Andet"),
        )),
        *(_choice(f"readiness_{key}", label, SCALE_5) for key, label in READINESS_ITEMS),
        _choice("attempt_frequency", "Hvor ofte har du forsøgt at få kontakt?", FREQUENCY),
        _choice("contact_frequency", "Hvor ofte har der været kontakt?", FREQUENCY),
        Question("civil_society_activities", "Understøttende aktiviteter i civilsamfundet", "multi", choices(
            ("communities", "Sociale fællesskaber"),
            ("coordination", "Koordinering af indsatser"),
            ("escort", "Følgeskab til indsatser"),
            ("network", "Netværksunderstøttende aktiviteter"),
            ("employment", "Beskæftigelsesrettede aktiviteter"),
            ("self_help", "Selvhjælpsgrupper"),
            ("bridging", "Brobygning til stofbehandling"),
            ("other", "Øvrige"),
        )),
        _choice("plan_made", "Er der lavet en behandlingsplan (§101 stk. 8)?", YES_NO),
    ),
)

RECOVERY_ITEMS = (
    ("supported", "Jeg føler mig støttet af andre mennesker"),
    ("hope", "Jeg har håb og drømme om fremtiden"),
    ("self_worth", "Jeg har det godt med mig selv"),
    ("meaningful", "Jeg gør ting, som betyder noget for mig"),
    ("control", "Jeg føler, at jeg har kontrol over mit liv"),
)
WELLBEING_ITEMS = (
    ("personal", "Hvordan har du generelt haft det rent personligt?"),
    ("relations", "Hvordan har du haft det med dine nære relationer?"),
    ("social", "Hvordan har du haft det socialt?"),
    ("physical", "Hvordan har du haft det fysisk?"),
)
DAILY_ITEMS = (
    ("sleep", "Søvnkvalitet"),
    ("get_up", "At komme op om morgenen"),
    ("concentrate", "At koncentrere dig"),
    ("plan_day", "At planlægge din dag"),
    ("keep_appointments", "At overholde aftaler"),
    ("tidy", "At rydde op, der hvor du opholder dig"),
)

PROGRESSION = Form(
    "progression",
    "Progressionsskema",
    (
        *(_choice(f"recovery_{key}", label, SCALE_5) for key, label in RECOVERY_ITEMS),
        *(Question(f"wellbeing_{key}", label, "int", min=0, max=10) for key, label in WELLBEING_ITEMS),
        *(_choice(f"daily_{key}", label, DAILY_5) for key, label in DAILY_ITEMS),
        _choice("daily_food", "Madvaner", FOOD_5),
        Question("days_cannabis", "Antal dage med hash de sidste 7 dage", "int", min=0, max=7),
        Question("days_other_drugs", "Antal dage med andre stoffer de sidste 7 dage", "int", min=0, max=7),
        _choice("alcohol_frequency", "Hvor ofte har du drukket alkohol de sidste 7 dage?", choices(
            ("never", "Ingen dage"), ("1_2", "1–2 dage"), ("3_4", "3–4 dage"), ("5_7", "5–7 dage"),
        )),
        Question("drinks_per_occasion", "Antal genstande, når du drikker", "int", min=0, max=60),
        Question("days_binge", "Antal dage med 5 eller flere genstande", "int", min=0, max=7),
    ),
)

FORMS: dict[str, Form] = {form.code: form for form in (KONTAKT_START, KONTAKT_LOEBENDE, PROGRESSION)}


def check_answers(form_code: str, answers: dict) -> tuple[str, str] | None:
    """Return (question key, problem in Danish) for the first bad answer, else None."""
    form = FORMS.get(form_code)
    if form is None:
        return "form", "Ukendt skema."
    for question in form.questions:
        if question.required and answers.get(question.key) in (None, "", []):
            return question.key, f"Besvar spørgsmålet: {question.label}"
    for key, value in answers.items():
        question = form.question(key)
        if question is None:
            return key, "Spørgsmålet findes ikke i skemaet."
        if value is None:
            continue
        allowed = {option.code for option in question.options}
        if question.type == "choice" and (not isinstance(value, str) or value not in allowed):
            return key, "Vælg en af svarmulighederne."
        if question.type == "multi" and (
            not isinstance(value, list)
            or not all(isinstance(item, str) for item in value)
            or not set(value) <= allowed
            or len(set(value)) != len(value)
        ):
            return key, "Vælg en eller flere af svarmulighederne."
        if question.type == "int" and (
            not isinstance(value, int) or isinstance(value, bool) or not question.min <= value <= question.max
        ):
            return key, f"Skriv et helt tal fra {question.min} til {question.max}."
    return None
