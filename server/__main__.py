"""`python -m server`: run the server with uvicorn on HOST:PORT (default 127.0.0.1:8000).

Settings come from the environment (`BROBYGGER_*`, see server/settings.py and README.md).
"""
from __future__ import annotations

import gc
import os

import uvicorn

from server.app import create_app
from server.settings import get_settings


# A push allocates hundreds of thousands of small containers; with CPython's default
# first-generation threshold (700) the cyclic collector ran every few hundred and took
# 13 % of push time (py-spy). Almost nothing here forms cycles (reference counting frees
# it), so collections can be rarer; the objects of start-up are frozen out of every scan.
GC_THRESHOLD = (50_000, 50, 100)


def tune_garbage_collector() -> None:
    """After start-up (imports, migrations, the app built): freeze what exists, and scan
    the young generation 70 times less often. Measured: bench/sync_push.py."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


def main() -> None:
    settings = get_settings()
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    app = create_app(settings)
    tune_garbage_collector()
    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    print(f"\nBrobygger kører på http://{shown_host}:{port}/  (API-dokumentation: /api/docs)")
    if settings.demo_mode:
        from server.demo import MUNICIPALITY_NAME, demo_logins

        print(f"Demo-tilstand: {MUNICIPALITY_NAME}. Log ind som:")
        for username, password, role in demo_logins():
            print(f"  {username:<13} adgangskode: {password:<6} ({role})")
    print(flush=True)
    # No access log: request paths and query strings can carry personal data.
    # X-Forwarded-For only from the proxies named in BROBYGGER_TRUSTED_PROXIES (none by
    # default): any other peer could otherwise pick the address the login limit sees.
    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    uvicorn.run(app, host=host, port=port, access_log=False, proxy_headers=bool(proxies),
                forwarded_allow_ips=proxies or None)


if __name__ == "__main__":
    main()
