"""Tenancy and accounts: municipality → organisations → users → devices; sessions; audit log."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class Municipality(SQLModel, table=True):
    id: str = Field(primary_key=True)
    name: str


class Organisation(SQLModel, table=True):
    id: str = Field(primary_key=True)
    municipality_id: str = Field(foreign_key="municipality.id", index=True)
    name: str
    kind: str  # enums.ORGANISATION_KINDS


class User(SQLModel, table=True):
    id: str = Field(primary_key=True)
    username: str = Field(unique=True, index=True)
    display_name: str
    password_hash: str
    role: str  # enums.ROLES
    organisation_id: str = Field(foreign_key="organisation.id", index=True)
    municipality_id: str = Field(foreign_key="municipality.id", index=True)
    active: bool = True
    is_demo: bool = False
    # Bumped whenever the user's role or organisation changes; devices then re-pull from scratch.
    scope_epoch: int = 1
    # The value of the identity provider's matching claim (BROBYGGER_OIDC_USER_CLAIM, e.g. the
    # e-mail address) for a login with the municipality's OpenID Connect provider.
    external_id: str | None = Field(default=None, unique=True, index=True)


class Device(SQLModel, table=True):
    id: str = Field(primary_key=True)
    user_id: str = Field(foreign_key="user.id", index=True)
    name: str
    created_at: datetime
    last_seen_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None


class Invitation(SQLModel, table=True):
    """A one-time link to choose a password (a new user's invitation, or a reset). Only the
    SHA-256 of the link's token is stored; it works once, until `expires_at`."""

    token_hash: str = Field(primary_key=True)
    user_id: str = Field(foreign_key="user.id", index=True)
    purpose: str  # invite | reset
    created_at: datetime
    expires_at: datetime
    created_by: str | None = None  # the administrator (None: the set-up command)
    used_at: datetime | None = None


class SessionToken(SQLModel, table=True):
    """A login session. Only the SHA-256 of the cookie value is stored."""

    token_hash: str = Field(primary_key=True)
    user_id: str = Field(foreign_key="user.id", index=True)
    # The device registered under this session (a phone): revoking the device ends it.
    device_id: str | None = Field(default=None, index=True)
    created_at: datetime
    last_seen_at: datetime


class ApiToken(SQLModel, table=True):
    """A municipality's read-only API token (server/office/tokens.py): reports and the
    pseudonymous register for Excel or Power BI. Only the SHA-256 of the token is stored."""

    __tablename__ = "api_token"

    id: str = Field(primary_key=True)
    token_hash: str = Field(unique=True, index=True)
    municipality_id: str = Field(foreign_key="municipality.id", index=True)
    name: str
    created_at: datetime
    created_by: str = Field(foreign_key="user.id")
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None


class AuditEntry(SQLModel, table=True):
    """Who did what to which record, when. Never the data itself. Append-only."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    user_id: str | None = Field(default=None, index=True)
    device_id: str | None = None
    action: str  # read | create | update | login | logout | device_register | device_revoke | sync_push | sync_pull …
    entity: str | None = None
    record_id: str | None = None
    citizen_id: str | None = Field(default=None, index=True)
