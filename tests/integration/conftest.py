"""Fixtures of the integration suites: the emulator in-process and over HTTP."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import botocore.retries.standard
import botocore.retryhandler
import pytest
from moto import mock_aws

import cvpn_emulator
from cvpn_emulator.control import EmulatorControl
from cvpn_emulator.server import running_emulator
from cvpn_guard.runtime import reset_runtime
from tests.support.world import (
    ENFORCER_ENVIRONMENT,
    EnforcerWorld,
    build_world,
    load_handler_module,
)


@pytest.fixture(autouse=True)
def _no_settle_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Re-read at once where EC2 would need seconds: the emulator's stale reads are counted in
    reads (faults), not time, so the retries behave the same without the wait."""
    from cvpn_guard import endpoint_guard

    monkeypatch.setattr(endpoint_guard, "SETTLE_DELAYS", (0.0, 0.0, 0.0))


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries happen, but without botocore's exponential sleeps (standard and legacy): what a
    test checks is which calls are retried and what converges, never how long a retry waits
    (tests/unit/aws/test_call_budget.py pins the delays against the installed botocore), and a
    throttled call would otherwise sleep up to seconds of wall time per attempt."""
    monkeypatch.setattr(
        botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, context: 0
    )
    monkeypatch.setattr(botocore.retryhandler, "delay_exponential", lambda **_: 0)


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    """One emulator server for the session (tests reset its state, not the process)."""
    with running_emulator() as url:
        yield url


@pytest.fixture(scope="session")
def enforcer_app() -> ModuleType:
    return load_handler_module("enforcer")


def _enforcer_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("POLICY_PARAMETER", "POLICY_FILE", "ENFORCEMENT_MODE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in ENFORCER_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def in_process_world(
    monkeypatch: pytest.MonkeyPatch, enforcer_app: ModuleType
) -> Iterator[EnforcerWorld]:
    cvpn_emulator.install()
    _enforcer_environment(monkeypatch)
    with mock_aws():
        cvpn_emulator.reset_call_counts()
        yield build_world(
            "in_process", sys.modules["cvpn_emulator"], enforcer_app, monkeypatch.setenv
        )  # type: ignore[arg-type]
        cvpn_emulator.clear_faults()
    reset_runtime()


@pytest.fixture
def server_world(
    monkeypatch: pytest.MonkeyPatch, enforcer_app: ModuleType, emulator_url: str
) -> Iterator[EnforcerWorld]:
    control = EmulatorControl(emulator_url)
    control.reset()
    _enforcer_environment(monkeypatch)
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator_url)
    yield build_world("server", control, enforcer_app, monkeypatch.setenv)
    control.clear_faults()
    reset_runtime()


# The fixtures a test asks for to reach the emulator, in process or over HTTP.
TRANSPORT_FIXTURES = ("world", "emulator")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a test that asks for a ``world`` or an ``emulator`` in process; a test marked
    ``server_smoke`` (or in a module so marked) also over HTTP, marked ``server``.

    The two transports run the same moto responses and our handlers: the HTTP one adds the
    wire between boto3 and the server, and the control API. A few smoke tests per file cover
    that; the in-process run keeps every assertion of the scenario.
    """
    for name in TRANSPORT_FIXTURES:
        if name in metafunc.fixturenames:
            transports: list[Any] = ["in_process"]
            if metafunc.definition.get_closest_marker("server_smoke") is not None:
                transports.append(pytest.param("server", marks=pytest.mark.server))
            metafunc.parametrize(name, transports, indirect=True)
            return


@pytest.fixture
def world(request: pytest.FixtureRequest) -> EnforcerWorld:
    """The enforcer deployment, in process (and over HTTP for ``server_smoke`` tests)."""
    result: EnforcerWorld = request.getfixturevalue(f"{request.param}_world")
    return result


@pytest.fixture
def use_policy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """Point the enforcer at a policy with these rules, in enforce mode."""

    def use(rules: dict[str, Any]) -> None:
        document = {"version": 1, "mode": "enforce", "rules": rules}
        path = tmp_path / "policy.json"
        path.write_text(json.dumps(document))
        monkeypatch.setenv("POLICY_FILE", str(path))
        reset_runtime()

    return use
