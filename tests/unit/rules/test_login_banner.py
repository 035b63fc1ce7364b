"""The login-banner rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
finer points."""

from __future__ import annotations

from tests.unit.policy.builders import (
    BANNER,
    build_policy,
    build_state,
    evaluate_at,
)
from tests.unit.rules.cases import RuleCase

CASE = RuleCase(
    "login-banner",
    {"ClientLoginBannerOptions": {"Enabled": False}},
    {"ClientLoginBannerOptions": {"Enabled": True, "BannerText": BANNER}},
)


def test_banner_with_other_text_is_replaced_by_the_approved_text() -> None:
    # Given a banner that is on but says something else
    state = build_state({"ClientLoginBannerOptions": {"Enabled": True, "BannerText": "Hi"}})
    # When it is evaluated
    evaluation = evaluate_at(state, build_policy({"login-banner": {"text": BANNER}}))
    # Then the text differs, and the fix sends the complete structure
    assert "differs" in evaluation.findings[0].message
    assert evaluation.plan.parameters == {
        "ClientLoginBannerOptions": {"Enabled": True, "BannerText": BANNER}
    }
    assert not evaluation.plan.disruptive


def test_banner_text_is_compared_exactly() -> None:
    state = build_state({"ClientLoginBannerOptions": {"Enabled": True, "BannerText": BANNER + " "}})
    evaluation = evaluate_at(state, build_policy({"login-banner": {"text": BANNER}}))
    assert evaluation.violated_rules == ("login-banner",)


def test_banner_without_text_in_policy_accepts_any_text() -> None:
    state = build_state({"ClientLoginBannerOptions": {"Enabled": True, "BannerText": "Other"}})
    assert evaluate_at(state, build_policy({"login-banner": {}})).findings == ()


def test_disabled_banner_without_text_in_policy_is_reported_not_fixed() -> None:
    # Given a policy that requires a banner but gives no text
    state = build_state({"ClientLoginBannerOptions": {"Enabled": False}})
    # When it is evaluated
    evaluation = evaluate_at(state, build_policy({"login-banner": {"required": True}}))
    # Then it is reported, not remediable: AWS turns a banner on only with its text
    (finding,) = evaluation.findings
    assert not finding.remediable
    assert evaluation.plan.is_empty


def test_missing_banner_options_are_a_disabled_banner() -> None:
    state = build_state(drop=("ClientLoginBannerOptions",))
    evaluation = evaluate_at(state, build_policy({"login-banner": {"text": BANNER}}))
    assert evaluation.findings[0].actual == {"Enabled": None, "BannerText": None}
