"""The office's forms driven over HTTP (httpx), as a browser would: read the CSRF token from
the page, post the form. For the installation tests; the Chromium tests click instead."""
from __future__ import annotations

import re

import httpx

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
LINK = re.compile(r'id="invitation-link">([^<]+)<')


def csrf(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def post_form(client: httpx.Client, page: str, action: str, fields: dict, expect: tuple[int, ...] = (200, 201, 303)) -> httpx.Response:
    """GET `page` (for its CSRF token), then POST `fields` to `action`."""
    got = client.get(page)
    assert got.status_code == 200, f"{page}: {got.status_code} {got.text[:300]}"
    response = client.post(action, data={"csrf_token": csrf(got.text), **fields})
    assert response.status_code in expect, f"{action}: {response.status_code} {response.text[:500]}"
    return response


def office_login(client: httpx.Client, username: str, password: str) -> None:
    response = post_form(client, "/kontor/login", "/kontor/login", {"username": username, "password": password, "next": "/kontor/"},
                         expect=(303,))
    assert response.headers["location"] == "/kontor/", response.headers


def link_in(html: str) -> str:
    found = LINK.search(html)
    assert found, "no invitation link on the page"
    return found.group(1).strip()


def choose_password(client: httpx.Client, link: str, password: str) -> None:
    """Open a one-time link and choose the password (the path of the link, on this client's server)."""
    path = "/" + link.split("/", 3)[3]
    response = post_form(client, path, path, {"password": password, "repeat": password}, expect=(200,))
    assert "Adgangskoden er gemt" in response.text


def create_user(client: httpx.Client, **fields) -> str:
    """As a logged-in administrator: create a user; returns the invitation link."""
    response = post_form(client, "/kontor/admin/brugere/ny", "/kontor/admin/brugere", fields, expect=(201,))
    return link_in(response.text)


# --- the same for an in-process app (httpx.AsyncClient) ------------------------------------

async def token_of(client: httpx.AsyncClient, page: str) -> str:
    got = await client.get(page)
    assert got.status_code == 200, f"{page}: {got.status_code} {got.text[:300]}"
    return csrf(got.text)


async def submit(client: httpx.AsyncClient, page: str, action: str, fields: dict) -> httpx.Response:
    """GET `page` for its CSRF token, POST `fields` to `action`; the response as it is."""
    return await client.post(action, data={"csrf_token": await token_of(client, page), **fields})
