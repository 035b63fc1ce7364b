"""A rule whose input could not be read is not evaluated, whatever was read in its place."""

from __future__ import annotations

from cvpn_guard.endpoint import EndpointState
from tests.unit.policy.builders import COMPLIANT_ITEM, build_policy, evaluate_at

DENIED = "DescribeClientVpnAuthorizationRules failed: UnauthorizedOperation (denied)"
ACCESS_ALL = {
    "DestinationCidr": "0.0.0.0/0",
    "AccessAll": True,
    "GroupId": "",
    "Status": {"Code": "active"},
}


def test_a_rule_whose_read_failed_is_unevaluated_with_the_reason_and_the_others_are_checked() -> (
    None
):
    # Given an endpoint breaking disconnect-on-session-timeout, whose authorization rules could
    # not be read (so none are known: on that alone the authorization rule would pass)
    state = EndpointState.from_describe(
        {**COMPLIANT_ITEM, "DisconnectOnSessionTimeout": False},
        unread={"authorization_rules": DENIED},
    )
    policy = build_policy(
        {"authorization": {"forbid_access_all": True}, "disconnect-on-session-timeout": {}}
    )

    # When it is evaluated
    evaluation = evaluate_at(state, policy)

    # Then the authorization rule is not evaluated, with the failed read as the reason, and the
    # other rule is checked and fixed as usual
    assert [(u.rule, u.reason) for u in evaluation.unevaluated] == [("authorization", DENIED)]
    assert evaluation.violated_rules == ("disconnect-on-session-timeout",)
    assert evaluation.plan.rules == ("disconnect-on-session-timeout",)


def test_what_was_read_in_place_of_a_failed_read_is_not_judged() -> None:
    # Given answers for the authorization rules (an access-all grant) marked as not read
    state = EndpointState.from_describe(
        COMPLIANT_ITEM, [ACCESS_ALL], unread={"authorization_rules": DENIED}
    )

    # When it is evaluated, Then nothing is found: the rule is not evaluated at all
    evaluation = evaluate_at(state, build_policy({"authorization": {"forbid_access_all": True}}))
    assert evaluation.findings == ()
    assert [u.rule for u in evaluation.unevaluated] == ["authorization"]
