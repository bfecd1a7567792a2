"""`backup FILE` and `restore FILE`: a consistent copy of the database while the server runs,
and that copy put back.

- **SQLite**: the sqlite3 backup API copies the database in one step under a read
  transaction, so the copy is one consistent moment even while the server writes (WAL:
  the server's writers are not blocked meanwhile). It is written next to FILE and renamed
  into place only when complete and `PRAGMA quick_check` says ok, so FILE is never a half
  copy.
- **PostgreSQL**: `pg_dump --format=custom` (one snapshot transaction: consistent online),
  `pg_restore` back. The password goes to the tools in `PGPASSWORD`, never on their
  command line (where `ps` would show it).

`restore` refuses a target that already has tables unless `--replace` is given, and a backup
of the other kind of database. Stop the server before restoring; it migrates the restored
database to the current schema when it starts.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from server.core.db import make_engine
from server.manage.setup import REFUSED, settings_for

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


def backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="backupfilen, der skrives")
    parser.set_defaults(run=run_backup)


def restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="backupfilen, der læses")
    parser.add_argument("--replace", action="store_true", help="erstat en database, der ikke er tom")
    parser.set_defaults(run=run_restore)


def sqlite_path(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def backup(url: str, target: Path) -> None:
    """Write a consistent backup of the database at `url` to `target` (replaced atomically)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite_path(url)
    # Owner-only from the first byte: the copy holds every citizen's data.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        if source is not None:
            _sqlite_backup(source, partial)
        else:
            _pg("pg_dump", url, "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _sqlite_backup(source: Path, partial: Path) -> None:
    if not source.is_file():
        raise FileNotFoundError(source)
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)  # pages=-1: the whole database in one step, one consistent snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
        ok = dst.execute("PRAGMA quick_check").fetchone()[0]
        if ok != "ok":
            raise RuntimeError("the copy failed its integrity check")
    finally:
        dst.close()
        src.close()


def _header(source: Path) -> bytes:
    if not source.is_file():
        return b""
    with source.open("rb") as file:
        return file.read(16)


def restore(url: str, source: Path, *, replace: bool = False) -> None:
    """Put the backup `source` into the (empty, or with `replace` any) database at `url`."""
    source = Path(source)
    head = _header(source)
    target = sqlite_path(url)
    if head.startswith(SQLITE_MAGIC) != (target is not None) or not (head.startswith(SQLITE_MAGIC) or head.startswith(PG_MAGIC)):
        raise ValueError("kind")
    if not replace and _has_tables(url):
        raise FileExistsError(url)
    if target is not None:
        _sqlite_restore(source, target)
    else:
        args = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        if replace:
            args += ["--clean", "--if-exists"]
        _pg("pg_restore", url, *args, str(source))


def _sqlite_restore(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        if src.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise ValueError("damaged")
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)  # replaces the target's pages (and its WAL) in one step
        finally:
            dst.close()
    finally:
        src.close()


def _has_tables(url: str) -> bool:
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return False
    engine = make_engine(url)
    try:
        return bool(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _pg(tool: str, url: str, *args: str) -> None:
    """Run pg_dump/pg_restore on the database of a SQLAlchemy URL (password in the environment)."""
    parsed = make_url(url)
    env = {**os.environ, "PGPASSWORD": parsed.password or "", "PGCONNECT_TIMEOUT": "10"}
    connection = [f"--host={parsed.host or 'localhost'}", f"--port={parsed.port or 5432}",
                  f"--username={parsed.username or ''}", f"--dbname={parsed.database}"]
    binary = shutil.which(tool)
    if binary is None:
        raise FileNotFoundError(tool)
    done = subprocess.run([binary, *connection, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        # The tools' messages name tables and options, never row data.
        raise RuntimeError(f"{tool} failed: {done.stderr.strip()[-2000:]}")


def run_backup(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    try:
        backup(settings.database_url, args.file)
    except FileNotFoundError as missing:
        print(f"Afvist: {missing} findes ikke.")
        return REFUSED
    print(f"Backup gemt i {args.file} ({args.file.stat().st_size} bytes).")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    try:
        restore(settings.database_url, args.file, replace=args.replace)
    except FileExistsError:
        print("Afvist: databasen er ikke tom. Brug --replace for at erstatte den (stop serveren først).")
        return REFUSED
    except ValueError:
        print("Afvist: filen er ikke en backup af denne slags database (SQLite-fil eller pg_dump i custom-format).")
        return REFUSED
    print(f"Backup fra {args.file} lagt ind. Start serveren; den opdaterer databasen, hvis den er fra en ældre version.")
    return 0
