"""Opfølgning efter afsluttet forløb: KL's recommendation (the draft quality standard) of a
follow-up 1 and 6 months after a completed course, by the behandler by phone or in person,
when the citizen consented to follow-up contact (sync.derive.follow_up). Four items —
housing, work, network, use — asked only when the citizen was reached. Every published
version stays here unchanged."""
from __future__ import annotations

from schemas.enums import choices
from schemas.forms.model import Condition, Form, choice

YES_NO = choices(("yes", "Ja"), ("no", "Nej"))
HOUSING = choices(
    ("own_home", "Egen bolig"),
    ("supported", "Bostøtte eller botilbud"),
    ("shelter", "Herberg eller forsorgshjem"),
    ("homeless", "Hjemløs eller sofasurfer"),
    ("other", "Andet"),
    ("unknown", "Ved ikke"),
)
OCCUPATION = choices(
    ("work", "Arbejde"),
    ("education", "Uddannelse"),
    ("jobcenter", "Jobcenter eller ledig"),
    ("pension", "Pension eller førtidspension"),
    ("other", "Andet"),
    ("unknown", "Ved ikke"),
)
NETWORK = choices(("yes", "Ja"), ("partly", "Delvist"), ("no", "Nej"), ("unknown", "Ved ikke"))
USE = choices(
    ("none", "Intet forbrug"),
    ("less", "Mindre end før"),
    ("same", "Som før"),
    ("more", "Mere end før"),
    ("unknown", "Ved ikke"),
)
REACHED = (Condition("reached", in_=("yes",)),)
STEP = "Borgerens situation nu"

V1 = Form(
    "opfoelgning",
    1,
    "Opfølgning efter afsluttet forløb",
    (
        choice("reached", "Fik du kontakt med borgeren?", YES_NO, True, step="Kontakt",
               hint="Ved telefon eller personligt. Nej: skemaet gemmes uden de øvrige spørgsmål."),
        choice("housing", "Hvordan bor borgeren nu?", HOUSING, True, when=REACHED, step=STEP),
        choice("occupation", "Hvad er borgerens beskæftigelse nu?", OCCUPATION, True, when=REACHED, step=STEP),
        choice("network", "Har borgeren kontakt til familie, venner eller et fællesskab?", NETWORK, True, when=REACHED, step=STEP),
        choice("use", "Hvordan er borgerens forbrug siden forløbet sluttede?", USE, True, when=REACHED, step=STEP),
    ),
)

VERSIONS = (V1,)
