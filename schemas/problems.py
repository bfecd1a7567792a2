"""Every error the system returns, in one place (after ODK Central's `problem.js`): a
stable code, an HTTP status, and Danish message templates that tell the person what to
do. Call sites name a code, optionally a reason, and the details the template needs —
never prose of their own, and never the value a person sent (a CPR number in a URL
must not come back in a message that ends up in a screenshot or a log).

Clients switch on `code`; people read the rendered message. `where` and `action` feed
the error table in docs/sync-protocol.md (generated, tests/schemas checks it).
"""
from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

REQUEST, OP, BOTH = "request", "op", "both"


@dataclass(frozen=True)
class Problem:
    code: str
    status: int
    message: str  # the template for no particular reason
    reasons: Mapping[str, str] = field(default_factory=dict)
    retry: bool = False  # the same request may succeed later unchanged
    where: str = REQUEST
    action: str = ""

    def template(self, reason: str | None = None) -> str:
        if reason is None:
            return self.message
        return self.reasons[reason]  # KeyError: an unknown reason is a programming error

    def render(self, reason: str | None = None, **details) -> str:
        return self.template(reason).format(**{key: _detail(value) for key, value in details.items()})

    def templates(self) -> dict[str | None, str]:
        return {None: self.message, **self.reasons}


def _detail(value) -> str:
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(sorted(str(item) for item in value))
    return str(value)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _catalogue(*problems: Problem) -> dict[str, Problem]:
    return {problem.code: problem for problem in problems}


FIX_AND_RESEND = "show it in \"Kræver handling\"; the user corrects and re-enters; never retried unchanged"

PROBLEMS = _catalogue(
    # --- requests ---------------------------------------------------------------------
    Problem("invalid_request", 400, "Forespørgslen kunne ikke læses. Ret den og prøv igen.", {
        "json": "Forespørgslen er ikke gyldig JSON. Send et JSON-objekt.",
        "method": "Metoden er ikke tilladt på denne adresse.",
    }, action="fix the request"),
    Problem("invalid_field", 422, "Feltet '{field}' er ugyldigt. Ret det og prøv igen.", {
        "missing": "Feltet '{field}' mangler. Udfyld det og prøv igen.",
        "too_long": "Feltet '{field}' er for langt (højst {limit}). Gør det kortere og prøv igen.",
        "too_short": "Feltet '{field}' er for kort (mindst {limit}). Udfyld det og prøv igen.",
        "too_large": "Feltet '{field}' er for stort (højst {limit}).",
        "too_small": "Feltet '{field}' er for lille (mindst {limit}).",
        "not_int": "Feltet '{field}' skal være et helt tal.",
        "not_bool": "Feltet '{field}' skal være true eller false.",
        "not_text": "Feltet '{field}' skal være tekst.",
        "not_list": "Feltet '{field}' skal være en liste.",
        "not_uuid": "Feltet '{field}' skal være et UUID som 0b6a1d1e-2f1c-4a51-9f6e-2f9d3c1b7a10.",
        "not_date": "Feltet '{field}' skal være en dato som 2026-11-23.",
        "choice": "Feltet '{field}' skal være en af: {allowed}.",
        "unknown": "Feltet '{field}' kendes ikke her. Fjern det og prøv igen.",
        "taken": "Feltet '{field}' er allerede i brug af en anden. Vælg et andet.",
        "username": "Brugernavnet skal være 2–64 tegn: små bogstaver, tal og . _ @ - (og starte med et bogstav eller tal).",
        "role_org": "Rollen passer ikke til organisationen: rollen {label} hører til en organisation af typen {hint}.",
        "password_short": "Adgangskoden skal være mindst {limit} tegn. Brug gerne flere ord.",
        "password_repeat": "De to adgangskoder er ikke ens. Skriv den samme to gange.",
        "not_json": "Feltet '{field}' skal være gyldig JSON.",
        "first_of_month": "Feltet '{field}' skal være den første dag i en måned, fx 2026-01-01.",
    }, action="fix the named field of the request"),
    Problem("batch_too_large", 413, "Der er for mange ændringer i én sending (højst {limit}). Del dem op og send igen.", {
        "body": "Sendingen er for stor (højst {limit} MB). Del ændringerne op og send igen.",
    }, action="send at most 500 ops per push, in bodies under the size limit"),
    Problem("not_found", 404, "Det findes ikke, eller du har ikke adgang til det.", action="nothing to retry"),
    Problem("server_error", 500, "Der skete en fejl på serveren. Prøv igen om lidt.", retry=True,
            action="keep everything; retry later (the server logged only the error's type)"),
    # --- sessions and rights -----------------------------------------------------------
    Problem("not_logged_in", 401, "Du er ikke logget ind, eller din session er udløbet. Log ind igen.", {
        "api_token": "API-nøglen er ukendt eller tilbagekaldt. Bed projektlederen om en ny nøgle.",
    }, action="keep the outbox; ask the user to log in; retry"),
    Problem("bad_credentials", 401, "Forkert brugernavn eller adgangskode.", action="let the user try again"),
    Problem("too_many_attempts", 429, "For mange forsøg. Vent {seconds} sekunder, og prøv igen.", retry=True,
            action="wait Retry-After seconds"),
    Problem("quota_exceeded", 429, "Der er sendt usædvanligt meget fra din bruger eller telefon på kort tid. Ændringerne er gemt og sendes igen om {seconds} sekunder.",
            retry=True, where=REQUEST, action="keep every op; push again after Retry-After seconds"),
    Problem("forbidden", 403, "Du har ikke adgang til dette. Kontakt din projektleder, hvis det er en fejl.", {
        "op": "Du har ikke ret til at ændre denne oplysning. Ændringen er gemt til gennemsyn hos projektlederen.",
        "field": "Du har ikke ret til at ændre feltet '{label}'.",
        "move_team": "Du kan ikke flytte borgeren til et team, du ikke selv har adgang til.",
        "link_citizen": "Du har ikke adgang til den borger, du vil knytte henvisningen til.",
        "self_deactivate": "Du kan ikke deaktivere dig selv. Bed en anden administrator om det.",
        "cross_site": "Forespørgslen kom fra en anden hjemmeside og er afvist. Brug Brobygger direkte.",
        "csrf": "Formularen er udløbet eller kom ikke fra denne side. Genindlæs siden, og prøv igen.",
        "self_change": "Du kan ikke ændre din egen rolle eller organisation. Bed en anden administrator om det.",
    }, where=BOTH, action="the user may not make this change (rights changed while offline); quarantined for the project lead"),
    Problem("device_unknown", 403, "Enheden er ikke registreret til din bruger. Log ind igen på enheden.",
            action="register the device again (POST /api/devices) and retry"),
    Problem("device_id_taken", 409, "Enhedens id er allerede brugt af en anden bruger. Lav et nyt id (eller udelad det) og registrér igen.",
            action="register with a new id"),
    Problem("device_revoked", 403, "Enheden er spærret. Data på enheden slettes. Kontakt din projektleder.", {
        "quarantined": "Enheden er spærret. Ændringen er gemt til gennemsyn hos projektlederen.",
    }, where=BOTH, action="the phone wipes its local data (remote wipe); pushed ops are quarantined on the server"),
    # --- operations (per-op results of /api/sync/push) -----------------------------------
    Problem("op_malformed", 422, "Ændringen mangler oplysninger eller har en forkert form og kan ikke gemmes.", {
        "not_object": "En ændring skal være et JSON-objekt.",
        "unstorable": "Ændringen indeholder tegn eller data, der ikke kan gemmes.",
        "too_large": "Ændringen fylder for meget (højst {limit} KB).",
        "nul": "Ændringen indeholder et NUL-tegn, som ikke kan gemmes.",
        "not_a_number": "Ændringen indeholder NaN eller Infinity, som ikke er gyldig JSON. Send et tal eller null.",
        "not_json": "Ændringen er ikke gyldig JSON, der kan læses (fx for dybt indlejret eller et for langt tal).",
        "unknown_key": "Ændringen har en ukendt nøgle. Tilladte nøgler: {allowed}.",
        "not_uuid": "'{field}' skal være et UUID som 0b6a1d1e-2f1c-4a51-9f6e-2f9d3c1b7a10.",
        "bad_text": "'{field}' skal være tekst på 1–{limit} tegn.",
        "bad_hlc": "'hlc' skal have formen 'WWWWWWWWWWWWW:CCCCC:enhed': 13 cifre millisekunder, 5 cifre tæller og enhedens id.",
        "hlc_node": "'hlc' skal slutte med enhedens id (device_id).",
        "hlc_too_old": "'hlc' ligger før {year}. Ret telefonens ur.",
        "seen": "'seen' skal være en liste med højst {limit} ændrings-id'er.",
        "seen_self": "'seen' må ikke indeholde ændringens eget op_id.",
        "create_value": "En oprettelse skal have 'value' som et objekt med felterne.",
        "unreadable": "Ændringen kunne ikke behandles. Den er gemt til gennemsyn hos projektlederen.",
    }, where=OP, action=FIX_AND_RESEND),
    Problem("op_id_reused", 409, "Samme ændrings-id er brugt til to forskellige ændringer. Ændringen er gemt til gennemsyn hos projektlederen.",
            where=OP, action="a client bug; show it; the op is quarantined"),
    Problem("unknown_entity", 422, "Ukendt type af oplysning. Brug en af: {allowed}.", where=OP, action=FIX_AND_RESEND),
    Problem("unknown_field", 422, "Feltet kan ikke ændres på denne slags oplysning. Felter: {allowed}.", {
        "create": "Et felt i oprettelsen findes ikke på denne slags oplysning eller kan ikke sættes. Felter: {allowed}.",
    }, where=OP, action=FIX_AND_RESEND),
    Problem("op_not_allowed", 422, "Den slags ændring er ikke tilladt for denne oplysning. Tilladt: {allowed}.", {
        "voided": "Oplysningen er annulleret og kan ikke rettes. Registrér den på ny, hvis den skal med.",
    }, where=OP, action=FIX_AND_RESEND),
    Problem("invalid_value", 422, "Værdien passer ikke til feltet '{label}'.", {
        "not_text": "'{label}' skal være tekst.",
        "too_long": "'{label}' må højst være {limit} tegn.",
        "pattern": "'{label}' har ikke det rigtige format ({hint}).",
        "not_choice": "'{label}' skal være en af: {allowed}.",
        "not_choices": "'{label}' skal være en liste af forskellige koder fra: {allowed}.",
        "not_int": "'{label}' skal være et helt tal.",
        "out_of_range": "'{label}' skal ligge mellem {min} og {max}.",
        "at_least": "'{label}' skal være mindst {min}.",
        "at_most": "'{label}' må højst være {max}.",
        "not_bool": "'{label}' skal være true eller false.",
        "not_date": "'{label}' skal være en gyldig dato som 2026-11-23.",
        "not_datetime": "'{label}' skal være et tidspunkt som 2026-11-23T14:05:00+01:00.",
        "no_timezone": "'{label}' skal have en tidszone (fx +01:00 eller Z).",
        "in_future": "'{label}' ligger i fremtiden. Ret datoen eller tidspunktet (går telefonens ur forkert?).",
        "not_ref": "'{label}' skal være et UUID.",
        "phase_event": "'{label}' skal være {{\"phase\": fase-kode, \"date\": dato}}.",
        "consent_event": "'{label}' skal have action, form, given_by og date (og evt. note).",
        "attendees": "'{label}' skal være en liste med 1–{limit} forskellige organisationer, hver med org_id, role og evt. consent_id.",
        "unknown_user": "'{label}': brugeren findes ikke i din kommune.",
        "answers": "'{label}' skal være et objekt med svar.",
        "void": "En annullering kan kun have en begrundelse: {{\"reason\": \"...\"}} på højst {limit} tegn.",
        "unknown_org": "'{label}': organisationen findes ikke i din kommune.",
        "not_team": "'{label}' skal være et team i rusmiddelcentret.",
        "unknown_form": "Skemaet findes ikke i den version. Opdatér appen og prøv igen.",
        "answer_unknown": "Spørgsmålet findes ikke i skemaet. Fjern svaret.",
        "answer_required": "Besvar spørgsmålet: {label}",
        "unknown_version": "Skemaet findes ikke i den version, svarene er givet til (udgivne versioner: {allowed}). Opdatér appen og prøv igen.",
        "answer_not_applicable": "Spørgsmålet '{label}' stilles kun, {hint}. Fjern svaret, eller ret svaret på det andet spørgsmål.",
    }, where=OP, action=FIX_AND_RESEND),
    Problem("missing_field", 422, "Feltet '{label}' skal udfyldes.", where=OP, action=FIX_AND_RESEND),
    Problem("clock_ahead", 422, "Ændringens tidsstempel ligger {seconds} sekunder foran serverens ur (højst {limit} tilladt). Ret telefonens ur, og send igen.",
            retry=True, where=OP, action="correct the clock from server_hlc, re-stamp and resend"),
    Problem("record_not_found", 404, "Oplysningen, der ændres, findes ikke (endnu) på serveren. Den sendes igen ved næste synkronisering.", {
        "citizen": "Borgeren findes ikke (endnu) på serveren. Ændringen sendes igen ved næste synkronisering.",
    }, retry=True, where=OP, action="the record is not on the server (yet): resend after the op that creates it"),
    Problem("consent_missing", 422, "Mødet kan ikke gemmes uden samtykke fra borgeren til hver deltagende organisation.", {
        "missing": "Mødet kan ikke gemmes: borgeren har ikke givet samtykke til '{hint}' for {label}. Registrér samtykket, eller fjern {label} fra mødet, og gem igen.",
        "withdrawn": "Mødet kan ikke gemmes: borgeren har trukket samtykket til '{hint}' for {label} tilbage. Fjern {label} fra mødet, og gem igen.",
        "wrong_consent": "Mødet kan ikke gemmes: samtykket, der er angivet for {label}, gælder ikke '{hint}' for denne borger. Vælg organisationen igen, og gem.",
    }, where=OP, action="show it in \"Kræver handling\"; the user records the consent or removes the organisation, and saves again"),
    Problem("wrong_record_id", 422, "Samtykkets id skal udledes af borger, formål og modtager (uuid5). Forventet: {expected}.",
            where=OP, action=FIX_AND_RESEND),
    Problem("conflicting_create", 409, "Der findes allerede en anden oplysning med samme id. Opret den med et nyt id.", {
        "immutable": "Feltet '{label}' kan ikke ændres, når oplysningen er oprettet.",
    }, where=BOTH, action="the id belongs to another record; quarantined"),
    Problem("device_mismatch", 403, "Ændringen er lavet på en anden enhed end den, der sender.", where=OP,
            action="a client bug: send each device's ops from that device"),
    # --- installation: invitations, identity provider, triage ------------------------------
    Problem("link_expired", 410, "Linket er allerede brugt, udløbet eller ugyldigt. Bed din administrator om et nyt.",
            action="ask an administrator for a new link"),
    Problem("login_failed", 401, "Login med kommunens login mislykkedes. Prøv igen.", {
        "state": "Login-forsøget kunne ikke genkendes (måske udløbet eller startet i et andet vindue). Prøv igen.",
        "provider": "Kommunens login svarede ikke som forventet. Prøv igen om lidt, eller kontakt din administrator.",
        "unknown_user": "Du er logget ind hos kommunen, men din bruger findes ikke i Brobygger. Kontakt din administrator.",
        "unverified": "Kommunens login har ikke bekræftet din e-mailadresse. Kontakt din administrator.",
    }, action="start the login again; an unknown user asks an administrator"),
    Problem("already_decided", 409, "Ændringen er allerede behandlet af en projektleder.",
            action="reload the quarantine list"),
)

# What a project lead should do with a quarantined op, per code (the triage page). The
# phone's own message (the templates above) is shown next to it.
LEAD_ADVICE = {
    "forbidden": "Brugeren havde ikke (længere) ret til ændringen, fx fordi borgeren er flyttet til et andet team. Skriv den igen selv, hvis den er rigtig, ellers afvis den.",
    "device_revoked": "Ændringen kom fra en spærret telefon. Tjek med medarbejderen, om den er rigtig, før du skriver den igen; ellers afvis den.",
    "op_malformed": "Ændringen kunne ikke læses. Spørg medarbejderen, hvad der skulle registreres, og afvis den her.",
    "op_id_reused": "En fejl i appen. Afvis ændringen, og registrér indholdet igen, hvis det mangler.",
    "unknown_entity": "Appen sendte en ukendt slags oplysning (en gammel eller fejlende app). Afvis ændringen.",
    "unknown_field": "Appen sendte et felt, der ikke findes (en gammel app). Ret feltet og skriv ændringen igen, eller afvis den.",
    "op_not_allowed": "Den slags ændring er ikke tilladt på oplysningen. Afvis den, og registrér det rigtige på anden vis.",
    "invalid_value": "Værdien passede ikke til feltet. Ret værdien og skriv ændringen igen.",
    "missing_field": "Et krævet felt manglede. Udfyld det og skriv ændringen igen.",
    "clock_ahead": "Telefonens ur gik forkert. Skriv ændringen igen (den får serverens tid).",
    "record_not_found": "Oplysningen, der blev ændret, findes ikke på serveren. Afvis ændringen, hvis oplysningen ikke kommer.",
    "consent_missing": "Mødet nævnte en organisation uden et gyldigt samtykke fra borgeren. Tjek samtykket med behandleren; skriv mødet igen uden organisationen, eller afvis det.",
    "wrong_record_id": "Samtykkets id var forkert (en fejl i appen). Afvis ændringen, og registrér samtykket igen.",
    "conflicting_create": "Id'et tilhører en anden oplysning. Afvis ændringen, og registrér den igen som ny.",
    "device_mismatch": "Ændringen blev sendt fra en anden telefon end den, der lavede den (en fejl i appen). Afvis den.",
}


def problem(code: str) -> Problem:
    return PROBLEMS[code]


def render(code: str, reason: str | None = None, **details) -> str:
    return PROBLEMS[code].render(reason, **details)


def error_table(problems: Iterable[Problem] | None = None) -> str:
    """The Markdown table of docs/sync-protocol.md, generated from the catalogue."""
    rows = ["| code | status | where | message (default) | client action |", "|---|---|---|---|---|"]
    for item in problems or PROBLEMS.values():
        message = item.message.replace("|", "\\|")
        rows.append(f"| `{item.code}` | {item.status} | {item.where} | {message} | {item.action} |")
    return "\n".join(rows)


def all_templates() -> Mapping[tuple[str, str | None], str]:
    return {(p.code, reason): template for p in PROBLEMS.values() for reason, template in p.templates().items()}
