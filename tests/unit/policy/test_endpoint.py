"""The endpoint models: Describe items exactly as boto3 returns them, old or new."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from pydantic import BaseModel, ValidationError

from cvpn_guard.endpoint import (
    AuthenticationOption,
    AuthorizationPolicy,
    AuthorizationRule,
    ClientConnectOptions,
    ClientLoginBannerOptions,
    ClientRouteEnforcementOptions,
    ClientVpnEndpoint,
    ClientVpnRoute,
    ConnectionLogOptions,
    DevicePostureOptions,
    EndpointState,
    FederatedAuthentication,
    MutualAuthentication,
    TransitGatewayConfiguration,
    TrustProvider,
)
from tests.unit.policy.builders import COMPLIANT_ITEM, ENDPOINT_ID

EC2 = botocore.session.get_session().get_service_model("ec2")


@pytest.mark.parametrize(
    ("model", "shape"),
    [
        (ClientVpnEndpoint, "ClientVpnEndpoint"),
        (AuthenticationOption, "ClientVpnAuthentication"),
        (MutualAuthentication, "CertificateAuthentication"),
        (FederatedAuthentication, "FederatedAuthentication"),
        (ConnectionLogOptions, "ConnectionLogResponseOptions"),
        (ClientConnectOptions, "ClientConnectResponseOptions"),
        (ClientLoginBannerOptions, "ClientLoginBannerResponseOptions"),
        (ClientRouteEnforcementOptions, "ClientRouteEnforcementResponseOptions"),
        (AuthorizationRule, "AuthorizationRule"),
        (TrustProvider, "ClientVpnTrustProvider"),
        (DevicePostureOptions, "DevicePostureResponseOptions"),
        (TransitGatewayConfiguration, "TransitGatewayConfigurationDescribeEndpointStructure"),
        (ClientVpnRoute, "ClientVpnRoute"),
        (AuthorizationPolicy, "GetClientVpnEndpointAuthorizationPolicyResult"),
    ],
)
def test_every_alias_is_a_key_of_botocores_output_shape(model: type[BaseModel], shape: str) -> None:
    # Given botocore's model, the contract / Then every field is spelled as Describe spells it
    members = set(getattr(EC2.shape_for(shape), "members", {}))
    assert members
    aliases = {info.alias or name for name, info in model.model_fields.items()}
    assert aliases <= members, aliases - members


def test_a_full_describe_item_validates_and_reads_back() -> None:
    endpoint = ClientVpnEndpoint.from_describe(COMPLIANT_ITEM)
    assert endpoint.endpoint_id == ENDPOINT_ID
    assert endpoint.tags == {"owner": "net", "cost-center": "cc-1"}
    assert endpoint.to_describe() == COMPLIANT_ITEM


def test_a_minimal_item_from_an_old_endpoint_validates() -> None:
    # Given an item with nothing but its id (older endpoint, older SDK)
    endpoint = ClientVpnEndpoint.from_describe({"ClientVpnEndpointId": ENDPOINT_ID})
    # Then every field is simply unknown
    assert endpoint.disconnect_on_session_timeout is None
    assert endpoint.session_timeout_hours is None
    assert endpoint.tags == {}


def test_fields_aws_adds_later_are_kept_not_rejected() -> None:
    item: dict[str, Any] = {
        "ClientVpnEndpointId": ENDPOINT_ID,
        "TransitGatewayConfiguration": {"TransitGatewayId": "tgw-1"},
        "ClientLoginBannerOptions": {"Enabled": True, "BannerText": "x", "Markdown": True},
        "AuthenticationOptions": [{"Type": "passkey-authentication", "Passkey": {"Id": "p"}}],
    }
    endpoint = ClientVpnEndpoint.from_describe(item)
    assert endpoint.to_describe() == item


def test_a_tag_without_value_reads_as_empty() -> None:
    endpoint = ClientVpnEndpoint.from_describe(
        {"ClientVpnEndpointId": ENDPOINT_ID, "Tags": [{"Key": "a"}]}
    )
    assert endpoint.tags == {"a": ""}


def test_models_are_frozen() -> None:
    endpoint = ClientVpnEndpoint.from_describe(COMPLIANT_ITEM)
    with pytest.raises(ValidationError):
        endpoint.vpn_port = 1194


def test_models_accept_python_names_too() -> None:
    endpoint = ClientVpnEndpoint(client_vpn_endpoint_id=ENDPOINT_ID, vpn_port=1194)
    assert endpoint.to_describe() == {"ClientVpnEndpointId": ENDPOINT_ID, "VpnPort": 1194}


def test_endpoint_state_from_describe() -> None:
    state = EndpointState.from_describe(
        COMPLIANT_ITEM,
        [{"AccessAll": True, "DestinationCidr": "0.0.0.0/0", "Status": {"Code": "active"}}],
        ["sg-1"],
    )
    assert state.authorization_rules[0].access_all is True
    assert state.default_security_group_ids == frozenset({"sg-1"})
    assert EndpointState.from_describe(COMPLIANT_ITEM).default_security_group_ids is None
