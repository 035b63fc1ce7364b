"""The enforcer, end to end in-process: moto + our Client VPN emulator, real boto3 calls."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

import cvpn_emulator
from cvpn_guard.runtime import reset_runtime
from tests.support.estate import create_state_table, received_notices, subscribe_queue
from tests.support.events import ENFORCER_FUNCTION_NAME, ENFORCER_ROLE_ARN
from tests.support.lambda_context import FakeLambdaContext

REPO = Path(__file__).resolve().parents[3]
REGION = "eu-west-1"


def load_handler_module(function: str) -> ModuleType:
    """Import ``functions/<function>/app.py`` the way Lambda does: by file, not as a package."""
    spec = importlib.util.spec_from_file_location(
        f"{function}_app", REPO / "functions" / function / "app.py"
    )
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def enforcer_app() -> ModuleType:
    return load_handler_module("enforcer")


@dataclass
class EnforcerWorld:
    """Everything a test needs: clients, the notice queue and the handler."""

    ec2: Any
    sqs: Any
    queue_url: str
    invoke: Callable[[dict[str, Any]], dict[str, Any]]

    def notices(self) -> list[dict[str, Any]]:
        return received_notices(self.sqs, self.queue_url)

    def describe(self, endpoint_id: str) -> dict[str, Any]:
        items = self.ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])[
            "ClientVpnEndpoints"
        ]
        return dict(items[0])


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, enforcer_app: ModuleType) -> Iterator[EnforcerWorld]:
    cvpn_emulator.install()
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", ENFORCER_FUNCTION_NAME)
    monkeypatch.setenv("LOOP_GUARD_ROLE_ARNS", ENFORCER_ROLE_ARN)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
    for name in ("POLICY_PARAMETER", "POLICY_FILE", "ENFORCEMENT_MODE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        sns = boto3.client("sns", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        topic_arn, queue_url = subscribe_queue(sns, sqs)
        monkeypatch.setenv("NOTIFICATION_TOPIC_ARN", topic_arn)
        monkeypatch.setenv(
            "STATE_TABLE_NAME", create_state_table(boto3.client("dynamodb", region_name=REGION))
        )
        reset_runtime()

        def invoke(event: dict[str, Any]) -> dict[str, Any]:
            result: dict[str, Any] = enforcer_app.lambda_handler(event, FakeLambdaContext())
            return result

        yield EnforcerWorld(ec2=ec2, sqs=sqs, queue_url=queue_url, invoke=invoke)
        cvpn_emulator.clear_faults()
        cvpn_emulator.reset_call_counts()
    reset_runtime()
