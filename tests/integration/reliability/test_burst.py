"""A bounded burst: 1,000 create/modify events for 300 endpoints, handled concurrently.

What the burst proves is concurrency (8 invocations at once, redeliveries among them), not the
wire: the full burst runs in process, and a small one over HTTP (the wire under concurrency)."""

from __future__ import annotations

import functools
import random
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from cvpn_devkit.endpoint_request import create_log_group

from cvpn_guard.aws import policy_store
from cvpn_guard.endpoint import ClientVpnEndpoint, EndpointState
from cvpn_guard.evaluation import evaluate
from cvpn_guard.policy import load_policy_file
from cvpn_guard.runtime import reset_runtime
from tests.support.estate import BANNER, compliant_overrides, create_endpoint, seed_endpoint
from tests.support.events import load_event
from tests.support.world import REGION, EnforcerWorld

WORKERS = 8
REDELIVERED = 50
SAMPLES = ("create_endpoint_noncompliant", "modify_endpoint_by_user", "modify_endpoint_by_iam_user")

# Every rule of this policy can be fixed, so "every endpoint ends compliant" is checkable.
FIXABLE_POLICY = f"""
version: 1
mode: enforce
rules:
  disconnect-on-session-timeout: {{required: true}}
  session-timeout: {{max_hours: 12}}
  login-banner: {{required: true, text: "{BANNER}"}}
  connection-logging: {{required: true, log_group: /aws/clientvpn}}
  self-service-portal: {{allowed: false}}
"""


@dataclass(frozen=True)
class Burst:
    endpoints: int
    drifted: int
    events: int


FULL = Burst(endpoints=300, drifted=200, events=1_000)
SMALL = Burst(endpoints=20, drifted=12, events=60)


def _seed(world: EnforcerWorld, burst: Burst) -> tuple[list[str], set[str]]:
    # In process the endpoints go straight into the emulator's backend: they are the burst's
    # given state, not what it proves (300 CreateClientVpnEndpoint calls cost ~4 s); over
    # HTTP they are created through the API.
    in_process = world.mode == "in_process"
    # The policy's log group exists: Client VPN logs only into a group that does.
    create_log_group(boto3.client("logs", region_name=REGION), "/aws/clientvpn")
    ids, drifted = [], set()
    for n in range(burst.endpoints):
        cidr = f"10.{64 + n // 64}.{(n % 64) * 4}.0/22"
        settings = (
            {"DisconnectOnSessionTimeout": n % 2 == 0}
            if n < burst.drifted
            else compliant_overrides()
        )
        if in_process:
            endpoint_id = seed_endpoint(REGION, f"burst-{n}", cidr=cidr, **settings)
        else:
            endpoint_id = create_endpoint(world.ec2, cidr=cidr, **settings)
        if n < burst.drifted:
            drifted.add(endpoint_id)
        ids.append(endpoint_id)
    return ids, drifted


def _events(ids: list[str], burst: Burst) -> list[dict[str, Any]]:
    rng = random.Random(20261127)
    # Every endpoint gets at least one event, the rest are random; some are re-delivered.
    redelivered = min(REDELIVERED, burst.events // 10)
    targets = ids + [rng.choice(ids) for _ in range(burst.events - len(ids) - redelivered)]
    events = [
        load_event(
            rng.choice(SAMPLES), endpoint_id, event_id=str(uuid.UUID(int=rng.getrandbits(128)))
        )
        for endpoint_id in targets
    ]
    events += [rng.choice(events) for _ in range(redelivered)]  # at-least-once delivery
    rng.shuffle(events)
    return events


@pytest.mark.slow
def test_burst_converges_with_one_modify_per_drifted_endpoint(
    world: EnforcerWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 300 endpoints, 200 of them drifted, and a policy whose every rule can be fixed
    # When 1,000 events are handled by 8 concurrent invocations
    # Then every endpoint converges, with one modify and one notice per drifted endpoint
    _converges(FULL, world, tmp_path, monkeypatch)


@pytest.mark.server
def test_a_small_burst_over_http_converges_with_one_modify_per_drifted_endpoint(
    server_world: EnforcerWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 20 endpoints, 12 of them drifted; When 60 events are handled by 8 concurrent
    # invocations over HTTP; Then every endpoint converges, one modify and one notice per
    # drifted one
    _converges(SMALL, server_world, tmp_path, monkeypatch)


def _converges(
    burst: Burst, world: EnforcerWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the burst's endpoints, some drifted, and a policy whose every rule can be fixed
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(FIXABLE_POLICY)
    monkeypatch.setenv("POLICY_FILE", str(policy_file))
    # Powertools keeps one metric buffer per process and flushes it unlocked: Lambda never runs
    # two invocations in one process, these threads do. Metrics are not what this test checks.
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    # The enforcer reads POLICY_FILE on every invocation (a file policy is for local runs and
    # tests; a deployment's comes from SSM, cached): parsed once here, the burst's 1,000
    # parses of one unchanged file (~10% of its time) go. The file read is policy_store's
    # tests' subject, not the burst's.
    monkeypatch.setattr(policy_store, "load_policy_file", functools.cache(load_policy_file))
    reset_runtime()
    ids, drifted = _seed(world, burst)
    events = _events(ids, burst)
    assert len(events) == burst.events
    assert len(drifted) == burst.drifted

    # When its events are handled by 8 concurrent invocations
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(world.invoke, events))

    # Then nothing raised and every endpoint is compliant
    statuses = Counter(r["status"] for r in results)
    assert statuses["remediated"] == burst.drifted, statuses
    assert set(statuses) <= {"remediated", "compliant", "duplicate"}, statuses
    policy = load_policy_file(policy_file)
    ec2 = boto3.client("ec2", region_name="eu-west-1")
    for page in ec2.get_paginator("describe_client_vpn_endpoints").paginate():
        for item in page["ClientVpnEndpoints"]:
            state = EndpointState(endpoint=ClientVpnEndpoint.from_describe(item))
            assert evaluate(state, policy, datetime.now(UTC)).findings == ()
    # And one modify per endpoint that needed one, none for the others
    counts = world.faults.endpoint_call_counts().get("ModifyClientVpnEndpoint", {})
    assert set(counts) == drifted
    assert set(counts.values()) == {1}
    # And exactly one notice per event that found its endpoint non-compliant
    notices = world.notices()
    assert len(notices) == burst.drifted
    assert {n["MessageAttributes"]["endpoint_id"]["Value"] for n in notices} == drifted
