"""The Terraform mapping table: checked against the AWS provider's documented arguments (the
list committed beside the fixtures, with its source) and botocore's EC2 model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from pydantic import TypeAdapter

from cvpn_guard.iac.terraform_fields import (
    ARGUMENTS,
    EC2_API,
    ENDPOINT,
    ENDPOINT_ARGUMENTS,
    PROVIDER,
    UNMAPPED,
    Unresolved,
    endpoint_describe,
    placeholder_id,
    related_item,
)
from cvpn_guard.policy_terms.values import SecurityGroupId

DOCUMENTED = json.loads(
    (Path(__file__).parents[2] / "fixtures/iac/terraform/provider-arguments.json").read_text()
)["resources"]
EC2 = botocore.session.get_session().get_service_model("ec2")


def _documented(resource: str) -> dict[str, str]:
    arguments: dict[str, str] = DOCUMENTED[resource]["arguments"]
    return arguments


@pytest.mark.parametrize("resource", sorted(ARGUMENTS))
def test_every_mapped_argument_is_documented_by_the_provider(resource: str) -> None:
    # Given the provider's documented arguments of the resource
    documented = _documented(resource)
    # When the table's arguments are looked up there
    undocumented = [a.path for a in ARGUMENTS[resource] if a.path not in documented]
    # Then each is one the provider documents
    assert undocumented == []


@pytest.mark.parametrize("resource", sorted(ARGUMENTS))
def test_every_documented_argument_is_mapped_or_left_out_with_a_reason(resource: str) -> None:
    # Given the provider's documented arguments and the table's
    mapped = {a.path for a in ARGUMENTS[resource]}
    unmapped = UNMAPPED[resource]
    # When the documented ones are sorted into mapped and deliberately unmapped
    missing = sorted(set(_documented(resource)) - mapped - set(unmapped))
    # Then none is forgotten, every exclusion says why and names a documented argument
    assert missing == []
    assert all(reason.strip() for reason in unmapped.values())
    assert set(unmapped) <= set(_documented(resource))
    assert not set(unmapped) & mapped


def _spelled(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def test_the_provider_defaults_are_those_its_docs_state() -> None:
    # Given the endpoint arguments whose default the table takes from the provider
    from_provider = [a for a in ENDPOINT_ARGUMENTS if a.default_source == PROVIDER]
    # When each is compared with the default the provider's page documents
    documented = _documented(ENDPOINT)
    differing = {
        a.path: (a.default, documented[a.path])
        for a in from_provider
        if _spelled(a.default) != documented[a.path]
    }
    # Then they agree (self_service_portal "disabled", session_timeout_hours 24, ...)
    assert from_provider
    assert differing == {}


def _create_doc(parameter: str) -> str:
    shape = EC2.operation_model("CreateClientVpnEndpoint").input_shape
    return str(shape.members[parameter].documentation)


def test_disconnect_on_session_timeout_takes_the_apis_current_default_not_the_stale_page() -> None:
    # Given the argument the provider's schema leaves Optional + Computed, without Default
    (argument,) = [a for a in ENDPOINT_ARGUMENTS if a.path == "disconnect_on_session_timeout"]
    # When its default is compared with botocore's CreateClientVpnEndpoint docs and the page
    doc = _create_doc("DisconnectOnSessionTimeout")
    # Then it is the API's (true), noted as changed, while the provider's page says false
    assert argument.default is True
    assert "The default value is <code>true</code>" in doc
    assert argument.default_source.startswith(EC2_API)
    assert "false before" in argument.defaulted
    assert _documented(ENDPOINT)["disconnect_on_session_timeout"] == "false"


def _output_members(path: list[str]) -> bool:
    shape = EC2.shape_for("ClientVpnEndpoint")
    for name in path:
        if shape.type_name == "list":
            shape = shape.member
        if name not in shape.members:
            return False
        shape = shape.members[name]
    return True


@pytest.mark.parametrize("argument", ENDPOINT_ARGUMENTS, ids=lambda a: a.path)
def test_every_endpoint_field_is_spelled_as_describe_spells_it(argument: Any) -> None:
    # Given a mapped argument's Describe field
    path = argument.field.split(".")
    # When it is looked up in botocore's ClientVpnEndpoint output shape
    found = _output_members(path)
    # Then the shape has it (ClientRootCertificateChain, SamlProviderArn, SelfServicePortalUrl)
    assert found, argument.field


def test_a_left_out_argument_takes_its_default_and_says_whose() -> None:
    # Given an endpoint that sets only what it must
    values = {
        "client_cidr_block": "10.100.0.0/22",
        "connection_log_options": [{"enabled": False}],
        "authentication_options": [
            {"type": "certificate-authentication", "root_certificate_chain_arn": "arn:aws:acm:x"}
        ],
    }
    # When its Describe item is built
    parts = endpoint_describe(values, "aws_ec2_client_vpn_endpoint.min")
    # Then the provider's and the API's defaults fill the rest, each recorded
    assert parts.item["SessionTimeoutHours"] == 24
    assert parts.item["SplitTunnel"] is False
    assert parts.item["DisconnectOnSessionTimeout"] is True
    assert "SelfServicePortalUrl" not in parts.item
    assert parts.defaulted["SelfServicePortalUrl"] == (
        'the Terraform provider\'s default (self_service_portal = "disabled")'
    )
    assert parts.defaulted["SessionTimeoutHours"].endswith("(session_timeout_hours = 24)")
    assert parts.item["AuthenticationOptions"] == [
        {
            "Type": "certificate-authentication",
            "MutualAuthentication": {"ClientRootCertificateChain": "arn:aws:acm:x"},
        }
    ]
    assert "ConnectionLogOptions" not in parts.defaulted


def test_an_enabled_portal_shows_as_its_url_and_tags_as_key_value_pairs() -> None:
    # Given the portal on and two tags
    values = {"self_service_portal": "enabled", "tags": {"Name": "vpn", "Team": "net"}}
    # When the item is built
    item = endpoint_describe(values, "cvpn-endpoint-0123456789abcdef0").item
    # Then Describe's spelling: a URL, and a list of {Key, Value}
    assert item["SelfServicePortalUrl"].endswith("/cvpn-endpoint-0123456789abcdef0")
    assert item["Tags"] == [{"Key": "Name", "Value": "vpn"}, {"Key": "Team", "Value": "net"}]


def test_an_unresolved_member_leaves_its_whole_field_out_with_the_reason() -> None:
    # Given a banner whose text the file does not tell
    values = {
        "client_login_banner_options": [
            {"enabled": True, "banner_text": Unresolved("var.banner (no default)")}
        ]
    }
    # When the item is built
    parts = endpoint_describe(values, "e")
    # Then the rules that read ClientLoginBannerOptions see it unresolved, not defaulted
    assert "ClientLoginBannerOptions" not in parts.item
    assert parts.unresolved == {"ClientLoginBannerOptions": "var.banner (no default)"}


def test_related_items_are_spelled_as_their_describe_calls() -> None:
    # Given a grant to all and a route
    rule, _ = related_item(
        "aws_ec2_client_vpn_authorization_rule",
        {"target_network_cidr": "0.0.0.0/0", "authorize_all_groups": True},
        "e",
    )
    route, _ = related_item(
        "aws_ec2_client_vpn_route",
        {"destination_cidr_block": "0.0.0.0/0", "target_vpc_subnet_id": "subnet-0123abcd"},
        "e",
    )
    unknown, reason = related_item(
        "aws_ec2_client_vpn_route", {"destination_cidr_block": Unresolved("known after apply")}, "e"
    )
    # Then DescribeClientVpnAuthorizationRules' and DescribeClientVpnRoutes' names
    assert rule is not None
    assert route is not None
    assert rule["DestinationCidr"] == "0.0.0.0/0"
    assert rule["AccessAll"] is True
    assert route["TargetSubnet"] == "subnet-0123abcd"
    assert route["Origin"] == "add-route"
    assert unknown is None
    assert reason == "destination_cidr_block: known after apply"


def test_placeholder_ids_are_stable_valid_and_distinct() -> None:
    # Given two security groups and a VPC's default group
    first = placeholder_id("aws_security_group.vpn")
    again = placeholder_id("aws_security_group.vpn")
    other = placeholder_id("module.x.aws_security_group.vpn")
    default = placeholder_id("aws_vpc.main", "default_security_group_id")
    # Then each is an sg- id the policy's pattern accepts, the same for the same address
    assert first == again
    assert len({first, other, default}) == 3
    accepts = TypeAdapter(SecurityGroupId)
    assert [accepts.validate_python(sg) for sg in (first, other, default)] == [
        first,
        other,
        default,
    ]
    assert placeholder_id("aws_vpc.main").startswith("vpc-")
    assert placeholder_id("aws_subnet.a[0]").startswith("subnet-")
