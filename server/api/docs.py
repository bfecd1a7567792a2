"""`GET /api/docs`: the OpenAPI description of this server as a plain HTML page.

No script and no CDN (the strict Content-Security-Policy allows neither); the page is
rendered on the server from `app.openapi()` and the authorization table.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from schemas.accounts import User
from schemas.enums import ROLES
from server.auth.authz import ANONYMOUS, ROUTES, require
from server.core.deps import ReleasingRoute
from server.core.errors import COMMON_RESPONSES

router = APIRouter(tags=["docs"], responses=COMMON_RESPONSES, route_class=ReleasingRoute)
templates = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))
ROLE_LABELS = {ANONYMOUS: "alle (også uden login)", **{role.code: role.label.lower() for role in ROLES}}
METHODS = ("get", "post", "put", "patch", "delete")


def _ref_name(schema: dict | None) -> str | None:
    if not isinstance(schema, dict):
        return None
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        inner = _ref_name(schema.get("items"))
        return f"{inner}[]" if inner else "array"
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            names = [_ref_name(s) or s.get("type", "") for s in schema[key]]
            return " | ".join(n for n in names if n)
    return schema.get("type")


def _who(key: str) -> str:
    rule = ROUTES.get(key)
    if rule is None:
        return "ukendt"
    if ANONYMOUS in rule.roles:
        return ROLE_LABELS[ANONYMOUS]
    return ", ".join(ROLE_LABELS[role.code] for role in ROLES if role.code in rule.roles)


def _response(status: str, response: dict) -> dict:
    schema = _ref_name(response.get("content", {}).get("application/json", {}).get("schema"))
    if schema == "HTTPValidationError":  # FastAPI's default; our errors have one shape
        return {"status": status, "schema": None,
                "description": 'Ugyldigt felt: {"error": {"code": "invalid_field", "message", "field"}}'}
    return {"status": status, "description": response.get("description", ""), "schema": schema}


def describe(spec: dict) -> dict:
    """Flatten an OpenAPI document into what the template shows."""
    operations = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            key = f"{method.upper()} {path}"
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            operations.append({
                "key": key, "anchor": key.replace(" ", "-").replace("/", "_").replace("{", "").replace("}", ""),
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""), "who": _who(key),
                "scope": ROUTES[key].scope if key in ROUTES else "",
                "parameters": [
                    {"name": p["name"], "in": p["in"], "required": p.get("required", False),
                     "type": _ref_name(p.get("schema")), "description": p.get("description") or p.get("schema", {}).get("description", "")}
                    for p in op.get("parameters", [])
                ],
                "body": _ref_name(body),
                "responses": [_response(status, r) for status, r in op.get("responses", {}).items()],
            })
    schemas = []
    for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        schemas.append({
            "name": name, "description": schema.get("description", ""),
            "properties": [
                {"name": prop, "type": _ref_name(s) or "", "required": prop in required,
                 "description": s.get("description", "") if isinstance(s, dict) else ""}
                for prop, s in schema.get("properties", {}).items()
            ],
        })
    return {"title": spec.get("info", {}).get("title", ""), "version": spec.get("info", {}).get("version", ""),
            "operations": operations, "schemas": schemas}


@router.get("/api/docs", response_class=HTMLResponse, summary="Denne side: API'ets ruter og skemaer")
def docs_page(request: Request, _: User | None = Depends(require("GET /api/docs"))):
    return templates.TemplateResponse(request, "api_docs.html", describe(request.app.openapi()))
