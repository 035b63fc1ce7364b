"""JUnit XML: a suite per file, a case per endpoint and rule, failures and skips counted."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cvpn_guard.iac.checking import CheckResult, check_all
from cvpn_guard.iac.declared import DeclaredEndpoint, SourceKind
from cvpn_guard.iac.discovery import declared_endpoints
from cvpn_guard.iac.junit import render_junit
from cvpn_guard.policy import default_policy

REPO = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DRIFTED = "cvpn-endpoint-0fedcba9876543210"
RULES = [config.rule_id for config in default_policy().rules.active()]


@pytest.fixture(autouse=True)
def _at_the_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def _estate() -> CheckResult:
    sources, endpoints = declared_endpoints(["tests/fixtures/iac/estate"])
    return check_all(endpoints, default_policy(), NOW, sources.files)


def _template(name: str, **fields: Any) -> DeclaredEndpoint:
    values: dict[str, Any] = {
        "kind": SourceKind.CLOUDFORMATION,
        "file": "infra/vpn.yaml",
        "name": name,
        "describe": {"ClientVpnEndpointId": name, "DisconnectOnSessionTimeout": True},
        "line": 5,
        "routes": (),
    }
    return DeclaredEndpoint(**(values | fields))


def test_the_xml_parses_with_a_case_per_endpoint_and_rule() -> None:
    # Given the estate of two endpoints, one drifted on all seven baseline rules
    root = ET.fromstring(render_junit(_estate()))

    # Then there is one suite (one file), and a case per endpoint x rule
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "tests/fixtures/iac/estate/endpoints.json"
    cases = suite.findall("testcase")
    assert len(cases) == 2 * len(RULES)
    assert {(c.get("classname"), c.get("name")) for c in cases} == {
        (endpoint, rule)
        for endpoint in ("cvpn-endpoint-0123456789abcdef0", DRIFTED)
        for rule in RULES
    }


def test_violations_are_failures_with_severity_and_file_line() -> None:
    # Given the estate's XML
    root = ET.fromstring(render_junit(_estate()))
    failures = root.findall(".//testcase/failure")

    # Then each finding of the drifted endpoint is a failure: its message, its severity as
    # type, file:line as text; and the counts add up on the suite and the document
    assert len(failures) == len(RULES)
    [timeout] = root.findall(
        ".//testcase[@name='session-timeout'][@classname='" + DRIFTED + "']/failure"
    )
    assert timeout.get("type") == "medium"
    assert timeout.get("message", "").startswith("SessionTimeoutHours is 24")
    assert (timeout.text or "").startswith("tests/fixtures/iac/estate/endpoints.json:")
    for element in (root, root.find("testsuite")):
        assert element is not None
        assert element.get("tests") == str(2 * len(RULES))
        assert element.get("failures") == str(len(RULES))
        assert element.get("skipped") == "0"


def test_rules_not_evaluated_are_skipped_with_the_reason() -> None:
    # Given a template whose timeout is unresolved and whose routes are unknown
    declared = _template(
        "DriftedVpn",
        unresolved={"SessionTimeoutHours": "!Ref Hours"},
    )
    result = check_all([declared], default_policy(), NOW, ["infra/vpn.yaml"])

    # When rendered
    root = ET.fromstring(render_junit(result))

    # Then the unresolved rule is skipped with the expression, and counted
    [skipped] = root.findall(".//testcase[@name='session-timeout']/skipped")
    assert "!Ref Hours" in (skipped.get("message") or "")
    assert root.get("skipped") == "1"


def test_a_suite_per_file() -> None:
    # Given endpoints of two files
    first = _template("CompliantVpn")
    second = DeclaredEndpoint(**{**first.__dict__, "file": "infra/other.yaml", "name": "OtherVpn"})
    result = check_all(
        [first, second], default_policy(), NOW, ["infra/vpn.yaml", "infra/other.yaml"]
    )

    # Then each file is its own suite
    suites = ET.fromstring(render_junit(result)).findall("testsuite")
    assert [s.get("name") for s in suites] == ["infra/vpn.yaml", "infra/other.yaml"]


def test_control_characters_in_a_name_still_make_valid_xml() -> None:
    # Given a file whose name holds an escape character (a terminal's CSI)
    declared = _template("DriftedVpn", file="infra/\x1b[2Jvpn.yaml")
    result = check_all([declared], default_policy(), NOW, [declared.file])

    # When rendered / Then the document still parses, the character written as its escape
    [suite] = ET.fromstring(render_junit(result)).findall("testsuite")
    assert suite.get("name") == "infra/\\u001b[2Jvpn.yaml"
