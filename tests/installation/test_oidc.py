"""Log in with the municipality's identity provider — a real OpenID Connect provider
(`oidc-provider`, npm) on loopback, a real server process, the login driven over HTTP as a
browser does it (redirects, the provider's login and consent forms, the callback).

The user is matched by the claim (`email`) against `external_id`; the role is Brobygger's;
state, nonce and PKCE make a forged, replayed or cross-browser callback fail."""
from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from sqlmodel import Session, create_engine, select
from support import ServerProcess, free_port
from support.app import sqlite_url

from schemas.accounts import User
from server.auth import accounts
from server.core.db import make_engine, migrate

ACCOUNTS = {
    "anna": {"email": "Anna.Andersen@kommune.dk", "email_verified": True, "name": "Anna A."},
    "stranger": {"email": "stranger@kommune.dk", "email_verified": True},
    "unverified": {"email": "bo@kommune.dk", "email_verified": False},
}
FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"', re.I)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', re.I)


def _seed(database) -> None:
    """A municipality with a projektleder (login id anna@…) and a behandler (login id bo@…),
    through the same functions as the administration pages."""
    engine = make_engine(sqlite_url(database))
    migrate(engine)
    with Session(engine) as db:
        municipality = accounts.create_municipality(db, "Eksempel Kommune")
        team = accounts.create_organisation(db, municipality.id, "Fremskudt team", "rusmiddelcenter", by=None)
        accounts.create_user(db, municipality_id=municipality.id, username="anna", display_name="Anna Andersen",
                             role="projektleder", organisation_id=team.id, external_id="anna.andersen@kommune.dk", by=None)
        accounts.create_user(db, municipality_id=municipality.id, username="bo", display_name="Bo Behandler",
                             role="behandler", organisation_id=team.id, external_id="bo@kommune.dk", by=None)
        db.commit()
    engine.dispose()


@pytest.fixture
def installation(tmp_path, identity_provider):
    port = free_port()
    callback = f"http://127.0.0.1:{port}/api/session/oidc/callback"
    provider = identity_provider(ACCOUNTS, [callback])
    database = tmp_path / "kommune.db"
    _seed(database)
    server = ServerProcess(tmp_path / "server", database_url=sqlite_url(database), port=port,
                           settings={"demo_mode": False, **provider.settings()})
    server.start()
    yield server, provider, database
    server.close()


def provider_login(client: httpx.Client, start: str, login: str) -> httpx.Response:
    """From a redirect to the provider to the redirect back to us: the provider's own login
    form (any password) and consent form, as a browser submits them. Returns the redirect
    to our callback (not followed)."""
    response = client.get(start)
    for _ in range(12):
        if response.status_code in (302, 303):
            location = urljoin(str(response.url), response.headers["location"])
            if "/api/session/oidc/callback" in location:
                return response
            response = client.get(location)
            continue
        assert response.status_code == 200, f"{response.status_code} {response.text[:500]}"
        action = urljoin(str(response.url), html.unescape(FORM.search(response.text).group(1)))
        fields = dict(HIDDEN.findall(response.text))
        if 'name="login"' in response.text:
            fields.update(login=login, password="whatever")
        response = client.post(action, data=fields)
    raise AssertionError("the provider did not send the browser back")


def begin(client: httpx.Client, next_path: str = "/kontor/") -> str:
    response = client.get("/api/session/oidc", params={"next": next_path})
    assert response.status_code == 303, response.text
    target = response.headers["location"]
    query = parse_qs(urlsplit(target).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0] and query["response_type"] == ["code"]
    assert "brobygger_oidc" in response.headers["set-cookie"] and "samesite=lax" in response.headers["set-cookie"].lower()
    return target


def test_login_with_the_identity_provider_matches_the_user_by_email(installation):
    server, provider, database = installation
    client = server.client()
    assert client.get("/api/session/providers").json()["oidc"]["url"] == "/api/session/oidc"
    assert 'href="/api/session/oidc?next=/kontor/">Log ind med kommunens login</a>' in client.get("/kontor/login").text
    back = provider_login(client, begin(client, "/kontor/admin/log"), "anna")
    done = client.get(back.headers["location"])
    assert done.status_code == 200, done.text
    assert 'http-equiv="refresh" content="0;url=/kontor/admin/log"' in done.text
    assert "brobygger_session" in done.headers["set-cookie"]
    me = client.get("/api/session").json()["user"]
    assert (me["username"], me["role"]) == ("anna", "projektleder")  # the role is Brobygger's, not the provider's
    # The office opens with the same session.
    assert client.get("/kontor/admin/log", follow_redirects=False).status_code == 200


def test_an_unknown_or_unverified_person_gets_no_session(installation):
    server, provider, _ = installation
    for login, words in (("stranger", "findes ikke i Brobygger"), ("unverified", "ikke bekræftet")):
        client = server.client()
        back = provider_login(client, begin(client), login)
        done = client.get(back.headers["location"])
        assert done.status_code == 401 and words in done.text, done.text[:800]
        assert client.get("/api/session").status_code == 401


def test_a_forged_replayed_or_other_browsers_callback_fails(installation):
    server, provider, _ = installation
    client = server.client()
    back = provider_login(client, begin(client), "anna")
    callback = back.headers["location"]
    # Another browser (no flow cookie) cannot use this callback: login CSRF fails.
    other = server.client()
    refused = other.get(callback)
    assert refused.status_code == 401 and "kunne ikke genkendes" in refused.text
    assert other.get("/api/session").status_code == 401
    # A tampered state fails, and ends the flow: not even the right answer works after it.
    tampered = re.sub(r"state=[^&]+", "state=forged", callback)
    assert client.get(tampered).status_code == 401
    assert client.get(callback).status_code == 401
    assert client.get("/api/session").status_code == 401
    # A new flow: the right answer works once; replayed, the flow cookie is gone (and the code used).
    back = provider_login(client, begin(client), "anna")
    assert client.get(back.headers["location"]).status_code == 200
    assert client.get(back.headers["location"]).status_code == 401
    forged = server.client()
    forged.cookies.set("brobygger_oidc", "forged.value", domain="127.0.0.1", path="/api/session/oidc/callback")
    assert forged.get(back.headers["location"]).status_code == 401


def test_a_deactivated_user_cannot_log_in_with_the_provider(installation):
    server, provider, database = installation
    engine = create_engine(sqlite_url(database))
    with Session(engine) as db:
        user = db.exec(select(User).where(User.username == "anna")).one()
        user.active = False
        db.add(user)
        db.commit()
    engine.dispose()
    client = server.client()
    back = provider_login(client, begin(client), "anna")
    assert client.get(back.headers["location"]).status_code == 401
    assert client.get("/api/session").status_code == 401


def test_without_a_provider_the_routes_answer_not_found(tmp_path):
    database = tmp_path / "plain.db"
    _seed(database)
    with ServerProcess(tmp_path / "server", database_url=sqlite_url(database), settings={"demo_mode": False}) as server:
        client = server.client()
        assert client.get("/api/session/providers").json() == {"password": True, "oidc": None}
        assert client.get("/api/session/oidc").status_code == 404
        assert "kommunens login" not in client.get("/kontor/login").text
        assert client.get("/api/session/oidc/callback").status_code == 404
