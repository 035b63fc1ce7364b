"""Declared endpoints judged by the enforcer's evaluation, each problem placed on its line, and
the advice on what a file leaves to a default."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cvpn_guard.evaluation import evaluate
from cvpn_guard.iac.checking import (
    check_endpoint,
)
from cvpn_guard.iac.declared import DeclaredEndpoint, SourceKind
from cvpn_guard.policy import default_policy, load_policy
from cvpn_guard.policy_terms.enums import Mode

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
BANNER = default_policy().rules.get("login-banner").text  # type: ignore[union-attr]
COMPLIANT: dict[str, Any] = {
    "ClientVpnEndpointId": "CompliantVpn",
    "SessionTimeoutHours": 12,
    "DisconnectOnSessionTimeout": True,
    "ClientLoginBannerOptions": {"Enabled": True, "BannerText": BANNER},
    "ConnectionLogOptions": {"Enabled": True, "CloudwatchLogGroup": "/vpn"},
}
ROUTES = ({"DestinationCidr": "10.0.0.0/16", "TargetSubnet": "subnet-0a1b2c3d4e5f60718"},)


def _declared(describe: dict[str, Any], **fields: Any) -> DeclaredEndpoint:
    values: dict[str, Any] = {
        "kind": SourceKind.CLOUDFORMATION,
        "file": "template.yaml",
        "name": str(describe["ClientVpnEndpointId"]),
        "describe": describe,
        "line": 10,
        "routes": ROUTES,
    }
    return DeclaredEndpoint(**(values | fields))


def test_a_compliant_declaration_is_clean_and_judged_by_the_enforcers_evaluation() -> None:
    # Given a declared endpoint that meets the baseline
    declared = _declared(COMPLIANT)

    # When it is checked
    verdict = check_endpoint(declared, default_policy(), NOW)

    # Then it is clean, and the evaluation is exactly the enforcer's, in report mode
    assert verdict.clean
    expected = evaluate(declared.state(), default_policy().with_mode(Mode.REPORT), NOW)
    assert verdict.evaluation == expected


def test_a_check_never_plans_a_change_even_under_an_enforcing_policy() -> None:
    # Given an enforcing policy and a drifted endpoint
    policy = load_policy(
        "version: 1\nmode: enforce\nrules:\n  session-timeout:\n    max_hours: 12\n"
    )

    # When checked / Then the finding is there and nothing is planned
    verdict = check_endpoint(_declared(COMPLIANT | {"SessionTimeoutHours": 24}), policy, NOW)
    assert [f.rule for f in verdict.findings] == ["session-timeout"]
    assert not verdict.evaluation.plan.parameters


def test_a_finding_carries_the_line_of_the_property_its_rule_reads() -> None:
    # Given a drifted timeout whose property is written on line 14
    declared = _declared(
        COMPLIANT | {"SessionTimeoutHours": 24}, property_lines={"SessionTimeoutHours": 14}
    )

    # When checked
    [finding] = check_endpoint(declared, default_policy(), NOW).findings

    # Then the finding points at line 14 and says what the rule says
    assert (finding.rule, finding.line) == ("session-timeout", 14)
    assert finding.message == finding.finding.message


def test_a_finding_on_a_property_not_written_points_at_the_resource() -> None:
    declared = _declared(COMPLIANT | {"SessionTimeoutHours": 24})
    [finding] = check_endpoint(declared, default_policy(), NOW).findings
    assert finding.line == 10


def test_a_defaulted_property_that_breaks_the_policy_says_to_set_it_explicitly() -> None:
    # Given a template that leaves SessionTimeoutHours out (24, CloudFormation's default)
    declared = _declared(
        COMPLIANT | {"SessionTimeoutHours": 24},
        defaulted={"SessionTimeoutHours": "the EC2 API's default"},
    )

    # When checked
    [finding] = check_endpoint(declared, default_policy(), NOW).findings

    # Then the message says the template leaves it out, what it takes, from where, and to
    # set it
    assert finding.message.endswith(
        "The template leaves SessionTimeoutHours out, so it takes 24, the EC2 API's default: "
        "set it explicitly."
    )
    assert finding.message.startswith(finding.finding.message)


def test_a_defaulted_property_describe_shows_under_another_name_is_named_as_written() -> None:
    # Given a template that leaves SelfServicePortal out (on: CloudFormation's default)
    declared = _declared(
        COMPLIANT | {"SelfServicePortalUrl": "https://self-service.clientvpn.amazonaws.com/x"},
        defaulted={"SelfServicePortalUrl": "CloudFormation's default (enabled)"},
    )

    # When checked
    [finding] = check_endpoint(declared, default_policy(), NOW).findings

    # Then the advice names the property the template would write, not Describe's URL
    assert finding.rule == "self-service-portal"
    assert finding.message.endswith(
        "The template leaves SelfServicePortal out, so it takes CloudFormation's default "
        "(enabled): set it explicitly."
    )


def test_a_defaulted_disconnect_on_session_timeout_that_satisfies_is_a_note() -> None:
    # Given a plan that leaves DisconnectOnSessionTimeout to its default, true
    declared = _declared(
        COMPLIANT,
        kind=SourceKind.TERRAFORM_PLAN,
        defaulted={"DisconnectOnSessionTimeout": "the EC2 API's default"},
    )

    # When checked
    verdict = check_endpoint(declared, default_policy(), NOW)

    # Then it is clean, with a note (not a finding) saying the default changed over time
    assert verdict.clean
    [note] = verdict.notes
    assert note.rule == "disconnect-on-session-timeout"
    assert "The plan leaves DisconnectOnSessionTimeout out, so it takes true" in note.message
    assert "changed over time" in note.message
    assert "set DisconnectOnSessionTimeout explicitly" in note.message


def test_no_note_when_the_property_is_written() -> None:
    assert check_endpoint(_declared(COMPLIANT), default_policy(), NOW).notes == ()


def test_an_unresolved_value_leaves_its_rules_unevaluated_and_the_endpoint_not_clean() -> None:
    # Given a timeout that is a parameter without a default
    describe = {k: v for k, v in COMPLIANT.items() if k != "SessionTimeoutHours"}
    declared = _declared(
        describe,
        unresolved={"SessionTimeoutHours": "!Ref TimeoutHours"},
        property_lines={"SessionTimeoutHours": 12},
    )

    # When checked
    verdict = check_endpoint(declared, default_policy(), NOW)

    # Then the rule is not evaluated, with the expression and its line, and the endpoint is
    # not clean
    [item] = verdict.unevaluated
    assert (item.rule, item.line, item.unresolved) == ("session-timeout", 12, True)
    assert (
        item.reason == "SessionTimeoutHours is !Ref TimeoutHours, which the file does not resolve"
    )
    assert not verdict.findings
    assert not verdict.clean


def test_live_only_data_leaves_its_rules_unevaluated_but_the_endpoint_clean() -> None:
    # Given an endpoint whose routes no file can tell
    declared = _declared(COMPLIANT, routes=None, unknown={"routes": "live data only: routes"})

    # When checked
    verdict = check_endpoint(declared, default_policy(), NOW)

    # Then the routes rule is not evaluated for that reason, and the endpoint is clean
    [item] = verdict.unevaluated
    assert (item.rule, item.reason, item.unresolved) == ("routes", "live data only: routes", False)
    assert verdict.clean
