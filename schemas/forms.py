"""The three forms as data: kontaktskema start, kontaktskema løbende, progressionsskema.

Each question has a stable key, a Danish label and an answer kind from the same
vocabulary as synced fields (schemas.fields.Kind); `sync.ops.check_answers` validates a
response's answers with the same `check_value` as every other value.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from schemas import enums
from schemas.enums import Choice, choices
from schemas.fields import FieldSpec, Kind, Merge

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
    kind: Kind  # CODE (one option), CODES (several), INT, TEXT: the vocabulary of synced fields
    options: tuple[Choice, ...] = ()
    min: int | None = None
    max: int | None = None
    required: bool = False

    @property
    def spec(self) -> FieldSpec:
        """The question as a field spec, so answers are checked like every other value."""
        return FieldSpec(
            name=self.key, merge=Merge.APPEND, kind=self.kind, label=self.label, options=self.options,
            required=self.required, ge=self.min, le=self.max, max_length=2000 if self.kind == Kind.TEXT else None,
        )


@dataclass(frozen=True)
class Form:
    code: str
    version: int
    label: str
    questions: tuple[Question, ...] = field(default_factory=tuple)

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)


def _choice(key, label, options, required=False):
    return Question(key, label, Kind.CODE, options, required=required)


def _multi(key, label, options):
    return Question(key, label, Kind.CODES, options)


def _int(key, label, low, high):
    return Question(key, label, Kind.INT, min=low, max=high)


KONTAKT_START = Form(
    "kontakt_start",
    1,
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
        _multi("actors_first_contact", "Aktører involveret i første kontakt og relation", enums.ACTORS),
        _choice("attachment", "Tilknytning til behandlingssystemet", choices(
            ("unknown_before", "Hidtil ukendt"),
            ("known_dropped_out", "Tidligere kendt men frafaldet"),
            ("sporadic_unclear", "Sporadisk kontakt / ved ikke / endnu ikke afklaret"),
        )),
        _choice("substitution", "Substitutionsbehandling", choices(
            ("now", "Modtager nu"), ("before", "Tidligere"), ("never", "Aldrig"),
        )),
        _multi("other_services", "Andre sociale og sundhedsmæssige tilbud", choices(
            ("bostoette", "Bostøtte"),
            ("ambulant_psychiatry", "Ambulant psykiatrisk behandling"),
            ("elder_care", "Ældrepleje"),
            ("psychiatric_admission", "Psykiatrisk indlæggelse"),
            ("jobcenter", "Tilbud via jobcenter"),
            ("somatic", "Somatiske tilbud"),
            ("social_community", "Samværstilbud"),
            ("other", "Øvrige"),
        )),
        _multi("substances", "Primære rusmidler", choices(
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
    1,
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
        _multi("civil_society_activities", "Understøttende aktiviteter i civilsamfundet", choices(
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
    1,
    "Progressionsskema",
    (
        *(_choice(f"recovery_{key}", label, SCALE_5) for key, label in RECOVERY_ITEMS),
        *(_int(f"wellbeing_{key}", label, 0, 10) for key, label in WELLBEING_ITEMS),
        *(_choice(f"daily_{key}", label, DAILY_5) for key, label in DAILY_ITEMS),
        _choice("daily_food", "Madvaner", FOOD_5),
        _int("days_cannabis", "Antal dage med hash de sidste 7 dage", 0, 7),
        _int("days_other_drugs", "Antal dage med andre stoffer de sidste 7 dage", 0, 7),
        _choice("alcohol_frequency", "Hvor ofte har du drukket alkohol de sidste 7 dage?", choices(
            ("never", "Ingen dage"), ("1_2", "1–2 dage"), ("3_4", "3–4 dage"), ("5_7", "5–7 dage"),
        )),
        _int("drinks_per_occasion", "Antal genstande, når du drikker", 0, 60),
        _int("days_binge", "Antal dage med 5 eller flere genstande", 0, 7),
    ),
)

FORMS: dict[str, Form] = {form.code: form for form in (KONTAKT_START, KONTAKT_LOEBENDE, PROGRESSION)}
