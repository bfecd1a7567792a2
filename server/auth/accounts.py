"""Accounts of a municipality: organisations, users, their role and team, and one-time links
to choose a password (an invitation for a new user, a reset for a forgotten one).

Used by the set-up command (server/manage), the administration pages
(server/office/admin) and the admin API (server/api/admin.py). Every change writes an
audit row in the caller's transaction; the caller commits. Errors are catalogue codes
(schemas/problems.py) naming the field, never echoing the value.

- A new user has no password (`UNUSABLE`) until they open their link and choose one:
  nobody else ever knows it, and "must be changed at first login" holds by construction.
- A link's token is random (256 bits) and only its SHA-256 is stored (no pepper: a 256-bit
  random value cannot be guessed back from its hash, and the set-up command need not share
  the server's secret key); it works once, until it expires (`BROBYGGER_INVITATION_HOURS`),
  and a new link for the same user voids the older ones.
- A reset also makes the old password unusable and ends the user's sessions at once.
- Changing a user's role or organisation bumps `scope_epoch`: their phones drop every
  local record at the next pull and pull again what they may see now (server/sync/pull.py).
"""
from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from datetime import timedelta

from sqlmodel import Session, func, select

from schemas import enums
from schemas.accounts import Invitation, Municipality, Organisation, User
from server.auth.passwords import hash_password
from server.auth.sessions import _aware, end_sessions_of, utcnow
from server.core import audit
from server.core.errors import ApiError
from server.settings import Settings

UNUSABLE = "!"  # a password hash no password matches (argon2 cannot read it)
MIN_PASSWORD = 10
MAX_PASSWORD = 1000
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
ROLES = enums.codes(enums.ROLES)
KINDS = enums.codes(enums.ORGANISATION_KINDS)
# The kind of organisation each role belongs to: a partner's volunteers sit in their civil
# society organisation; everyone else in a team of the rusmiddelcenter.
ROLE_ORG_KIND = {"behandler": "rusmiddelcenter", "projektleder": "rusmiddelcenter", "admin": "rusmiddelcenter",
                 "frivillig": "civil_society"}
assert set(ROLE_ORG_KIND) == ROLES and set(ROLE_ORG_KIND.values()) <= KINDS
PURPOSES = ("invite", "reset")
LINK_PATH = "/kontor/adgangskode/"  # + token: the page to choose a password (server/office/admin/password.py)


def link_url(origin: str, token: str) -> str:
    return f"{origin.rstrip('/')}{LINK_PATH}{token}"


def _text(value: str | None, field: str, limit: int, *, required: bool = True) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise ApiError("invalid_field", "missing", field)
        return None
    if len(text) > limit:
        raise ApiError("invalid_field", "too_long", field, limit=limit)
    return text


# --- municipalities and organisations ---------------------------------------------------

def create_municipality(db: Session, name: str) -> Municipality:
    municipality = Municipality(id=str(uuid.uuid4()), name=_text(name, "name", 200))
    db.add(municipality)
    db.flush()
    audit.record(db, "municipality_create", user_id=None, entity="municipality", record_id=municipality.id)
    return municipality


def create_organisation(db: Session, municipality_id: str, name: str, kind: str, *, by: str | None) -> Organisation:
    name = _text(name, "name", 200)
    if kind not in KINDS:
        raise ApiError("invalid_field", "choice", "kind", allowed=sorted(KINDS))
    taken = db.exec(select(Organisation).where(Organisation.municipality_id == municipality_id, Organisation.name == name)).first()
    if taken is not None:
        raise ApiError("invalid_field", "taken", "name")
    org = Organisation(id=str(uuid.uuid4()), municipality_id=municipality_id, name=name, kind=kind)
    db.add(org)
    db.flush()
    audit.record(db, "organisation_create", user_id=by, entity="organisation", record_id=org.id)
    return org


def rename_organisation(db: Session, org: Organisation, name: str, *, by: str | None) -> None:
    name = _text(name, "name", 200)
    if name == org.name:
        return
    taken = db.exec(select(Organisation).where(Organisation.municipality_id == org.municipality_id, Organisation.name == name)).first()
    if taken is not None:
        raise ApiError("invalid_field", "taken", "name")
    org.name = name
    db.add(org)
    audit.record(db, "organisation_update", user_id=by, entity="organisation", record_id=org.id)


def organisation_in(db: Session, municipality_id: str, org_id: str | None, field: str = "organisation_id") -> Organisation:
    org = db.get(Organisation, org_id) if org_id else None
    if org is None or org.municipality_id != municipality_id:
        raise ApiError("invalid_field", "missing" if not org_id else "unknown", field)
    return org


# --- users --------------------------------------------------------------------------------

def _check_role(role: str, org: Organisation) -> None:
    if role not in ROLES:
        raise ApiError("invalid_field", "choice", "role", allowed=sorted(ROLES))
    if ROLE_ORG_KIND[role] != org.kind:
        kind = next(k.label for k in enums.ORGANISATION_KINDS if k.code == ROLE_ORG_KIND[role])
        role_label = next(r.label for r in enums.ROLES if r.code == role)
        raise ApiError("invalid_field", "role_org", "organisation_id", label=role_label, hint=kind)


def _external_id(db: Session, value: str | None, user_id: str | None) -> str | None:
    external = _text(value, "external_id", 200, required=False)
    if external is not None:
        # Compared without case, as the login compares it (server/auth/oidc.py).
        other = db.exec(select(User).where(func.lower(User.external_id) == external.lower())).first()
        if other is not None and other.id != user_id:
            raise ApiError("invalid_field", "taken", "external_id")
    return external


def create_user(db: Session, *, municipality_id: str, username: str, display_name: str, role: str,
                organisation_id: str, external_id: str | None = None, by: str | None) -> User:
    """A new active user without a password (give them a link: `issue_link`)."""
    username = (username or "").strip().lower()
    if not username:
        raise ApiError("invalid_field", "missing", "username")
    if not USERNAME.match(username):
        raise ApiError("invalid_field", "username", "username")
    if db.exec(select(User).where(User.username == username)).first() is not None:
        raise ApiError("invalid_field", "taken", "username")
    display_name = _text(display_name, "display_name", 100)
    org = organisation_in(db, municipality_id, organisation_id)
    _check_role(role, org)
    user = User(id=str(uuid.uuid4()), username=username, display_name=display_name, password_hash=UNUSABLE, role=role,
                organisation_id=org.id, municipality_id=municipality_id, external_id=_external_id(db, external_id, None))
    db.add(user)
    db.flush()
    audit.record(db, "user_create", user_id=by, entity="user", record_id=user.id)
    return user


def change_user(db: Session, user: User, *, by: User, display_name: str, role: str, organisation_id: str,
                external_id: str | None) -> bool:
    """Change name, role, organisation and login id. Returns True if the user's scope
    changed (role or organisation): their phones then drop and re-pull their records."""
    display_name = _text(display_name, "display_name", 100)
    org = organisation_in(db, user.municipality_id, organisation_id)
    _check_role(role, org)
    scope_changed = (role, org.id) != (user.role, user.organisation_id)
    if scope_changed and user.id == by.id:
        raise ApiError("forbidden", "self_change")
    external = _external_id(db, external_id, user.id)
    if (display_name, external) == (user.display_name, user.external_id) and not scope_changed:
        return False
    user.display_name, user.external_id = display_name, external
    if scope_changed:
        user.role, user.organisation_id = role, org.id
        user.scope_epoch += 1
        # A session keeps its user, so the new rights apply to the next request; the phone
        # learns at its next pull (the epoch differs) and evicts what it may not see now.
    db.add(user)
    audit.record(db, "user_update", user_id=by.id, entity="user", record_id=user.id)
    return scope_changed


def set_active(db: Session, user: User, active: bool, *, by: User) -> None:
    if user.id == by.id and not active:
        raise ApiError("forbidden", "self_deactivate")
    if user.active == active:
        return
    user.active = active
    user.scope_epoch += 1
    db.add(user)
    if not active:
        end_sessions_of(db, user.id)
    audit.record(db, "user_activate" if active else "user_deactivate", user_id=by.id, entity="user", record_id=user.id)


def has_password(user: User) -> bool:
    return user.password_hash != UNUSABLE


# --- one-time links -----------------------------------------------------------------------

def link_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(db: Session, settings: Settings, user: User, purpose: str, *, by: str | None) -> str:
    """A new one-time link token for `user` (older unused links are voided). A reset also
    makes the current password unusable and ends every session of the user."""
    assert purpose in PURPOSES
    now = utcnow()
    for old in db.exec(select(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None))):
        old.used_at = now  # voided: a link works once, and only the newest
        db.add(old)
    token = secrets.token_urlsafe(32)
    db.add(Invitation(token_hash=link_hash(token), user_id=user.id, purpose=purpose, created_at=now,
                      expires_at=now + timedelta(hours=settings.invitation_hours), created_by=by))
    if purpose == "reset":
        user.password_hash = UNUSABLE
        db.add(user)
        end_sessions_of(db, user.id)
    audit.record(db, "password_reset" if purpose == "reset" else "invitation_create", user_id=by, entity="user", record_id=user.id)
    return token


def open_link(db: Session, settings: Settings, token: str | None) -> tuple[Invitation, User]:
    """The live link of this token and its user, else 410 `link_expired` (the same answer
    for a used, expired, voided or made-up link)."""
    row = db.get(Invitation, link_hash(token)) if token and len(token) <= 200 else None
    user = db.get(User, row.user_id) if row is not None else None
    if row is None or user is None or row.used_at is not None or _aware(row.expires_at) <= utcnow() or not user.active:
        raise ApiError("link_expired")
    return row, user


def check_new_password(password: str, repeat: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ApiError("invalid_field", "password_short", "password", limit=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise ApiError("invalid_field", "too_long", "password", limit=MAX_PASSWORD)
    if password != repeat:
        raise ApiError("invalid_field", "password_repeat", "repeat")


def use_link(db: Session, settings: Settings, token: str, password: str, repeat: str) -> User:
    """Choose a password with a link: the link is used up, the old sessions end."""
    row, user = open_link(db, settings, token)
    check_new_password(password, repeat)
    row.used_at = utcnow()
    user.password_hash = hash_password(password)
    db.add(row)
    db.add(user)
    end_sessions_of(db, user.id)
    audit.record(db, "password_set", user_id=user.id, entity="user", record_id=user.id)
    return user
