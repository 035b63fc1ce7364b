"""``cvpn-guard scan --remediate`` fixes the estate; a second scan then exits 0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cvpn_emulator.control import EmulatorControl
from tests.integration.cli.conftest import Cli
from tests.integration.sweeper.large_estate import (
    PAGED_SIZES,
    assert_report_matches,
    seed_large_estate,
    write_policy,
)
from tests.integration.sweeper.report_checks import assert_valid_report

pytestmark = [pytest.mark.slow, pytest.mark.server]


def test_remediate_fixes_every_drifted_endpoint_then_a_rescan_exits_0(
    emulator_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given 520 endpoints in two regions, each more than a page, 10% drifted, and a
    # report-mode policy document
    control = EmulatorControl(emulator_url)
    control.reset()
    truth = seed_large_estate(PAGED_SIZES)
    assert all(size > 200 for size in truth.regions.values())
    cli = Cli(emulator_url, write_policy(tmp_path, truth, mode="report"), capsys)

    # When the scan runs with --remediate --override-mode (the operator's explicit word) --yes
    fixed = cli.scan("--remediate", "--override-mode", "--yes", "--format", "json", "--no-progress")

    # Then every drifted endpoint was fixed, verified, and nothing is left to do: exit 0
    assert fixed.code == 0, fixed.err
    report = json.loads(fixed.out)
    assert_valid_report(report)
    assert_report_matches(report, truth, enforced=True)
    assert report["policy"]["mode"] == "enforce"
    assert control.call_counts()["ModifyClientVpnEndpoint"] == truth.drifted

    # When the estate is scanned again (report only)
    rescan = cli.scan("--format", "json", "--no-progress")

    # Then it is clean: exit 0, every endpoint compliant or exempt
    assert rescan.code == 0, rescan.err
    summary = json.loads(rescan.out)["summary"]
    assert summary["compliant"] == truth.total - truth.exempt
    assert summary["exempt"] == truth.exempt
    assert summary["non_compliant"] == summary["remediated"] == summary["errors"] == 0
