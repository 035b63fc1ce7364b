"""Warnings about valid policies: parts that will never take effect, or nothing to check."""

from __future__ import annotations

from datetime import date

import pytest

from cvpn_guard.policy import Policy, default_policy, load_policy
from cvpn_guard.policy.lint import policy_warnings

ENDPOINT = "cvpn-endpoint-0123456789abcdef0"
TODAY = date(2027, 1, 31)


def _policy(
    exemptions: str = "", *, rules: str = "\n  split-tunnel: {required: true}", extra: str = ""
) -> Policy:
    return load_policy(f"version: 1\nrules: {rules}\nexemptions: {exemptions or '[]'}\n{extra}")


def _expiring(expires: str) -> str:
    return f"\n  - endpoint_id: {ENDPOINT}\n    reason: SEC-1\n    expires: {expires}"


def test_the_default_policy_has_no_warnings() -> None:
    assert policy_warnings(default_policy(), today=TODAY) == []


@pytest.mark.parametrize(
    ("expires", "warned"),
    [("2027-01-30", True), ("2027-01-31", False), ("2027-02-01", False)],
    ids=["yesterday", "today: its last day", "tomorrow"],
)
def test_an_exemption_is_expired_only_after_its_last_day(expires: str, warned: bool) -> None:
    # Given an exemption whose last day is around today / When the policy is checked
    warnings = policy_warnings(_policy(_expiring(expires)), today=TODAY)
    # Then it is warned about only once its last day has passed, as evaluation counts
    assert bool(warnings) is warned
    if warned:
        [warning] = warnings
        assert warning.path == "exemptions[0].expires"
        assert warning.message.startswith(
            f"the exemption of endpoint {ENDPOINT} from all rules expired on 2027-01-30 "
            "(its last day; today is 2027-01-31 UTC) and no longer applies"
        )


@pytest.mark.parametrize(("allowed", "warned"), [("false", True), ("true", False)])
def test_a_tag_exemption_is_warned_about_only_while_tag_exemptions_are_off(
    allowed: str, warned: bool
) -> None:
    # Given a tag exemption, with tag exemptions off or on
    policy = _policy(
        "\n  - tag: {key: legacy, value: 'yes'}\n    rules: [split-tunnel]",
        extra=f"allow_tag_exemptions: {allowed}\n",
    )
    # When the policy is checked / Then only the switched-off one is never honoured
    warnings = policy_warnings(policy, today=TODAY)
    assert [w.path for w in warnings] == (["exemptions[0].tag"] if warned else [])
    if warned:
        assert "exemption of tag legacy=yes from split-tunnel is never honoured" in (
            warnings[0].message
        )


def test_an_expired_tag_exemption_that_is_switched_off_gets_both_warnings() -> None:
    # Given a tag exemption past its day, tag exemptions off
    policy = _policy("\n  - tag: {key: legacy}\n    expires: 2020-01-01")
    # When it is checked / Then both reasons it does nothing, in document order
    assert [w.path for w in policy_warnings(policy, today=TODAY)] == [
        "exemptions[0].tag",
        "exemptions[0].expires",
    ]


def test_a_rule_set_with_one_active_rule_is_not_empty() -> None:
    # Given one rule switched off and one on / When checked / Then there is something to check
    policy = _policy(
        rules="\n  certificate-revocation: {required: false}\n  split-tunnel: {required: true}"
    )
    assert policy_warnings(policy, today=TODAY) == []
