"""Serves the built PWA (pwa/dist): the app shell, the service worker at the root.

- `/` and `/index.html`: the shell, `Cache-Control: no-cache` (revalidated each time).
- `/sw.js`: from the site root (its scope is the whole app), `no-cache`.
- `/manifest.webmanifest`: `no-cache`, `application/manifest+json`.
- `/assets/app-<hash>.{js,css}`: content-hashed, cached for a year (immutable).
- `/icons/*.png`: cached for a day.
If pwa/dist is missing, `/` answers 503 with a page that says to run `make pwa`.
Security headers (strict CSP) are added to every response by server.core.headers.
"""
from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

router = APIRouter(include_in_schema=False)

ROOT = Path(__file__).resolve().parents[2]
NO_CACHE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"
ASSET_NAME = re.compile(r"^app-[0-9a-f]{10}\.(js|css)$")
ICON_NAME = re.compile(r"^[a-z0-9-]+\.png$")

MISSING_PAGE = """<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>Brobygger – appen er ikke bygget</title></head>
<body><main><h1>Appen er ikke bygget endnu</h1>
<p>Telefon-appen (pwa/dist) mangler på serveren. Kør <code>make pwa</code> i projektets mappe
(det kræver Node.js 20) og genindlæs siden.</p>
<p>The phone app has not been built: run <code>make pwa</code> and reload.</p></main></body></html>
"""


def dist_dir(request: Request) -> Path:
    configured = Path(request.app.state.settings.pwa_dir)
    return configured if configured.is_absolute() else ROOT / configured


def _file(path: Path, media_type: str, cache: str) -> Response:
    if not path.is_file():
        return Response(status_code=404)
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": cache})


@router.get("/")
@router.get("/index.html")
def shell(request: Request) -> Response:
    index = dist_dir(request) / "index.html"
    if not index.is_file():
        return HTMLResponse(MISSING_PAGE, status_code=503, headers={"Cache-Control": "no-store", "Retry-After": "60"})
    return _file(index, "text/html; charset=utf-8", NO_CACHE)


@router.get("/sw.js")
def service_worker(request: Request) -> Response:
    return _file(dist_dir(request) / "sw.js", "text/javascript; charset=utf-8", NO_CACHE)


@router.get("/manifest.webmanifest")
def manifest(request: Request) -> Response:
    return _file(dist_dir(request) / "manifest.webmanifest", "application/manifest+json", NO_CACHE)


@router.get("/assets/{name}")
def asset(name: str, request: Request) -> Response:
    if not ASSET_NAME.match(name):
        return Response(status_code=404)
    media = "text/javascript; charset=utf-8" if name.endswith(".js") else "text/css; charset=utf-8"
    return _file(dist_dir(request) / "assets" / name, media, IMMUTABLE)


@router.get("/icons/{name}")
def icon(name: str, request: Request) -> Response:
    if not ICON_NAME.match(name):
        return Response(status_code=404)
    return _file(dist_dir(request) / "icons" / name, "image/png", "public, max-age=86400")
