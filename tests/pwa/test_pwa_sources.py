"""Pure-Python checks of the phone app's sources and build (no browser, no node needed)."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PWA = ROOT / "pwa"


def test_no_inline_script_or_style_in_sources():
    """The CSP allows no inline script/style: no style attributes, no innerHTML, no eval."""
    for path in (PWA / "src").rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "eval(", "new Function", '"style"', ".style."):
            assert forbidden not in text, f"{path.relative_to(ROOT)} uses {forbidden}"


def test_built_shell_references_its_assets():
    dist = PWA / "dist"
    if not (dist / "index.html").exists():
        pytest.skip("pwa/dist not built (make pwa)")
    html = (dist / "index.html").read_text()
    assert '<html lang="da">' in html
    assert "<style" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)
    assets = re.findall(r'"/assets/(app-[0-9a-f]{10}\.(?:js|css))"', html)
    assert len(assets) == 2
    sw = (dist / "sw.js").read_text()
    for name in assets:
        assert (dist / "assets" / name).is_file()
        assert f"assets/{name}" in sw, "the service worker precaches the shell"
    assert "/api/" in sw  # NetworkOnly route and the navigation-fallback denylist


def sources_sha256() -> str:
    """The hash build.mjs writes into dist/build-info.json (same recipe)."""
    paths = [*(PWA / "src").rglob("*"), *(PWA / "tools").rglob("*"), PWA / "build.mjs", PWA / "package.json"]
    named = sorted((p.relative_to(PWA).as_posix(), p) for p in paths if p.is_file() and p.suffix in {".js", ".mjs", ".css", ".json"})
    digest = hashlib.sha256()
    for name, path in named:
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def test_build_is_current():
    """Fails when pwa/ sources (gen/schema.js included) changed after the last build: run `make pwa`."""
    info = PWA / "dist" / "build-info.json"
    if not info.exists():
        pytest.skip("pwa/dist not built (make pwa)")
    built = json.loads(info.read_text())["sources_sha256"]
    assert built == sources_sha256(), "pwa/dist is older than its sources: run `make pwa`"
