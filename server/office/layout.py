"""The office's frame: templates, the page and form dependencies, the navigation, HTML errors.

- `office_page(key)`: the dependency of every office page. It runs the route's rule from
  `server.auth.authz.ROUTES` (the same `require` the API uses) and returns the user; no
  session → 303 to `/kontor/login?next=…`, a role the rule does not allow → the HTML
  error page (403), like every other error under /kontor/.
- `office_form(key)`: the same for a POST, plus the CSRF check; returns `OfficeForm`
  (`.user`, `.get(name)`, `.getlist(name)`).
- `render(request, "page.html", {...}, title=...)`: a page on `base.html` with the user,
  the navigation and `csrf_field()`; `PageError(code, reason, field, **details)` renders
  the error page with the message of schemas/problems.py.
- `NAV`: the main menu as (label, href, route key); an item shows only to roles its
  route's rule allows, and only once the route exists in ROUTES.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlmodel import Session

from schemas.accounts import Municipality, User
from schemas.enums import ROLES
from schemas.problems import problem
from server.auth.authz import ROUTES, require
from server.core.deps import get_db
from server.core.errors import ApiError
from server.office import csrf

HERE = Path(__file__).parent
TEMPLATE_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
PREFIX = "/kontor"
LOGIN_PATH = f"{PREFIX}/login"
ROLE_LABELS = {role.code: role.label for role in ROLES}

templates = Jinja2Templates(directory=str(TEMPLATE_DIR))


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    key: str  # the route's key in ROUTES: who may see the item


NAV: list[NavItem] = [
    NavItem("Forside", f"{PREFIX}/", "GET /kontor/"),
    NavItem("Deltagerliste", f"{PREFIX}/deltagere", "GET /kontor/deltagere"),
    NavItem("Besvarelser", f"{PREFIX}/svar", "GET /kontor/svar"),
    NavItem("Skemaplan", f"{PREFIX}/skemaplan", "GET /kontor/skemaplan"),
    NavItem("Rapporter", f"{PREFIX}/rapporter", "GET /kontor/rapporter"),
    NavItem("Eksport og API", f"{PREFIX}/eksport", "GET /kontor/eksport"),
    NavItem("Administration", f"{PREFIX}/admin", "GET /kontor/admin"),  # issue 15
]


def may_see(user, key: str) -> bool:
    rule = ROUTES.get(key)
    return user is not None and rule is not None and rule.allows(user.role)


def nav_for(user, path: str) -> list[dict]:
    items = [item for item in NAV if may_see(user, item.key)]
    # The current item is the longest href the path starts with ("/kontor/" matches only itself).
    matches = [i for i in items if path == i.href or (i.href != f"{PREFIX}/" and path.startswith(i.href))]
    current = max(matches, key=lambda i: len(i.href)) if matches else None
    return [{"label": i.label, "href": i.href, "current": i is current} for i in items]


@cache
def _fingerprint(name: str) -> str:
    path = STATIC_DIR / name
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else "missing"


def static_url(name: str) -> str:
    """A file under server/office/static/, with its content hash (caches refresh on change)."""
    return f"{PREFIX}/static/{name}?v={_fingerprint(name)}"


def icon(name: str, label: str | None = None, classes: str = "") -> Markup:
    """A DKFDS icon from the vendored sprite (decorative unless `label` is given)."""
    sprite = static_url("dkfds/img/all-svg-icons.svg")
    aria = f' role="img" aria-label="{Markup.escape(label)}"' if label else ' aria-hidden="true"'
    css = f"icon-svg {classes}".strip()
    return Markup(f'<svg class="{Markup.escape(css)}" focusable="false"{aria}><use href="{sprite}#{Markup.escape(name)}"></use></svg>')


def _csrf_field_for(request: Request) -> Markup:
    return Markup(f'<input type="hidden" name="{csrf.FIELD}" value="{csrf.token(request)}">')


templates.env.globals.update(static_url=static_url, icon=icon, role_label=ROLE_LABELS.get)


@dataclass(frozen=True)
class PageUser:
    """What a page shows of its user, copied when the rule passed: an error page renders
    after the request's transaction ended, when the ORM object can no longer load."""

    id: str
    display_name: str
    role: str
    organisation_id: str
    municipality_id: str


def _remember(request: Request, user: User | None) -> None:
    if user is not None:
        request.state.office_user = PageUser(user.id, user.display_name, user.role, user.organisation_id, user.municipality_id)


def current_user(request: Request) -> PageUser | None:
    remembered = getattr(request.state, "office_user", None)
    if remembered is not None:
        return remembered
    found = getattr(request.state, "session", None)
    if found is None:
        return None
    _remember(request, found[0])
    return request.state.office_user


def render(request: Request, name: str, context: dict | None = None, *, title: str, status_code: int = 200,
           db: Session | None = None) -> HTMLResponse:
    user = current_user(request)
    municipality = None
    if db is not None and user is not None:
        row = db.get(Municipality, user.municipality_id)
        municipality = row.name if row else None
    page = {
        "user": user, "nav": nav_for(user, request.url.path), "title": title, "municipality": municipality,
        "csrf_field": lambda: _csrf_field_for(request), "may_see": lambda key: may_see(user, key),
        "threshold": request.app.state.settings.report_threshold,
        **(context or {}),
    }
    response = templates.TemplateResponse(request, name, page, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"  # pages carry personal data
    csrf.set_nonce_cookie(request, response)
    return response


class PageError(Exception):
    """An error on an office page: a catalogue code (schemas/problems.py), rendered as HTML."""

    def __init__(self, code: str, reason: str | None = None, field: str | None = None, **details):
        known = problem(code)
        self.code, self.field, self.status = code, field, known.status
        self.message = known.render(reason, field=field, **details)
        super().__init__(self.message)

    @classmethod
    def from_api(cls, error: ApiError) -> PageError:
        page = cls.__new__(cls)
        Exception.__init__(page, error.message)
        page.code, page.field, page.status, page.message = error.code, error.field, error.status, error.message
        return page


def _route_key(dependency, key: str):
    dependency.route_key = key  # read by the route-coverage test (tests/api/test_authz_matrix.py)
    dependency.__name__ = f"office[{key}]"
    return dependency


def office_page(key: str):
    """The dependency of an office page: the route's rule, else a redirect or an error page."""
    check = require(key)

    def dependency(request: Request, db: Session = Depends(get_db)) -> User | None:
        try:
            user = check(request, db)
        except ApiError as error:
            raise PageError.from_api(error) from None
        _remember(request, user)
        return user

    return _route_key(dependency, key)


@dataclass(frozen=True)
class OfficeForm:
    user: User | None
    fields: dict[str, list[str]]

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0] if values else default

    def getlist(self, name: str) -> list[str]:
        return list(self.fields.get(name, []))


def office_form(key: str):
    """The dependency of an office POST: the route's rule, then the form's CSRF token."""
    check = require(key)

    async def dependency(request: Request, db: Session = Depends(get_db)) -> OfficeForm:
        try:
            user = check(request, db)
        except ApiError as error:
            raise PageError.from_api(error) from None
        _remember(request, user)
        fields = await csrf.read_form(request)
        if not csrf.valid(request, (fields.get(csrf.FIELD) or [""])[0]):
            raise PageError("forbidden", "csrf")
        return OfficeForm(user, fields)

    return _route_key(dependency, key)


def error_response(request: Request, code: str, status: int, message: str) -> HTMLResponse | RedirectResponse:
    if code == "not_logged_in" and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{LOGIN_PATH}?next={quote(target, safe='')}", status_code=303)
    return render(request, "error.html", {"message": message, "status": status, "code": code},
                  title="Der skete en fejl" if status >= 500 else "Det gik ikke", status_code=status)


def is_office(request: Request) -> bool:
    path = request.url.path
    return (path == PREFIX or path.startswith(f"{PREFIX}/")) and not path.startswith(f"{PREFIX}/static/")
