"""Every way a policy document can be wrong: the key path and what the message says."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from cvpn_guard.exceptions import CvpnGuardError, PolicyError, PolicyProblem
from cvpn_guard.policy import load_policy
from tests.unit.policy.builders import HANDLER

LAMBDA = "arn:aws:lambda:eu-west-1:123456789012:function:"


def problems_of(document: dict[str, Any]) -> tuple[PolicyProblem, ...]:
    """Load a document (given as data, written as YAML) and return its problems."""
    text = yaml.safe_dump({"version": 1, "rules": {}, **document}, sort_keys=False)
    with pytest.raises(PolicyError) as raised:
        load_policy(text, source="org.yaml")
    return raised.value.problems


def rules(**entries: Any) -> dict[str, Any]:
    """{"rules": {...}} with rule ids written with underscores in Python."""
    return {"rules": {key.replace("_", "-"): value for key, value in entries.items()}}


# (document, key path, words the message must contain)
INVALID: list[tuple[str, dict[str, Any], str, tuple[str, ...]]] = [
    # --- the document ---
    ("version-2", {"version": 2}, "version", ("2 is not allowed", "1")),
    ("version-text", {"version": "1"}, "version", ("'1'", "allowed: 1")),
    ("version-bool", {"version": True}, "version", ("True", "allowed: 1")),
    (
        "mode",
        {"mode": "enfroce"},
        "mode",
        ("'enfroce'", "did you mean 'enforce'?", "'enforce' or 'report'"),
    ),
    (
        "unknown-top-key",
        {"rule": {}},
        "rule",
        ("unknown key 'rule'", "did you mean 'rules'", "allowed keys: version, mode, rules"),
    ),
    ("rules-not-mapping", {"rules": ["session-timeout"]}, "rules", ("must be a mapping",)),
    (
        "exemptions-not-list",
        {"exemptions": {"endpoint_id": "x"}},
        "exemptions",
        ("must be a list",),
    ),
    (
        "allow-tag-exemptions",
        {"allow_tag_exemptions": "yes please"},
        "allow_tag_exemptions",
        ("true or false",),
    ),
    # --- rules in general ---
    (
        "unknown-rule",
        rules(session_timeut={"max_hours": 12}),
        "rules.session-timeut",
        (
            "unknown rule 'session-timeut'",
            "did you mean 'session-timeout'",
            "allowed rules: disconnect-on-session-timeout",
        ),
    ),
    (
        "unknown-option",
        {"rules": {"session-timeout": {"max_hours": 12, "min_hours": 8}}},
        "rules.session-timeout.min_hours",
        ("unknown key 'min_hours'", "allowed keys: severity, remediate, max_hours"),
    ),
    (
        "severity",
        {"rules": {"vpn-port": {"allowed": [443], "severity": "urgent"}}},
        "rules.vpn-port.severity",
        ("'urgent'", "'low', 'medium', 'high' or 'critical'"),
    ),
    (
        "remediate-type",
        {"rules": {"vpn-port": {"allowed": [443], "remediate": "yes"}}},
        "rules.vpn-port.remediate",
        ("true or false", "'yes'"),
    ),
    (
        "options-not-mapping",
        {"rules": {"vpn-port": [443]}},
        "rules.vpn-port",
        ("must be a mapping",),
    ),
    # --- report-only rules refuse remediate: true ---
    (
        "transport-remediate",
        {"rules": {"transport-protocol": {"allowed": ["udp"], "remediate": True}}},
        "rules.transport-protocol.remediate",
        ("remediate: true is not possible", "cannot change the transport protocol", "report"),
    ),
    (
        "authentication-remediate",
        {
            "rules": {
                "authentication": {"allowed_types": ["federated-authentication"], "remediate": True}
            }
        },
        "rules.authentication.remediate",
        ("cannot change the authentication",),
    ),
    (
        "authorization-remediate",
        {"rules": {"authorization": {"remediate": True}}},
        "rules.authorization.remediate",
        ("only when told to", "revoke_access_all: true"),
    ),
    (
        "tags-remediate",
        {"rules": {"required-tags": {"keys": ["owner"], "remediate": True}}},
        "rules.required-tags.remediate",
        ("values of missing tags",),
    ),
    # --- remediate: true without what the fix needs ---
    (
        "banner-remediate-no-text",
        {"rules": {"login-banner": {"remediate": True}}},
        "rules.login-banner.remediate",
        ("add text",),
    ),
    (
        "logging-remediate-no-group",
        {"rules": {"connection-logging": {"remediate": True}}},
        "rules.connection-logging.remediate",
        ("add log_group",),
    ),
    (
        "handler-remediate-no-functions",
        {"rules": {"client-connect-handler": {"remediate": True}}},
        "rules.client-connect-handler.remediate",
        ("add allowed_functions",),
    ),
    (
        "sg-remediate-no-replacement",
        {"rules": {"security-groups": {"remediate": True}}},
        "rules.security-groups.remediate",
        ("add replacement_group_ids",),
    ),
    # --- boolean switches ---
    (
        "disconnect-required",
        {"rules": {"disconnect-on-session-timeout": {"required": "true"}}},
        "rules.disconnect-on-session-timeout.required",
        ("true or false",),
    ),
    (
        "split-tunnel-missing",
        {"rules": {"split-tunnel": {}}},
        "rules.split-tunnel.required",
        ("is required but missing", "true (split-tunnel must be on) or false"),
    ),
    (
        "portal-allowed",
        {"rules": {"self-service-portal": {"allowed": 0}}},
        "rules.self-service-portal.allowed",
        ("true or false", "got 0"),
    ),
    # --- session-timeout ---
    (
        "max-hours-5",
        {"rules": {"session-timeout": {"max_hours": 5}}},
        "rules.session-timeout.max_hours",
        ("5 is too small", "at least 8", "8, 10, 12, 24"),
    ),
    (
        "max-hours-float",
        {"rules": {"session-timeout": {"max_hours": 12.5}}},
        "rules.session-timeout.max_hours",
        ("whole number", "12.5"),
    ),
    (
        "max-hours-missing",
        {"rules": {"session-timeout": {}}},
        "rules.session-timeout.max_hours",
        ("is required but missing", "8 or more"),
    ),
    # --- login-banner ---
    (
        "banner-too-long",
        {"rules": {"login-banner": {"text": "x" * 1401}}},
        "rules.login-banner.text",
        ("1401 characters", "at most 1400"),
    ),
    (
        "banner-blank",
        {"rules": {"login-banner": {"text": "  "}}},
        "rules.login-banner.text",
        ("must not be empty",),
    ),
    (
        "banner-not-text",
        {"rules": {"login-banner": {"text": 42}}},
        "rules.login-banner.text",
        ("must be text",),
    ),
    # --- connection-logging ---
    (
        "stream-without-group",
        {"rules": {"connection-logging": {"log_stream": "s"}}},
        "rules.connection-logging.log_stream",
        ("needs log_group",),
    ),
    (
        "bad-log-group",
        {"rules": {"connection-logging": {"log_group": "my group!"}}},
        "rules.connection-logging.log_group",
        ("'my group!'", "CloudWatch Logs group name"),
    ),
    (
        "bad-log-stream",
        {"rules": {"connection-logging": {"log_group": "/g", "log_stream": "a:b"}}},
        "rules.connection-logging.log_stream",
        ("no ':' or '*'",),
    ),
    # --- client-connect-handler ---
    (
        "arn-malformed",
        {
            "rules": {
                "client-connect-handler": {
                    "allowed_functions": ["arn:aws:lambda:eu-west-1:123:function:AWSClientVPN-x"]
                }
            }
        },
        "rules.client-connect-handler.allowed_functions[0]",
        ("not a Lambda function ARN", "12-digit account"),
    ),
    (
        "arn-not-lambda",
        {
            "rules": {
                "client-connect-handler": {"allowed_functions": [HANDLER, "arn:aws:s3:::bucket"]}
            }
        },
        "rules.client-connect-handler.allowed_functions[1]",
        ("not a Lambda function ARN",),
    ),
    (
        "arn-prefix",
        {"rules": {"client-connect-handler": {"allowed_functions": [LAMBDA + "authorizer"]}}},
        "rules.client-connect-handler.allowed_functions[0]",
        ("AWSClientVPN-",),
    ),
    (
        "functions-empty",
        {"rules": {"client-connect-handler": {"allowed_functions": []}}},
        "rules.client-connect-handler.allowed_functions",
        ("must not be empty",),
    ),
    (
        "functions-twice",
        {"rules": {"client-connect-handler": {"allowed_functions": [HANDLER, HANDLER]}}},
        "rules.client-connect-handler.allowed_functions",
        ("more than once",),
    ),
    # --- vpn-port / transport-protocol / authentication ---
    (
        "port-8080",
        {"rules": {"vpn-port": {"allowed": [443, 8080]}}},
        "rules.vpn-port.allowed[1]",
        ("8080 is not allowed", "443, 1194"),
    ),
    (
        "port-text",
        {"rules": {"vpn-port": {"allowed": ["443"]}}},
        "rules.vpn-port.allowed[0]",
        ("whole number",),
    ),
    (
        "port-empty",
        {"rules": {"vpn-port": {"allowed": []}}},
        "rules.vpn-port.allowed",
        ("must not be empty",),
    ),
    (
        "port-twice",
        {"rules": {"vpn-port": {"allowed": [443, 443]}}},
        "rules.vpn-port.allowed",
        ("443", "more than once"),
    ),
    (
        "port-missing",
        {"rules": {"vpn-port": {}}},
        "rules.vpn-port.allowed",
        ("is required but missing", "443 and/or 1194"),
    ),
    (
        "protocol",
        {"rules": {"transport-protocol": {"allowed": ["quic"]}}},
        "rules.transport-protocol.allowed[0]",
        ("'quic'", "'udp' or 'tcp'"),
    ),
    (
        "auth-type",
        {"rules": {"authentication": {"allowed_types": ["saml"]}}},
        "rules.authentication.allowed_types[0]",
        ("'saml'", "'federated-authentication'"),
    ),
    # --- dns-servers ---
    (
        "dns-bad-ip",
        {"rules": {"dns-servers": {"allowed": ["10.0.0.300"]}}},
        "rules.dns-servers.allowed[0]",
        ("'10.0.0.300'", "IPv4 or IPv6 address"),
    ),
    (
        "dns-three",
        {"rules": {"dns-servers": {"allowed": ["10.0.0.2", "10.0.0.3", "10.0.0.4"]}}},
        "rules.dns-servers.allowed",
        ("at most 2, got 3", "at most two DNS servers"),
    ),
    (
        "dns-empty",
        {"rules": {"dns-servers": {"allowed": []}}},
        "rules.dns-servers.allowed",
        ("must not be empty",),
    ),
    # --- security-groups / required-tags ---
    (
        "sg-id",
        {"rules": {"security-groups": {"replacement_group_ids": ["sg-123"]}}},
        "rules.security-groups.replacement_group_ids[0]",
        ("'sg-123'", "security group id"),
    ),
    (
        "sg-six",
        {
            "rules": {
                "security-groups": {"replacement_group_ids": [f"sg-0000000{i}" for i in range(6)]}
            }
        },
        "rules.security-groups.replacement_group_ids",
        ("at most 5",),
    ),
    (
        "tags-empty",
        {"rules": {"required-tags": {"keys": []}}},
        "rules.required-tags.keys",
        ("must not be empty",),
    ),
    (
        "tag-key-long",
        {"rules": {"required-tags": {"keys": ["k" * 129]}}},
        "rules.required-tags.keys[0]",
        ("tag key (1-128 characters)",),
    ),
    # --- exemptions ---
    (
        "exemption-both",
        {
            "exemptions": [
                {
                    "endpoint_id": "cvpn-endpoint-0123456789abcdef0",
                    "tag": {"key": "a"},
                    "reason": "r",
                }
            ]
        },
        "exemptions[0]",
        ("exactly one of endpoint_id or tag",),
    ),
    (
        "exemption-neither",
        {"exemptions": [{"reason": "r"}]},
        "exemptions[0]",
        ("exactly one of endpoint_id or tag",),
    ),
    (
        "exemption-endpoint-id",
        {"exemptions": [{"endpoint_id": "cvpn-endpoint-XYZ", "reason": "r"}]},
        "exemptions[0].endpoint_id",
        ("'cvpn-endpoint-XYZ'", "8 to 17 hex digits"),
    ),
    (
        "exemption-rule",
        {
            "exemptions": [
                {
                    "endpoint_id": "cvpn-endpoint-0123456789abcdef0",
                    "rules": ["vpn-port", "split-tunel"],
                    "reason": "r",
                }
            ]
        },
        "exemptions[0].rules[1]",
        ("unknown rule 'split-tunel'", "did you mean 'split-tunnel'"),
    ),
    (
        "exemption-rules-empty",
        {
            "exemptions": [
                {"endpoint_id": "cvpn-endpoint-0123456789abcdef0", "rules": [], "reason": "r"}
            ]
        },
        "exemptions[0].rules",
        ("must not be empty", "omit: all rules"),
    ),
    (
        "exemption-reason",
        {"exemptions": [{"endpoint_id": "cvpn-endpoint-0123456789abcdef0"}]},
        "exemptions[0].reason",
        ("needs a reason",),
    ),
    (
        "exemption-month-13",
        {
            "exemptions": [
                {
                    "endpoint_id": "cvpn-endpoint-0123456789abcdef0",
                    "reason": "r",
                    "expires": "2027-13-01",
                }
            ]
        },
        "exemptions[0].expires",
        ("'2027-13-01'", "not a calendar date"),
    ),
    (
        "exemption-date-words",
        {
            "exemptions": [
                {
                    "endpoint_id": "cvpn-endpoint-0123456789abcdef0",
                    "reason": "r",
                    "expires": "next year",
                }
            ]
        },
        "exemptions[0].expires",
        ("'next year' is not a date", "YYYY-MM-DD"),
    ),
    (
        "exemption-date-number",
        {
            "exemptions": [
                {
                    "endpoint_id": "cvpn-endpoint-0123456789abcdef0",
                    "reason": "r",
                    "expires": 20270131,
                }
            ]
        },
        "exemptions[0].expires",
        ("not a date",),
    ),
    (
        "exemption-tag-key",
        {"exemptions": [{"tag": {"key": "a", "name": "b"}}]},
        "exemptions[0].tag.name",
        ("unknown key 'name'", "allowed keys: key, value"),
    ),
    (
        "exemption-unknown-key",
        {
            "exemptions": [
                {
                    "endpoint_id": "cvpn-endpoint-0123456789abcdef0",
                    "reason": "r",
                    "until": "2027-01-01",
                }
            ]
        },
        "exemptions[0].until",
        ("unknown key 'until'", "expires"),
    ),
]


@pytest.mark.parametrize(
    ("document", "path", "words"), [case[1:] for case in INVALID], ids=[case[0] for case in INVALID]
)
def test_invalid_policy_names_the_key_and_what_is_allowed(
    document: dict[str, Any], path: str, words: tuple[str, ...]
) -> None:
    # Given a document with one mistake
    # When it is loaded
    problems = problems_of(document)
    # Then exactly one problem names the key path, in the user's spelling, with plain words
    assert [p.path for p in problems] == [path], problems
    for word in words:
        assert word in problems[0].message, problems[0].message
    assert "Input should" not in problems[0].message  # not pydantic's raw wording
    assert "Value error" not in problems[0].message


def test_a_datetime_is_not_an_expiry_date() -> None:
    # Given YAML that writes a time of day (PyYAML reads it as a datetime)
    text = """
version: 1
rules: {}
exemptions:
  - {endpoint_id: cvpn-endpoint-0123456789abcdef0, reason: r, expires: 2027-01-31T10:00:00}
"""
    with pytest.raises(PolicyError) as raised:
        load_policy(text)
    (problem,) = raised.value.problems
    assert problem.path == "exemptions[0].expires"
    assert "time of day" in problem.message


def test_an_impossible_yaml_date_is_reported_at_its_key() -> None:
    # Given an unquoted date PyYAML cannot build (it would raise a bare ValueError)
    text = "version: 1\nrules: {}\nexemptions:\n  - {endpoint_id: cvpn-endpoint-0123456789abcdef0, reason: r, expires: 2027-02-30}\n"
    with pytest.raises(PolicyError) as raised:
        load_policy(text)
    assert [p.path for p in raised.value.problems] == ["exemptions[0].expires"]


def test_every_problem_is_reported_not_just_the_first() -> None:
    # Given a document with three mistakes
    problems = problems_of(
        {"mode": "x", "rules": {"session-timeout": {"max_hours": 5}, "vpn-port": {"allowed": [80]}}}
    )
    # Then all three are reported
    assert sorted(p.path for p in problems) == [
        "mode",
        "rules.session-timeout.max_hours",
        "rules.vpn-port.allowed[0]",
    ]


def test_a_list_of_bad_items_is_not_also_reported_as_empty() -> None:
    # Given a list whose only item is invalid
    problems = problems_of({"rules": {"vpn-port": {"allowed": [80]}}})
    # Then the item is reported, not a confusing "must not be empty" on the list
    assert [p.path for p in problems] == ["rules.vpn-port.allowed[0]"]


def test_policy_error_lists_every_problem_one_per_line_prefixed_with_the_source() -> None:
    # Given a document with two mistakes, loaded from org.yaml
    with pytest.raises(PolicyError) as raised:
        load_policy("version: 1\nmode: x\nrules: {vpn-port: {allowed: [80]}}\n", source="org.yaml")
    # Then str() has one line per problem, each starting with the source and the path
    lines = str(raised.value).splitlines()
    assert lines == [f"org.yaml: {p.path}: {p.message}" for p in raised.value.problems]
    assert len(lines) == 2
    assert isinstance(raised.value, CvpnGuardError)


def test_policy_problem_is_frozen() -> None:
    problem = PolicyProblem("mode", "wrong")
    with pytest.raises(AttributeError):
        problem.path = "other"  # type: ignore[misc]
