"""Turn every failure into `{"error": {"code", "message", "field"}}` with its status.

Codes and messages come from schemas.problems (templates filled with details, never the
value that was sent); request validation errors name the field and say what to do.
"""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from schemas.problems import problem
from server.settings import MAX_BODY_BYTES

log = logging.getLogger("brobygger")

STATUS_CODES = {401: "not_logged_in", 403: "forbidden", 404: "not_found", 405: "invalid_request", 413: "batch_too_large"}


class ApiError(Exception):
    """A whole-request error: a catalogue code, an optional reason and its details."""

    def __init__(self, code: str, reason: str | None = None, field: str | None = None, *, headers: dict | None = None, **details):
        known = problem(code)
        self.code, self.field, self.status, self.headers = code, field, known.status, headers
        self.message = known.render(reason, field=field, **details)
        super().__init__(self.message)

    @classmethod
    def relay(cls, error: dict) -> ApiError:
        """Hand on a per-op error (already rendered from the catalogue) as a request error."""
        relayed = cls.__new__(cls)
        Exception.__init__(relayed, error["message"])
        relayed.code, relayed.field, relayed.message = error["code"], error.get("field"), error["message"]
        relayed.status, relayed.headers = problem(error["code"]).status, None
        return relayed


def error_body(code: str, message: str, field: str | None = None) -> dict:
    return {"error": {"code": code, "message": message, "field": field}}


class ErrorDetail(BaseModel):
    code: str = Field(description="A code of schemas/problems.py")
    message: str = Field(description="What to do, in Danish (never echoes the input)")
    field: str | None = Field(description="The field it is about, if any")


class ErrorBody(BaseModel):
    error: ErrorDetail


STATUS_TEXT = {400: "Forespørgslen kunne ikke læses", 401: "Ikke logget ind", 403: "Ingen adgang", 404: "Findes ikke",
               409: "Konflikt", 413: "For stor", 422: "Ugyldigt felt", 429: "Vent og prøv igen"}


def problem_responses(*statuses: int) -> dict:
    """OpenAPI `responses` for these error statuses, all in the one error shape."""
    return {status: {"model": ErrorBody, "description": STATUS_TEXT.get(status, "Fejl")} for status in statuses}


# Every API route can answer these (bad body or query, no session, wrong role or device).
COMMON_RESPONSES = problem_responses(400, 401, 403, 422)


def _field_name(location: tuple) -> str | None:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or None


# pydantic's error type → (reason, the ctx key that holds the limit). The input itself
# (pydantic's "input") is never used: a message must not echo what was sent.
VALIDATION_REASONS = {
    "missing": ("missing", None),
    "string_too_long": ("too_long", "max_length"),
    "too_long": ("too_long", "max_length"),
    "string_too_short": ("too_short", "min_length"),
    "too_short": ("too_short", "min_length"),
    "less_than_equal": ("too_large", "le"),
    "less_than": ("too_large", "lt"),
    "greater_than_equal": ("too_small", "ge"),
    "greater_than": ("too_small", "gt"),
    "int_parsing": ("not_int", None),
    "int_type": ("not_int", None),
    "int_from_float": ("not_int", None),
    "bool_parsing": ("not_bool", None),
    "bool_type": ("not_bool", None),
    "string_type": ("not_text", None),
    "list_type": ("not_list", None),
    "uuid_parsing": ("not_uuid", None),
    "uuid_type": ("not_uuid", None),
    "date_from_datetime_parsing": ("not_date", None),
    "date_parsing": ("not_date", None),
    "date_type": ("not_date", None),
    "extra_forbidden": ("unknown", None),
    "first_of_month": ("first_of_month", None),  # server/api/schedule.py Schedule.starts_on
}


def validation_error(error: dict) -> ApiError:
    field = _field_name(tuple(error.get("loc", ()))) or "body"
    kind = error.get("type", "")
    if kind == "json_invalid":
        return ApiError("invalid_request", "json")
    reason, limit_key = VALIDATION_REASONS.get(kind, (None, None))
    limit = (error.get("ctx") or {}).get(limit_key) if limit_key else None
    return ApiError("invalid_field", reason, field, limit=limit if limit is not None else "")


async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse(error_body(exc.code, exc.message, exc.field), status_code=exc.status, headers=exc.headers)


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    return await _api_error(_request, validation_error(errors[0] if errors else {}))


async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = STATUS_CODES.get(exc.status_code, "invalid_request")
    if code == "batch_too_large":
        message = problem(code).render("body", limit=MAX_BODY_BYTES // (1024 * 1024))
    else:
        message = problem(code).render("method" if exc.status_code == 405 else None)
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)


class CatchAll:
    """Turn an unhandled exception into a JSON 500 *inside* the security-header middleware,
    logging its type only (the text and traceback can carry personal data). Starlette's
    own handler would re-raise, so the server would log the whole traceback."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log.error("unhandled error: %s", type(exc).__name__)
            if started:
                return
            server_error = problem("server_error")
            await JSONResponse(error_body(server_error.code, server_error.message), status_code=server_error.status)(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
