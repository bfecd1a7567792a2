"""Turn every failure into `{"error": {"code", "message", "field"}}` with a 4xx status.

Codes and messages come from schemas.problems; validation errors name the field.
"""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from schemas.problems import problem

log = logging.getLogger("brobygger")

STATUS_CODES = {401: "not_logged_in", 403: "forbidden", 404: "not_found", 405: "invalid_request", 413: "batch_too_large"}


class ApiError(Exception):
    def __init__(self, code: str, message: str | None = None, field: str | None = None, status: int | None = None):
        known = problem(code)
        self.code = code
        self.message = message or known.message
        self.field = field
        self.status = status or known.status
        super().__init__(self.message)


def error_body(code: str, message: str, field: str | None = None) -> dict:
    return {"error": {"code": code, "message": message, "field": field}}


def _field_name(location: tuple) -> str | None:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or None


async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse(error_body(exc.code, exc.message, exc.field), status_code=exc.status)


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {}
    field = _field_name(tuple(first.get("loc", ())))
    detail = first.get("msg", "ugyldig værdi")
    if first.get("type") == "json_invalid":
        return JSONResponse(error_body("invalid_request", "Forespørgslen er ikke gyldig JSON.", None), status_code=400)
    message = f"Feltet '{field}' er ugyldigt ({detail}). Ret det og prøv igen." if field else problem("invalid_field").message
    return JSONResponse(error_body("invalid_field", message, field), status_code=422)


async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = STATUS_CODES.get(exc.status_code, "invalid_request")
    return JSONResponse(error_body(code, problem(code).message), status_code=exc.status_code, headers=exc.headers)


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
            body = error_body("server_error", "Der skete en fejl på serveren. Prøv igen om lidt.")
            await JSONResponse(body, status_code=500)(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
