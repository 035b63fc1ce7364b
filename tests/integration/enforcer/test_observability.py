"""What the enforcer tells CloudWatch: EMF metrics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cvpn_guard.runtime import reset_runtime
from tests.support.estate import create_endpoint
from tests.support.events import load_event
from tests.support.world import EnforcerWorld


def _emf_blobs(output: str) -> list[dict[str, Any]]:
    blobs = []
    for line in output.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            blobs.append(json.loads(line))
    return blobs


def _metric_values(blobs: list[dict[str, Any]], name: str) -> list[tuple[dict[str, Any], float]]:
    found = []
    for blob in blobs:
        names = {m["Name"] for d in blob["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}
        if name in names:
            dimensions = {k: v for k, v in blob.items() if isinstance(v, str)}
            found.append(
                (dimensions, sum(blob[name]) if isinstance(blob[name], list) else blob[name])
            )
    return found


def test_a_remediation_counts_evaluated_violations_per_rule_and_remediated(
    in_process_world: EnforcerWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a drifted endpoint
    endpoint_id = create_endpoint(in_process_world.ec2, DisconnectOnSessionTimeout=False)
    capsys.readouterr()

    # When its event is handled
    in_process_world.invoke(load_event("create_endpoint_noncompliant", endpoint_id))

    # Then EMF carries the counts, violations broken down by rule
    blobs = _emf_blobs(capsys.readouterr().out)
    assert _metric_values(blobs, "Evaluated")[0][1] == 1
    assert _metric_values(blobs, "Remediated")[0][1] == 1
    rules = {d.get("rule") for d, _ in _metric_values(blobs, "Violations")}
    assert "disconnect-on-session-timeout" in rules


def test_a_skip_is_counted_by_reason_and_logged_once(
    in_process_world: EnforcerWorld,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # When our own change comes back
    capsys.readouterr()
    in_process_world.invoke(load_event("modify_endpoint_by_enforcer"))

    # Then one metric per reason
    blobs = _emf_blobs(capsys.readouterr().out)
    reasons = {d.get("reason") for d, _ in _metric_values(blobs, "Skipped")}
    assert "own_change" in reasons


def test_a_rule_left_unevaluated_by_a_failed_read_is_counted_by_rule(
    in_process_world: EnforcerWorld,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # Given an endpoint compliant with what could be read, whose routes cannot be read
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"version": 1, "mode": "enforce", "rules": {"routes": {}}}))
    monkeypatch.setenv("POLICY_FILE", str(policy))
    reset_runtime()
    endpoint_id = create_endpoint(in_process_world.ec2)
    in_process_world.faults.inject_error(
        "DescribeClientVpnRoutes", "UnauthorizedOperation", times=None
    )
    capsys.readouterr()

    # When its event is handled
    result = in_process_world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then the run ends compliant, but a notice says the rule was left unchecked (it may be
    # broken), and the rule is counted
    assert result["status"] == "compliant"
    (notice,) = in_process_world.notices()
    assert "DescribeClientVpnRoutes failed: UnauthorizedOperation" in notice["Message"]
    blobs = _emf_blobs(capsys.readouterr().out)
    counted = sorted((d.get("rule") or "", v) for d, v in _metric_values(blobs, "NotEvaluated"))
    assert counted == [("", 1), ("routes", 1)]  # once in all, once by rule
