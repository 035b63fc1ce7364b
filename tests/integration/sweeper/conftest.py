"""The sweeper end to end: the emulator server in-process, a large estate, SNS -> SQS."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cvpn_devkit.lambda_harness import FakeLambdaContext, load_handler

import cvpn_emulator
from cvpn_emulator.control import EmulatorControl
from cvpn_emulator.server import running_emulator
from cvpn_guard.runtime import reset_runtime
from tests.integration.sweeper.large_estate import (
    REGIONS,
    SIZES,
    EstateTruth,
    seed_large_estate,
    write_policy,
)
from tests.integration.sweeper.report_checks import report_document
from tests.support.estate import received_notices, subscribe_queue
from tests.support.sessions import shared_session

REPO = Path(__file__).resolve().parents[3]
HOME_REGION = REGIONS[0]
SWEEPER = "cvpn-guard-sweeper"
SWEEPER_ARN = f"arn:aws:lambda:{HOME_REGION}:123456789012:function:{SWEEPER}"


@pytest.fixture(scope="module")
def emulator_url() -> Iterator[str]:
    """The emulator over real HTTP, in this process (so estates can be seeded directly)."""
    cvpn_emulator.install()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request
    with running_emulator() as url:
        yield url


@pytest.fixture(scope="module")
def sweeper_app() -> ModuleType:
    return load_handler(REPO, "sweeper")


@dataclass
class SweeperWorld:
    """An empty emulator wired to the sweeper; ``seed`` creates the estate and policy."""

    url: str
    control: EmulatorControl
    sqs: Any
    queue_url: str
    app: ModuleType
    policy_dir: Path
    monkeypatch: pytest.MonkeyPatch

    def seed(self, sizes: Mapping[str, int] = SIZES, *, mode: str = "enforce") -> EstateTruth:
        truth = seed_large_estate(sizes)
        self.monkeypatch.setenv("POLICY_FILE", str(write_policy(self.policy_dir, truth, mode=mode)))
        reset_runtime()
        return truth

    def invoke(self) -> dict[str, Any]:
        context = FakeLambdaContext(function_name=SWEEPER, invoked_function_arn=SWEEPER_ARN)
        result: dict[str, Any] = self.app.lambda_handler({"source": "aws.events"}, context)
        return result

    def notices(self) -> list[dict[str, Any]]:
        return received_notices(self.sqs, self.queue_url)

    def received_report(self) -> dict[str, Any]:
        """The report the SQS subscriber received (parts joined), parsed."""
        document: dict[str, Any] = json.loads(report_document(self.notices()))
        return document


@pytest.fixture
def world(
    emulator_url: str,
    sweeper_app: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Iterator[SweeperWorld]:
    control = EmulatorControl(emulator_url)
    control.reset()  # every test starts from an empty emulator
    sns = shared_session().client("sns", region_name=HOME_REGION, endpoint_url=emulator_url)
    sqs = shared_session().client("sqs", region_name=HOME_REGION, endpoint_url=emulator_url)
    topic_arn, queue_url = subscribe_queue(sns, sqs)
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator_url)
    monkeypatch.setenv("AWS_REGION", HOME_REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", HOME_REGION)
    monkeypatch.setenv("SWEEP_REGIONS", ",".join(REGIONS))
    monkeypatch.setenv("NOTIFICATION_TOPIC_ARN", topic_arn)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", SWEEPER)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    for name in ("STATE_TABLE_NAME", "ENFORCEMENT_MODE", "POLICY_PARAMETER", "POLICY_FILE"):
        monkeypatch.delenv(name, raising=False)
    reset_runtime()
    yield SweeperWorld(
        url=emulator_url,
        control=control,
        sqs=sqs,
        queue_url=queue_url,
        app=sweeper_app,
        policy_dir=tmp_path,
        monkeypatch=monkeypatch,
    )
    control.clear_faults()
    reset_runtime()
