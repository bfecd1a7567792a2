"""The phone app's pure modules under node: `node --test pwa/test/` runs the shared vectors
of tests/vectors/derive.json against pwa/src/derive.js (and the other pwa/test/*.test.mjs)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_node_tests_of_the_phone_app_pass():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: pwa/src/derive.js cannot be checked against tests/vectors/derive.json")
    result = subprocess.run(
        [node, "--test", "pwa/test/"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"node --test pwa/test/ failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
