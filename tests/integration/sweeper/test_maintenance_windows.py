"""Disruptive fixes wait for the endpoint's maintenance window; the sweeper applies them there.

The sweep (what the sweeper, the sweep worker and ``scan --remediate`` run) at a fixed "now"
through the real adapters; then the sweeper Lambda's window tick over HTTP, at the real now,
with windows placed around it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from cvpn_guard.aws.ec2 import ClientVpnApi
from cvpn_guard.memory_state import InMemoryState
from cvpn_guard.policy import load_policy
from cvpn_guard.runtime import reset_runtime
from cvpn_guard.sweep import sweep_region
from tests.integration.sweeper.conftest import HOME_REGION, SweeperWorld
from tests.support.estate import BANNER, create_endpoint, create_state_table
from tests.support.windows import banner_off_long_sessions, daily_window
from tests.support.world import REGION, EnforcerWorld
from tests.unit.policy.builders import FRIDAY_NOON, SATURDAY_0230_BERLIN, WEEKEND_NIGHTS

ACCOUNT = "123456789012"
RULES = {
    "login-banner": {"required": True, "text": BANNER},
    "session-timeout": {"max_hours": 12},
}


def policy_document(disruptive_fixes: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "mode": "enforce", "rules": RULES, "disruptive_fixes": disruptive_fixes}


def drifted_endpoint(ec2: Any, cidr: str = "10.100.0.0/22") -> str:
    return create_endpoint(ec2, cidr=cidr, **banner_off_long_sessions())


def sweep_at(world: EnforcerWorld, document: dict[str, Any], now: datetime) -> Any:
    (report,) = sweep_region(
        ClientVpnApi(world.ec2),
        load_policy(json.dumps(document)),
        account=ACCOUNT,
        region=REGION,
        locks=InMemoryState(),
        clock=lambda: now,
    ).endpoints
    return report


def test_outside_its_window_the_banner_is_fixed_and_the_session_timeout_waits_for_it(
    in_process_world: EnforcerWorld,
) -> None:
    # Given a drifted endpoint and a weekend-night window, closed on Friday at noon
    world = in_process_world
    endpoint_id = drifted_endpoint(world.ec2)
    document = policy_document({"when": "in_window", "windows": {"default": WEEKEND_NIGHTS}})

    # When the region is swept on Friday at noon
    report = sweep_at(world, document, FRIDAY_NOON)

    # Then the banner was fixed and the session timeout deferred to Saturday 02:00 Berlin
    assert str(report.status) == "deferred"
    assert report.fixed_rules == ("login-banner",)
    described = world.describe(endpoint_id)
    assert described["ClientLoginBannerOptions"]["Enabled"] is True
    assert described["SessionTimeoutHours"] == 24
    (held,) = [f for f in report.findings if f.rule == "session-timeout"]
    assert held.deferred_until.isoformat() == "2026-12-05T02:00:00+01:00"
    assert "deferred until 2026-12-05T02:00:00+01:00" in held.message
    assert report.users_affected is None  # nobody was disconnected

    # When it is swept again inside the window (the sweep describes and evaluates anew)
    inside = sweep_at(world, document, SATURDAY_0230_BERLIN)

    # Then only the session timeout is left to fix, and it is fixed
    assert str(inside.status) == "remediated"
    assert inside.fixed_rules == ("session-timeout",)
    assert world.describe(endpoint_id)["SessionTimeoutHours"] == 12


def test_when_never_a_disruptive_fix_is_never_applied(in_process_world: EnforcerWorld) -> None:
    # Given a drifted endpoint under a policy that never applies disruptive fixes
    world = in_process_world
    endpoint_id = drifted_endpoint(world.ec2)
    document = policy_document({"when": "never"})

    # When it is swept twice, at any time
    first = sweep_at(world, document, FRIDAY_NOON)
    second = sweep_at(world, document, SATURDAY_0230_BERLIN)

    # Then the banner is fixed once, the session timeout reported and never changed
    assert first.fixed_rules == ("login-banner",)
    assert [f.rule for f in second.findings] == ["session-timeout"]
    assert str(second.status) == "non_compliant"
    assert world.describe(endpoint_id)["SessionTimeoutHours"] == 24
    assert world.modify_calls(endpoint_id) == 1


def test_too_many_connected_users_defer_the_fix_inside_the_window(
    in_process_world: EnforcerWorld,
) -> None:
    # Given the window open, 3 users connected and at most 2 allowed
    world = in_process_world
    endpoint_id = drifted_endpoint(world.ec2)
    world.faults.seed_connections(endpoint_id, 3)
    document = policy_document(
        {"when": "in_window", "max_connected_users": 2, "windows": {"default": WEEKEND_NIGHTS}}
    )

    # When it is swept inside the window
    report = sweep_at(world, document, SATURDAY_0230_BERLIN)

    # Then the session timeout waits for fewer users (no window start to wait for)
    assert str(report.status) == "deferred"
    (held,) = [f for f in report.findings if f.rule == "session-timeout"]
    assert held.deferred_until is None
    assert "3 users are connected" in held.message
    assert world.describe(endpoint_id)["SessionTimeoutHours"] == 24


# ---- the sweeper's window tick, as deployed (over HTTP, at the real now) ---------------------


def _use_policy(world: SweeperWorld, document: dict[str, Any]) -> None:
    path: Path = world.policy_dir / "windows.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    world.monkeypatch.setenv("POLICY_FILE", str(path))
    reset_runtime()


def _tick(world: SweeperWorld) -> dict[str, Any]:
    from cvpn_devkit.lambda_harness import FakeLambdaContext

    from tests.integration.sweeper.conftest import SWEEPER, SWEEPER_ARN

    context = FakeLambdaContext(function_name=SWEEPER, invoked_function_arn=SWEEPER_ARN)
    event = json.loads((Path(__file__).parents[3] / "events/sweeper/window_tick.json").read_text())
    result: dict[str, Any] = world.app.lambda_handler(event, context)
    return result


@pytest.mark.server
def test_the_window_tick_applies_deferred_fixes_once_per_opening(world: SweeperWorld) -> None:
    # Given a drifted endpoint, a state table, and the daily sweep having deferred its
    # session timeout (its window opens in two hours)
    ec2 = boto3.client("ec2", region_name=HOME_REGION, endpoint_url=world.url)
    endpoint_id = drifted_endpoint(ec2)
    dynamodb = boto3.client("dynamodb", region_name=HOME_REGION, endpoint_url=world.url)
    world.monkeypatch.setenv("STATE_TABLE_NAME", create_state_table(dynamodb))
    world.monkeypatch.setenv("SWEEP_REGIONS", HOME_REGION)
    closed = policy_document(
        {"when": "in_window", "windows": {"default": daily_window(timedelta(hours=2))}}
    )
    _use_policy(world, closed)
    daily = world.invoke()
    assert daily["summary"]["deferred"] == 1, daily
    world.notices()  # drained: the daily report

    # When the tick comes while the window is still closed
    calls_before = world.control.call_counts().get("DescribeClientVpnEndpoints", 0)
    idle = _tick(world)

    # Then it returns at once: no endpoint read, nothing published
    assert idle["window_tick"] == "idle", idle
    assert "no maintenance window is open" in idle["reason"]
    assert world.control.call_counts().get("DescribeClientVpnEndpoints", 0) == calls_before
    assert world.notices() == []

    # When the window is open (the policy changed, no stack update) and the tick comes
    _use_policy(
        world,
        policy_document(
            {"when": "in_window", "windows": {"default": daily_window(-timedelta(minutes=30))}}
        ),
    )
    swept = _tick(world)

    # Then the sweep described the endpoint again and applied the deferred fix, and said so
    assert swept["window_tick"] == "swept", swept
    assert swept["settled"] is True
    described = ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])
    assert described["ClientVpnEndpoints"][0]["SessionTimeoutHours"] == 12
    (notice,) = world.notices()
    report = json.loads(notice["Message"])
    assert report["summary"]["remediated"] == 1
    assert report["endpoints"][0]["fixed_rules"] == ["session-timeout"]

    # When the next tick comes inside the same opening
    again = _tick(world)

    # Then it does nothing: this opening's deferred fixes were applied
    assert again["window_tick"] == "idle", again
    assert "applied already" in again["reason"]
    assert world.notices() == []
