"""The routes rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
finer points."""

from __future__ import annotations

from typing import Any

import pytest

from cvpn_guard.endpoint_calls import DeleteRoute
from cvpn_guard.exceptions import PolicyError
from cvpn_guard.policy import Severity
from tests.unit.policy.builders import (
    ENDPOINT_ID,
    SUBNET,
    build_policy,
    build_state,
    evaluate_at,
)
from tests.unit.rules.cases import RuleCase

INTERNET_ROUTE = {
    "ClientVpnEndpointId": ENDPOINT_ID,
    "DestinationCidr": "0.0.0.0/0",
    "TargetSubnet": SUBNET,
    "Type": "Nat",
    "Origin": "add-route",
    "Status": {"Code": "active"},
}

CASE = RuleCase(
    "routes",
    {},
    None,
    disruptive=True,
    severity=Severity.HIGH,
    reads={"routes": (INTERNET_ROUTE,)},
    calls=(DeleteRoute(destination_cidr="0.0.0.0/0", target_subnet=SUBNET),),
)


def _route(
    cidr: str, target: str = SUBNET, origin: str = "add-route", code: str = "active"
) -> dict[str, Any]:
    return {
        "ClientVpnEndpointId": ENDPOINT_ID,
        "DestinationCidr": cidr,
        "TargetSubnet": target,
        "Origin": origin,
        "Status": {"Code": code},
    }


def test_routes_report_by_default_and_delete_only_when_told() -> None:
    # Given a route to the internet, and the rule with its defaults
    state = build_state(routes=(_route("0.0.0.0/0"),))
    evaluation = evaluate_at(state, build_policy({"routes": {}}))
    # Then it is reported, not remediable, nothing planned (but the disruption is told)
    (finding,) = evaluation.findings
    assert not finding.remediable
    assert finding.disruptive
    assert evaluation.plan.is_empty


@pytest.mark.parametrize(
    ("cidr", "forbidden"),
    [("0.0.0.0/0", True), ("::/0", True), ("0.0.0.0/1", False), ("10.0.0.0/16", False)],
)
def test_a_route_is_forbidden_when_it_covers_a_forbidden_destination(
    cidr: str, forbidden: bool
) -> None:
    state = build_state(routes=(_route(cidr),))
    evaluation = evaluate_at(state, build_policy({"routes": {}}))
    assert bool(evaluation.findings) is forbidden


def test_a_wider_route_covers_a_forbidden_network() -> None:
    state = build_state(routes=(_route("10.0.0.0/8"),))
    policy = build_policy({"routes": {"forbidden_destinations": ["10.9.0.0/16"]}})
    assert evaluate_at(state, policy).violated_rules == ("routes",)


def test_an_exception_spares_exactly_its_destination_and_target() -> None:
    other = "subnet-0aaaaaaaaaaaaaaaa"
    state = build_state(routes=(_route("0.0.0.0/0"), _route("0.0.0.0/0", other)))
    policy = build_policy(
        {
            "routes": {
                "allowed_exceptions": [{"destination": "0.0.0.0/0", "target": SUBNET}],
                "remove_forbidden": True,
            }
        }
    )
    evaluation = evaluate_at(state, policy)
    (finding,) = evaluation.findings
    assert finding.actual == [
        {"DestinationCidr": "0.0.0.0/0", "Target": other, "Origin": "add-route", "Status": "active"}
    ]
    assert [call.target_subnet for call in evaluation.plan.calls] == [other]  # type: ignore[union-attr]


def test_routes_being_deleted_are_gone_already() -> None:
    state = build_state(routes=(_route("0.0.0.0/0", code="deleting"),))
    assert evaluate_at(state, build_policy({"routes": {}})).findings == ()


def test_a_route_an_association_added_is_reported_never_half_fixed() -> None:
    # Given two forbidden routes, one added by an association (AWS refuses to delete it)
    state = build_state(routes=(_route("0.0.0.0/0"), _route("::/0", origin="associate")))
    evaluation = evaluate_at(state, build_policy({"routes": {"remove_forbidden": True}}))
    # Then nothing is deleted: deleting one would not bring the endpoint into compliance
    (finding,) = evaluation.findings
    assert not finding.remediable
    assert evaluation.plan.is_empty


def test_routes_not_read_are_not_evaluated() -> None:
    evaluation = evaluate_at(build_state(routes=None), build_policy({"routes": {}}))
    assert evaluation.findings == ()
    assert [rule.rule for rule in evaluation.unevaluated] == ["routes"]


def test_routes_remediate_true_needs_remove_forbidden() -> None:
    with pytest.raises(PolicyError, match="remove_forbidden: true"):
        build_policy({"routes": {"remediate": True}})
