"""The office: server-rendered pages under /kontor/ for project leads (and behandlere's
register), on Det Fælles Designsystem (DKFDS, vendored in static/dkfds by
`python -m server.office.vendor`), Jinja2 templates, no script at all (strict CSP).

Building a page on the office's frame (the administration pages do):

- Routes: an `APIRouter(route_class=ReleasingRoute)`; every route's key ("GET /kontor/…")
  in `server.auth.authz.ROUTES`, and the route depends on
  `server.office.layout.office_page(key)` (GET; returns the user) or
  `server.office.layout.office_form(key)` (POST; checks the CSRF token, returns an
  `OfficeForm` with `.user`, `.get(name)`, `.getlist(name)`). Add the router to
  server/api/__init__.py ROUTERS like any router (the office's own are included by
  `install` below).
- Pages: `server.office.layout.render(request, "your/page.html", {...}, title="…", db=db)`.
  Templates live in server/office/templates/ (put yours in a subfolder) and extend
  `base.html`, filling `{% block main %}` (and optionally `{% block breadcrumbs %}`).
  The frame gives: the DKFDS header with the user and "Log af", the main menu
  (`layout.NAV`: an item shows to the roles its route allows), the skip link to
  `#main-content`, the footer, and the print stylesheet (`static/office.css`: header,
  menu, forms and buttons marked `d-print-none` disappear on paper).
- In templates: `{{ csrf_field() }}` in every `<form method="post">`;
  `{{ icon("name") }}` for a DKFDS icon; `static_url("office.css")`; `may_see(key)`;
  macros for DKFDS form fields, tables, alerts and pagination in `macros.html`
  (`{% import "macros.html" as ui %}`).
- Errors: raise `server.office.layout.PageError(code, reason, field, **details)` with a
  code of schemas/problems.py; every error under /kontor/ (also a bad query parameter or a
  404) renders `error.html`; no session on a GET redirects to the login form.
- CSRF: `server.office.csrf` (HMAC of the session; a nonce cookie before login).

What the office itself has: login (home.py), the participant register (register.py, register_pages.py),
response monitoring (monitoring.py), reports as data (catalogue.py: entries whose queries
are the figure kinds of figures.py, over the rows of sources.py, with the items and
categories of items.py) run by one runner (runner.py) through one discretion rule
(discretion.py) into HTML (report_pages.py), JSON, CSV and XLSX (exports.py) with SVG charts (charts.py),
the municipality's API token (tokens.py), the research export (research.py) and the
projektleder's form schedule (schedule_page.py, on `PUT /api/schedule`'s validation and write).
"""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.core.errors import ApiError, validation_error


def _routers() -> list:
    from server.office import home, monitoring, register_pages, report_pages, schedule_page

    return [home.router, register_pages.router, monitoring.router, report_pages.router, schedule_page.router]


def install(app: FastAPI) -> None:
    """Include the office's routers and make every error under /kontor/ an HTML page."""
    from server.office import layout

    for router in _routers():
        app.include_router(router)
    api_handlers = dict(app.exception_handlers)

    def html_or_api(kind):
        original = api_handlers[kind]

        async def handler(request: Request, exc):
            if not layout.is_office(request):
                return await original(request, exc)
            if isinstance(exc, layout.PageError):
                error = exc
            elif isinstance(exc, RequestValidationError):
                errors = exc.errors()
                error = layout.PageError.from_api(validation_error(errors[0] if errors else {}))
            elif isinstance(exc, ApiError):
                error = layout.PageError.from_api(exc)
            else:
                code = {401: "not_logged_in", 403: "forbidden", 404: "not_found"}.get(exc.status_code, "invalid_request")
                error = layout.PageError(code, "method" if exc.status_code == 405 else None)
                error.status = exc.status_code
            return layout.error_response(request, error.code, error.status, error.message)

        return handler

    for kind in (ApiError, RequestValidationError, StarletteHTTPException):
        app.add_exception_handler(kind, html_or_api(kind))

    async def page_error(request: Request, exc: layout.PageError):
        return layout.error_response(request, exc.code, exc.status, exc.message)

    app.add_exception_handler(layout.PageError, page_error)
