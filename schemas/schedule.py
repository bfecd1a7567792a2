"""When the forms are due: the cadence each municipality's projektleder sets.

Rounds are calendar periods counted from `starts_on` (the first day of a month): round k
of a form with a cadence of m months runs from `starts_on + (k-1)·m` months to the end of
month `starts_on + k·m - 1`. `sync.derive.due` turns a citizen's course, its responses, the
schedule and today into what is due; nothing about it is stored, so nothing goes stale.
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

# The defaults (the evaluation's cadence): kontaktskema start once, within 14 days of
# enrolment; kontaktskema løbende quarterly for active citizens; progressionsskema every
# 2 months, up to 8 occasions. Quarters and two-month rounds from 1 January 2026.
DEFAULT_SCHEDULE = {
    "starts_on": "2026-01-01",
    "start_within_days": 14,
    "loebende_months": 3,
    "progression_months": 2,
    "progression_max": 8,
}
# Which schedule key gives each periodic form its cadence (and an occasion limit).
CADENCE_OF_FORM = {"kontakt_loebende": "loebende_months", "progression": "progression_months"}
MAX_OCCASIONS_OF_FORM = {"progression": "progression_max"}
ONCE_FORM = "kontakt_start"  # once per citizen, `start_within_days` after enrolment
# A live consent to this purpose (with started_on) marks enrolment (sync.derive.enrolled_on).
ENROLMENT_CONSENT = "participation"
# Follow-up after a completed course (KL's recommendation): form FOLLOW_UP_FORM, round k due
# FOLLOW_UP_MONTHS[k-1] months after the course's end, listed from FOLLOW_UP_LISTED_DAYS
# before that (sync.derive.follow_up). Not part of the municipality's cadence.
FOLLOW_UP_FORM = "opfoelgning"
FOLLOW_UP_MONTHS = (1, 6)
FOLLOW_UP_LISTED_DAYS = 14
# Limits of every number of the schedule (PUT /api/schedule checks them).
LIMITS = {"start_within_days": (1, 365), "loebende_months": (1, 24), "progression_months": (1, 24), "progression_max": (1, 50)}
# The Danish name of each part of the schedule (the API's descriptions, the office's form and its errors).
LABELS = {
    "starts_on": "Første runde begynder",
    "start_within_days": "Kontaktskema start: dage efter indskrivning",
    "loebende_months": "Kontaktskema løbende: måneder mellem runderne",
    "progression_months": "Progressionsskema: måneder mellem runderne",
    "progression_max": "Progressionsskema: højst så mange besvarelser pr. borger",
}


class FormSchedule(SQLModel, table=True):
    """One municipality's schedule; a municipality without a row has DEFAULT_SCHEDULE."""

    __tablename__ = "form_schedule"

    municipality_id: str = Field(primary_key=True, foreign_key="municipality.id")
    starts_on: str  # YYYY-MM-01
    start_within_days: int
    loebende_months: int
    progression_months: int
    progression_max: int
    updated_at: datetime | None = None
    updated_by: str | None = None

    def as_dict(self) -> dict:
        return {key: getattr(self, key) for key in DEFAULT_SCHEDULE}
