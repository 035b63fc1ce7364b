"""``cvpn-guard scan`` over 1,500 endpoints in two regions, report only (nothing modified)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from cvpn_emulator.control import EmulatorControl
from tests.integration.cli.conftest import (
    CONSOLE_SCRIPT,
    REPO,
    Cli,
    SeededEstate,
    subprocess_env,
)
from tests.integration.sweeper.large_estate import (
    REGIONS,
    assert_report_matches,
    seed_large_estate,
    write_policy,
)
from tests.integration.sweeper.report_checks import assert_valid_report

pytestmark = [pytest.mark.slow, pytest.mark.server]


@pytest.fixture(scope="module")
def estate(emulator_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededEstate]:
    """One estate for the module: every scan here reports only, so none changes it."""
    EmulatorControl(emulator_url).reset()
    truth = seed_large_estate()
    # The policy document says enforce: a scan without --remediate must still not modify.
    policy = write_policy(tmp_path_factory.mktemp("policy"), truth, mode="enforce")
    yield SeededEstate(emulator_url, truth, policy)
    EmulatorControl(emulator_url).clear_faults()


@pytest.fixture
def cli(estate: SeededEstate, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(estate.url, estate.policy, capsys)


def test_json_report_matches_the_seeded_truth_validates_and_nothing_is_modified(
    cli: Cli, estate: SeededEstate
) -> None:
    # Given 1,500 endpoints over two regions, 10% drifted, and an enforce-mode policy file
    control = EmulatorControl(estate.url)
    control.reset_call_counts()

    # When the scan runs without --remediate
    run = cli.scan("--format", "json", "--no-progress")

    # Then violations remain (exit 1) and the JSON report counts exactly the seeded truth
    assert run.code == 1
    report = json.loads(run.out)
    assert_valid_report(report)
    assert_report_matches(report, estate.truth, enforced=False)
    assert report["source"] == {
        "kind": "cli",
        "event_id": None,
        "event_name": None,
        "change": None,
        "actor": None,
        "regions": list(REGIONS),
        "endpoint_ids": [],
        "rules": [],
    }
    assert report["policy"]["mode"] == "report"
    # And every page came through the paginator, nothing was modified
    calls = control.call_counts()
    assert calls["DescribeClientVpnEndpoints"] >= 8  # 800 + 700 endpoints, 200 per page
    assert "ModifyClientVpnEndpoint" not in calls
    # And the one-line summary went to stderr, keeping stdout pure JSON
    truth = estate.truth
    assert (
        f"cvpn-guard: {truth.total} endpoints in 2 regions: {truth.compliant} compliant, "
        f"{truth.drifted} non-compliant, 0 remediated, 0 remediation failed, "
        f"{truth.exempt} exempt, 0 errors"
    ) in run.err


def test_table_lists_every_endpoint_then_the_counts(cli: Cli, estate: SeededEstate) -> None:
    # Given the estate / When it is scanned with the default table format
    run = cli.scan("--no-progress")

    # Then one row per endpoint, drifted ones first, and the counts at the end
    assert run.code == 1
    lines = run.out.splitlines()
    assert lines[0].split() == ["ENDPOINT", "NAME", "ACCOUNT/REGION", "STATUS", "RULES"]
    rows = [line for line in lines if line.startswith("cvpn-endpoint-")]
    truth = estate.truth
    assert len(rows) == truth.total
    # Each row has the endpoint's Name tag (seeded as "<region>-<index>-<kind>", cut to fit)
    assert all(row.split()[1].startswith(row.split()[2].split("/")[1]) for row in rows)
    statuses = Counter(row.split()[3] for row in rows)
    assert statuses == {
        "compliant": truth.compliant,
        "non_compliant": truth.drifted,
        "exempt": truth.exempt,
    }
    assert all(row.split()[3] == "non_compliant" for row in rows[: truth.drifted])
    assert lines[-1] == (
        f"{truth.total} endpoints: {truth.compliant} compliant, {truth.drifted} non-compliant, "
        f"0 remediated, 0 remediation failed, {truth.exempt} exempt, 0 errors"
    )
    assert run.err == ""  # the table carries the summary; no progress when not a terminal


def test_csv_written_to_a_file_has_a_row_per_finding_and_one_per_clean_endpoint(
    cli: Cli, estate: SeededEstate, tmp_path: Path
) -> None:
    # Given a file to write the report to
    target = tmp_path / "report.csv"

    # When the estate is scanned as CSV into it
    run = cli.scan("--format", "csv", "--output", str(target), "--no-progress")

    # Then stdout stays empty and stderr says what was found and where the report went
    assert run.code == 1
    assert run.out == ""
    assert f"{estate.truth.total} endpoints in 2 regions" in run.err
    assert f"cvpn-guard: report written to {target}" in run.err
    # And spreadsheets get one row per finding, one per compliant or exempt endpoint
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    truth = estate.truth
    assert len(rows) == truth.compliant + truth.exempt + sum(truth.by_rule.values())
    assert len({row["endpoint_id"] for row in rows}) == truth.total
    assert Counter(row["rule"] for row in rows if row["rule"]) == truth.by_rule
    assert {row["fixed"] for row in rows if row["rule"]} == {"false"}


def test_the_real_console_script_scans_over_http(estate: SeededEstate) -> None:
    # Given the installed console script, in a separate process
    args = [
        str(CONSOLE_SCRIPT),
        "scan",
        "--endpoint-url",
        estate.url,
        *[arg for region in REGIONS for arg in ("--region", region)],
        "--policy",
        str(estate.policy),
        "--format",
        "json",
    ]

    # When it scans the emulator
    done = subprocess.run(
        args,
        check=False,
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd=REPO,
        timeout=120,
    )

    # Then it exits 1 (violations remain) with the same report a library call would give
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert_valid_report(report)
    assert_report_matches(report, estate.truth, enforced=False)
    assert "Traceback" not in done.stderr


def test_a_region_that_cannot_be_listed_exits_1_and_is_reported(
    cli: Cli, estate: SeededEstate
) -> None:
    # Given the first DescribeClientVpnEndpoints call refused (one region's first page)
    EmulatorControl(estate.url).inject_error(
        "DescribeClientVpnEndpoints", "UnauthorizedOperation", times=1
    )

    # When the scan runs over both regions
    run = cli.scan("--format", "json", "--no-progress")

    # Then the other region is reported, the failed one is an error, and the exit is 1
    assert run.code == 1
    report = json.loads(run.out)
    assert_valid_report(report)
    (error,) = report["errors"]
    assert error["code"] == "UnauthorizedOperation"
    (reported,) = set(REGIONS) - {error["region"]}
    assert report["summary"]["endpoints"] == estate.truth.regions[reported]
    assert f"cvpn-guard: could not check {error['region']}: UnauthorizedOperation" in run.err
