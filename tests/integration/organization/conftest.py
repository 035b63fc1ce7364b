"""The organization suites' Lambda handlers, loaded once per module as Lambda loads them."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.support.world import load_handler_module


@pytest.fixture(scope="module")
def sweeper_app() -> ModuleType:
    return load_handler_module("sweeper")


@pytest.fixture(scope="module")
def worker_app() -> ModuleType:
    return load_handler_module("sweep_worker")
