"""Reading policies: YAML, JSON, files, the shipped default, the identity hash."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import cvpn_guard.policy as policy_package
from cvpn_guard.exceptions import PolicyError
from cvpn_guard.policy import (
    Mode,
    Policy,
    PolicyIdentity,
    Severity,
    default_policy,
    load_policy,
    load_policy_file,
)

REPOSITORY = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((REPOSITORY / "policies").glob("*.yaml"))

ISSUE_EXAMPLE = """
version: 1
mode: enforce                 # enforce | report
rules:
  disconnect-on-session-timeout: {required: true}
  session-timeout:            {max_hours: 12}
  login-banner:               {required: true, text: "Authorized use only. Activity is monitored."}
  connection-logging:         {required: true, log_group: /aws/clientvpn, log_stream: null}
  split-tunnel:               {required: true}
  self-service-portal:        {allowed: false}
  client-connect-handler:     {required: true, allowed_functions: ["arn:aws:lambda:us-east-1:123456789012:function:AWSClientVPN-authorizer"]}
  client-route-enforcement:   {required: true}
  vpn-port:                   {allowed: [443]}
  transport-protocol:         {allowed: [udp]}
  authentication:             {allowed_types: [federated-authentication]}
  dns-servers:                {allowed: ["10.0.0.2"]}
  authorization:              {forbid_access_all: true}
  security-groups:            {forbid_default: true}
  required-tags:              {keys: [owner, cost-center]}
exemptions:
  - endpoint_id: cvpn-endpoint-0123456789abcdef0
    rules: [split-tunnel]
    reason: "vendor appliance, ticket SEC-123"
    expires: 2027-01-31
  - tag: {key: "cvpn-guard:exempt"}
allow_tag_exemptions: false
"""


def test_the_issues_example_loads_with_its_defaults() -> None:
    # Given the example policy of the issue / When it is loaded
    policy = load_policy(ISSUE_EXAMPLE)
    # Then every rule is there, with the documented defaults filled in
    assert policy.mode is Mode.ENFORCE
    assert len(policy.rules.active()) == 15
    assert policy.rules.session_timeout is not None
    assert policy.rules.session_timeout.max_hours == 12
    assert policy.rules.session_timeout.severity is Severity.MEDIUM
    assert policy.rules.dns_servers is not None
    assert policy.rules.dns_servers.remediate is False
    assert policy.rules.transport_protocol is not None
    assert policy.rules.transport_protocol.remediate is False
    # And the YAML date became a date
    assert policy.exemptions[0].expires == date(2027, 1, 31)
    assert policy.exemptions[1].tag is not None
    assert policy.exemptions[1].tag.key == "cvpn-guard:exempt"


def test_default_severities_are_the_documented_ones() -> None:
    policy = load_policy(ISSUE_EXAMPLE)
    severities = {config.rule_id: config.severity.value for config in policy.rules.active()}
    assert severities == {
        "disconnect-on-session-timeout": "high",
        "session-timeout": "medium",
        "login-banner": "medium",
        "connection-logging": "high",
        "split-tunnel": "medium",
        "self-service-portal": "medium",
        "client-connect-handler": "high",
        "client-route-enforcement": "medium",
        "vpn-port": "low",
        "transport-protocol": "low",
        "authentication": "high",
        "dns-servers": "medium",
        "authorization": "high",
        "security-groups": "medium",
        "required-tags": "low",
    }


def test_json_and_yaml_spellings_of_a_policy_are_the_same_policy() -> None:
    # Given the example as YAML and the same data as JSON
    from_yaml = load_policy(ISSUE_EXAMPLE)
    as_json = json.dumps(from_yaml.model_dump(mode="json", by_alias=True, exclude_defaults=True))
    # When the JSON is loaded
    from_json = load_policy(as_json)
    # Then the two are equal, and so are their identities
    assert from_json == from_yaml
    assert from_json.identity == from_yaml.identity


def test_identity_is_a_stable_sha256_that_ignores_layout_and_explicit_defaults() -> None:
    terse = load_policy("version: 1\nrules: {vpn-port: {allowed: [443]}}")
    verbose = load_policy(
        """
        # comments and layout do not matter
        version: 1
        mode: report         # the default, written out
        rules:
          vpn-port:
            allowed: [443]
            severity: low        # the default, written out
            remediate: true
        exemptions: []
        allow_tag_exemptions: false
        """
    )
    assert terse.identity == verbose.identity
    assert isinstance(terse.identity, PolicyIdentity)
    assert terse.identity.version == 1
    assert terse.identity.content_hash.startswith("sha256:")
    assert len(terse.identity.content_hash) == len("sha256:") + 64


def test_identity_changes_with_the_content() -> None:
    base = load_policy("version: 1\nrules: {vpn-port: {allowed: [443]}}")
    other = load_policy("version: 1\nrules: {vpn-port: {allowed: [1194]}}")
    assert base.identity.content_hash != other.identity.content_hash
    # And the mode a document says is content too
    enforcing = load_policy("version: 1\nmode: enforce\nrules: {vpn-port: {allowed: [443]}}")
    assert enforcing.identity != base.identity


def test_a_mode_override_keeps_the_documents_identity_and_remembers_its_mode() -> None:
    # Given an enforce document and a report document of the same rules
    enforcing = load_policy("version: 1\nmode: enforce\nrules: {vpn-port: {allowed: [443]}}")
    reporting = load_policy("version: 1\nrules: {vpn-port: {allowed: [443]}}")

    # When each is run in the other's mode (scan without --remediate, ENFORCEMENT_MODE)
    dry_run = enforcing.with_mode(Mode.REPORT)
    forced = reporting.with_mode("enforce").with_mode("enforce")

    # Then the hash is still the one of the document (what `policy validate` prints), the
    # mode is the one that applies and the document's mode is remembered beside it
    assert dry_run.identity == enforcing.identity
    assert forced.identity == reporting.identity
    assert (dry_run.mode, dry_run.document_mode) == (Mode.REPORT, Mode.ENFORCE)
    assert (forced.mode, forced.document_mode) == (Mode.ENFORCE, Mode.REPORT)
    # And a policy whose mode is not overridden is its own document
    assert (enforcing.document_mode, enforcing.with_mode("enforce").identity) == (
        Mode.ENFORCE,
        enforcing.identity,
    )


def test_with_mode_returns_a_new_policy() -> None:
    # Given an enforce policy
    policy = load_policy("version: 1\nmode: enforce\nrules: {}")
    # When it is switched to report mode (by enum or by text)
    report = policy.with_mode("report")
    # Then only the copy changed
    assert report.mode is Mode.REPORT
    assert policy.mode is Mode.ENFORCE
    assert policy.with_mode(Mode.REPORT) == report


def test_mode_defaults_to_report() -> None:
    # Safe by default: a document must say enforce before anything is modified.
    assert load_policy("version: 1\nrules: {}").mode is Mode.REPORT


def test_a_rule_listed_without_options_is_checked_with_its_defaults() -> None:
    # Given "login-banner:" with nothing after it
    policy = load_policy("version: 1\nrules:\n  login-banner:\n  self-service-portal:\n")
    # Then both rules are active with their defaults
    assert [c.rule_id for c in policy.rules.active()] == ["login-banner", "self-service-portal"]


def test_rules_switched_off_are_configured_but_not_active() -> None:
    policy = load_policy("version: 1\nrules: {login-banner: {required: false}}")
    assert [c.rule_id for c in policy.rules.configured()] == ["login-banner"]
    assert policy.rules.active() == ()
    assert policy.rules.get("login-banner") is not None
    assert policy.rules.get("vpn-port") is None


def test_policy_is_frozen() -> None:
    policy = load_policy("version: 1\nrules: {}")
    with pytest.raises(ValueError, match="frozen"):
        policy.mode = Mode.REPORT  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("version: 1\nrules: {a: 1", ("invalid YAML at line 2", "expected ',' or '}'")),
        ("version: 1\nrules:\n  - a\n b: c\n", ("invalid YAML at line",)),
        ('{"version": 1,}', ("invalid JSON at line 1, column 15",)),
        ('{"version": 1,\n "rules": {}\n', ("invalid JSON at line 3",)),
        (
            "version: 1\nrules:\n  vpn-port: {allowed: [443]}\n  vpn-port: {allowed: [1194]}\n",
            ("'vpn-port' is written twice (first on line 3)", "line 4"),
        ),
        ('{"version": 1, "version": 1, "rules": {}}', ("'version' is written twice",)),
        ("", ("the policy is empty",)),
        ("# only a comment\n", ("the policy is empty",)),
        ("- version: 1\n", ("must be a mapping",)),
        ("just text", ("must be a mapping",)),
    ],
)
def test_unreadable_text_is_a_policy_error_with_line_information(
    text: str, words: tuple[str, ...]
) -> None:
    # Given text that is not a policy mapping
    with pytest.raises(PolicyError) as raised:
        load_policy(text, source="bad.yaml")
    # Then the single problem is about the whole document and says where
    (problem,) = raised.value.problems
    assert problem.path == ""
    for word in words:
        assert word in problem.message
    assert str(raised.value) == f"bad.yaml: {problem.message}"


def test_a_yaml_anchor_merge_is_not_a_duplicate_key() -> None:
    text = """
version: 1
x-defaults: &low {severity: low}
rules:
  vpn-port: {<<: *low, allowed: [443]}
"""
    # The unknown top-level key is reported, but the merge itself parses
    with pytest.raises(PolicyError) as raised:
        load_policy(text)
    assert [p.path for p in raised.value.problems] == ["x-defaults"]


def test_load_policy_file_reads_yaml_and_json(tmp_path: Path) -> None:
    # Given the same policy as a YAML and a JSON file
    yaml_file = tmp_path / "org.yaml"
    yaml_file.write_text(ISSUE_EXAMPLE, encoding="utf-8")
    json_file = tmp_path / "org.json"
    json_file.write_text(
        load_policy(ISSUE_EXAMPLE).model_dump_json(by_alias=True), encoding="utf-8"
    )
    # When both are loaded (path as str and as Path)
    # Then they are the same policy
    assert load_policy_file(str(yaml_file)) == load_policy_file(json_file)


def test_errors_of_a_file_are_prefixed_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text("version: 1\nrules: {session-timeout: {max_hours: 5}}\n", encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        load_policy_file(path)
    assert raised.value.source == str(path)
    assert str(raised.value).startswith(f"{path}: rules.session-timeout.max_hours: ")


def test_a_missing_file_is_a_policy_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(PolicyError) as raised:
        load_policy_file(missing)
    assert str(raised.value) == f"{missing}: cannot read the policy file: No such file or directory"


def test_a_directory_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        load_policy_file(tmp_path)


def test_a_file_that_is_not_utf8_is_a_policy_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(
        "version: 1\nrules: {login-banner: {text: 'Accès réservé'}}\n".encode("latin-1")
    )
    with pytest.raises(PolicyError, match="not UTF-8"):
        load_policy_file(path)


def test_the_default_policy_is_the_orgs_baseline() -> None:
    # Given the policy shipped in the package
    policy = default_policy()
    # Then it holds the baseline, in report mode: nothing is modified until an operator
    # writes `mode: enforce` (docs/deploy.md, Roll out safely)
    assert policy.mode is Mode.REPORT
    rules = policy.rules
    assert rules.disconnect_on_session_timeout is not None
    assert rules.disconnect_on_session_timeout.required
    assert rules.login_banner is not None
    assert rules.login_banner.text
    assert rules.session_timeout is not None
    assert rules.session_timeout.max_hours == 12
    assert rules.connection_logging is not None
    assert rules.connection_logging.log_group is None  # report only
    assert rules.self_service_portal is not None
    assert not rules.self_service_portal.allowed
    assert rules.authorization is not None
    assert rules.authorization.forbid_access_all
    # And it is read once
    assert default_policy() is policy


def test_the_example_baseline_is_the_bundled_default_enforcing() -> None:
    # Given policies/baseline.yaml, the document docs/deploy.md's "Roll out safely" starts from
    baseline = load_policy_file(Path(__file__).parents[3] / "policies" / "baseline.yaml")

    # Then it holds the bundled rules and exemptions, and enforces them
    assert baseline.mode is Mode.ENFORCE
    # (compared as content: the override remembers that the document said enforce)
    assert baseline.with_mode(Mode.REPORT).model_dump() == default_policy().model_dump()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_policy_loads(path: Path) -> None:
    assert isinstance(load_policy_file(path), Policy)


def test_the_examples_are_there() -> None:
    assert {p.name for p in EXAMPLES} >= {"strict.yaml", "report-only.yaml", "baseline.yaml"}
    assert (REPOSITORY / "policies" / "README.md").is_file()


def test_the_package_reexports_its_public_api() -> None:
    assert set(policy_package.__all__) >= {
        "Policy",
        "Mode",
        "Severity",
        "PolicyIdentity",
        "load_policy",
        "load_policy_file",
        "default_policy",
        "DisruptiveFixes",
        "DisruptiveFixTiming",
        "MaintenanceWindow",
        "WindowOpening",
        "Weekday",
        "WINDOW_TAG",
    }


# ---- YAML 1.1 booleans: an unquoted off, yes, On ... where the policy expects text ----------


def _problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as raised:
        load_policy(text)
    return [str(problem) for problem in raised.value.problems]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            "version: 1\nmode: off\nrules: {}\n",
            "mode: false is not allowed: YAML reads the unquoted word off as false; quote it "
            "(\"off\"); it must be 'enforce' or 'report'",
        ),
        (
            "version: 1\nrules:\n  login-banner: {text: Yes}\n",
            "rules.login-banner.text: must be text, got true: YAML reads the unquoted word Yes "
            'as true; quote it ("Yes"); allowed: the exact approved banner text',
        ),
        (
            "version: 1\nrules:\n  required-tags: {keys: [owner, NO]}\n",
            "rules.required-tags.keys[1]: must be text, got false: YAML reads the unquoted word "
            'NO as false; quote it ("NO")',
        ),
        (
            "version: 1\nrules: {}\nexemptions:\n  - tag: {key: vpn, value: on}\n",
            "exemptions[0].tag.value: must be text, got true: YAML reads the unquoted word on "
            'as true; quote it ("on")',
        ),
    ],
    ids=["mode", "banner text", "list item", "tag value"],
)
def test_a_boolean_yaml_made_of_a_word_says_so_and_how_to_quote_it(
    document: str, expected: str
) -> None:
    # Given a YAML 1.1 boolean word where the policy expects text / When it is loaded
    # Then the problem names the word YAML read as a boolean and how to keep it text
    assert _problems(document)[0].startswith(expected)


@pytest.mark.parametrize(
    "document",
    [
        "version: 1\nmode: false\nrules: {}\n",  # the author wrote a boolean
        '{"version": 1, "mode": false, "rules": {}}',  # JSON has no such words
    ],
    ids=["yaml false", "json false"],
)
def test_a_boolean_written_as_one_is_not_blamed_on_yaml(document: str) -> None:
    # Given a boolean spelled true/false / When it is loaded / Then no YAML explanation
    assert _problems(document) == ["mode: false is not allowed; it must be 'enforce' or 'report'"]


def test_a_quoted_word_is_text_and_reported_as_such() -> None:
    # Given mode: "off" / When it is loaded / Then it is an unknown mode, not a boolean
    assert _problems('version: 1\nmode: "off"\nrules: {}\n') == [
        "mode: 'off' is not allowed; it must be 'enforce' or 'report'"
    ]


# ---- every problem in one pass --------------------------------------------------------------

ENDPOINT = "cvpn-endpoint-0123456789abcdef0"


def test_a_missing_reason_comes_with_the_exemptions_other_problems() -> None:
    # Given an endpoint exemption without a reason whose expires is wrong, then another
    # exemption with neither selector
    document = (
        "version: 1\nmode: enforcing\nrules: {}\nexemptions:\n"
        f"  - endpoint_id: {ENDPOINT}\n    expires: 2027-13-01\n"
        "  - rules: [rule-that-does-not-exist]\n"
    )

    # When it is loaded
    problems = _problems(document)

    # Then the reason and the selector are reported with the rest, each after its exemption's
    # other problems
    assert [problem.split(": ")[0] for problem in problems] == [
        "mode",
        "exemptions[0].expires",
        "exemptions[0].reason",
        "exemptions[1].rules[0]",
        "exemptions[1]",
    ]
    assert problems[2] == (
        "exemptions[0].reason: an endpoint exemption needs a reason (a ticket, an owner)"
    )
    assert problems[4] == (
        "exemptions[1]: an exemption needs exactly one of endpoint_id or tag to say which "
        "endpoints it spares"
    )


def test_a_missing_reason_of_an_otherwise_valid_exemption_is_reported_once() -> None:
    # Given an exemption whose only problem is its missing reason, in a document with another
    document = (
        f"version: 1\nmode: enforcing\nrules: {{}}\nexemptions:\n  - endpoint_id: {ENDPOINT}\n"
    )
    # When it is loaded / Then the model's own check says it, and only once
    assert [problem.split(": ")[0] for problem in _problems(document)] == [
        "mode",
        "exemptions[0].reason",
    ]


def test_a_file_with_windows_line_ends_loads_as_with_unix_ones(tmp_path: Path) -> None:
    # Given the same document with "\r\n" and "\n" line ends
    text = "version: 1\nrules:\n  login-banner:\n    text: |\n      Authorized use only.\n      Monitored.\n"
    unix, windows = tmp_path / "unix.yaml", tmp_path / "windows.yaml"
    unix.write_bytes(text.encode())
    windows.write_bytes(text.replace("\n", "\r\n").encode())
    # When both are loaded / Then they are the same policy, as open() in text mode read them
    assert load_policy_file(windows) == load_policy_file(unix)
    assert load_policy_file(windows).identity == load_policy(text).identity
