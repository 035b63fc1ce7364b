"""The Terraform fixtures declare the CloudFormation fixture's endpoints: each Terraform endpoint
(of the plan and of the module) is found exactly what its CloudFormation twin is found, so an
equivalence test can judge it against the live endpoint deployed from the template."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cvpn_guard.evaluation import Evaluation, evaluate
from cvpn_guard.iac.cloudformation import read_template
from cvpn_guard.iac.declared import DeclaredEndpoint
from cvpn_guard.iac.terraform_hcl import read_module
from cvpn_guard.iac.terraform_plan import read_plan
from cvpn_guard.policy import Policy, default_policy, load_policy_file

ROOT = Path(__file__).parents[3]
FIXTURES = ROOT / "tests/fixtures/iac"
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)

LIVE_ONLY = frozenset({"device-posture", "certificate-revocation"})
"""Rules a Terraform endpoint leaves unevaluated whatever it declares: the provider has no
argument for device posture, and the revocation list is imported through the EC2 API."""


@cache
def _template() -> dict[str, DeclaredEndpoint]:
    path = FIXTURES / "cloudformation/client-vpn.yaml"
    return {e.name: e for e in read_template(str(path), path.read_text())}


@cache
def _plan() -> dict[str, DeclaredEndpoint]:
    path = FIXTURES / "terraform/plan.json"
    return {e.name: e for e in read_plan(str(path), json.loads(path.read_text()))}


@cache
def _module() -> dict[str, DeclaredEndpoint]:
    files = sorted((FIXTURES / "terraform/module").glob("*.tf"))
    return {e.name: e for e in read_module([(str(path), path.read_text()) for path in files])}


POLICIES: Mapping[str, Callable[[], Policy]] = {
    "baseline": default_policy,
    "strict": lambda: load_policy_file(ROOT / "policies/strict.yaml"),
}

# (CloudFormation logical id, Terraform reader, address, rules also unevaluated there and why)
TWINS = [
    pytest.param(
        "CompliantVpn",
        _plan,
        "aws_ec2_client_vpn_endpoint.compliant",
        # Created by the plan with its security group and VPC: their ids are known after apply.
        frozenset({"security-groups"}),
        id="plan-compliant",
    ),
    pytest.param(
        "DriftedVpn",
        _plan,
        "module.legacy.aws_ec2_client_vpn_endpoint.drifted",
        frozenset(),
        id="plan-drifted",
    ),
    pytest.param(
        "CompliantVpn",
        _module,
        "aws_ec2_client_vpn_endpoint.compliant",
        frozenset(),
        id="module-compliant",
    ),
    pytest.param(
        "DriftedVpn",
        _module,
        "aws_ec2_client_vpn_endpoint.drifted",
        frozenset(),
        id="module-drifted",
    ),
]


def _identities(endpoint: DeclaredEndpoint) -> dict[str, str]:
    """The ids that name this endpoint's own resources -> the role they play.

    They differ by construction between the twins (a logical id, an address, a live id; each
    reader's placeholders), so findings are compared with each id replaced by its role.
    """
    describe = endpoint.describe
    roles = {str(describe["ClientVpnEndpointId"]): "<endpoint>"}
    for group in endpoint.default_security_group_ids or ():
        roles[group] = "<default security group>"
    for group in describe.get("SecurityGroupIds", ()):
        roles.setdefault(str(group), "<security group>")
    if "VpcId" in describe:
        roles[str(describe["VpcId"])] = "<vpc>"
    for route in endpoint.routes or ():
        roles[str(route["TargetSubnet"])] = "<subnet>"
    return roles


def _neutral(value: Any, roles: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        for identity in sorted(roles, key=len, reverse=True):
            value = value.replace(identity, roles[identity])
        return value
    if isinstance(value, Mapping):
        return {key: _neutral(item, roles) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_neutral(item, roles) for item in value]
    return value


def _findings(
    endpoint: DeclaredEndpoint, evaluation: Evaluation, skipped: frozenset[str]
) -> dict[str, Any]:
    roles = _identities(endpoint)
    return {
        finding.rule: _neutral(finding.model_dump(mode="json"), roles)
        for finding in evaluation.findings
        if finding.rule not in skipped
    }


def _unevaluated(evaluation: Evaluation) -> frozenset[str]:
    return frozenset(u.rule for u in evaluation.unevaluated)


@pytest.mark.parametrize("policy_name", sorted(POLICIES))
@pytest.mark.parametrize(("logical_id", "reader", "address", "after_apply"), TWINS)
def test_each_terraform_endpoint_is_found_what_its_cloudformation_twin_is_found(
    policy_name: str,
    logical_id: str,
    reader: Callable[[], dict[str, DeclaredEndpoint]],
    address: str,
    after_apply: frozenset[str],
) -> None:
    # Given a Terraform endpoint and its twin in the CloudFormation template
    policy = POLICIES[policy_name]()
    twin = _template()[logical_id]
    endpoint = reader()[address]
    # When both are evaluated under the same policy
    expected = evaluate(twin.state(), policy, NOW)
    actual = evaluate(endpoint.state(), policy, NOW)
    # Then only the rules no Terraform file can tell, or the plan knows only after apply, are
    # left unevaluated on either side,
    skipped = _unevaluated(expected) | _unevaluated(actual)
    assert skipped <= LIVE_ONLY | after_apply
    # and every other rule finds the same, to the values and messages (ids as their roles)
    assert _findings(endpoint, actual, skipped) == _findings(twin, expected, skipped)
