"""``cvpn-guard scan --remediate`` honours the policy's maintenance windows like the functions,
unless ``--ignore-windows`` is given."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from cvpn_emulator.control import EmulatorControl
from tests.integration.cli.conftest import Cli
from tests.integration.sweeper.large_estate import REGIONS
from tests.support.estate import BANNER, create_endpoint
from tests.support.windows import banner_off_long_sessions, daily_window

pytestmark = pytest.mark.server


def _closed_window_policy(directory: Path) -> Path:
    # A daily window that opens two hours from now: closed for the whole test.
    window = daily_window(timedelta(hours=2))
    document = {
        "version": 1,
        "mode": "enforce",
        "rules": {
            "login-banner": {"required": True, "text": BANNER},
            "session-timeout": {"max_hours": 12},
        },
        "disruptive_fixes": {"when": "in_window", "windows": {"default": window}},
    }
    path = directory / "windows.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _drifted(url: str) -> tuple[Any, str]:
    ec2 = boto3.client("ec2", region_name=REGIONS[0], endpoint_url=url)
    return ec2, create_endpoint(ec2, **banner_off_long_sessions())


def test_remediate_defers_a_disruptive_fix_outside_the_window_unless_told_to_ignore_it(
    emulator_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a drifted endpoint and a policy whose window is closed now
    EmulatorControl(emulator_url).reset()
    ec2, endpoint_id = _drifted(emulator_url)
    cli = Cli(emulator_url, _closed_window_policy(tmp_path), capsys)

    # When the scan remediates
    first = cli.scan("--remediate", "--yes", "--format", "json", "--no-progress")

    # Then the banner is fixed and the session timeout deferred (exit 1: not settled)
    assert first.code == 1, first.err
    (endpoint,) = json.loads(first.out)["endpoints"]
    assert endpoint["status"] == "deferred"
    assert endpoint["fixed_rules"] == ["login-banner"]
    (held,) = [f for f in endpoint["findings"] if f["rule"] == "session-timeout"]
    assert held["deferred_until"].endswith("+00:00")
    described = ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])
    assert described["ClientVpnEndpoints"][0]["SessionTimeoutHours"] == 24

    # When it remediates again with --ignore-windows
    forced = cli.scan(
        "--remediate", "--yes", "--ignore-windows", "--format", "json", "--no-progress"
    )

    # Then the session timeout is fixed now
    assert forced.code == 0, forced.err
    assert json.loads(forced.out)["endpoints"][0]["fixed_rules"] == ["session-timeout"]
    described = ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])
    assert described["ClientVpnEndpoints"][0]["SessionTimeoutHours"] == 12


def test_ignore_windows_without_remediate_is_a_usage_error(
    emulator_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a plain scan asked to ignore windows
    cli = Cli(emulator_url, _closed_window_policy(tmp_path), capsys)

    # When it runs / Then it exits 2 naming the flag it needs
    run = cli.scan("--ignore-windows", "--no-progress")
    assert run.code == 2
    assert "--remediate" in run.err
