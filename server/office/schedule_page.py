"""`/kontor/skemaplan`: the projektleder sees and sets when the forms are due in the
municipality (schemas.schedule): the first round's start, kontaktskema start's days after
enrolment, the løbende and progression cadences and the progression's most occasions.

One validation and one write with `PUT /api/schedule`: the form's values go through the
API's `Schedule` model and `save_schedule` (audited as `schedule_update`); an error is the
catalogue's message (schemas/problems.py, as `validation_error` renders it for the API),
naming the field by its Danish label, next to that field. The phones take the new plan at
their next sync; what is due is computed from it each time, so nothing goes stale.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session

from schemas.accounts import User
from schemas.forms import FORMS
from schemas.schedule import CADENCE_OF_FORM, DEFAULT_SCHEDULE, LABELS, LIMITS, FormSchedule
from server.api.schedule import Schedule, load_schedule, save_schedule, today
from server.core.deps import ReleasingRoute, get_db
from server.core.errors import validation_error
from server.office.admin.common import local_time
from server.office.layout import PREFIX, OfficeForm, office_form, office_page, render
from sync.derive import round_end, round_of, round_start

router = APIRouter(route_class=ReleasingRoute, include_in_schema=False)
PATH = f"{PREFIX}/skemaplan"
HINTS = {
    "starts_on": "Den 1. i en måned, fx 2026-01-01. Runderne tælles fra den dag.",
    "start_within_days": "Kontaktskema start udfyldes én gang pr. borger, senest så mange dage efter indskrivningen.",
    "loebende_months": "Fx 3: én runde pr. kvartal for de aktive borgere.",
    "progression_months": "Fx 2: borgeren svarer hver anden måned.",
    "progression_max": "Derefter skal skemaet ikke udfyldes mere for borgeren.",
}


def _fields(values: dict, errors: dict) -> list[dict]:
    out = []
    for key in DEFAULT_SCHEDULE:
        low_high = LIMITS.get(key)
        hint = HINTS[key] + (f" Mellem {low_high[0]} og {low_high[1]}." if low_high else "")
        out.append({"name": key, "label": LABELS[key], "value": values.get(key, ""), "hint": hint,
                    "type": "text" if key == "starts_on" else "number", "error": errors.get(key)})
    return out


def _day(iso: str) -> str:
    return f"{iso[8:10]}-{iso[5:7]}-{iso[:4]}"


def _rounds_now(schedule: dict) -> list[dict]:
    """The round each periodic form is in today, with its period (what the phones show as due)."""
    day, out = today(), []
    for form in CADENCE_OF_FORM:
        number = round_of(schedule, form, day)
        row = {"form": FORMS[form].label, "round": number}
        if number is not None:
            row.update(start=_day(round_start(schedule, form, number)), end=_day(round_end(schedule, form, number)))
        out.append(row)
    return out


def _page(request: Request, db: Session, user: User, values: dict | None = None, errors: dict | None = None, status: int = 200):
    row = db.get(FormSchedule, user.municipality_id)
    schedule = load_schedule(db, user.municipality_id)
    changed_by = db.get(User, row.updated_by) if row is not None and row.updated_by else None
    return render(request, "schedule/schedule.html", {
        "fields": _fields({key: str(value) for key, value in (values or schedule).items()}, errors or {}),
        "errors": errors or {}, "is_default": row is None, "saved": request.query_params.get("gemt") == "ja" and not errors,
        "changed_at": local_time(row.updated_at) if row is not None and row.updated_at else None,
        "changed_by": changed_by.display_name if changed_by else None, "rounds": _rounds_now(schedule),
    }, title="Skemaplan", status_code=status, db=db)


@router.get(PATH)
def schedule_page(request: Request, db: Session = Depends(get_db), user: User = Depends(office_page("GET /kontor/skemaplan"))):
    return _page(request, db, user)


@router.post(PATH)
def set_schedule(request: Request, db: Session = Depends(get_db), form: OfficeForm = Depends(office_form("POST /kontor/skemaplan"))):
    values = {key: form.get(key).strip()[:40] for key in DEFAULT_SCHEDULE}
    try:
        body = Schedule.model_validate(values)
    except ValidationError as invalid:
        errors: dict[str, str] = {}
        for error in invalid.errors():
            key = str(error["loc"][0]) if error.get("loc") else ""
            if key in LABELS and key not in errors:
                # The API's message for the field, naming it by its Danish label.
                errors[key] = validation_error({**error, "loc": (LABELS[key],)}).message
        return _page(request, db, form.user, values, errors, status=422)
    save_schedule(db, form.user, body)
    db.commit()
    return RedirectResponse(f"{PATH}?gemt=ja", status_code=303)
