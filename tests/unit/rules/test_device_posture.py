"""The device-posture rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
finer points."""

from __future__ import annotations

import pytest

from cvpn_guard.endpoint_calls import LeaveShadowMode
from cvpn_guard.exceptions import PolicyError
from cvpn_guard.policy import Severity
from tests.unit.policy.builders import (
    AUTHORIZATION_POLICY,
    ENDPOINT_ID,
    FULL_RULES,
    POLICY_DOCUMENT,
    build_policy,
    build_state,
    evaluate_at,
)
from tests.unit.rules.cases import RuleCase

CASE = RuleCase(
    "device-posture",
    {},
    None,
    disruptive=True,
    severity=Severity.HIGH,
    reads={"authorization_policy": {**AUTHORIZATION_POLICY, "ShadowMode": "enabled"}},
    calls=(LeaveShadowMode(policy_document=POLICY_DOCUMENT),),
)


SHADOWED = {**AUTHORIZATION_POLICY, "ShadowMode": "enabled"}


def test_device_posture_without_options_wants_a_policy_in_force() -> None:
    # Given an endpoint whose Get answers with its id only (no policy), DevicePostureOptions
    # absent (AWS's default: no trust providers)
    state = build_state(
        drop=("DevicePostureOptions",),
        authorization_policy={"ClientVpnEndpointId": ENDPOINT_ID},
    )
    # When the rule has its defaults (no provider required)
    (finding,) = evaluate_at(state, build_policy({"device-posture": {}})).findings
    # Then the missing policy is the finding, and nothing can fix it
    assert "no authorization policy in force" in finding.message
    assert not finding.remediable
    assert not finding.disruptive


@pytest.mark.parametrize(
    ("required", "met"),
    [
        ({"trust_provider_type": "crowdstrike"}, True),
        ({"trust_provider_type": "crowdstrike", "tenant_id": "tenant-1"}, True),
        ({"trust_provider_type": "crowdstrike", "tenant_id": "tenant-2"}, False),
        ({"trust_provider_type": "jamf"}, False),
    ],
)
def test_required_trust_providers_match_type_and_tenant(
    required: dict[str, str], met: bool
) -> None:
    policy = build_policy({"device-posture": {"required_trust_providers": [required]}})
    assert bool(evaluate_at(build_state(), policy).findings) is not met


def test_missing_shadow_mode_reads_as_disabled_awss_default() -> None:
    # AUTHORIZATION_POLICY has no ShadowMode: the API reference's default is "disabled".
    assert evaluate_at(build_state(), build_policy({"device-posture": {}})).findings == ()


@pytest.mark.parametrize("status", ["deleting", "failed"])
def test_a_policy_being_deleted_or_failed_is_not_in_force(status: str) -> None:
    state = build_state(authorization_policy={**AUTHORIZATION_POLICY, "Status": status})
    (finding,) = evaluate_at(state, build_policy({"device-posture": {}})).findings
    assert f"status {status}" in finding.message


def test_shadow_mode_is_left_only_when_it_is_the_one_problem() -> None:
    # Given a shadowed policy on an endpoint that also lacks its required provider
    state = build_state(drop=("DevicePostureOptions",), authorization_policy=SHADOWED)
    policy = build_policy({"device-posture": FULL_RULES["device-posture"]})
    evaluation = evaluate_at(state, policy)
    # Then both are reported, and nothing is enforced on an endpoint without its provider
    (finding,) = evaluation.findings
    assert "crowdstrike" in finding.message
    assert "shadow mode" in finding.message
    assert evaluation.plan.is_empty


def test_shadow_mode_is_reported_not_left_by_default() -> None:
    state = build_state(authorization_policy=SHADOWED)
    evaluation = evaluate_at(state, build_policy({"device-posture": {}}))
    (finding,) = evaluation.findings
    assert not finding.remediable
    assert finding.disruptive  # what leaving it would do, told even though it is off
    assert evaluation.plan.is_empty


def test_shadow_mode_allowed_is_not_a_finding() -> None:
    state = build_state(authorization_policy=SHADOWED)
    policy = build_policy({"device-posture": {"forbid_shadow_mode": False}})
    assert evaluate_at(state, policy).findings == ()


def test_device_posture_policy_not_read_is_not_evaluated() -> None:
    evaluation = evaluate_at(
        build_state(authorization_policy=None), build_policy({"device-posture": {}})
    )
    assert [rule.rule for rule in evaluation.unevaluated] == ["device-posture"]


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"remediate": True}, "leave_shadow_mode: true"),
        ({"forbid_shadow_mode": False, "leave_shadow_mode": True}, "needs forbid_shadow_mode"),
    ],
)
def test_device_posture_options_that_cannot_work_are_refused(
    options: dict[str, bool], says: str
) -> None:
    with pytest.raises(PolicyError, match=says):
        build_policy({"device-posture": options})
