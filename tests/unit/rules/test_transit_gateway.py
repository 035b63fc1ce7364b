"""The transit-gateway rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
finer points."""

from __future__ import annotations

import pytest

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.exceptions import PolicyError
from tests.unit.policy.builders import (
    build_policy,
    build_state,
    evaluate_at,
)
from tests.unit.rules.cases import RuleCase

CASE = RuleCase(
    "transit-gateway",
    {
        "TransitGatewayConfiguration": {
            "TransitGatewayId": "tgw-0123456789abcdef0",
            "TransitGatewayAttachmentId": "tgw-attach-0123456789abcdef0",
            "AvailabilityZones": ["eu-west-1a"],
        }
    },
    None,
)


TGW = "tgw-0123456789abcdef0"


def _on_transit_gateway(gateway: str = TGW) -> EndpointState:
    return build_state({"TransitGatewayConfiguration": {"TransitGatewayId": gateway}})


def test_transit_gateway_endpoints_can_be_allowed_to_listed_gateways() -> None:
    policy = build_policy({"transit-gateway": {"allowed": True, "transit_gateway_ids": [TGW]}})
    assert evaluate_at(_on_transit_gateway(), policy).findings == ()
    (finding,) = evaluate_at(_on_transit_gateway("tgw-0aaaaaaaaaaaaaaaa"), policy).findings
    assert TGW in finding.message


def test_transit_gateway_allowed_without_a_list_checks_nothing() -> None:
    policy = build_policy({"transit-gateway": {"allowed": True}})
    assert evaluate_at(_on_transit_gateway(), policy).rules_checked == ()


def test_transit_gateway_ids_need_allowed_true() -> None:
    with pytest.raises(PolicyError, match="needs allowed: true"):
        build_policy({"transit-gateway": {"transit_gateway_ids": [TGW]}})
