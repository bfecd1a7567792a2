"""`GET /api/schedule` and `PUT /api/schedule`: when the forms are due in the caller's
municipality (schemas.schedule). Everyone of the municipality reads it (the phones fetch
it after each sync); the projektleder sets it. What is due for a citizen is computed from
it each time (sync.derive.due), on the phone and in `GET /api/citizens/{id}`.

`Schedule` is the one validation of a schedule and `save_schedule` the one write (audited):
`PUT /api/schedule` and the office's page (server/office/schedule_page.py) both use them."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Session

from schemas.accounts import User
from schemas.schedule import DEFAULT_SCHEDULE, LABELS, LIMITS, FormSchedule
from server.auth.authz import require
from server.core import audit
from server.core.deps import ReleasingRoute, get_db
from server.core.errors import COMMON_RESPONSES

router = APIRouter(prefix="/api", tags=["forms"], responses=COMMON_RESPONSES, route_class=ReleasingRoute)
# Rounds and due dates are Danish calendar dates: "today" is today in Denmark.
ZONE = ZoneInfo("Europe/Copenhagen")


def today() -> str:
    return datetime.now(ZONE).date().isoformat()


def load_schedule(db: Session, municipality_id: str) -> dict:
    """The municipality's schedule, or the defaults when the projektleder set none."""
    row = db.get(FormSchedule, municipality_id)
    return row.as_dict() if row is not None else dict(DEFAULT_SCHEDULE)


def _int(key: str):
    low, high = LIMITS[key]
    return Field(ge=low, le=high, description=f"{LABELS[key]} ({low}–{high})")


class Schedule(BaseModel):
    starts_on: date = Field(description=f"{LABELS['starts_on']}: den 1. i en måned (ÅÅÅÅ-MM-01)")
    start_within_days: int = _int("start_within_days")
    loebende_months: int = _int("loebende_months")
    progression_months: int = _int("progression_months")
    progression_max: int = _int("progression_max")

    @field_validator("starts_on")
    @classmethod
    def _first_of_month(cls, value: date) -> date:
        if value.day != 1:  # rounds are calendar months: error "invalid_field" reason "first_of_month"
            raise PydanticCustomError("first_of_month", "starts_on must be the first day of a month")
        return value


class ScheduleOut(Schedule):
    default: bool = Field(description="Sandt, når projektlederen ikke har sat en plan (standardplanen gælder)")


@router.get("/schedule", response_model=ScheduleOut, summary="Hvornår skemaerne skal udfyldes i din kommune")
def get_schedule(db: Session = Depends(get_db), user: User = Depends(require("GET /api/schedule"))) -> dict:
    return {**load_schedule(db, user.municipality_id), "default": db.get(FormSchedule, user.municipality_id) is None}


@router.put("/schedule", response_model=ScheduleOut, summary="Sæt hvornår skemaerne skal udfyldes (projektleder)")
def put_schedule(body: Schedule, db: Session = Depends(get_db), user: User = Depends(require("PUT /api/schedule"))) -> dict:
    row = save_schedule(db, user, body)
    db.commit()
    return {**row.as_dict(), "default": False}


def save_schedule(db: Session, user: User, body: Schedule) -> FormSchedule:
    """Store the (validated) schedule of the user's municipality and audit it; the caller commits."""
    values = {**body.model_dump(), "starts_on": body.starts_on.isoformat()}
    row = db.get(FormSchedule, user.municipality_id) or FormSchedule(municipality_id=user.municipality_id, **values)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at, row.updated_by = audit.now(), user.id
    db.add(row)
    audit.record(db, "schedule_update", user_id=user.id)
    return row
