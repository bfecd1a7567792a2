"""The command line of server.manage (see its docstring)."""
from __future__ import annotations

import argparse
import sys

from server.manage import backup, setup


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m server.manage", description="Brobygger: opsætning, invitationer, backup.")
    main.add_argument("--database-url", help="databasen (standard: BROBYGGER_DATABASE_URL)")
    commands = main.add_subparsers(dest="command", required=True)
    setup.arguments(commands.add_parser("setup", help="opret kommune, teams, partnere og første administrator"))
    setup.invite_arguments(commands.add_parser("invite", help="nyt engangslink til at vælge adgangskode"))
    backup.backup_arguments(commands.add_parser("backup", help="tag en backup af databasen, mens serveren kører"))
    backup.restore_arguments(commands.add_parser("restore", help="læg en backup ind i databasen (stop serveren først)"))
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
