"""Code lists from the domain reference: stable snake_case codes, Danish labels.

Users see the labels; the database, the API and the sync log store the codes.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


def choices(*pairs: tuple[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(code, label) for code, label in pairs)


def codes(options: tuple[Choice, ...]) -> frozenset[str]:
    return frozenset(option.code for option in options)


ROLES = choices(
    ("behandler", "Behandler"),
    ("frivillig", "Frivillig / civilsamfund"),
    ("projektleder", "Projektleder"),
    ("admin", "Administrator"),
)

ORGANISATION_KINDS = choices(
    ("rusmiddelcenter", "Rusmiddelcenter (fremskudt team)"),
    ("civil_society", "Civilsamfundsaktør"),
)

PHASES = choices(
    ("phase_1", "Fase 1 – Opsporing og kontakt"),
    # Asked for treatment, waiting for it to start [L3125]; the 14-day rule runs from the
    # request date (START_WITHIN_DAYS).
    ("waiting_list", "Venteliste – venter på behandling"),
    ("phase_2", "Fase 2 – Fremskudt behandling"),
    ("phase_3", "Fase 3 – Brobygning"),
    ("unknown", "Ukendt"),
)

# The phases the evaluation's forms ask about (kontaktskema løbende version 1 is published
# with these options and never changes): the venteliste is the app's, not the evaluation's.
EVALUATION_PHASES = tuple(c for c in PHASES if c.code != "waiting_list")

# Serviceloven: treatment starts within 14 days of the citizen's request [L770–L771];
# sync.derive.start_wait flags a course whose start is later.
START_WITHIN_DAYS = 14

# Phases a behandlingsplan (SEL § 101, stk. 8) marks: without a plan date such a course
# shows "behandlingsplan mangler" until one is given.
PLAN_PHASES = frozenset({"phase_2", "phase_3"})

END_REASONS = choices(
    ("not_target_group", "Ikke i målgruppen (fx alkohol primær problematik)"),
    ("declines_treatment", "Ønsker ikke behandling"),
    ("drug_free_or_reduced", "Stoffri / reduceret forbrug / færdigbehandlet"),
    ("other_treatment", "Overgår til anden behandling (fx ordinær)"),
    ("no_contact", "Behandler kan ikke få kontakt"),
    ("moved_away", "Fraflyttet kommunen"),
    ("other_unknown", "Anden årsag / ukendt"),
)

# The end reasons of a completed course (not interrupted): followed up 1 and 6 months after
# the end when the citizen consented (KL's recommendation, sync.derive.follow_up).
COMPLETED_END_REASONS = frozenset({"drug_free_or_reduced", "other_treatment"})

DESTINATIONS = choices(
    ("ordinary_drug_treatment", "Ordinær stofbehandling"),
    ("substitution_treatment", "Substitutionsbehandling"),
    ("residential_treatment", "Døgnbehandling"),
    ("psychiatry", "Psykiatrien"),
    ("social_services", "Andre sociale tilbud"),
    ("health_services", "Sundhedstilbud"),
    ("civil_society", "Civilsamfundstilbud"),
    # Beyond treatment, as the behandlere asked for phase 3 [L2834–L2841]
    ("community", "Fællesskab (fx recovery- eller brugerfællesskab)"),
    ("housing_support", "Bostøtte (SEL § 85)"),
    ("other", "Andet"),
    ("none", "Intet / ukendt"),
)

SEX = choices(("male", "Mand"), ("female", "Kvinde"), ("other", "Andet"))

AGE_BANDS = choices(
    ("18_25", "18–25 år"),
    ("26_32", "26–32 år"),
    ("33_49", "33–49 år"),
    ("50_64", "50–64 år"),
    ("65_plus", "65 år eller derover"),
    ("unknown", "Ved ikke"),
)

FIRST_SEEN_PLACES = choices(
    ("own_home", "Eget hjem"),
    ("dropin_shelter", "Værested / herberg / varmestue"),
    ("public_space", "Offentligt rum / gaden"),
    ("social_health_service", "Socialt eller sundhedsfagligt tilbud"),
    ("municipal_authority", "Kommunal myndighed"),
    ("drug_treatment", "I stofbehandling"),
    ("psychiatry", "Psykiatrien"),
)

CONTACT_PLACES = choices(
    ("own_home", "Eget hjem"),
    ("dropin", "Værested"),
    ("shelter", "Herberg / forsorgshjem"),
    ("warming_room", "Varmestue"),
    ("street", "Gaden / offentligt rum"),
    ("rusmiddelcenter", "Rusmiddelcenter"),
    ("other", "Andet sted"),
)

CONTACT_KINDS = choices(("contact", "Kontakt"), ("attempt", "Kontaktforsøg"))

CHANNELS = choices(
    ("in_person", "Fremmøde / besøg"),
    ("phone", "Telefon"),
    ("sms", "Sms"),
    ("video", "Video"),
    ("letter", "Brev"),
)

# Practical help given at a contact [L2692–L2694, L3279–L3280].
PRACTICAL_HELP = choices(
    ("enkeltydelser", "Enkeltydelser"),
    ("economy", "Økonomi, regninger og gæld"),
    ("eboks_letters", "e-Boks og breve"),
    ("housing", "Bolig"),
    ("doctor_health", "Læge og sundhed"),
    ("escort", "Følgeskab"),
    ("other", "Andet"),
)

ACTORS = choices(
    ("behandler_fremskudt", "Behandler (fremskudt)"),
    ("skp", "Støttekontaktperson (SKP)"),
    ("myndighed", "Myndighedssagsbehandler"),
    ("vaerested_staff", "Medarbejder på værested/herberg/varmestue/botilbud"),
    ("behandler_other", "Behandler (øvrige)"),
    ("nurse_doctor_other", "Sygeplejerske/læge (øvrige)"),
    ("nurse_doctor_fremskudt", "Sygeplejerske/læge (fremskudt)"),
    ("gp", "Almen praktiserende læge"),
    ("peer_other", "Peer-medarbejder (øvrige)"),
    ("peer_fremskudt", "Peer-medarbejder (fremskudt)"),
    ("social_caretaker", "Social vicevært / boligsocial medarbejder"),
    ("other", "Andre"),
)

ACTIVITIES = choices(
    ("relational_work", "Relationelt / motiverende arbejde"),
    ("treatment_talk", "Behandlingssamtale"),
    ("practical_help", "Praktisk hjælp"),
    ("escort", "Følgeskab til indsats"),
    ("coordination", "Koordinering af indsatser"),
    ("health", "Sundhedsfaglig indsats"),
    ("bridging", "Brobygning"),
    ("other", "Andet"),
)

CONSENT_PURPOSES = choices(
    ("participation", "Deltagelse i fremskudt behandling"),
    ("share_with_partner", "Videregivelse af oplysninger til samarbejdspartner"),
    ("status_to_referrer", "Status tilbage til den, der henviste"),
    ("coordination_meeting", "Drøftelse på koordineringsmøde"),
    ("network_meeting", "Deltagelse i netværksmøde"),
    ("contact_other_services", "Kontakt til andre instanser"),
    ("follow_up", "Opfølgende kontakt efter afsluttet behandling"),
    ("sms_reminders", "Påmindelser via sms"),
    # Contacted by another authority (e.g. the caseworker of an enkeltydelse) [L3291–L3300].
    ("contact_from_authority", "Henvendelse fra anden myndighed (fx sagsbehandler)"),
    # Involving the network (relatives, friends) [001:L244–L249].
    ("involve_network", "Inddragelse af netværk (fx pårørende)"),
)

# What a live consent lets the named recipient organisation see is one table in
# sync/scope.py (PARTNER_VIEWS). A referrer sees the stage of its own leads without any
# consent, and never which citizen a lead became.

# A follow-up after the end needs a live consent to it (sync.derive.follow_up).
FOLLOW_UP_CONSENT = "follow_up"
# Consents given to the citizen's own team, not to a partner: the phone suggests the team.
TEAM_CONSENT_PURPOSES = frozenset({"participation", FOLLOW_UP_CONSENT, "sms_reminders"})

CONSENT_ACTIONS = choices(("grant", "Givet"), ("withdraw", "Trukket tilbage"))
CONSENT_FORMS = choices(("oral", "Mundtligt"), ("written", "Skriftligt"))
CONSENT_GIVEN_BY = choices(("citizen", "Borgeren selv"), ("guardian", "Værge / partsrepræsentant"))

CHILDREN_IN_HOME = choices(("yes", "Ja"), ("no", "Nej"), ("unknown", "Ved ikke"))
CHILD_AGE_BANDS = choices(
    ("0_2", "0–2 år"),
    ("3_5", "3–5 år"),
    ("6_12", "6–12 år"),
    ("13_17", "13–17 år"),
)

# Before a visit: who must go and how [L2326–L2336]; a short free text says the rest.
# A goal's status over time (the behandlingsplan's goals in the citizen's words).
GOAL_STATUSES = choices(
    ("active", "I gang"),
    ("progress", "Godt på vej"),
    ("achieved", "Nået"),
    ("paused", "Sat på pause"),
    ("dropped", "Ikke længere et mål"),
)

SAFETY_FLAGS = choices(
    ("two_staff", "Kun to medarbejdere"),
    ("police", "Politi til stede"),
)

LEAD_PLACE_TYPES = choices(
    ("vaerested", "Værested"),
    ("varmestue", "Varmestue"),
    ("herberg", "Herberg / forsorgshjem"),
    ("street", "Gaden / offentligt rum"),
    ("housing", "Boligområde"),
    ("consumption_room", "Stofindtagelsesrum"),
    ("other", "Andet"),
)

LEAD_CONCERNS = choices(
    ("drug_use", "Tegn på stofbrug"),
    ("mental_health", "Psykisk mistrivsel"),
    ("physical_health", "Fysisk helbred"),
    ("housing", "Bolig / hjemløshed"),
    ("isolation", "Ensomhed / isolation"),
    ("other", "Andet"),
)

LEAD_OUTCOMES = choices(
    ("new", "Ny – ikke set på endnu"),
    ("searching", "Behandler forsøger at finde personen"),
    ("in_contact", "Behandler er i kontakt"),
    ("enrolled", "Deltager i forløb"),
    ("not_found", "Ikke fundet"),
    ("not_relevant", "Ikke relevant"),
)

# A lead's stage as its referrer reads it (sync.derive.lead_stage).
LEAD_STAGES = choices(
    ("received", "Modtaget"),
    ("claimed", "En behandler har taget den"),
    ("in_contact", "I kontakt"),
    ("closed", "Afsluttet"),
)

# The lead pipeline (schemas/records.py `Lead`): claimed by a behandler (a multi-value
# field: two claims made offline are a conflict), contact attempts (`lead_attempt`), and
# one resolution — linked to a citizen or closed with a reason. Concurrent resolutions
# (a closure concurrent with a link) are a conflict on that one field.
LEAD_RESOLUTIONS = choices(
    ("link_new", "Koblet til en ny borger"),
    ("link_existing", "Koblet til en kendt borger"),
    ("not_target_group", "Afsluttet: ikke i målgruppen"),
    ("not_found", "Afsluttet: ikke fundet"),
    ("declines", "Afsluttet: ønsker ikke kontakt"),
    ("already_known", "Afsluttet: allerede kendt"),
    ("other", "Afsluttet: anden årsag"),
)
LEAD_LINKS = frozenset({"link_new", "link_existing"})
# An older app's closing `outcome` counted as the closing reason it stands for (the lead
# report shows one list of reasons); "ikke relevant" gave no reason: "anden årsag".
LEAD_RESOLUTION_OF_OUTCOME = {"not_found": "not_found", "not_relevant": "other"}
assert set(LEAD_RESOLUTION_OF_OUTCOME) <= {c.code for c in LEAD_OUTCOMES}
assert set(LEAD_RESOLUTION_OF_OUTCOME.values()) <= {c.code for c in LEAD_RESOLUTIONS} - LEAD_LINKS

LEAD_ATTEMPT_RESULTS = choices(
    ("not_found", "Ikke truffet"),
    ("met", "Truffet kort"),
    ("talked", "Samtale"),
)
# An attempt that reached the person: the referrer reads "i kontakt".
LEAD_ATTEMPT_REACHED = frozenset({"met", "talked"})

# Where a lead was seen, as the first-seen place of a citizen made from it (pre-filled).
FIRST_SEEN_OF_LEAD_PLACE = {
    "vaerested": "dropin_shelter", "varmestue": "dropin_shelter", "herberg": "dropin_shelter",
    "street": "public_space", "housing": "own_home", "consumption_room": "social_health_service",
}

# Before the pipeline a behandler set one `outcome` (still accepted from older apps): what
# it means as a stage (sync.derive.lead_stage).
LEAD_STAGE_OF_OUTCOME = {
    None: "received",
    "new": "received",
    "searching": "claimed",
    "in_contact": "in_contact",
    "enrolled": "in_contact",
    "not_found": "closed",
    "not_relevant": "closed",
}

FORMS = choices(
    ("kontakt_start", "Kontaktskema start"),
    ("kontakt_loebende", "Kontaktskema løbende"),
    ("progression", "Progressionsskema"),
    ("opfoelgning", "Opfølgning efter afsluttet forløb"),
)

FORM_FILLED_BY = choices(("practitioner", "Behandler"), ("citizen", "Borgeren selv"), ("citizen_helped", "Borgeren med hjælp"))

# Coordination meetings (15 minutes on Teams, fixed agenda, the citizen consents but is
# absent) and network meetings (with the citizen): evaluation [L3152–L3181].
MEETING_KINDS = choices(
    ("coordination", "Koordineringsmøde"),
    ("network", "Netværksmøde"),
)
# The consent each attending organisation (other than the citizen's own team) relies on.
MEETING_CONSENT_PURPOSE = {"coordination": "coordination_meeting", "network": "network_meeting"}
MEETING_ROLES = choices(
    ("behandler", "Behandler"),
    ("caseworker", "Sagsbehandler / myndighed"),
    ("jobcenter", "Jobcenter"),
    ("civil_society", "Civilsamfund / værested"),
    ("housing_support", "Bostøtte / SKP"),
    ("mentor", "Mentor / mestringsvejleder"),
    ("health", "Læge / sundhed"),
    ("psychiatry", "Psykiatri"),
    ("other", "Andet"),
)

# Visibility work ("synlighedsarbejde", evaluation [L2507–L2519, L2538–L2543]).
VISIBILITY_KINDS = choices(
    ("outreach_tour", "Opsøgende tur"),
    ("materials", "Materialer (lightere, postkort …)"),
    ("talk", "Oplæg / møde med samarbejdspartner"),
    ("reminder", "Påmindelse til samarbejdspartner (mail, opkald)"),
    ("other", "Andet"),
)
VISIBILITY_PLACES = choices(
    ("street", "Gaden / offentligt rum"),
    ("dropin", "Værested / varmestue / herberg"),
    ("partner_office", "Hos samarbejdspartner"),
    ("online", "Online / telefon"),
    ("other", "Andet"),
)
VISIBILITY_PARTNERS = choices(
    ("borgerservice", "Borgerservice"),
    ("jobcenter", "Jobcenter"),
    ("police", "Politi"),
    ("gp", "Praktiserende læger"),
    ("psychiatry", "Psykiatri"),
    ("housing", "Boligsocialt arbejde"),
    ("civil_society", "Civilsamfund"),
    ("other", "Andre"),
)
