"""Log in and register a device through the API, with an `httpx.AsyncClient` (in-process
apps) or an `httpx.Client` (server processes). Every helper asserts the status it expects
and returns ids; the client keeps the session cookie.

    user = await login(client, "behandler")              # → the user dict of POST /api/session
    device_id = await register_device(client)             # → a new device id (201)
    phone = await sign_in(client, "behandler")            # → SignedIn(user, device_id)
    login_sync(...), register_device_sync(...), sign_in_sync(...): the same for httpx.Client

The password of every test user (the demo's and the ones tests add) is `PASSWORD`.
"""
from __future__ import annotations

from dataclasses import dataclass

import httpx

from server import demo

PASSWORD = demo.PASSWORD


@dataclass(frozen=True)
class SignedIn:
    user: dict  # as POST /api/session returns it: id, username, role, organisation_id, ...
    device_id: str | None

    @property
    def user_id(self) -> str:
        return self.user["id"]


# One definition of each request and of what its answer must be; the async and sync
# helpers below only send it.
def _login_request(username: str, password: str) -> dict:
    return {"method": "POST", "url": "/api/session", "json": {"username": username, "password": password}}


def _login_result(username: str, response: httpx.Response) -> dict:
    assert response.status_code == 200, f"login {username}: {response.status_code} {response.text[:300]}"
    return response.json()["user"]


def _device_request(name: str, device_id: str | None) -> dict:
    body = {"name": name} if device_id is None else {"name": name, "device_id": device_id}
    return {"method": "POST", "url": "/api/devices", "json": body}


def _device_result(device_id: str | None, response: httpx.Response) -> str:
    # A new device is 201; registering an own device id again answers 200 with the same id.
    expected = (201,) if device_id is None else (200, 201)
    assert response.status_code in expected, f"register device: {response.status_code} {response.text[:300]}"
    registered = response.json()["device_id"]
    assert device_id is None or registered == device_id, (registered, device_id)
    return registered


async def login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> dict:
    return _login_result(username, await client.request(**_login_request(username, password)))


async def register_device(client: httpx.AsyncClient, name: str = "Testtelefon", device_id: str | None = None) -> str:
    return _device_result(device_id, await client.request(**_device_request(name, device_id)))


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD, *, device: bool = True,
                  device_name: str | None = None, device_id: str | None = None) -> SignedIn:
    """Log in and (unless `device=False`) register a device: what a phone does first."""
    user = await login(client, username, password)
    if not device:
        return SignedIn(user, None)
    return SignedIn(user, await register_device(client, device_name or f"Telefon {username}", device_id))


def login_sync(client: httpx.Client, username: str, password: str = PASSWORD) -> dict:
    return _login_result(username, client.request(**_login_request(username, password)))


def register_device_sync(client: httpx.Client, name: str = "Testtelefon", device_id: str | None = None) -> str:
    return _device_result(device_id, client.request(**_device_request(name, device_id)))


def sign_in_sync(client: httpx.Client, username: str, password: str = PASSWORD, *, device: bool = True,
                 device_name: str | None = None, device_id: str | None = None) -> SignedIn:
    user = login_sync(client, username, password)
    if not device:
        return SignedIn(user, None)
    return SignedIn(user, register_device_sync(client, device_name or f"Telefon {username}", device_id))
