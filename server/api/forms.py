"""`GET /api/forms`: the published form definitions (every version), as the phone has them
in its generated schema: id, version, label, who fills it, and every item with its key,
Danish label, type, options (code and label), limits, whether it must be answered and the
conditions under which it is asked. No citizen data."""
from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from schemas.forms import FORM_VERSIONS, FORMS
from server.auth.authz import require
from server.core.deps import ReleasingRoute
from server.core.errors import COMMON_RESPONSES

router = APIRouter(prefix="/api", tags=["forms"], responses=COMMON_RESPONSES, route_class=ReleasingRoute)


class Option(BaseModel):
    code: str
    label: str


class Condition(BaseModel):
    item: str = Field(description="Spørgsmålet (nøgle) i samme besvarelse, betingelsen ser på")
    in_: list[str] | None = Field(None, alias="in", description="Spørgsmålet stilles kun, når `item` er besvaret med en af disse koder")
    min: int | None = Field(None, description="… eller med mindst dette tal")


class Item(BaseModel):
    key: str
    label: str = Field(description="Dansk tekst")
    type: str = Field(description="code (én kode), codes (flere), int (helt tal), text (kort fritekst)")
    required: bool = Field(description="Skal besvares, når spørgsmålet stilles")
    options: list[Option] = []
    min: int | None = None
    max: int | None = None
    max_length: int | None = Field(None, description="text: højst så mange tegn")
    conditions: list[Condition] = Field([], description="Alle skal være opfyldt, før spørgsmålet stilles")
    step: str | None = Field(None, description="Trinnet, spørgsmålet vises i")
    hint: str | None = None


class FormDefinition(BaseModel):
    id: str = Field(description="Skemaets kode")
    version: int
    latest: bool = Field(description="Den version, nye besvarelser udfyldes i")
    label: str
    filled_by: str = Field(description="behandler eller borger (borgeren må få hjælp)")
    items: list[Item]


class FormList(BaseModel):
    forms: list[FormDefinition]


def definition(code: str, version: int) -> dict:
    form = FORM_VERSIONS[(code, version)]
    return {
        "id": code, "version": version, "latest": FORMS[code].version == version, "label": form.label,
        "filled_by": form.filled_by,
        "items": [
            {
                "key": q.key, "label": q.label, "type": q.kind.value, "required": q.required,
                "options": [{"code": o.code, "label": o.label} for o in q.options], "min": q.min, "max": q.max,
                "max_length": q.text_limit, "conditions": [c.as_json() for c in q.when], "step": q.step or None, "hint": q.hint or None,
            }
            for q in form.questions
        ],
    }


@router.get("/forms", response_model=FormList, response_model_by_alias=True, response_model_exclude_none=True, summary="Skemaerne i alle udgivne versioner",
            dependencies=[Depends(require("GET /api/forms"))])
def list_forms() -> dict:
    return {"forms": [definition(code, version) for code, version in sorted(FORM_VERSIONS)]}
