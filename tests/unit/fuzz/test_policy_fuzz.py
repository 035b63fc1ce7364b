"""The policy loader under hostile documents: a ``Policy`` or a readable ``PolicyError``, only.

Policies come from an SSM parameter that many people can edit. Whatever the text, the loader
must either return a usable policy or explain every problem in the author's terms (a path and
a message, no pydantic dump), and it must do so quickly: no hang, no other exception.
"""

from __future__ import annotations

import copy
import json
import re
import time
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cvpn_guard.exceptions import PolicyError, PolicyProblem
from cvpn_guard.policy import Policy, load_policy
from cvpn_guard.rules import all_rules
from tests.support.examples import examples
from tests.unit.fuzz.strategies import (
    NASTY_STRINGS,
    WRONG_VALUES,
    deleted,
    json_values,
    nasty_text,
    paths,
    replaced,
)

FUZZ = settings(max_examples=examples(150))
# What pydantic's own rendering looks like; the loader must translate it, never pass it on.
RAW_PYDANTIC = re.compile(
    r"validation errors? for|\[type=|input_value=|input_type=|errors\.pydantic\.dev"
    r"|For further information|pydantic_core|Traceback"
)

# PyYAML's ReaderError, passed on as it is (see test_control_characters_...): the one known
# exception to "one line per problem". Remove when the loader words it itself.
KNOWN_TWO_LINE = re.compile(
    r"invalid YAML: unacceptable character #x[0-9a-f]{4}: special characters are not allowed\n"
    r'  in "<unicode string>", position \d+'
)

FULL_POLICY: dict[str, Any] = {
    "version": 1,
    "mode": "enforce",
    "allow_tag_exemptions": True,
    # Every registered rule with its example options, plus every option group the examples
    # leave out (explicit severity and remediate, a log stream, both DNS address families).
    "rules": {
        **{rule.id: dict(rule.example) for rule in all_rules()},
        "disconnect-on-session-timeout": {"required": True, "severity": "high", "remediate": True},
        "session-timeout": {"max_hours": 12, "severity": "medium"},
        "connection-logging": {"required": True, "log_group": "/aws/clientvpn", "log_stream": "e"},
        "vpn-port": {"allowed": [443, 1194]},
        "dns-servers": {"allowed": ["10.0.0.2", "fd00::2"]},
    },
    "exemptions": [
        {
            "endpoint_id": "cvpn-endpoint-0123456789abcdef0",
            "rules": ["dns-servers"],
            "reason": "INC-1234, owner net-team",
            "expires": "2027-01-31",
        },
        {"tag": {"key": "team", "value": "lab"}, "reason": "lab endpoints"},
    ],
}


def load_safely(text: str) -> Policy | PolicyError:
    """Load ``text``; the result must be a usable Policy or a PolicyError a human can act on."""
    try:
        policy = load_policy(text, source="fuzz.yaml")
    except PolicyError as error:
        _assert_readable(error)
        return error
    assert isinstance(policy, Policy)
    # Usable: what every report and notice asks of it.
    assert policy.identity.content_hash.startswith("sha256:")
    json.loads(policy.model_dump_json(by_alias=True))
    return policy


def _assert_readable(error: PolicyError) -> None:
    assert error.problems, "a PolicyError must say what is wrong"
    for problem in error.problems:
        assert isinstance(problem, PolicyProblem)
        assert isinstance(problem.path, str)
        assert isinstance(problem.message, str)
        assert problem.message.strip(), problem
        assert not RAW_PYDANTIC.search(problem.message), problem.message[:300]
        # One line per problem: a value's newline is shown escaped, never raw.
        assert "\n" not in problem.message or KNOWN_TWO_LINE.fullmatch(problem.message), (
            problem.message[:300]
        )
    assert str(error).startswith("fuzz.yaml: ")


def _as_yaml(document: Any) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def test_the_full_policy_is_valid() -> None:
    # Every mutation below starts from a policy that uses every rule and option group.
    assert set(FULL_POLICY["rules"]) == {rule.id for rule in all_rules()}
    assert isinstance(load_safely(json.dumps(FULL_POLICY)), Policy)
    assert isinstance(load_safely(_as_yaml(FULL_POLICY)), Policy)


# ---- random text and random documents ----------------------------------------------------


@FUZZ
@given(nasty_text(max_size=200))
@example("")
@example("{")
@example("- a\n- b")
@example("version: 1\nversion: 1\n")
@example("!!python/object/apply:os.system ['true']")
@example("{'version': 1}")
@example("version: 1\nrules: {session-timeout: {max_hours: 2027-13-01}}")
def test_any_text_is_a_policy_or_a_readable_error(text: str) -> None:
    load_safely(text)


@FUZZ
@given(json_values(huge=False), st.booleans())
def test_any_document_is_a_policy_or_a_readable_error(document: Any, as_json: bool) -> None:
    load_safely(json.dumps(document) if as_json else _as_yaml(document))


# ---- documents built from the real schema, then broken -----------------------------------

_PATHS = list(paths(FULL_POLICY))


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "yaml"])
def test_wrong_type_or_nothing_at_every_path(as_json: bool) -> None:
    # Exhaustive: every key and item of the full policy, removed or given a wrong-typed value.
    dump = json.dumps if as_json else _as_yaml
    # YAML reads the same values into the same documents, only slower: fewer of them.
    values = WRONG_VALUES if as_json else (None, 0, [], {})
    for path in _PATHS:
        load_safely(dump(deleted(FULL_POLICY, path)))
        for value in values:
            outcome = load_safely(dump(replaced(FULL_POLICY, path, value)))
            if isinstance(outcome, PolicyError):
                # A problem is located in the mapping that holds the wrong value (at the value
                # itself, inside it, or at a sibling it conflicts with).
                where = _path_text(path[:-1])
                assert any(p.path.startswith(where) for p in outcome.problems), (
                    _path_text(path),
                    value if not isinstance(value, str) else value[:20],
                    outcome,
                )


def _path_text(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_UNKNOWN_KEYS = st.sampled_from(["Mode", "max-hours", "remediate_", "", "rules", "__proto__"])


@st.composite
def _broken_documents(draw: st.DrawFn) -> Any:
    document = copy.deepcopy(FULL_POLICY)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        every_path = list(paths(document))
        if not every_path:
            break
        *parents, last = draw(st.sampled_from(every_path))
        parent = document
        for part in parents:
            parent = parent[part]
        operation = draw(st.sampled_from(["replace", "delete", "unknown key", "nasty"]))
        if operation == "delete":
            del parent[last]
        elif operation == "replace":
            parent[last] = draw(_SMALL_JSON)
        elif operation == "nasty":
            parent[last] = draw(_NASTY)
        elif isinstance(parent[last], dict):
            parent[last][draw(_UNKNOWN_KEYS | _NASTY)] = draw(_SMALL_JSON)
    return document


_SMALL_JSON = json_values(huge=False, max_leaves=6)
_NASTY = nasty_text()


@settings(max_examples=examples(200))
@given(_broken_documents(), st.booleans())
def test_schema_documents_with_wrong_values_and_unknown_keys(document: Any, as_json: bool) -> None:
    load_safely(json.dumps(document) if as_json else _as_yaml(document))


IMPOSSIBLE = [
    ("version", 2),
    ("version", "1"),
    ("version", True),
    ("version", 1.0),
    ("mode", "ENFORCE"),
    ("allow_tag_exemptions", "yes"),
    ("rules.session-timeout.max_hours", 7),
    ("rules.session-timeout.max_hours", -1),
    ("rules.session-timeout.max_hours", 12.0),
    ("rules.session-timeout.severity", "urgent"),
    ("rules.session-timeout.remediate", "true"),
    ("rules.login-banner.text", ""),
    ("rules.login-banner.text", " \n\t"),
    ("rules.login-banner.text", "x" * 1401),
    ("rules.connection-logging.log_group", "/aws/clientvpn\n"),
    ("rules.connection-logging.log_group", "x" * 513),
    ("rules.connection-logging.log_stream", "a:b"),
    ("rules.client-connect-handler.allowed_functions", ["arn:aws:lambda:eu-west-1:1:function:f"]),
    (
        "rules.client-connect-handler.allowed_functions",
        ["arn:aws:lambda:eu-west-1:123456789012:function:NotAWSClientVPN-x"],
    ),
    ("rules.client-connect-handler.allowed_functions", []),
    ("rules.vpn-port.allowed", [22]),
    ("rules.vpn-port.allowed", [443, 443]),
    ("rules.vpn-port.allowed", ["443"]),
    ("rules.transport-protocol.allowed", ["quic"]),
    ("rules.transport-protocol.remediate", True),
    ("rules.authentication.allowed_types", ["password"]),
    ("rules.dns-servers.allowed", ["10.0.0.2", "10.0.0.3", "10.0.0.4"]),
    ("rules.dns-servers.allowed", ["999.0.0.1"]),
    ("rules.dns-servers.allowed", ["10.0.0.2\n"]),
    ("rules.security-groups.replacement_group_ids", [f"sg-0000000{i}" for i in range(1, 7)]),
    ("rules.security-groups.replacement_group_ids", ["sg-XYZ"]),
    ("rules.required-tags.keys", ["x" * 129]),
    ("rules.required-tags.keys", [""]),
    ("rules.routes.forbidden_destinations", ["10.0.0.1/8"]),
    ("rules.routes.forbidden_destinations", []),
    ("rules.routes.allowed_exceptions", [{"destination": "0.0.0.0/0", "target": "igw-1"}]),
    ("rules.routes.allowed_exceptions", [{"destination": "0.0.0.0/0"}]),
    ("rules.routes.remove_forbidden", "yes"),
    ("rules.authorization.revoke_access_all", "true"),
    ("rules.device-posture.required_trust_providers", [{"trust_provider_type": "okta"}]),
    (
        "rules.device-posture.required_trust_providers",
        [{"trust_provider_type": "jamf", "tenant_id": " "}],
    ),
    ("rules.ip-address-type.allowed_endpoint_types", ["ipv5"]),
    ("rules.ip-address-type.allowed_traffic_types", []),
    ("rules.ip-address-type.remediate", True),
    ("rules.certificate-revocation.remediate", True),
    ("rules.transit-gateway.transit_gateway_ids", ["tgw-XYZ"]),
    ("rules.connection-logging.include_authorization_policy_context", "yes"),
    ("exemptions[0].endpoint_id", "cvpn-endpoint-0123456789abcdef0\n"),
    ("exemptions[0].endpoint_id", "cvpn-endpoint-XYZ"),
    ("exemptions[0].expires", "2027-13-01"),
    ("exemptions[0].expires", "2027-02-30"),
    ("exemptions[0].expires", "tomorrow"),
    ("exemptions[0].expires", 20270131),
    ("exemptions[0].expires", "2027-01-31T10:00:00"),
    ("exemptions[0].rules", ["no-such-rule"]),
    ("exemptions[0].reason", "   "),
    ("exemptions[1].tag.key", ""),
]


def _set(document: Any, dotted: str, value: Any) -> Any:
    path: list[str | int] = []
    for part in dotted.split("."):
        name, _, index = part.partition("[")
        path.append(name)
        if index:
            path.append(int(index.rstrip("]")))
    return replaced(document, tuple(path), value)


@pytest.mark.parametrize(
    ("where", "value"), IMPOSSIBLE, ids=[f"{p}={v!r:.20}" for p, v in IMPOSSIBLE]
)
def test_impossible_values_are_refused_at_their_path(where: str, value: Any) -> None:
    # Given the full policy with one impossible value
    document = _set(FULL_POLICY, where, value)

    # When it is loaded (as JSON: YAML would read some of these values differently)
    outcome = load_safely(json.dumps(document))

    # Then it is refused, with a problem at that path (or inside it) saying what is allowed
    assert isinstance(outcome, PolicyError), (where, value)
    assert any(problem.path.startswith(where) for problem in outcome.problems), outcome


# ---- malicious strings in the values a policy carries ------------------------------------


@FUZZ
@given(
    st.sampled_from(
        [
            "rules.login-banner.text",
            "exemptions[0].reason",
            "exemptions[1].tag.key",
            "exemptions[1].tag.value",
            "rules.required-tags.keys",
            "rules.connection-logging.log_stream",
        ]
    ),
    nasty_text(),
)
@example("rules.login-banner.text", "x" * 1400)
@example("exemptions[0].reason", "\x1b[2J" + "y" * 10_000)
def test_hostile_text_values_load_or_are_refused_readably(where: str, text: str) -> None:
    value: Any = [text] if where.endswith(".keys") else text
    outcome = load_safely(json.dumps(_set(FULL_POLICY, where, value)))
    if isinstance(outcome, Policy):
        # A value that is accepted is kept exactly: no silent trimming or re-encoding.
        dumped = json.loads(outcome.model_dump_json(by_alias=True))
        assert json.dumps(dumped, sort_keys=True).count(json.dumps(text)[1:-1]) >= 1


# ---- sizes: bombs and deep nesting must not hang or escape as another error --------------

_LAUGHS = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]"
            for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "version: 1",
        "rules:",
        "  required-tags: {keys: *i}",
        "  vpn-port: {allowed: *i}",
        "exemptions: *i",
    ]
)


@pytest.mark.parametrize(
    "text",
    [
        _LAUGHS,  # 9^9 leaves if anything walked the whole alias graph
        "version: 1\nrules:\n  login-banner:\n    text: " + "x" * 1_000_000,
        "version: 1\nrules:\n" + "".join(f"  r{i}: {{}}\n" for i in range(5_000)),
        json.dumps({"version": 1, "rules": {}, "exemptions": [{}] * 20_000}),
        "version: 1\nrules: {}\nexemptions: [" + ", ".join(["*x"] * 10) + "]",  # undefined alias
    ],
    ids=["billion-laughs", "1MB-banner", "5k-unknown-rules", "20k-exemptions", "bad-alias"],
)
def test_huge_documents_are_answered_quickly(text: str) -> None:
    started = time.perf_counter()
    outcome = load_safely(text)
    assert time.perf_counter() - started < 10
    assert isinstance(outcome, PolicyError)


DEEP = 2_000


@pytest.mark.parametrize(
    "text",
    [
        "[" * DEEP + "]" * DEEP,
        "a: " + "{b: " * DEEP + "1" + "}" * DEEP,
        "- " * DEEP + "x",
        '{"version": 1, "rules": ' + "[" * DEEP + "]" * DEEP + "}",
        '{"a": ' * DEEP + "1" + "}" * DEEP,
    ],
    ids=["yaml-lists", "yaml-mappings", "yaml-block-lists", "json-lists", "json-objects"],
)
def test_deeply_nested_documents_are_a_policy_error(text: str) -> None:
    load_safely(text)


@pytest.mark.parametrize(
    "text",
    [
        '{"version": 1, "rules": {"login-banner": {"text": "Authorized \\ud800 only"}}}',
        'version: 1\nrules:\n  login-banner:\n    text: "Authorized \\udfff only"\n',
        'version: 1\nrules: {}\nexemptions:\n  - {tag: {key: team, value: "\\ud800"}}\n',
    ],
    ids=["json-banner", "yaml-banner", "yaml-tag-value"],
)
def test_lone_surrogates_are_a_policy_error(text: str) -> None:
    assert isinstance(load_safely(text), PolicyError)


@pytest.mark.parametrize("text", ["\x1f", "version: 1\nmode: enforce\x00\n", "a: b\x07"])
def test_control_characters_give_a_one_line_error_with_line_and_column(text: str) -> None:
    error = load_safely(text)
    assert isinstance(error, PolicyError)
    (problem,) = error.problems
    assert "\n" not in problem.message
    assert "<unicode string>" not in problem.message
    assert re.search(r"line \d+, column \d+", problem.message)


def test_nasty_strings_table_is_used() -> None:
    # Guards the shared table against an accidental emptying.
    assert len(NASTY_STRINGS) > 20
