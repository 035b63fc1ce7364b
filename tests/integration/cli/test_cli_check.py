"""``cvpn-guard check`` end to end through ``cvpn_guard.cli.main``: paths in, a verdict in each
format out, the exit status a pipeline gates on."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from cvpn_guard import __version__
from cvpn_guard.cli import main
from cvpn_guard.policy import default_policy
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.rules import get_rule

REPO = Path(__file__).resolve().parents[3]
ESTATE = REPO / "tests" / "fixtures" / "iac" / "estate"
SCHEMA = json.loads((REPO / "tests/fixtures/sarif/sarif-schema-2.1.0.json").read_text())
COMPLIANT = "cvpn-endpoint-0123456789abcdef0"
DRIFTED = "cvpn-endpoint-0fedcba9876543210"
BASELINE_RULES = [config.rule_id for config in default_policy().rules.active()]


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def check(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Runs ``cvpn-guard check ARGS`` in a folder holding a copy of the estate (``estate/``)."""
    shutil.copytree(ESTATE, tmp_path / "estate")
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> Run:
        capsys.readouterr()
        code = main(["check", *args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def _compliant_only(folder: Path) -> None:
    # The estate with its drifted endpoint (and that endpoint's rules and routes) removed.
    for name, key in (
        ("endpoints.json", "ClientVpnEndpoints"),
        ("rules.json", "AuthorizationRules"),
        ("routes.json", "Routes"),
    ):
        data = json.loads((folder / name).read_text())
        data[key] = [item for item in data[key] if item["ClientVpnEndpointId"] == COMPLIANT]
        (folder / name).write_text(json.dumps(data, indent=4))


def test_a_compliant_estate_exits_0(check, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Given only the compliant endpoint, with its rules and routes
    _compliant_only(tmp_path / "estate")

    # When the folder is checked
    done = check("estate")

    # Then it exits 0, and the table says the endpoint is clean and counts
    assert done.code == 0, done.out + done.err
    assert f"{COMPLIANT} (estate:3): clean" in done.out
    assert done.out.rstrip().endswith(
        "1 endpoint in 3 files: 1 clean, 0 not; 0 findings, 0 rules not evaluated for an unresolved value"
    )
    assert done.err == ""


def test_a_drifted_estate_exits_1_with_a_line_per_finding(check) -> None:  # type: ignore[no-untyped-def]
    # Given the estate with its drifted endpoint / When checked as a table
    done = check("estate")

    # Then it exits 1, and the table lists each baseline rule the drifted endpoint breaks,
    # with its severity and line, under the file
    assert done.code == 1
    lines = done.out.splitlines()
    assert lines[0] == "estate/endpoints.json"
    drifted = [line.split()[0] for line in lines if line.startswith("    ")]
    assert drifted == BASELINE_RULES
    assert any("login-banner" in line and "line 104" in line for line in lines)


def test_json_is_a_versioned_document(check) -> None:  # type: ignore[no-untyped-def]
    # Given the estate / When checked as JSON
    done = check("--format", "json", "estate")

    # Then the document names the tool, the policy and each endpoint with its findings
    assert done.code == 1
    document = json.loads(done.out)
    assert document["check_version"] == 1
    assert document["tool"] == {"name": "cvpn-guard", "version": __version__}
    identity = default_policy().identity
    assert document["policy"]["content_hash"] == identity.content_hash
    assert document["policy"]["source"] == "the bundled default policy"
    by_name = {e["name"]: e for e in document["endpoints"]}
    assert by_name[COMPLIANT]["clean"] is True
    drifted = by_name[DRIFTED]
    assert (drifted["kind"], drifted["file"], drifted["line"]) == (
        "estate",
        "estate/endpoints.json",
        59,
    )
    assert [f["rule"] for f in drifted["findings"]] == BASELINE_RULES
    assert all(f["line"] for f in drifted["findings"])
    # And each finding names the controls its rule serves, as the rule does
    for finding in drifted["findings"]:
        assert finding["controls"] == [c.tag for c in get_rule(finding["rule"]).controls]
    # The table is not on stdout: the summary goes to stderr
    assert done.err.startswith("cvpn-guard: 2 endpoints in 3 files: 1 clean, 1 not; 7 findings")


def test_sarif_to_a_file_validates_and_is_said_on_stderr(check, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Given the estate / When checked into a SARIF file, as the GitHub Actions example does
    done = check("--format", "sarif", "--output", "cvpn-guard.sarif", "estate/")

    # Then nothing is on stdout, the file is valid SARIF with a result per finding at the
    # relative path, and stderr says where it went
    assert done.code == 1
    assert done.out == ""
    log = json.loads((tmp_path / "cvpn-guard.sarif").read_text())
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert uris == {"estate/endpoints.json"}
    assert len(log["runs"][0]["results"]) == len(BASELINE_RULES)
    assert "cvpn-guard: sarif written to cvpn-guard.sarif" in done.err


def test_junit_counts_a_case_per_endpoint_and_rule(check) -> None:  # type: ignore[no-untyped-def]
    done = check("--format", "junit", "--output", "-", "estate")
    assert done.code == 1
    root = ET.fromstring(done.out)
    assert root.get("tests") == str(2 * len(BASELINE_RULES))
    assert root.get("failures") == str(len(BASELINE_RULES))


def test_rule_limits_the_check_to_that_rule(check) -> None:  # type: ignore[no-untyped-def]
    done = check("--format", "json", "--rule", "session-timeout", "estate")
    assert done.code == 1
    document = json.loads(done.out)
    assert document["policy"]["rules"] == ["session-timeout"]
    [drifted] = [e for e in document["endpoints"] if e["name"] == DRIFTED]
    assert [f["rule"] for f in drifted["findings"]] == ["session-timeout"]


def test_a_rule_the_policy_does_not_check_exits_2(check) -> None:  # type: ignore[no-untyped-def]
    done = check("--rule", "vpn-port", "estate")
    assert done.code == 2
    assert "--rule vpn-port: the bundled default policy does not check it" in done.err


def test_control_limits_the_check_to_the_rules_of_a_control(
    check, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # Given the session rules serving NIST AC-12
    ac12 = Control(Framework.NIST_800_53, "AC-12", "Session Termination")
    for rule_id in ("session-timeout", "disconnect-on-session-timeout"):
        monkeypatch.setattr(get_rule(rule_id), "controls", (ac12,))

    # When the estate is checked for AC-12
    done = check("--format", "json", "--control", "AC-12", "estate")

    # Then only those rules are checked and found
    assert done.code == 1
    document = json.loads(done.out)
    assert document["policy"]["rules"] == ["disconnect-on-session-timeout", "session-timeout"]


def test_a_control_no_rule_serves_exits_2(check) -> None:  # type: ignore[no-untyped-def]
    done = check("--control", "XX-99", "estate")
    assert done.code == 2
    assert done.err.startswith("cvpn-guard: error: --control XX-99: no rule serves it")


def test_a_policy_file_is_applied(check, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Given a policy that allows 24-hour sessions and checks nothing else
    policy = tmp_path / "loose.yaml"
    policy.write_text("version: 1\nmode: enforce\nrules:\n  session-timeout:\n    max_hours: 24\n")

    # When the estate is checked under it / Then both endpoints comply
    done = check("--policy", str(policy), "estate")
    assert done.code == 0, done.out


def test_a_missing_path_exits_2_naming_it(check) -> None:  # type: ignore[no-untyped-def]
    done = check("estate", "nowhere/")
    assert done.code == 2
    assert done.err == "cvpn-guard: error: nowhere/: no such file or folder\n"
    assert done.out == ""


def test_a_broken_file_exits_2_with_the_file_line_and_parsers_message(
    check, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # Given a saved answer cut short
    (tmp_path / "estate" / "routes.json").write_text('{\n    "Routes": [\n')

    # When the folder is checked
    done = check("estate")

    # Then it exits 2 with the file, the line and what the JSON parser said
    assert done.code == 2
    assert done.err.startswith("cvpn-guard: error: estate/routes.json:3: not valid JSON: ")
    assert "Traceback" not in done.err


def test_a_named_file_of_no_known_format_exits_2(check, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "notes.txt").write_text("hello\n")
    done = check("notes.txt")
    assert done.code == 2
    assert "notes.txt: none of the formats cvpn-guard check reads" in done.err


def test_an_unwritable_output_exits_2_before_reading(check) -> None:  # type: ignore[no-untyped-def]
    done = check("--output", "no/such/dir/out.sarif", "--format", "sarif", "estate")
    assert done.code == 2
    assert "cannot write no/such/dir/out.sarif" in done.err


def test_help_shows_the_examples_and_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--help"]) == 0
    text = capsys.readouterr().out
    assert "cvpn-guard check --format sarif --output cvpn-guard.sarif infra/" in text
    for status in ("  0  ", "  1  ", "  2  "):
        assert status in text


@pytest.mark.parametrize(
    ("folder", "drifted"),
    [
        ("cloudformation", "DriftedVpn"),
        ("sam", "DriftedVpn"),
        ("cdk.out", "DriftedVpn5C6D7E8F"),
    ],
)
def test_the_template_fixtures_report_their_drifted_endpoint(
    check,  # type: ignore[no-untyped-def]
    folder: str,
    drifted: str,
) -> None:
    # Given the CloudFormation, SAM and CDK fixtures, each with a compliant and a drifted
    # endpoint
    path = str(REPO / "tests" / "fixtures" / "iac" / folder)

    # When each folder is checked as JSON
    done = check("--format", "json", path)

    # Then it exits 1: the compliant endpoint is clean, the drifted one is not, and each of
    # its findings has a line
    assert done.code == 1, done.err
    endpoints = {e["name"]: e for e in json.loads(done.out)["endpoints"]}
    assert [name for name, e in endpoints.items() if not e["clean"]] == [drifted]
    assert all(f["line"] for f in endpoints[drifted]["findings"])
    assert {e["kind"] for e in endpoints.values()} == {"cloudformation"}


def test_paths_without_endpoints_exit_0_and_say_so(check, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Given a folder of Terraform-free, template-free files (a README only)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "README.md").write_text("# nothing here\n")

    # When checked
    done = check("empty")

    # Then nothing is wrong, but stderr says that nothing was found to check
    assert done.code == 0
    assert done.err == "cvpn-guard: note: no Client VPN endpoint in 0 files read from empty\n"
