"""The ip-address-type rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
finer points."""

from __future__ import annotations

import pytest

from cvpn_guard.exceptions import PolicyError
from tests.unit.policy.builders import (
    build_policy,
    build_state,
    evaluate_at,
)
from tests.unit.rules.cases import RuleCase

CASE = RuleCase(
    "ip-address-type",
    # An IPv6-only endpoint; its TrafficIpAddressType is absent: AWS's default, ipv4.
    {"EndpointIpAddressType": "ipv6"},
    None,
)


def test_missing_ip_address_types_read_as_awss_default_ipv4() -> None:
    # COMPLIANT_ITEM has neither field, as endpoints created before botocore 1.40.17.
    policy = build_policy({"ip-address-type": {"allowed_traffic_types": ["dual-stack"]}})
    (finding,) = evaluate_at(build_state(), policy).findings
    assert finding.actual == {"TrafficIpAddressType": "ipv4"}
    assert finding.message.endswith("recreate the endpoint.")
    assert not finding.remediable


def test_ip_address_type_needs_something_to_check() -> None:
    with pytest.raises(PolicyError, match="allowed_endpoint_types"):
        build_policy({"ip-address-type": {}})


def test_ip_address_type_is_report_only() -> None:
    with pytest.raises(PolicyError, match="cannot change an endpoint's IP address types"):
        build_policy({"ip-address-type": {"allowed_endpoint_types": ["ipv4"], "remediate": True}})
