"""``cvpn-guard scan`` refuses unusable configuration before any AWS call (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvpn_guard.cli import main
from cvpn_guard.cli.scan import ScanOptions, load_scan_policy, render, summary_line
from cvpn_guard.policy import Mode, default_policy
from cvpn_guard.report import ReportSource, build_report


@pytest.fixture
def no_aws_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No region and no profile from the developer's machine."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))


def scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["scan", *args])
    captured = capsys.readouterr()
    assert captured.out == ""
    return code, captured.err


@pytest.mark.usefixtures("no_aws_config")
def test_no_region_anywhere_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = scan(capsys)
    assert code == 2
    assert err.startswith("cvpn-guard: error: no region to scan: pass --region REGION")


@pytest.mark.usefixtures("no_aws_config")
def test_a_misspelt_region_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = scan(capsys, "--region", "eu-west-1", "--region", "euwest1")
    assert code == 2
    assert err == "cvpn-guard: error: not a region name: euwest1 (expected e.g. eu-west-1)\n"


@pytest.mark.usefixtures("no_aws_config")
def test_an_unknown_profile_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = scan(capsys, "--profile", "nobody", "--region", "eu-west-1")
    assert code == 2
    assert "The config profile (nobody) could not be found" in err


@pytest.mark.usefixtures("no_aws_config")
def test_an_invalid_policy_lists_its_problems_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text("version: 1\nrules:\n  login-baner: {}\n")
    code, err = scan(capsys, "--policy", str(policy), "--region", "eu-west-1")
    assert code == 2
    lines = err.splitlines()
    assert lines[0] == "cvpn-guard: error: the policy cannot be used (1 problem):"
    assert lines[1].startswith(f"  {policy}: rules.login-baner: unknown rule 'login-baner'")


@pytest.mark.usefixtures("no_aws_config")
def test_an_output_file_in_a_missing_directory_exits_2_before_scanning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "report.json"
    code, err = scan(capsys, "--region", "eu-west-1", "--output", str(target))
    assert code == 2
    assert f"cannot write {target}: the directory {target.parent} does not exist" in err


def test_scans_report_only_unless_told_to_remediate(tmp_path: Path) -> None:
    # Given a policy document in enforce mode
    policy = tmp_path / "p.yaml"
    policy.write_text("version: 1\nmode: enforce\nrules:\n  session-timeout:\n    max_hours: 12\n")

    # Then a scan reports only, and --remediate enforces what the document says
    assert load_scan_policy(ScanOptions(policy_file=str(policy))).mode is Mode.REPORT
    assert (
        load_scan_policy(ScanOptions(policy_file=str(policy), remediate=True)).mode is Mode.ENFORCE
    )
    assert load_scan_policy(ScanOptions()).rules == default_policy().rules


def test_json_rendering_is_the_subscribers_document_and_the_summary_one_line() -> None:
    report = build_report(policy=default_policy(), source=ReportSource(kind="cli"), endpoints=[])
    assert render(report, "json") == report.to_json() + "\n"
    assert summary_line(report, ["eu-west-1"]) == (
        "0 endpoints in 1 region: 0 compliant, 0 non-compliant, 0 remediated, "
        "0 remediation failed, 0 exempt, 0 errors"
    )
