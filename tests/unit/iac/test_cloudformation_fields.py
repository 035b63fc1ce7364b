"""The CloudFormation mapping tables agree with the resource schemas cfn-lint ships, with
botocore's Describe shapes, and with the EC2 API documentation they cite for defaults."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import botocore.session
import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from cvpn_guard.iac.cfn_fields import (
    ASSOCIATION_PROPERTIES,
    ASSOCIATION_TYPE,
    ASSOCIATION_UNMAPPED,
    AUTHORIZATION_POLICY_PROPERTIES,
    AUTHORIZATION_RULE_PROPERTIES,
    AUTHORIZATION_RULE_TYPE,
    EC2_DOCS,
    ENDPOINT_PROPERTIES,
    ENDPOINT_TYPE,
    ENDPOINT_UNMAPPED,
    RELATED_UNMAPPED,
    ROUTE_PROPERTIES,
    ROUTE_TYPE,
    PropertyMapping,
)

TABLES: list[tuple[str, tuple[PropertyMapping, ...], Mapping[str, str], str]] = [
    (ENDPOINT_TYPE, ENDPOINT_PROPERTIES, ENDPOINT_UNMAPPED, "ClientVpnEndpoint"),
    (AUTHORIZATION_RULE_TYPE, AUTHORIZATION_RULE_PROPERTIES, RELATED_UNMAPPED, "AuthorizationRule"),
    (ROUTE_TYPE, ROUTE_PROPERTIES, RELATED_UNMAPPED, "ClientVpnRoute"),
    (ASSOCIATION_TYPE, ASSOCIATION_PROPERTIES, ASSOCIATION_UNMAPPED, "ClientVpnRoute"),
]
IDS = [table[0] for table in TABLES]


def _schema(resource_type: str) -> dict[str, Any]:
    schema: dict[str, Any] = PROVIDER_SCHEMA_MANAGER.get_resource_schema(
        "us-east-1", resource_type
    ).schema
    return schema


def _schema_type(schema: Mapping[str, Any], name: str) -> str:
    prop = schema["properties"][name]
    if "$ref" in prop:
        definition = prop["$ref"].removeprefix("#/definitions/")
        return str(schema["definitions"][definition]["type"])
    return str(prop["type"])


def _ec2() -> Any:
    return botocore.session.get_session().get_service_model("ec2")


@pytest.mark.parametrize(("resource_type", "table", "unmapped", "shape"), TABLES, ids=IDS)
def test_every_mapped_property_is_in_the_schema_with_its_type(
    resource_type: str,
    table: tuple[PropertyMapping, ...],
    unmapped: Mapping[str, str],
    shape: str,
) -> None:
    # Given the resource schema cfn-lint ships for the type
    schema = _schema(resource_type)

    # Then each property the table maps exists there, with the type the table says
    wrong = {
        mapping.property: mapping.schema_type
        for mapping in table
        if mapping.property not in schema["properties"]
        or _schema_type(schema, mapping.property) != mapping.schema_type
    }
    assert not wrong, f"{resource_type}: not in the schema with these types: {wrong}"


@pytest.mark.parametrize(("resource_type", "table", "unmapped", "shape"), TABLES, ids=IDS)
def test_every_schema_property_is_mapped_or_left_with_a_reason(
    resource_type: str,
    table: tuple[PropertyMapping, ...],
    unmapped: Mapping[str, str],
    shape: str,
) -> None:
    # Given the properties of the resource schema
    properties = set(_schema(resource_type)["properties"])

    # When the table's and the deliberately unmapped properties are put together
    mapped = {mapping.property for mapping in table}

    # Then every property is accounted for exactly once, and each omission says why
    assert not mapped & set(unmapped), "a property is both mapped and left out"
    assert properties - mapped - set(unmapped) == set(), "schema properties nobody handles"
    assert all(reason.strip() for reason in unmapped.values())
    assert set(unmapped) <= properties, "an unmapped entry names no schema property"


@pytest.mark.parametrize(("resource_type", "table", "unmapped", "shape"), TABLES, ids=IDS)
def test_every_describe_field_exists_in_botocores_output_shape(
    resource_type: str,
    table: tuple[PropertyMapping, ...],
    unmapped: Mapping[str, str],
    shape: str,
) -> None:
    # Given the Describe output shape the resource is read as (an association as its route)
    members = set(_ec2().shape_for(shape).members)

    # Then every field the table writes is one Describe answers with
    assert {mapping.field for mapping in table} - members == set()


def test_nested_renames_land_on_describe_names() -> None:
    # Given the Describe shapes of the authentication options
    ec2 = _ec2()
    describe_names = set(ec2.shape_for("CertificateAuthentication").members) | set(
        ec2.shape_for("FederatedAuthentication").members
    )
    request_names = set(ec2.shape_for("CertificateAuthenticationRequest").members) | set(
        ec2.shape_for("FederatedAuthenticationRequest").members
    )
    (authentication,) = (m for m in ENDPOINT_PROPERTIES if m.property == "AuthenticationOptions")

    # Then each rename goes from a request name to the name Describe answers with
    assert set(authentication.renames) <= request_names
    assert set(authentication.renames.values()) <= describe_names


def test_the_authorization_policy_keys_are_those_of_the_get_answer() -> None:
    # Given the CloudFormation AuthorizationPolicy definition and botocore's Get answer
    schema = _schema(ENDPOINT_TYPE)["definitions"]["AuthorizationPolicy"]["properties"]
    answer = _ec2().operation_model("GetClientVpnEndpointAuthorizationPolicy").output_shape

    # Then the table maps every key of the one to a key of the other
    assert set(AUTHORIZATION_POLICY_PROPERTIES) == set(schema)
    assert set(AUTHORIZATION_POLICY_PROPERTIES.values()) <= set(answer.members)


EC2_DEFAULTS = [
    mapping
    for mapping in ENDPOINT_PROPERTIES
    if mapping.default is not None and mapping.default.source.startswith(EC2_DOCS.split("{", 1)[0])
]


@pytest.mark.parametrize("mapping", EC2_DEFAULTS, ids=[m.property for m in EC2_DEFAULTS])
def test_each_ec2_default_quotes_botocores_documentation(mapping: PropertyMapping) -> None:
    # Given the member of CreateClientVpnEndpoint the default is cited from (or its nested one)
    assert mapping.default is not None
    cited, quoted = re.match(r".*: ([\w.]+), '([^']+)'", mapping.default.source).groups()  # type: ignore[union-attr]
    request = _ec2().operation_model("CreateClientVpnEndpoint").input_shape
    top, _, nested = cited.partition(".")
    member = request.members[top]
    if nested:
        member = member.members[nested]

    # Then botocore documents exactly the quoted words, and they say the value the table uses
    documentation = re.sub(r"<[^>]+>", "", member.documentation)
    assert quoted in documentation
    value = mapping.default.value
    expected = value if not isinstance(value, Mapping) else next(iter(value.values()))
    assert str(expected).lower() in quoted.lower()
