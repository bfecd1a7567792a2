"""Every error the system returns, in one place: a stable code, an HTTP status and a
sentence in plain Danish that tells the person what to do.

Clients switch on `code`; people read `message`. Add new problems here, never inline.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    code: str
    status: int
    message: str
    retry: bool = False  # the same request may succeed later unchanged


def _catalogue(*problems: Problem) -> dict[str, Problem]:
    return {problem.code: problem for problem in problems}


PROBLEMS = _catalogue(
    # Requests
    Problem("invalid_request", 400, "Forespørgslen kunne ikke læses. Ret feltet og prøv igen."),
    Problem("invalid_field", 422, "Feltet har en ugyldig værdi. Ret det og prøv igen."),
    Problem("batch_too_large", 413, "For mange ændringer i én sending (højst 500). Del dem op og send igen."),
    Problem("not_found", 404, "Det findes ikke, eller du har ikke adgang til det."),
    # Sessions and rights
    Problem("not_logged_in", 401, "Du er ikke logget ind, eller din session er udløbet. Log ind igen."),
    Problem("bad_credentials", 401, "Forkert brugernavn eller adgangskode."),
    Problem("too_many_attempts", 429, "For mange forsøg. Vent et øjeblik, og prøv igen.", retry=True),
    Problem("forbidden", 403, "Du har ikke adgang til dette. Kontakt din projektleder, hvis det er en fejl."),
    Problem("device_unknown", 403, "Enheden er ikke registreret til din bruger. Log ind igen på enheden."),
    Problem("device_id_taken", 409, "Enhedens id er allerede brugt af en anden bruger. Lav et nyt id (eller udelad det) og registrér igen."),
    Problem("device_revoked", 403, "Enheden er spærret. Data på enheden slettes. Kontakt din projektleder."),
    # Operations (per-op results of /api/sync/push)
    Problem("op_malformed", 422, "Ændringen mangler oplysninger eller har en forkert form og kan ikke gemmes."),
    Problem("op_id_reused", 409, "Samme ændrings-id er brugt til to forskellige ændringer. Ændringen er gemt til gennemsyn hos projektlederen."),
    Problem("unknown_entity", 422, "Ukendt type af oplysning."),
    Problem("unknown_field", 422, "Ukendt felt for denne type oplysning."),
    Problem("op_not_allowed", 422, "Denne slags ændring er ikke tilladt for denne oplysning."),
    Problem("invalid_value", 422, "Værdien passer ikke til feltet."),
    Problem("missing_field", 422, "Et påkrævet felt mangler."),
    Problem("clock_ahead", 422, "Telefonens ur går for meget foran. Ret uret, og send igen.", retry=True),
    Problem("record_not_found", 404, "Oplysningen, der ændres, findes ikke (endnu) på serveren. Den sendes igen ved næste synkronisering.", retry=True),
    Problem("wrong_record_id", 422, "Samtykkets id passer ikke til borger, formål og modtager."),
    Problem("conflicting_create", 409, "Der findes allerede en anden oplysning med samme id."),
    Problem("device_mismatch", 403, "Ændringen er lavet på en anden enhed end den, der sender."),
)


def problem(code: str) -> Problem:
    return PROBLEMS[code]
