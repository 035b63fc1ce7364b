"""``cvpn-guard scan`` obeys the policy's mode, plans before it fixes, asks before it applies,
and can be limited to endpoints and rules; its policy may be the stack's own SSM parameter.

Against the emulator server, over real HTTP: each test seeds its own endpoints.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from cvpn_emulator.control import EmulatorControl
from tests.integration.cli.conftest import Cli
from tests.integration.sweeper.large_estate import REGIONS
from tests.support.estate import BANNER, create_endpoint
from tests.support.windows import banner_off_long_sessions

pytestmark = pytest.mark.server

MODIFY = "ModifyClientVpnEndpoint"


class Terminal(io.StringIO):
    """What a person types at a terminal."""

    def isatty(self) -> bool:
        return True


def _policy(directory: Path, mode: str) -> Path:
    document = {
        "version": 1,
        "mode": mode,
        "rules": {
            "login-banner": {"required": True, "text": BANNER},
            "session-timeout": {"max_hours": 12},
        },
    }
    path = directory / f"{mode}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.fixture
def ec2(emulator_url: str) -> Any:
    EmulatorControl(emulator_url).reset()
    return boto3.client("ec2", region_name=REGIONS[0], endpoint_url=emulator_url)


@pytest.fixture
def enforcing(emulator_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    """The CLI against the emulator with an enforce-mode policy file."""
    return Cli(emulator_url, _policy(tmp_path, "enforce"), capsys)


def _drifted(ec2: Any) -> str:
    """An endpoint with the banner off (fix disconnects nobody) and 24 h sessions (disruptive)."""
    return create_endpoint(ec2, **banner_off_long_sessions())


def _described(ec2: Any, endpoint_id: str) -> dict[str, Any]:
    (item,) = ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])[
        "ClientVpnEndpoints"
    ]
    return dict(item)


def _modifies(url: str) -> int:
    return EmulatorControl(url).call_counts().get(MODIFY, 0)


# --- the policy's mode is the law -------------------------------------------------------------


def test_remediate_under_a_report_mode_policy_changes_nothing_and_names_the_override(
    emulator_url: str, ec2: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a drifted endpoint and a policy document that says mode: report
    endpoint_id = _drifted(ec2)
    cli = Cli(emulator_url, _policy(tmp_path, "report"), capsys)

    # When the scan is asked to remediate (even with --yes)
    run = cli.scan("--remediate", "--yes", "--no-progress")

    # Then nothing is changed, it exits 2 and says which flag overrides the document
    assert run.code == 2
    assert "mode: report" in run.err
    assert "--override-mode" in run.err
    assert _modifies(emulator_url) == 0
    assert _described(ec2, endpoint_id)["SessionTimeoutHours"] == 24


def test_override_mode_applies_a_report_mode_policy_when_the_operator_says_so(
    emulator_url: str, ec2: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a drifted endpoint and a report-mode policy
    endpoint_id = _drifted(ec2)
    cli = Cli(emulator_url, _policy(tmp_path, "report"), capsys)

    # When the operator overrides the mode explicitly
    run = cli.scan("--remediate", "--override-mode", "--yes", "--format", "json", "--no-progress")

    # Then the fixes are applied, and the report says the mode that applied
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert report["policy"]["mode"] == "enforce"
    assert report["policy"]["document_mode"] == "report"
    assert _described(ec2, endpoint_id)["SessionTimeoutHours"] == 12

    # And its hash is the one policy validate prints for the document
    (validated,) = json.loads(_validate_json(cli, capsys))
    assert report["policy"]["content_hash"] == validated["content_hash"]


@pytest.mark.usefixtures("ec2")
def test_override_mode_and_yes_without_remediate_are_usage_errors(enforcing: Cli) -> None:
    for flag in ("--override-mode", "--yes"):
        run = enforcing.scan(flag, "--no-progress")
        assert run.code == 2
        assert f"{flag} changes only what --remediate does" in run.err


# --- the plan ----------------------------------------------------------------------------------


def test_plan_prints_each_call_with_before_after_and_the_users_it_disconnects(
    emulator_url: str, ec2: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a drifted endpoint with 3 users connected, under an enforce-mode policy
    endpoint_id = _drifted(ec2)
    EmulatorControl(emulator_url).seed_connections(endpoint_id, 3)
    cli = Cli(emulator_url, _policy(tmp_path, "enforce"), capsys)

    # When the scan plans
    run = cli.scan("--plan", "--no-progress")

    # Then it prints the Modify with its exact parameters, before -> after, the users it would
    # disconnect; changes nothing, and exits like a report-only scan (1: violations remain)
    assert run.code == 1, run.err
    assert run.out.startswith("Plan: 1 call to 1 endpoint (nothing has been changed)")
    assert f"{endpoint_id} " in run.out
    assert "  1. ModifyClientVpnEndpoint\n" in run.out
    assert "       SessionTimeoutHours: 24 -> 12\n" in run.out
    assert "  users affected: 3 users connected now\n" in run.out
    (parameters_line,) = [line for line in run.out.splitlines() if "parameters:" in line]
    parameters = json.loads(parameters_line.split("parameters: ", 1)[1])
    assert parameters["ClientVpnEndpointId"] == endpoint_id
    assert parameters["SessionTimeoutHours"] == 12
    assert parameters["ClientLoginBannerOptions"] == {"Enabled": True, "BannerText": BANNER}
    assert _modifies(emulator_url) == 0


def test_plan_as_json_lists_the_calls_a_tool_can_read(
    emulator_url: str, ec2: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a drifted endpoint under a report-mode policy
    endpoint_id = _drifted(ec2)
    cli = Cli(emulator_url, _policy(tmp_path, "report"), capsys)

    # When the scan plans in JSON
    run = cli.scan("--plan", "--format", "json", "--no-progress")

    # Then the plan is the document, with a note that --remediate needs --override-mode here
    assert run.code == 1, run.err
    plan = json.loads(run.out)
    (endpoint,) = plan["endpoints"]
    assert endpoint["endpoint_id"] == endpoint_id
    assert [call["operation"] for call in endpoint["calls"]] == [MODIFY]
    assert endpoint["disruptive"] is True
    assert endpoint["users_affected"] == 0
    assert "--override-mode" in run.err
    assert _modifies(emulator_url) == 0


@pytest.mark.usefixtures("ec2")
def test_plan_with_remediate_is_a_usage_error(enforcing: Cli) -> None:
    run = enforcing.scan("--plan", "--remediate", "--no-progress")
    assert run.code == 2
    assert "--plan shows what --remediate would do" in run.err


# --- confirmation ------------------------------------------------------------------------------


def test_remediate_without_a_terminal_or_yes_changes_nothing_and_exits_2(
    emulator_url: str, ec2: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a drifted endpoint under an enforce-mode policy, and stdin that is no terminal
    endpoint_id = _drifted(ec2)
    cli = Cli(emulator_url, _policy(tmp_path, "enforce"), capsys)

    # When the scan remediates without --yes
    run = cli.scan("--remediate", "--no-progress")

    # Then nothing is changed: exit 2, saying why and what to do
    assert run.code == 2
    assert "no terminal to ask on" in run.err
    assert "--remediate --yes" in run.err
    assert _modifies(emulator_url) == 0
    assert _described(ec2, endpoint_id)["SessionTimeoutHours"] == 24


@pytest.mark.parametrize("answer", ["n\n", "\n", ""])
def test_declining_the_plan_on_a_terminal_changes_nothing(
    answer: str, enforcing: Cli, ec2: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a drifted endpoint, an enforce-mode policy and a person who answers no
    endpoint_id = _drifted(ec2)
    monkeypatch.setattr("sys.stdin", Terminal(answer))
    cli, emulator_url = enforcing, enforcing.url

    # When the scan remediates
    run = cli.scan("--remediate", "--format", "json", "--no-progress")

    # Then the plan was shown and nothing changed; it exits like a report-only scan
    assert "1. ModifyClientVpnEndpoint" in run.err
    assert "Apply this plan (1 call to 1 endpoint)? [y/N] " in run.err
    assert "declined: nothing was changed" in run.err
    assert run.code == 1
    report = json.loads(run.out)
    assert report["policy"]["mode"] == "report"
    assert report["summary"]["remediated"] == 0
    assert _modifies(emulator_url) == 0
    assert _described(ec2, endpoint_id)["SessionTimeoutHours"] == 24


def test_confirming_the_plan_on_a_terminal_applies_exactly_it(
    emulator_url: str,
    ec2: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given two drifted endpoints, an enforce-mode policy and a person who answers yes
    first, second = _drifted(ec2), _drifted(ec2)
    monkeypatch.setattr("sys.stdin", Terminal("yes\n"))
    cli = Cli(emulator_url, _policy(tmp_path, "enforce"), capsys)

    # When the scan remediates
    run = cli.scan("--remediate", "--format", "json", "--no-progress")

    # Then both plans were shown and applied, one Modify each, and the report covers both
    assert run.code == 0, run.err
    assert "Apply this plan (2 calls to 2 endpoints)? [y/N] " in run.err
    report = json.loads(run.out)
    assert {e["endpoint_id"]: e["status"] for e in report["endpoints"]} == {
        first: "remediated",
        second: "remediated",
    }
    assert _modifies(emulator_url) == 2


def _validate_json(cli: Cli, capsys: pytest.CaptureFixture[str]) -> str:
    from cvpn_guard.cli import main

    capsys.readouterr()
    main(["policy", "validate", "--format", "json", str(cli.policy)])
    return capsys.readouterr().out


# --- limits ------------------------------------------------------------------------------------


def test_endpoint_id_limits_the_scan_and_its_fixes(
    emulator_url: str, ec2: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two drifted endpoints
    chosen, other = _drifted(ec2), _drifted(ec2)
    cli = Cli(emulator_url, _policy(tmp_path, "enforce"), capsys)

    # When one is named
    run = cli.scan(
        "--remediate", "--yes", "--endpoint-id", chosen, "--format", "json", "--no-progress"
    )

    # Then only it is reported and fixed
    assert run.code == 0, run.err
    assert [e["endpoint_id"] for e in json.loads(run.out)["endpoints"]] == [chosen]
    assert _described(ec2, chosen)["SessionTimeoutHours"] == 12
    assert _described(ec2, other)["SessionTimeoutHours"] == 24


def test_an_endpoint_id_no_region_has_is_a_reported_error(
    emulator_url: str, ec2: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an endpoint id that exists in no scanned region
    missing = "cvpn-endpoint-0123456789abcdef0"
    cli = Cli(emulator_url, _policy(tmp_path, "enforce"), capsys)

    # When it is named
    run = cli.scan("--endpoint-id", missing, "--format", "json", "--no-progress")

    # Then the report says it was not found where it looked (exit 1: not checked)
    assert run.code == 1
    (error,) = json.loads(run.out)["errors"]
    assert error["endpoint_id"] == missing
    assert error["code"] == "InvalidClientVpnEndpointId.NotFound"
    assert all(region in error["message"] for region in REGIONS)


@pytest.mark.usefixtures("ec2")
def test_a_malformed_endpoint_id_is_a_usage_error(enforcing: Cli) -> None:
    run = enforcing.scan("--endpoint-id", "vpn-123", "--no-progress")
    assert run.code == 2
    assert "not an endpoint id: vpn-123" in run.err


def test_rule_limits_the_checks_and_the_fixes_to_that_rule(
    emulator_url: str, ec2: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an endpoint breaking the banner and the session timeout rules
    endpoint_id = _drifted(ec2)
    cli = Cli(emulator_url, _policy(tmp_path, "enforce"), capsys)

    # When the scan remediates the banner only
    run = cli.scan(
        "--remediate", "--yes", "--rule", "login-banner", "--format", "json", "--no-progress"
    )

    # Then only the banner is judged and fixed; the sessions stay as they are
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert report["source"]["rules"] == ["login-banner"]
    (endpoint,) = report["endpoints"]
    assert [f["rule"] for f in endpoint["findings"]] == ["login-banner"]
    assert endpoint["fixed_rules"] == ["login-banner"]
    described = _described(ec2, endpoint_id)
    assert described["ClientLoginBannerOptions"]["Enabled"] is True
    assert described["SessionTimeoutHours"] == 24

    # And the report still names the whole document: the hash policy validate prints for it
    (validated,) = json.loads(_validate_json(cli, capsys))
    assert report["policy"]["content_hash"] == validated["content_hash"]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("login-baner", "no such rule; did you mean 'login-banner'?"),
        ("self-service-portal", "does not check it"),
    ],
)
@pytest.mark.usefixtures("ec2")
def test_a_rule_the_policy_does_not_check_is_a_usage_error(
    rule: str, message: str, enforcing: Cli
) -> None:
    run = enforcing.scan("--rule", rule, "--no-progress")
    assert run.code == 2
    assert message in run.err


def test_control_limits_the_scan_to_the_rules_that_serve_it(
    emulator_url: str, ec2: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an endpoint breaking the banner (AC-8) and the session timeout (AC-12) rules
    _drifted(ec2)
    cli = Cli(emulator_url, _policy(tmp_path, "enforce"), capsys)

    # When the scan is limited to NIST AC-12, by its tag in another case
    run = cli.scan("--control", "NIST-800-53/ac-12", "--format", "json", "--no-progress")

    # Then only the session timeout is judged, its finding names the control, and the
    # report's source says which rules the run was limited to
    assert run.code == 1, run.err
    report = json.loads(run.out)
    assert report["source"]["rules"] == ["session-timeout"]
    (endpoint,) = report["endpoints"]
    assert [f["rule"] for f in endpoint["findings"]] == ["session-timeout"]
    assert "nist-800-53/AC-12" in endpoint["findings"][0]["controls"]
    assert report["summary"]["controls"]["session-timeout"] == endpoint["findings"][0]["controls"]


@pytest.mark.parametrize(
    ("control", "message"),
    [
        # an unknown control: the known ones are listed
        ("ZZ-99", "--control ZZ-99: no rule serves it; known controls: nist-800-53/AC-12, "),
        # a control whose rules the policy does not check
        ("EC2.51", "checks none of its rules (connection-logging)"),
    ],
)
@pytest.mark.usefixtures("ec2")
def test_a_control_no_rule_of_the_policy_serves_is_a_usage_error(
    control: str, message: str, enforcing: Cli
) -> None:
    run = enforcing.scan("--control", control, "--no-progress")
    assert run.code == 2
    assert message in run.err


# --- the stack's own policy --------------------------------------------------------------------


def _stack_parameter(url: str, document: Path, name: str = "/cvpn-guard/policy") -> str:
    ssm = boto3.client("ssm", region_name=REGIONS[0], endpoint_url=url)
    ssm.put_parameter(
        Name=name, Value=document.read_text(encoding="utf-8"), Type="String", Overwrite=True
    )
    return name


def test_policy_parameter_reads_the_stacks_policy_and_its_mode_holds(
    emulator_url: str, ec2: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the stack's policy parameter holding a report-mode document
    _drifted(ec2)
    name = _stack_parameter(emulator_url, _policy(tmp_path, "report"))
    cli = Cli(emulator_url, _policy(tmp_path, "enforce"), capsys)
    base = [a for a in cli.scan_args() if a not in ("--policy", str(cli.policy))]
    where = ["--policy-parameter", name, "--policy-region", REGIONS[0], "--no-progress"]

    # When a scan reads it
    capsys.readouterr()
    from cvpn_guard.cli import main

    code = main([*base, *where, "--format", "json"])
    report = json.loads(capsys.readouterr().out)

    # Then it applies the stack's rules (its session-timeout of 12 hours)
    assert code == 1
    (endpoint,) = report["endpoints"]
    assert {f["rule"] for f in endpoint["findings"]} == {"login-banner", "session-timeout"}

    # And remediating under it is refused, as the document's mode says
    code = main([*base, *where, "--remediate", "--yes"])
    assert code == 2
    assert f"ssm:{name} says mode: report" in capsys.readouterr().err
    assert _modifies(emulator_url) == 0


def test_a_missing_policy_parameter_says_what_to_check(
    emulator_url: str, ec2: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cvpn_guard.cli import main

    cli = Cli(emulator_url, _policy(tmp_path, "enforce"), capsys)
    base = [a for a in cli.scan_args() if a not in ("--policy", str(cli.policy))]
    capsys.readouterr()
    code = main([*base, "--policy-parameter", "/nope/policy", "--policy-region", REGIONS[0]])
    err = capsys.readouterr().err
    assert code == 2
    assert "ParameterNotFound" in err
    assert "the stack's PolicyParameter output" in err


@pytest.mark.usefixtures("ec2")
def test_policy_and_policy_parameter_are_exclusive(enforcing: Cli) -> None:
    run = enforcing.scan("--policy-parameter", "/cvpn-guard/policy")
    assert run.code == 2
    assert "not allowed with argument" in run.err


# --- output ------------------------------------------------------------------------------------


def test_output_dash_is_stdout(
    emulator_url: str,
    ec2: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a working directory where a file named "-" would land
    monkeypatch.chdir(tmp_path)
    cli = Cli(emulator_url, _policy(tmp_path, "enforce"), capsys)

    # When the report's output is "-"
    run = cli.scan("--format", "json", "--output", "-", "--no-progress")

    # Then the report is on stdout and no file was written
    assert json.loads(run.out)["summary"]["endpoints"] == 0
    assert not (tmp_path / "-").exists()
