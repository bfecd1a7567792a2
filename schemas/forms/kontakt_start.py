"""Kontaktskema start: once per citizen, after consent, filled by the behandler without the
citizen (VIVE's evaluation, figures.md §1e). Every published version stays here unchanged."""
from __future__ import annotations

from schemas import enums
from schemas.enums import choices
from schemas.fields import Kind
from schemas.forms.model import Condition, Form, Question, choice, multi, text

SPOTTED_BY = choices(
    ("fremskudt_behandler", "Fremskudt behandler"),
    ("other_behandler", "Øvrige behandlere (ambulant, døgn, social, substitution)"),
    ("civil_society", "Civilsamfundsaktør"),
    ("skp", "Støttekontaktperson"),
    ("myndighed", "Myndighedssagsbehandler"),
    ("other", "Øvrige"),
)
OTHER_SERVICES = choices(
    ("bostoette", "Bostøtte"),
    ("ambulant_psychiatry", "Ambulant psykiatrisk behandling"),
    ("elder_care", "Ældrepleje"),
    ("psychiatric_admission", "Psykiatrisk indlæggelse"),
    ("jobcenter", "Tilbud via jobcenter"),
    ("somatic", "Somatiske tilbud"),
    ("social_community", "Samværstilbud"),
    ("other", "Øvrige"),
)

# Version 1: the form as the app first published it (the demo's and the phones' first
# responses were answered against it). It had "primære rusmidler", which is no item of
# the evaluation's forms, and no sex, age or "other services yes/no".
V1 = Form(
    "kontakt_start",
    1,
    "Kontaktskema start",
    (
        Question("first_seen_place", "Hvor var borgeren, da borgeren blev identificeret?", Kind.CODE, enums.FIRST_SEEN_PLACES, required=True),
        Question("spotted_by", "Hvem opsporede borgeren?", Kind.CODE, SPOTTED_BY),
        Question("actors_first_contact", "Aktører involveret i første kontakt og relation", Kind.CODES, enums.ACTORS),
        Question("attachment", "Tilknytning til behandlingssystemet", Kind.CODE, choices(
            ("unknown_before", "Hidtil ukendt"),
            ("known_dropped_out", "Tidligere kendt men frafaldet"),
            ("sporadic_unclear", "Sporadisk kontakt / ved ikke / endnu ikke afklaret"),
        )),
        Question("substitution", "Substitutionsbehandling", Kind.CODE, choices(
            ("now", "Modtager nu"), ("before", "Tidligere"), ("never", "Aldrig"),
        )),
        Question("other_services", "Andre sociale og sundhedsmæssige tilbud", Kind.CODES, OTHER_SERVICES),
        Question("substances", "Primære rusmidler", Kind.CODES, choices(
            ("hash", "Hash"), ("amphetamine", "Amfetamin"), ("cocaine", "Kokain"),
            ("opioids", "Opioider"), ("mixed", "Blandingsmisbrug"), ("other", "Andet"),
        )),
    ),
)

# The evaluation counts only "Mand" and "Kvinde" [L3869]; "Andet" is our extra. Nobody
# was 65+ in the evaluation [L3879-L3895], but the band exists for the product.
SEX = choices(("male", "Mand"), ("female", "Kvinde"), ("other", "Andet"))
AGE_BANDS = choices(
    ("18_25", "18–25 år"), ("26_32", "26–32 år"), ("33_49", "33–49 år"), ("50_64", "50–64 år"),
    ("65_plus", "65 år eller derover"),
)
YES = ("yes",)

# Version 2: the items as the report shows them (figures.md §1e), in its order.
V2 = Form(
    "kontakt_start",
    2,
    "Kontaktskema start",
    (
        choice("sex", "Køn", SEX, True, step="Borgeren"),
        choice("age_band", "Alder", AGE_BANDS, True, step="Borgeren"),
        choice("first_seen_place", "Hvor var borgeren, da borgeren første gang blev identificeret?", enums.FIRST_SEEN_PLACES, True,
               step="Opsporing"),
        choice("spotted_by", "Hvem opsporede borgeren?", SPOTTED_BY, step="Opsporing"),
        multi("actors_first_contact",
              "Hvilke aktører er involveret i den indledende kontakt og relation til borgeren i forbindelse med fremskudt stofbehandling?",
              enums.ACTORS, step="Opsporing", hint="Vælg alle, der passer."),
        choice("attachment", "Borgerens tilknytning til stofbehandlingssystemet", choices(
            ("unknown_before", "Hidtil ukendt"),
            ("known_dropped_out", "Tidligere kendt, men frafaldet"),
            ("sporadic_unclear", "Ved ikke / endnu ikke afklaret / sporadisk kontakt"),
        ), True, step="Tilknytning"),
        choice("substitution", "Substitutionsbehandling", choices(
            ("now", "Modtager substitutionsbehandling"),
            ("before", "Har tidligere modtaget substitutionsbehandling"),
            ("never", "Ingen substitutionsbehandling"),
        ), True, step="Tilknytning"),
        choice("other_services_any", "Modtager borgeren øvrige social- og sundhedsfaglige tilbud?", enums.choices(
            ("yes", "Ja"), ("no", "Nej"),
        ), True, step="Øvrige tilbud"),
        multi("other_services", "Hvilke øvrige social- og sundhedsfaglige tilbud modtager borgeren?", OTHER_SERVICES, True,
              when=(Condition("other_services_any", in_=YES),), step="Øvrige tilbud", hint="Vælg alle, der passer."),
    ),
)

# Version 3: version 2 and, after "Hvem opsporede borgeren?" = "Øvrige", who it was in a few
# words (the evaluation's "øvrige (fritekst)"). Optional; a free text may identify someone,
# so the research export leaves it out (every TEXT item) and no report counts it.
OTHER_SPOTTER = (Condition("spotted_by", in_=("other",)),)
V3 = Form(
    "kontakt_start",
    3,
    "Kontaktskema start",
    (
        *V2.questions[:4],
        text("spotted_by_other", "Hvem (øvrige)?", 80, when=OTHER_SPOTTER, step="Opsporing",
             hint="Fx en nabo eller en præst. Skriv ikke navne."),
        *V2.questions[4:],
    ),
)
assert V3.questions[3].key == "spotted_by"

VERSIONS = (V1, V2, V3)
