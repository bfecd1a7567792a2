"""Vendor Det Fælles Designsystem (DKFDS) into server/office/static/dkfds/.

    .venv/bin/python -m server.office.vendor            # the pinned VERSION
    .venv/bin/python -m server.office.vendor 11.3.0     # another version (then update VERSION)

The office takes DKFDS's compiled CSS as it is, plus exactly the files the CSS refers to
(fonts, icons) and the icon sprite the templates use (`<use href=…#name>`): nothing is
hand-written or re-styled. The package comes from the npm registry through `npm pack`
(the ordinary client); `MANIFEST.json` records the version and a SHA-256 per file, and
tests/office/test_office_pages.py checks that the files on disk are exactly those and that
every `url(...)` of the CSS resolves, so a stale or edited copy fails with this command
in the message.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "11.2.0"
TARGET = Path(__file__).parent / "static" / "dkfds"
CSS = "css/dkfds.min.css"
SPRITE = "img/all-svg-icons.svg"
LICENSE = "LICENSE.md"
URL = re.compile(r"url\((?:'|\")?([^'\")]+)(?:'|\")?\)")


def css_references(css_text: str) -> set[str]:
    """The files a DKFDS CSS file refers to, relative to the package's dist/ folder."""
    out = set()
    for ref in URL.findall(css_text):
        if ref.startswith("data:") or "://" in ref:
            continue
        ref = ref.split("#", 1)[0].split("?", 1)[0]
        if ref.startswith("../"):
            out.add(ref[3:])
    return out


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest_of(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "MANIFEST.json"}


def vendor(version: str = VERSION, target: Path = TARGET) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"dkfds@{version}", "--silent"], cwd=tmp, check=True, capture_output=True)
        [tgz] = Path(tmp).glob("dkfds-*.tgz")
        with tarfile.open(tgz) as archive:
            archive.extractall(tmp, filter="data")
        dist = Path(tmp) / "package" / "dist"
        wanted = {CSS, SPRITE, LICENSE} | css_references((dist / CSS).read_text(encoding="utf-8"))
        if target.exists():
            shutil.rmtree(target)
        for name in sorted(wanted):
            source = dist / name if (dist / name).exists() else Path(tmp) / "package" / name
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
    manifest = {"package": "dkfds", "version": version, "files": manifest_of(target)}
    (target / "MANIFEST.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


if __name__ == "__main__":
    result = vendor(sys.argv[1] if len(sys.argv) > 1 else VERSION)
    print(f"dkfds {result['version']}: {len(result['files'])} files in {TARGET}")
