"""Reading ``terraform show -json`` of a plan: planned values, what is known only after apply,
and the joins through the configuration's references."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cvpn_guard.evaluation import evaluate
from cvpn_guard.iac.declared import DeclaredEndpoint, SourceError, SourceKind
from cvpn_guard.iac.terraform_fields import placeholder_id
from cvpn_guard.iac.terraform_plan import is_plan, read_plan
from cvpn_guard.policy.loader import default_policy
from tests.support.iac_fixtures import BASELINE_DRIFT

PLAN = Path(__file__).parents[2] / "fixtures/iac/terraform/plan.json"
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
COMPLIANT = "aws_ec2_client_vpn_endpoint.compliant"
DRIFTED = "module.legacy.aws_ec2_client_vpn_endpoint.drifted"
DRIFTED_RULES = set(BASELINE_DRIFT)


def _plan() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PLAN.read_text())
    return data


def _read(data: dict[str, Any] | None = None) -> dict[str, DeclaredEndpoint]:
    return {e.name: e for e in read_plan("plan.json", _plan() if data is None else data)}


def _resource(data: dict[str, Any], address: str) -> dict[str, Any]:
    resources = data["planned_values"]["root_module"]["resources"]
    found: dict[str, Any] = next(r for r in resources if r["address"] == address)
    return found


def _change(data: dict[str, Any], address: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in data["resource_changes"] if c["address"] == address)
    return found


def test_the_fixture_is_a_plan_and_other_json_is_not() -> None:
    # Given the plan, a CloudFormation template and a describe answer
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}
    estate = {"ClientVpnEndpoints": []}
    # Then only the plan is one
    assert is_plan(_plan())
    assert not is_plan(template)
    assert not is_plan(estate)
    assert not is_plan([_plan()])


def test_the_compliant_endpoint_meets_the_baseline() -> None:
    # Given the plan's compliant endpoint, created by this plan
    endpoint = _read()[COMPLIANT]
    # When it is evaluated against the bundled policy
    evaluation = evaluate(endpoint.state(), default_policy(), NOW)
    # Then nothing is found and every rule of the baseline could be checked
    assert endpoint.kind is SourceKind.TERRAFORM_PLAN
    assert endpoint.line is None
    assert evaluation.findings == ()
    assert evaluation.unevaluated == ()


def test_the_drifted_endpoint_of_a_module_breaks_each_rule() -> None:
    # Given the drifted endpoint, an existing one in module.legacy
    endpoint = _read()[DRIFTED]
    # When it is evaluated
    evaluation = evaluate(endpoint.state(), default_policy(), NOW)
    # Then it keeps its live id and every rule of the baseline is violated
    assert endpoint.describe["ClientVpnEndpointId"] == "cvpn-endpoint-0123456789abcdef0"
    assert set(evaluation.violated_rules) == DRIFTED_RULES


def test_an_endpoint_being_deleted_is_not_read() -> None:
    # Given a plan that deletes aws_ec2_client_vpn_endpoint.retired
    assert _change(_plan(), "aws_ec2_client_vpn_endpoint.retired")["change"]["actions"] == [
        "delete"
    ]
    # When read
    names = set(_read())
    # Then only the endpoints that stay
    assert names == {COMPLIANT, DRIFTED}


def test_values_known_only_after_apply_are_unresolved() -> None:
    # Given the compliant endpoint, whose groups and VPC come from resources being created
    endpoint = _read()[COMPLIANT]
    # Then those fields are unresolved, and rules that read them are not evaluated
    assert endpoint.unresolved == {
        "SecurityGroupIds": "security_group_ids: known after apply",
        "VpcId": "vpc_id: known after apply",
    }
    assert "SecurityGroupIds" not in endpoint.describe


def test_a_computed_argument_the_configuration_leaves_out_takes_its_default() -> None:
    # Given the compliant endpoint without disconnect_on_session_timeout in its configuration
    data = _plan()
    values = _resource(data, COMPLIANT)["values"]
    del values["disconnect_on_session_timeout"]
    _change(data, COMPLIANT)["change"]["after_unknown"]["disconnect_on_session_timeout"] = True
    config = data["configuration"]["root_module"]["resources"]
    expressions = next(r for r in config if r["address"] == COMPLIANT)["expressions"]
    del expressions["disconnect_on_session_timeout"]
    # When read
    endpoint = _read(data)[COMPLIANT]
    # Then the API's default applies, recorded as such (its documented default changed)
    assert endpoint.describe["DisconnectOnSessionTimeout"] is True
    assert endpoint.defaulted["DisconnectOnSessionTimeout"].startswith("the EC2 API's default")


def test_an_unknown_argument_the_configuration_sets_stays_unresolved() -> None:
    # Given a session timeout from an expression only the apply resolves
    data = _plan()
    del _resource(data, COMPLIANT)["values"]["session_timeout_hours"]
    _change(data, COMPLIANT)["change"]["after_unknown"]["session_timeout_hours"] = True
    # When read and evaluated
    endpoint = _read(data)[COMPLIANT]
    evaluation = evaluate(endpoint.state(), default_policy(), NOW)
    # Then the rule is not evaluated, with the reason
    assert [(u.rule, u.reason) for u in evaluation.unevaluated] == [
        ("session-timeout", "session_timeout_hours: known after apply")
    ]


def test_resources_whose_endpoint_id_is_unknown_join_through_the_configuration() -> None:
    # Given the compliant endpoint's rule, route and association, created with it
    endpoint = _read()[COMPLIANT]
    subnet = placeholder_id("aws_subnet.vpn")
    # Then they are its own: the route through the associated subnet, the association's route
    # to the VPC's CIDR (the subnet's vpc_id followed to aws_vpc.main)
    assert [r["GroupId"] for r in endpoint.authorization_rules] == ["engineering"]
    assert endpoint.routes is not None
    assert {(r["DestinationCidr"], r["TargetSubnet"], r["Origin"]) for r in endpoint.routes} == {
        ("10.1.0.0/16", subnet, "add-route"),
        ("10.0.0.0/16", subnet, "associate"),
    }


def test_resources_with_a_known_endpoint_id_join_by_it() -> None:
    # Given the module's existing endpoint and its existing rule, route and association
    endpoint = _read()[DRIFTED]
    # Then they are joined by client_vpn_endpoint_id
    assert [(r["DestinationCidr"], r["AccessAll"]) for r in endpoint.authorization_rules] == [
        ("0.0.0.0/0", True)
    ]
    assert endpoint.routes is not None
    assert {(r["DestinationCidr"], r["Origin"]) for r in endpoint.routes} == {
        ("0.0.0.0/0", "add-route"),
        ("10.0.0.0/16", "associate"),  # module.legacy's VPC, as the template's
    }
    assert endpoint.default_security_group_ids == frozenset({"sg-0fedcba9876543210"})


def test_a_modules_input_is_followed_to_its_callers_expression() -> None:
    # Given the module's association taking its subnet from var.subnet_id, which the root
    # module passes as aws_subnet.vpn.id, and a subnet id only the apply tells; the root VPC
    # given a CIDR of its own (in the fixture both VPCs have the template's 10.0.0.0/16)
    data = _plan()
    _resource(data, "aws_vpc.main")["values"]["cidr_block"] = "10.50.0.0/16"
    legacy = data["configuration"]["root_module"]["module_calls"]["legacy"]
    legacy["expressions"]["subnet_id"] = {"references": ["aws_subnet.vpn.id", "aws_subnet.vpn"]}
    association = next(
        r
        for r in legacy["module"]["resources"]
        if r["address"] == "aws_ec2_client_vpn_network_association.legacy"
    )
    association["expressions"]["subnet_id"] = {"references": ["var.subnet_id"]}
    address = "module.legacy.aws_ec2_client_vpn_network_association.legacy"
    child = data["planned_values"]["root_module"]["child_modules"][0]
    values = next(r for r in child["resources"] if r["address"] == address)["values"]
    del values["subnet_id"]
    _change(data, address)["change"]["after_unknown"] = {"subnet_id": True}
    # When read
    endpoint = _read(data)[DRIFTED]
    # Then the route it adds goes to the root VPC's CIDR through the root's subnet
    assert endpoint.routes is not None
    assert ("10.50.0.0/16", placeholder_id("aws_subnet.vpn")) in {
        (r["DestinationCidr"], r["TargetSubnet"]) for r in endpoint.routes
    }


def test_an_association_whose_vpc_is_not_in_the_plan_makes_the_routes_unknown() -> None:
    # Given the module's VPC gone from the plan (an existing VPC passed in by id)
    data = _plan()
    child = data["planned_values"]["root_module"]["child_modules"][0]
    child["resources"] = [r for r in child["resources"] if r["type"] != "aws_vpc"]
    # When read and evaluated
    endpoint = _read(data)[DRIFTED]
    evaluation = evaluate(endpoint.state(), default_policy(), NOW)
    # Then the routes cannot be known, and the routes rule says why
    assert endpoint.routes is None
    assert "route the association adds is unknown" in endpoint.unknown["routes"]
    assert "routes" in {u.rule for u in evaluation.unevaluated}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([], "a Terraform plan is a JSON object, not list"),
        ({"format_version": "2.0", "planned_values": {}}, "format_version 2.0 is not"),
    ],
)
def test_what_is_not_a_plan_of_a_known_format_is_a_source_error(data: Any, expected: str) -> None:
    # When such a document is read as a plan
    with pytest.raises(SourceError) as raised:
        read_plan("plan.json", data)
    # Then the error names the file and what is wrong
    assert raised.value.file == "plan.json"
    assert raised.value.message.startswith(expected)


def test_reading_does_not_change_the_plan() -> None:
    # Given the plan
    data = _plan()
    before = copy.deepcopy(data)
    # When read
    read_plan("plan.json", data)
    # Then it is as it was
    assert data == before
