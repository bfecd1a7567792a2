"""The municipality's devices: the name the worker gave, the user, last sync, undecided
quarantined ops, revoke (the phone wipes itself at its next contact) and re-admit."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, select

from schemas.accounts import Device, User
from server.api.devices import device_of_municipality, readmit_device, revoke_device
from server.core.deps import ReleasingRoute, get_db
from server.core.errors import ApiError
from server.office.admin import triage
from server.office.layout import OfficeForm, PageError, office_form, office_page, render

router = APIRouter(route_class=ReleasingRoute, include_in_schema=False)
BASE = "/kontor/admin/enheder"


@router.get(BASE)
def device_list(request: Request, db: Session = Depends(get_db), admin: User = Depends(office_page("GET /kontor/admin/enheder"))):
    rows = db.exec(select(Device, User).join(User, User.id == Device.user_id)
                   .where(User.municipality_id == admin.municipality_id)
                   .order_by(Device.revoked_at.is_not(None), User.display_name, Device.created_at)).all()
    pending = triage.pending_by_device(db, [device.id for device, _ in rows])
    return render(request, "admin/devices.html", {
        "rows": [{"device": d, "owner": u, "pending": pending.get(d.id, 0)} for d, u in rows],
        "done": request.query_params.get("gemt"),
    }, title="Telefoner", db=db)


def _device(db: Session, admin: User, device_id: str) -> Device:
    try:
        return device_of_municipality(db, admin, device_id)
    except ApiError as error:
        raise PageError.from_api(error) from None


@router.post(f"{BASE}/{{device_id}}/spaer")
def revoke(device_id: str, db: Session = Depends(get_db), form: OfficeForm = Depends(office_form("POST /kontor/admin/enheder/{device_id}/spaer"))):
    revoke_device(db, _device(db, form.user, device_id), form.user)
    db.commit()
    return RedirectResponse(f"{BASE}?gemt=spaerret", status_code=303)


@router.post(f"{BASE}/{{device_id}}/genaabn")
def readmit(device_id: str, db: Session = Depends(get_db), form: OfficeForm = Depends(office_form("POST /kontor/admin/enheder/{device_id}/genaabn"))):
    readmit_device(db, _device(db, form.user, device_id), form.user)
    db.commit()
    return RedirectResponse(f"{BASE}?gemt=genaabnet", status_code=303)
