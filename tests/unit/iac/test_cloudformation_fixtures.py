"""The CloudFormation, SAM and CDK fixtures: read, judged by the baseline policy as the enforcer
would judge the endpoints they create, and valid for cfn-lint."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cvpn_guard.evaluation import evaluate
from cvpn_guard.iac.cfn_intrinsics import default_security_group_id, placeholder_id
from cvpn_guard.iac.cloudformation import read_template
from cvpn_guard.iac.declared import DeclaredEndpoint, SourceKind
from cvpn_guard.policy.loader import default_policy
from tests.support.iac_fixtures import BASELINE_DRIFT

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "iac"
CLOUDFORMATION = FIXTURES / "cloudformation" / "client-vpn.yaml"
SAM = FIXTURES / "sam" / "template.yaml"
CDK = FIXTURES / "cdk.out" / "VpnStack.template.json"
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)

EVERY_DRIFT = BASELINE_DRIFT
# template, compliant endpoint, drifted endpoint, the rules the drifted one breaks
CASES = [
    pytest.param(CLOUDFORMATION, "CompliantVpn", "DriftedVpn", EVERY_DRIFT, id="cloudformation"),
    # SAM's drifted endpoint leaves DisconnectOnSessionTimeout to its default, true today
    pytest.param(
        SAM,
        "CompliantVpn",
        "DriftedVpn",
        tuple(rule for rule in EVERY_DRIFT if rule != "disconnect-on-session-timeout"),
        id="sam",
    ),
    pytest.param(CDK, "CompliantVpnE1F2A3B4", "DriftedVpn5C6D7E8F", EVERY_DRIFT, id="cdk"),
]


def _read(path: Path) -> dict[str, DeclaredEndpoint]:
    relative = str(path.relative_to(FIXTURES.parent.parent))
    return {d.name: d for d in read_template(relative, path.read_text(encoding="utf-8"))}


@pytest.mark.parametrize(("path", "compliant", "drifted", "broken"), CASES)
def test_each_template_declares_its_compliant_and_drifted_endpoint(
    path: Path, compliant: str, drifted: str, broken: tuple[str, ...]
) -> None:
    # When the template is read
    endpoints = _read(path)

    # Then exactly its two Client VPN endpoints come out, from the file as named
    assert list(endpoints) == [compliant, drifted]
    assert {d.kind for d in endpoints.values()} == {SourceKind.CLOUDFORMATION}
    assert {d.file for d in endpoints.values()} == {f"fixtures/iac/{path.parent.name}/{path.name}"}


@pytest.mark.parametrize(("path", "compliant", "drifted", "broken"), CASES)
def test_the_compliant_endpoint_meets_the_baseline_policy(
    path: Path, compliant: str, drifted: str, broken: tuple[str, ...]
) -> None:
    # Given the compliant endpoint as the template declares it
    declared = _read(path)[compliant]

    # When the bundled baseline judges it, as the enforcer would
    evaluation = evaluate(declared.state(), default_policy(), NOW)

    # Then it breaks nothing, and every active rule could be judged
    assert evaluation.findings == ()
    assert evaluation.unevaluated == ()


@pytest.mark.parametrize(("path", "compliant", "drifted", "broken"), CASES)
def test_the_drifted_endpoint_breaks_the_expected_rules(
    path: Path, compliant: str, drifted: str, broken: tuple[str, ...]
) -> None:
    # Given the drifted endpoint as the template declares it
    declared = _read(path)[drifted]

    # When the bundled baseline judges it
    evaluation = evaluate(declared.state(), default_policy(), NOW)

    # Then it breaks exactly the rules its drift is about
    assert evaluation.violated_rules == broken
    assert evaluation.unevaluated == ()


def test_a_finding_can_point_at_the_line_that_writes_the_value() -> None:
    # Given the drifted endpoint of the YAML template and the lines of its text
    declared = _read(CLOUDFORMATION)["DriftedVpn"]
    lines = CLOUDFORMATION.read_text(encoding="utf-8").splitlines()

    # Then the resource's line is its logical id's, and a property's line is where it is written
    assert lines[declared.line - 1].strip() == "DriftedVpn:"  # type: ignore[operator]
    timeout_line = declared.line_of(("SessionTimeoutHours",))
    assert lines[timeout_line - 1].strip() == "SessionTimeoutHours: !Ref DriftedTimeoutHours"  # type: ignore[operator]
    # and a value left to its default points at the resource
    assert declared.line_of(("SelfServicePortalUrl",)) == declared.line


def test_defaults_are_recorded_with_their_source() -> None:
    # Given the drifted endpoint, which leaves the portal and the banner out
    declared = _read(CLOUDFORMATION)["DriftedVpn"]

    # Then the Describe item shows what AWS would create, and says where it comes from
    assert "SelfServicePortalUrl" in declared.describe
    assert "CloudFormation's default" in declared.defaulted["SelfServicePortalUrl"]
    assert declared.describe["ClientLoginBannerOptions"] == {"Enabled": False}
    assert "EC2 API's default" in declared.defaulted["ClientLoginBannerOptions"]
    # and what it writes is not marked defaulted
    assert "SessionTimeoutHours" not in declared.defaulted


def test_related_resources_join_their_endpoint_in_describe_shape() -> None:
    # Given the YAML template's endpoints
    endpoints = _read(CLOUDFORMATION)
    subnet = placeholder_id("subnet-", "Subnet")

    # Then each gets its own authorization rules, and its routes with the association's
    drifted = endpoints["DriftedVpn"]
    assert [(r["DestinationCidr"], r["AccessAll"]) for r in drifted.authorization_rules] == [
        ("0.0.0.0/0", True)
    ]
    assert drifted.routes is not None
    assert [(r["DestinationCidr"], r["TargetSubnet"], r["Origin"]) for r in drifted.routes] == [
        ("10.0.0.0/16", subnet, "associate"),
        ("0.0.0.0/0", subnet, "add-route"),
    ]
    compliant = endpoints["CompliantVpn"]
    assert [(r["GroupId"], r["AccessAll"]) for r in compliant.authorization_rules] == [
        ("engineering", False)
    ]


def test_the_vpcs_default_security_group_is_known_when_the_vpc_is_in_the_template() -> None:
    # Given the SAM template, whose drifted endpoint names its VPC's default security group
    endpoints = _read(SAM)
    default_group = default_security_group_id("Vpc")

    # Then both endpoints know the VPC's default group, and the drifted one uses it
    assert endpoints["DriftedVpn"].describe["SecurityGroupIds"] == [default_group]
    assert endpoints["DriftedVpn"].default_security_group_ids == frozenset({default_group})
    assert endpoints["CompliantVpn"].default_security_group_ids == frozenset({default_group})


def test_live_only_inputs_are_unknown_not_unresolved() -> None:
    # Given any declared endpoint
    declared = _read(CDK)["CompliantVpnE1F2A3B4"]

    # Then the revocation list (imported by API) is unknown, and no policy is declared
    assert "revocation_list" in declared.unknown
    assert declared.unresolved == {}
    assert declared.authorization_policy == {"ClientVpnEndpointId": "CompliantVpnE1F2A3B4"}


def test_a_value_only_a_deployment_knows_is_unresolved_with_its_expression() -> None:
    # Given the SAM template, whose client connect handler is its function's ARN
    declared = _read(SAM)["CompliantVpn"]

    # Then the field is left out of the Describe item and says why
    assert "ClientConnectOptions" not in declared.describe
    assert declared.unresolved["ClientConnectOptions"].startswith("!GetAtt ConnectHandler.Arn (")


def test_the_fixtures_are_valid_for_cfn_lint() -> None:
    # Given cfn-lint from the development environment
    cfn_lint = Path(sys.executable).parent / "cfn-lint"

    # When it checks the three fixtures
    result = subprocess.run(
        [str(cfn_lint), str(CLOUDFORMATION), str(SAM), str(CDK)],
        capture_output=True,
        text=True,
        check=False,
    )

    # Then it finds nothing to complain about
    assert result.returncode == 0, result.stdout + result.stderr
