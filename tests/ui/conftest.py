"""Fixtures for the UI tests (helpers live in tests/ui/fakes.py)."""

from __future__ import annotations

import pytest

from lambdatop.clock import FakeClock
from tests.factories import NOW


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)
