"""The enforcer's logs and metrics never print the credentials its process holds."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from cvpn_devkit.lambda_harness import FakeLambdaContext

from cvpn_guard.runtime import reset_runtime
from tests.support.events import ENFORCER_FUNCTION_NAME, load_event
from tests.support.world import ENFORCER_ENVIRONMENT, load_handler_module

# Distinctive fake credentials: any of them in the output means something printed them.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIAZZLOGLEAKTEST123",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/LogLeakSecretKey0001",
    "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjEXAMPLElogleaksessiontoken0001",
}

SKIPPED_EVENTS = {
    "modify_endpoint_by_enforcer": "own_change",
    "create_endpoint_failed": "failed_call",
    "modify_endpoint_dry_run": "dry_run",
}


@pytest.fixture
def enforcer(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, io.StringIO]]:
    """The enforcer handler with the fake credentials set and its log lines captured."""
    for name, value in {**ENFORCER_ENVIRONMENT, **CREDENTIALS}.items():
        monkeypatch.setenv(name, value)
    # Log the incoming event too and everything down to DEBUG: the most there is to leak.
    monkeypatch.setenv("POWERTOOLS_LOGGER_LOG_EVENT", "true")
    reset_runtime()
    module = load_handler_module("enforcer")
    handler = module.logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous_stream = handler.setStream(buffer)
    previous_level = module.logger.log_level
    module.logger.setLevel(logging.DEBUG)
    try:
        yield module, buffer
    finally:
        module.logger.setLevel(previous_level)
        handler.setStream(previous_stream)
        reset_runtime()


def _assert_no_credentials(output: str) -> None:
    for name, value in CREDENTIALS.items():
        assert value not in output, f"{name} was printed"
        # Nor a recognisable piece of it (e.g. a truncated or split value).
        assert value[4:20] not in output, f"part of {name} was printed"


def test_skipped_events_log_their_reason_but_never_credentials(
    enforcer: tuple[Any, io.StringIO], capsys: pytest.CaptureFixture[str]
) -> None:
    module, logs = enforcer
    for sample, reason in SKIPPED_EVENTS.items():
        # When an event that needs no work reaches the handler
        result = module.lambda_handler(
            load_event(sample), FakeLambdaContext.for_function(ENFORCER_FUNCTION_NAME)
        )
        assert result["reason"] == reason

    # Then the log lines (captured: the check is not vacuous) say why, without credentials
    output = logs.getvalue() + capsys.readouterr().out
    assert output.count('"event skipped"') == len(SKIPPED_EVENTS)
    assert "cvpn-endpoint-" in output  # the logged events are really there
    _assert_no_credentials(output)


def test_malformed_events_never_print_credentials(
    enforcer: tuple[Any, io.StringIO], capsys: pytest.CaptureFixture[str]
) -> None:
    module, logs = enforcer
    for event in ({}, {"detail": "nonsense"}, {"detail-type": 1, "detail": {"eventName": []}}):
        result = module.lambda_handler(
            event, FakeLambdaContext.for_function(ENFORCER_FUNCTION_NAME)
        )
        assert result["reason"] == "malformed"
    output = logs.getvalue() + capsys.readouterr().out
    assert output.count('"event skipped"') == 3
    _assert_no_credentials(output)
