"""`setup` and `invite`: a municipality from nothing, and new one-time links.

    python -m server.manage setup --municipality "Eksempel Kommune" \\
        --team "Rusmiddelcenter – Fremskudt team" --partner "Værestedet Havnen" \\
        --admin anna --admin-name "Anna Andersen" --url https://brobygger.example.dk

creates what is missing, in one transaction, through the same functions as the
administration pages (server/auth/accounts.py), and prints the administrator's one-time
link to choose a password. It is idempotent: run again with the same arguments it finds
everything there and does nothing. On a database that already has a municipality it
refuses to add anything unless `--add` is given (a second municipality, or more teams and
partners for an existing one), so a typo in a name cannot quietly create a second
municipality.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass, field

from sqlmodel import Session, select

from schemas.accounts import Municipality, Organisation, User
from server.auth import accounts
from server.core.db import make_engine, migrate
from server.core.errors import ApiError
from server.settings import Settings

REFUSED = 2


def settings_for(args: argparse.Namespace) -> Settings:
    overrides = {"database_url": args.database_url} if getattr(args, "database_url", None) else {}
    return Settings(**overrides)


def link(settings: Settings, base_url: str | None, token: str) -> str:
    return accounts.link_url(base_url or settings.public_origin or "http://localhost:8000", token)


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--municipality", required=True, help='kommunens navn, fx "Eksempel Kommune"')
    parser.add_argument("--team", action="append", required=True, help="et team i rusmiddelcentret (kan gentages)")
    parser.add_argument("--partner", action="append", default=[], help="en civilsamfundspartner (kan gentages)")
    parser.add_argument("--admin", required=True, help="brugernavn for den første administrator")
    parser.add_argument("--admin-name", required=True, help="administratorens navn")
    parser.add_argument("--admin-team", help="administratorens team (standard: det første --team)")
    parser.add_argument("--admin-login-id", help="administratorens id hos kommunens login (fx e-mail), til OpenID Connect")
    parser.add_argument("--url", help="serverens adresse i linket (standard: BROBYGGER_PUBLIC_ORIGIN eller http://localhost:8000)")
    parser.add_argument("--add", action="store_true", help="tilføj til en database, der allerede har en kommune")
    parser.set_defaults(run=run)


def invite_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("username", help="brugerens brugernavn")
    parser.add_argument("--url", help="serverens adresse i linket")
    parser.set_defaults(run=run_invite)


@dataclass
class Plan:
    municipality: Municipality | None
    municipality_name: str
    organisations: list[tuple[str, str]] = field(default_factory=list)  # (name, kind) to create
    admin: bool = False  # create the administrator

    @property
    def empty(self) -> bool:
        return self.municipality is not None and not self.organisations and not self.admin


def plan(db: Session, args: argparse.Namespace) -> Plan:
    name = args.municipality.strip()
    municipality = db.exec(select(Municipality).where(Municipality.name == name)).first()
    existing: set[tuple[str, str]] = set()
    if municipality is not None:
        existing = {(o.name, o.kind) for o in db.exec(select(Organisation).where(Organisation.municipality_id == municipality.id))}
    wanted = [(team.strip(), "rusmiddelcenter") for team in args.team] + [(p.strip(), "civil_society") for p in args.partner]
    missing = [item for item in dict.fromkeys(wanted) if item not in existing]
    admin = db.exec(select(User).where(User.username == args.admin.strip().lower())).first()
    # An administrator of that name elsewhere is not this one: creating it then fails ("taken").
    admin_there = admin is not None and municipality is not None and admin.municipality_id == municipality.id
    return Plan(municipality, name, missing, not admin_there)


def run(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    engine = make_engine(settings.database_url)
    migrate(engine)
    try:
        with Session(engine) as db:
            todo = plan(db, args)
            if todo.empty:
                print(f"Intet at gøre: {todo.municipality_name} er sat op med disse teams, partnere og administratoren.")
                return 0
            others = db.exec(select(Municipality)).all()
            if others and not args.add:
                names = ", ".join(sorted(m.name for m in others))
                print(f"Afvist: databasen har allerede en kommune ({names}). Brug --add for at tilføje til den.")
                return REFUSED
            try:
                token = apply(db, settings, args, todo)
            except ApiError as error:
                db.rollback()
                print(f"Afvist: {error.message}")
                return REFUSED
            db.commit()
    finally:
        engine.dispose()
    verb = "Tilføjet til" if todo.municipality is not None else "Oprettet"
    print(f"{verb}: {todo.municipality_name}" + "".join(f"\n  {kind_label(kind)}: {name}" for name, kind in todo.organisations))
    if token:
        print(f"\nAdministrator: {args.admin.strip().lower()}. Engangslink til at vælge adgangskode "
              f"(virker én gang, i {settings.invitation_hours} timer):\n\n  {link(settings, args.url, token)}\n")
    return 0


def kind_label(kind: str) -> str:
    return "Team" if kind == "rusmiddelcenter" else "Partner"


def apply(db: Session, settings: Settings, args: argparse.Namespace, todo: Plan) -> str | None:
    municipality = todo.municipality or accounts.create_municipality(db, todo.municipality_name)
    for name, kind in todo.organisations:
        accounts.create_organisation(db, municipality.id, name, kind, by=None)
    if not todo.admin:
        return None
    team_name = (args.admin_team or args.team[0]).strip()
    team = db.exec(select(Organisation).where(Organisation.municipality_id == municipality.id,
                                              Organisation.name == team_name)).first()
    if team is None:
        raise ApiError("invalid_field", "unknown", "admin_team")
    admin = accounts.create_user(db, municipality_id=municipality.id, username=args.admin, display_name=args.admin_name,
                                 role="admin", organisation_id=team.id, external_id=args.admin_login_id, by=None)
    return accounts.issue_link(db, settings, admin, "invite", by=None)


def run_invite(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    engine = make_engine(settings.database_url)
    migrate(engine)
    try:
        with Session(engine) as db:
            user = db.exec(select(User).where(User.username == args.username.strip().lower())).first()
            if user is None or not user.active:
                print("Afvist: der er ingen aktiv bruger med det brugernavn.")
                return REFUSED
            purpose = "reset" if accounts.has_password(user) else "invite"
            token = accounts.issue_link(db, settings, user, purpose, by=None)
            username = user.username
            db.commit()
    finally:
        engine.dispose()
    note = " Den gamle adgangskode virker ikke længere." if purpose == "reset" else ""
    print(f"Engangslink for {username} (virker én gang, i {settings.invitation_hours} timer; ældre links er ugyldige).{note}"
          f"\n\n  {link(settings, args.url, token)}\n")
    return 0
