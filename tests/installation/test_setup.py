"""A real installation from nothing: `python -m server.manage setup` on an empty database,
the first administrator's one-time link, a behandler created in the administration pages,
her own link, and her phone logging in, registering, pushing and pulling — all against a
real server process (`python -m server`, demo mode off)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from office_http import choose_password, create_user, office_login
from support import ServerProcess, hlc_now, pull_all_sync, sql_rows
from support.app import sqlite_url

ROOT = Path(__file__).resolve().parents[2]
SETUP = ["setup", "--municipality", "Eksempel Kommune", "--team", "Rusmiddelcenter – Fremskudt team",
         "--partner", "Værestedet Havnen", "--admin", "anna", "--admin-name", "Anna Andersen", "--url", "http://brobygger.test"]
ADMIN_PASSWORD = "blå bænk ved åen"
BEHANDLER_PASSWORD = "grøn kaffe på havnen"


def manage(database: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROBYGGER_")}
    env["BROBYGGER_DATABASE_URL"] = sqlite_url(database)
    return subprocess.run([sys.executable, "-m", "server.manage", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def one_link(output: str) -> str:
    links = re.findall(r"http://brobygger\.test/kontor/adgangskode/[A-Za-z0-9_-]+", output)
    assert len(links) == 1, output
    return links[0]


def test_setup_from_an_empty_database_to_a_behandler_on_a_phone(tmp_path):
    database = tmp_path / "kommune.db"
    done = manage(database, *SETUP)
    assert done.returncode == 0, done.stdout + done.stderr
    admin_link = one_link(done.stdout)
    assert sql_rows(database, "SELECT name FROM municipality") == [("Eksempel Kommune",)]
    assert sorted(sql_rows(database, "SELECT name, kind FROM organisation")) == [
        ("Rusmiddelcenter – Fremskudt team", "rusmiddelcenter"), ("Værestedet Havnen", "civil_society")]
    assert sql_rows(database, "SELECT username, role, password_hash, is_demo FROM user") == [("anna", "admin", "!", 0)]
    assert sql_rows(database, "SELECT count(*) FROM invitation") == [(1,)]
    assert admin_link.split("/")[-1] not in database.read_bytes().decode("latin-1")  # only the hash is stored

    with ServerProcess(tmp_path / "server", database_url=sqlite_url(database), settings={"demo_mode": False}) as server:
        # The administrator has no password until she opens her link; then she logs in.
        office = server.client()
        assert office.post("/api/session", json={"username": "anna", "password": "!"}).status_code == 401
        choose_password(office, admin_link, ADMIN_PASSWORD)
        assert office.get(admin_link.split("brobygger.test")[1]).status_code == 410  # one time only
        office_login(office, "anna", ADMIN_PASSWORD)
        team_id = sql_rows(database, "SELECT id FROM organisation WHERE kind = 'rusmiddelcenter'")[0][0]
        link = create_user(office, username="bo", display_name="Bo Behandler", role="behandler", organisation_id=team_id,
                           external_id="")

        # The behandler chooses her password with her link and logs in on her phone.
        phone = server.client()
        choose_password(phone, link, BEHANDLER_PASSWORD)
        user = phone.post("/api/session", json={"username": "bo", "password": BEHANDLER_PASSWORD}).json()["user"]
        assert (user["role"], user["organisation_id"]) == ("behandler", team_id)
        device = phone.post("/api/devices", json={"name": "Bos telefon"}).json()["device_id"]
        citizen = str(uuid.uuid4())
        op = {"op_id": str(uuid.uuid4()), "device_id": device, "hlc": hlc_now(device), "entity": "citizen", "record_id": citizen,
              "kind": "create", "field": None, "value": {"code": "EKS-0001", "team_id": team_id, "initials": "AB"}, "seen": []}
        result = phone.post("/api/sync/push", json={"device_id": device, "ops": [op]}).json()
        assert [r["status"] for r in result["results"]] == ["accepted"], result
        assert pull_all_sync(phone, device)[citizen]["fields"]["code"] == "EKS-0001"

        # The administrator sees the phone under the name the worker gave it.
        devices = office.get("/kontor/admin/enheder")
        assert "Bos telefon" in devices.text and "Bo Behandler" in devices.text


def test_setup_is_idempotent_and_refuses_a_database_with_a_municipality(tmp_path):
    database = tmp_path / "kommune.db"
    assert manage(database, *SETUP).returncode == 0
    again = manage(database, *SETUP)
    assert again.returncode == 0 and "Intet at gøre" in again.stdout, again.stdout
    assert "adgangskode/" not in again.stdout  # no second admin, no new link
    assert sql_rows(database, "SELECT count(*) FROM organisation") == [(2,)]

    # Anything new (a typo in the name, another team) is refused without --add …
    other = [*SETUP[:2], "Eksempel Komune", *SETUP[3:]]
    refused = manage(database, *other)
    assert refused.returncode == 2 and "allerede en kommune" in refused.stdout
    more = manage(database, *SETUP, "--team", "Team Syd")
    assert more.returncode == 2
    assert sql_rows(database, "SELECT count(*) FROM municipality") == [(1,)]
    # … and added with it, once.
    for _ in range(2):
        assert manage(database, *SETUP, "--team", "Team Syd", "--add").returncode == 0
    assert sql_rows(database, "SELECT count(*) FROM organisation WHERE name = 'Team Syd'") == [(1,)]
    assert sql_rows(database, "SELECT count(*) FROM user") == [(1,)]


def test_setup_refuses_the_demo_database(tmp_path, demo_database):
    from support import copy_database

    database = copy_database(demo_database, tmp_path / "demo.db")
    refused = manage(database, *SETUP)
    assert refused.returncode == 2 and "Brobygger Kommune (demo)" in refused.stdout


def test_invite_makes_a_new_link_and_voids_the_old_one(tmp_path):
    database = tmp_path / "kommune.db"
    first = one_link(manage(database, *SETUP).stdout)
    again = manage(database, "invite", "anna", "--url", "http://brobygger.test")
    assert again.returncode == 0, again.stdout
    second = one_link(again.stdout)
    assert first != second
    used = sql_rows(database, "SELECT used_at IS NOT NULL FROM invitation ORDER BY created_at")
    assert used == [(1,), (0,)]
    assert manage(database, "invite", "nobody").returncode == 2


@pytest.mark.parametrize("args, message", [
    (["--admin", "Anna Andersen!"], "Brugernavnet"),  # not a username
    (["--admin-team", "Findes ikke"], "admin_team"),
])
def test_setup_refuses_bad_input_and_leaves_nothing_behind(tmp_path, args, message):
    database = tmp_path / "kommune.db"
    argv = list(SETUP)
    for flag, value in zip(args[::2], args[1::2]):
        if flag in argv:
            argv[argv.index(flag) + 1] = value
        else:
            argv += [flag, value]
    refused = manage(database, *argv)
    assert refused.returncode == 2 and message in refused.stdout, refused.stdout
    assert sql_rows(database, "SELECT count(*) FROM municipality") == [(0,)]
