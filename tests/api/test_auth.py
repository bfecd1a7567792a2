"""Sessions, cookies, timeouts, the login rate limit, headers and the error shape."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import httpx
from support import sql_rows

from schemas.accounts import User
from server import demo
from server.auth.limiter import LoginLimiter
from server.auth.sessions import COOKIE
from server.sync.push import web_device_id


def sql(app, statement: str, *args):
    return sql_rows(app, statement, *args)


def set_cookie_header(response) -> str:
    headers = [v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith(COOKIE)]
    assert len(headers) == 1, response.headers
    return headers[0]


async def test_login_returns_user_and_sets_session_cookie(app, client):
    response = await client.post("/api/session", json={"username": "behandler", "password": "demo"})
    assert response.status_code == 200
    user = response.json()["user"]
    assert user["username"] == "behandler"
    assert user["role"] == "behandler"
    assert user["organisation_id"] == demo.TEAM_ID
    assert user["organisation_name"] == next(name for org_id, name, _ in demo.ORGANISATIONS if org_id == demo.TEAM_ID)
    assert user["municipality_id"] == demo.MUNICIPALITY_ID
    assert set(user) == {"id", "username", "display_name", "role", "organisation_id", "organisation_name", "municipality_id"}
    cookie = set_cookie_header(response)
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags
    assert "samesite=strict" in flags
    assert "path=/" in flags
    assert "secure" not in flags  # cookie_secure is off by default (http://localhost)

    me = await client.get("/api/session")
    assert me.status_code == 200
    assert me.json()["user"]["id"] == user["id"]


async def test_cookie_is_secure_when_configured(app_factory, client_for, login):
    app = app_factory(demo_mode=True, cookie_secure=True)
    client = client_for(app)
    response = await client.post("/api/session", json={"username": "admin", "password": "demo"})
    assert "secure" in [part.strip().lower() for part in set_cookie_header(response).split(";")]


async def test_only_a_hash_of_the_token_is_stored(app, client, login):
    await login(client, "frivillig")
    token = client.cookies[COOKIE]
    rows = sql(app, "select token_hash from sessiontoken")
    assert rows == [(hashlib.sha256(("test-secret" + token).encode()).hexdigest(),)]
    assert token not in rows[0][0]


async def test_bad_password_and_unknown_user(client):
    for body in ({"username": "behandler", "password": "forkert"}, {"username": "ingen", "password": "demo"}):
        response = await client.post("/api/session", json=body)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "bad_credentials"
        assert COOKIE not in response.headers.get("set-cookie", "")


async def test_not_logged_in(client):
    response = await client.get("/api/session")
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "not_logged_in", "message": response.json()["error"]["message"], "field": None}
    }
    assert "Log ind" in response.json()["error"]["message"]


async def test_logout_deletes_the_session(app, client, login):
    await login(client, "behandler")
    token = client.cookies[COOKIE]
    response = await client.delete("/api/session")
    assert response.status_code == 204
    cleared = set_cookie_header(response).lower()
    assert "max-age=0" in cleared or "expires=thu, 01 jan 1970" in cleared
    assert sql(app, "select count(*) from sessiontoken") == [(0,)]
    assert (await client.get("/api/session")).status_code == 401
    # The old cookie value is worthless now.
    client.cookies.set(COOKIE, token)
    assert (await client.get("/api/session")).status_code == 401
    actions = [row[0] for row in sql(app, "select action from auditentry where action in ('login', 'logout') order by id")]
    assert actions == ["login", "logout"]


async def test_idle_timeout(app, client, login):
    await login(client, "behandler")
    idle = app.state.settings.session_idle_minutes
    stale = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=idle + 1)
    sql(app, "update sessiontoken set last_seen_at = ?", stale.isoformat(sep=" "))
    assert (await client.get("/api/session")).status_code == 401
    assert sql(app, "select count(*) from sessiontoken") == [(0,)]


async def test_activity_keeps_the_session_alive(app, client, login):
    await login(client, "behandler")
    idle = app.state.settings.session_idle_minutes
    nearly = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=idle - 1)
    sql(app, "update sessiontoken set last_seen_at = ?", nearly.isoformat(sep=" "))
    assert (await client.get("/api/session")).status_code == 200
    [(last_seen,)] = sql(app, "select last_seen_at from sessiontoken")
    assert datetime.fromisoformat(last_seen) > nearly + timedelta(minutes=1)


async def test_absolute_timeout(app, client, login):
    await login(client, "behandler")
    hours = app.state.settings.session_absolute_hours
    old = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=hours, minutes=1)
    sql(app, "update sessiontoken set created_at = ?", old.isoformat(sep=" "))
    assert (await client.get("/api/session")).status_code == 401


async def test_rate_limit_per_username(app_factory, client_for):
    app = app_factory(demo_mode=True, login_attempts_per_window=3)
    client = client_for(app)
    for _ in range(3):
        assert (await client.post("/api/session", json={"username": "behandler", "password": "x"})).status_code == 401
    response = await client.post("/api/session", json={"username": "Behandler", "password": "demo"})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_attempts"
    assert int(response.headers["retry-after"]) > 0
    assert COOKIE not in response.headers.get("set-cookie", "")


async def test_password_spraying_from_one_address_waits(app_factory, client_for):
    """Over any usernames, one address may fail ten times the per-user limit."""
    app = app_factory(demo_mode=True, login_attempts_per_window=3)
    client = client_for(app)
    for number in range(30):
        assert (await client.post("/api/session", json={"username": f"u{number}", "password": "x"})).status_code == 401
    response = await client.post("/api/session", json={"username": "frivillig", "password": "demo"})
    assert response.status_code == 429


def _from(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 4321))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_nobody_can_lock_a_colleague_out_from_elsewhere(app_factory):
    """Failures lock the (username, address) pair; from another address the same
    username is only slowed down (2 s after the last failure, doubling, at most 60 s)."""
    app = app_factory(demo_mode=True, login_attempts_per_window=3)
    clock = [1000.0]
    app.state.login_limiter = LoginLimiter(3, 300, now=lambda: clock[0])
    attacker, colleague = _from(app, "203.0.113.9"), _from(app, "198.51.100.7")
    async with attacker, colleague:
        for _ in range(3):
            assert (await attacker.post("/api/session", json={"username": "behandler", "password": "x"})).status_code == 401
        locked = await attacker.post("/api/session", json={"username": "behandler", "password": "demo"})
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 200
        slowed = await colleague.post("/api/session", json={"username": "behandler", "password": "demo"})
        assert slowed.status_code == 429 and int(slowed.headers["retry-after"]) <= 3
        clock[0] += 3
        assert (await colleague.post("/api/session", json={"username": "behandler", "password": "demo"})).status_code == 200
        clock[0] += 1
        still = await attacker.post("/api/session", json={"username": "behandler", "password": "demo"})
        assert still.status_code == 429  # the attacker's pair stays locked


async def test_successful_logins_do_not_count(app_factory, client_for, login):
    app = app_factory(demo_mode=True, login_attempts_per_window=2)
    client = client_for(app)
    for _ in range(4):
        await login(client, "projektleder")


async def test_inactive_user_cannot_log_in_and_loses_sessions(app, client, login):
    await login(client, "behandler2")
    sql(app, "update user set active = 0 where username = 'behandler2'")
    assert (await client.get("/api/session")).status_code == 401
    response = await client.post("/api/session", json={"username": "behandler2", "password": "demo"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_credentials"


async def test_deactivation_by_admin_ends_sessions(app, client_for, login):
    worker, admin = client_for(app), client_for(app)
    user = await login(worker, "behandler2")
    await login(admin, "admin")
    response = await admin.post(f"/api/users/{user['id']}/deactivate")
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert (await worker.get("/api/session")).status_code == 401
    # An admin cannot lock themselves out.
    me = (await admin.get("/api/session")).json()["user"]
    assert (await admin.post(f"/api/users/{me['id']}/deactivate")).status_code == 403


async def test_users_list_has_no_password_hashes(app, client, login):
    await login(client, "admin")
    response = await client.get("/api/users")
    assert response.status_code == 200
    assert "password" not in response.text and "argon2" not in response.text
    assert {u["username"] for u in response.json()["users"]} == {username for username, *_ in demo.USERS}


async def test_no_demo_users_without_demo_mode(app_factory, client_for):
    app = app_factory()
    assert sql(app, "select count(*) from user") == [(0,)]
    assert sql(app, "select count(*) from user where username = 'behandler'") == [(0,)]
    response = await client_for(app).post("/api/session", json={"username": "behandler", "password": "demo"})
    assert response.status_code == 401


async def test_demo_users_only_work_in_demo_mode(app, app_factory, client_for, login):
    demo_client = client_for(app)
    await login(demo_client, "projektleder")
    cookie = demo_client.cookies[COOKIE]
    app.state.engine.dispose()
    real = app_factory(database_url=app.state.settings.database_url)  # same file, demo mode off
    client = client_for(real)
    assert (await client.post("/api/session", json={"username": "projektleder", "password": "demo"})).status_code == 401
    client.cookies.set(COOKIE, cookie)
    assert (await client.get("/api/session")).status_code == 401


def demo_op_ids(app) -> list[str]:
    """The op ids the demo generator makes for the day this database got its demo."""
    [(first,)] = sql(app, "select min(received_at) from ops")
    devices = {username: web_device_id(User(id=demo.user_id(username))) for username, *_ in demo.USERS}
    batches = demo.DemoGenerator(datetime.fromisoformat(first).date(), devices).batches()
    return sorted(op["op_id"] for _, ops in batches for op in ops)


async def test_demo_load_is_idempotent(app, app_factory):
    before = sorted(op_id for (op_id,) in sql(app, "select op_id from ops"))
    assert before == demo_op_ids(app)  # the demo's ops, each once
    again = app_factory(demo_mode=True, database_url=app.state.settings.database_url)
    assert sorted(op_id for (op_id,) in sql(again, "select op_id from ops")) == before
    assert sql(again, "select count(*) from user where is_demo = 1") == [(len(demo.USERS),)]


async def test_security_headers_and_no_store(client):
    for response in (await client.get("/api/session"), await client.get("/api/docs"), await client.get("/healthz")):
        headers = response.headers
        assert "default-src 'self'" in headers["content-security-policy"]
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
    assert (await client.get("/api/session")).headers["cache-control"] == "no-store"


async def test_validation_error_names_the_field(client):
    response = await client.post("/api/session", json={"username": "behandler"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert set(error) == {"code", "message", "field"}
    assert error["code"] == "invalid_field"
    assert error["field"] == "password"
    assert "password" in error["message"]


async def test_invalid_json(client):
    response = await client.post("/api/session", content=b"{nope", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"


async def test_api_docs_page_is_html_without_scripts(client):
    response = await client.get("/api/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<script" not in page.lower() and "http://" not in page and "https://" not in page
    assert "style=" not in page
    for path in ("/api/session", "/api/devices", "/api/citizens/{citizen_id}", "/api/sync/push"):
        assert path in page
    assert "LoginIn" in page


async def test_device_registration(app, client_for, login, register_device):
    client = client_for(app)
    await login(client, "behandler")
    own = "5b3f2c1d-7a8e-4f90-b1c2-d3e4f5a6b7c8"
    first = await client.post("/api/devices", json={"name": "Min telefon", "device_id": own})
    assert first.status_code == 201 and first.json() == {"device_id": own}
    again = await client.post("/api/devices", json={"name": "Min telefon", "device_id": own})
    assert again.status_code == 200 and again.json() == {"device_id": own}
    generated = await register_device(client)
    listed = (await client.get("/api/devices")).json()["devices"]
    assert [d["id"] for d in listed] == [own, generated]

    other = client_for(app)
    await login(other, "behandler2")
    taken = await other.post("/api/devices", json={"name": "Lånt", "device_id": own})
    assert taken.status_code == 409
    assert taken.json()["error"]["field"] == "device_id"
    assert "anden bruger" in taken.json()["error"]["message"]
    bad = await other.post("/api/devices", json={"name": "X", "device_id": "not-a-uuid"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "device_id"

    admin = client_for(app)
    await login(admin, "admin")
    revoked = await admin.post(f"/api/devices/{own}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert (await client.post("/api/devices", json={"name": "Min telefon", "device_id": own})).json()["error"]["code"] == "device_revoked"
    pulled = await client.get("/api/sync/pull", params={"device_id": own})
    assert pulled.status_code == 403 and pulled.json()["error"]["code"] == "device_revoked"
