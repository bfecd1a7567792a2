"""The attacker's and the fuzzer's tests. The fuzzers (marked `fuzz`) run with a few
examples in `make test` and with many in `make soak` (HYPOTHESIS_PROFILE=soak)."""
from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent
FUZZERS = {"test_push_fuzz.py", "test_schemathesis.py", "test_crash.py"}


def pytest_configure(config):
    config.addinivalue_line("markers", "fuzz: fuzzers and crash loops; more examples under make soak")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).parent == HERE and Path(str(item.fspath)).name in FUZZERS:
            item.add_marker(pytest.mark.fuzz)
