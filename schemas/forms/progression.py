"""Progressionsskema: by the citizen (help allowed), in phases 1, 2 and 3; TEM and Brief
INSPIRE-O (figures.md §1d-§1e). Every published version stays here unchanged.

Its words are the citizen's: no "behandling" and no "misbrug" (the report: citizens fear
losing children, job or home). tests/schemas/test_forms.py checks it."""
from __future__ import annotations

from schemas.enums import choices
from schemas.fields import Kind
from schemas.forms.model import Condition, Form, Question, choice, number

SCALE_5 = choices(
    ("1", "Slet ikke"), ("2", "Lidt"), ("3", "I nogen grad"), ("4", "En hel del"), ("5", "Rigtig meget")
)
DAILY_5 = choices(("1", "Meget dårlig"), ("2", "Dårlig"), ("3", "Vekslende"), ("4", "God"), ("5", "Meget god"))
FOOD_5 = choices(("1", "Meget usund"), ("2", "Usund"), ("3", "Vekslende"), ("4", "Sund"), ("5", "Meget sund"))
RECOVERY_ITEMS = (
    ("supported", "Jeg føler mig støttet af andre mennesker"),
    ("hope", "Jeg har håb og drømme om fremtiden"),
    ("self_worth", "Jeg har det godt med mig selv"),
    ("meaningful", "Jeg gør ting, som betyder noget for mig"),
    ("control", "Jeg føler, at jeg har kontrol over mit liv"),
)
WELLBEING_V1 = (
    ("personal", "Hvordan har du generelt haft det rent personligt?"),
    ("relations", "Hvordan har du haft det med dine nære relationer?"),
    ("social", "Hvordan har du haft det socialt?"),
    ("physical", "Hvordan har du haft det fysisk?"),
)
DAILY_V1 = (
    ("sleep", "Søvnkvalitet"),
    ("get_up", "At komme op om morgenen"),
    ("concentrate", "At koncentrere dig"),
    ("plan_day", "At planlægge din dag"),
    ("keep_appointments", "At overholde aftaler"),
    ("tidy", "At rydde op, der hvor du opholder dig"),
)
ALCOHOL_V1 = choices(("never", "Ingen dage"), ("1_2", "1–2 dage"), ("3_4", "3–4 dage"), ("5_7", "5–7 dage"))

V1 = Form(
    "progression",
    1,
    "Progressionsskema",
    (
        *(Question(f"recovery_{key}", label, Kind.CODE, SCALE_5) for key, label in RECOVERY_ITEMS),
        *(Question(f"wellbeing_{key}", label, Kind.INT, min=0, max=10) for key, label in WELLBEING_V1),
        *(Question(f"daily_{key}", label, Kind.CODE, DAILY_5) for key, label in DAILY_V1),
        Question("daily_food", "Madvaner", Kind.CODE, FOOD_5),
        Question("days_cannabis", "Antal dage med hash de sidste 7 dage", Kind.INT, min=0, max=7),
        Question("days_other_drugs", "Antal dage med andre stoffer de sidste 7 dage", Kind.INT, min=0, max=7),
        Question("alcohol_frequency", "Hvor ofte har du drukket alkohol de sidste 7 dage?", Kind.CODE, ALCOHOL_V1),
        Question("drinks_per_occasion", "Antal genstande, når du drikker", Kind.INT, min=0, max=60),
        Question("days_binge", "Antal dage med 5 eller flere genstande", Kind.INT, min=0, max=7),
    ),
    filled_by="borger",
)

WELLBEING_V2 = (
    ("personal", "Hvordan har du generelt haft det rent personligt i de sidste 7 dage?"),
    ("relations", "Hvordan har du haft det med dine nære relationer i de sidste 7 dage?"),
    ("social", "Hvordan har du haft det socialt i de sidste 7 dage?"),
    ("physical", "Hvordan har du haft det fysisk de sidste 7 dage?"),
)
DAILY_V2 = (
    ("sleep", "Hvordan vil du selv beskrive kvaliteten af din søvn de sidste 7 dage?"),
    ("get_up", "Hvordan har du været til at komme op om morgenen de sidste 7 dage?"),
    ("concentrate", "Hvordan har du været til at koncentrere dig de sidste 7 dage?"),
    ("plan_day", "Hvor god har du været til at planlægge din dag de sidste 7 dage?"),
    ("keep_appointments", "Hvor god har du været til at overholde aftaler de sidste 7 dage?"),
    ("tidy", "Hvordan har du været til at få ryddet op, der hvor du opholder dig, de sidste 7 dage?"),
)
# Alcohol: the report shows three categories including "slet ikke" (Fig 4.33) but not the
# others. We ask in days, finer than the report, like the cannabis item, so that either
# collapse (slet ikke / 1-4 / 5-7 dage, or any three) can be made; the codes are version 1's,
# so one code means one thing in every version.
ALCOHOL_V2 = choices(("never", "Slet ikke"), ("1_2", "1–2 dage"), ("3_4", "3–4 dage"), ("5_7", "5–7 dage"))
DRANK = (Condition("alcohol_frequency", in_=("1_2", "3_4", "5_7")),)
FIVE_OR_MORE = (Condition("drinks_per_occasion", min=5),)
STEP_LIFE, STEP_WEEK, STEP_DAILY, STEP_SUBSTANCES = "Dig og dit liv", "De sidste 7 dage", "Din hverdag", "Hash, stoffer og alkohol"
SCALE_0_10 = "0 er meget dårligt, 10 er rigtig godt."

V2 = Form(
    "progression",
    2,
    "Progressionsskema",
    (
        *(choice(f"recovery_{key}", label, SCALE_5, step=STEP_LIFE) for key, label in RECOVERY_ITEMS),
        *(number(f"wellbeing_{key}", label, 0, 10, step=STEP_WEEK, hint=SCALE_0_10) for key, label in WELLBEING_V2),
        *(choice(f"daily_{key}", label, DAILY_5, step=STEP_DAILY) for key, label in DAILY_V2),
        choice("daily_food", "Hvordan vil du beskrive dine madvaner de sidste 7 dage?", FOOD_5, step=STEP_DAILY),
        number("days_cannabis", "Hvor mange dage har du brugt cannabis i de sidste 7 dage?", 0, 7, step=STEP_SUBSTANCES),
        number("days_other_drugs", "Hvor mange dage har du taget andre stoffer end cannabis i den sidste uge?", 0, 7,
               step=STEP_SUBSTANCES),
        choice("alcohol_frequency", "Hvor ofte drak du noget, der indeholdt alkohol de sidste 7 dage?", ALCOHOL_V2,
               step=STEP_SUBSTANCES),
        number("drinks_per_occasion", "Hvor mange genstande drak du typisk på en dag, hvor du drak?", 1, 60, when=DRANK,
               step=STEP_SUBSTANCES, hint="En genstand er fx en øl, et glas vin eller 4 cl spiritus."),
        number("days_binge", "Hvor mange dage drak du fem genstande eller flere ved én lejlighed?", 0, 7, when=FIVE_OR_MORE,
               step=STEP_SUBSTANCES),
    ),
    filled_by="borger",
)

VERSIONS = (V1, V2)
