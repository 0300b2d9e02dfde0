"""One seeded demo account (seed 7, not live) shared by the tests of one module that read AWS APIs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def demo() -> Iterator[Any]:
    from lambdatop.demo.launch import start_demo

    account = start_demo(7, live=False)
    try:
        yield account
    finally:
        account.stop()
