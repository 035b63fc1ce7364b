"""The progress bar of ``cvpn-guard scan``: on stderr, with counts per region."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cvpn_emulator.control import EmulatorControl
from tests.integration.cli.conftest import Cli
from tests.integration.sweeper.large_estate import seed_large_estate, write_policy

pytestmark = pytest.mark.server

SIZES = {"eu-west-1": 120, "us-east-1": 80}


def test_progress_draws_a_bar_with_counts_per_region_on_stderr_only(
    emulator_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given 200 endpoints in two regions, progress forced on (stderr is not a terminal), and a
    # terminal wide enough for the whole line (the bar is cut to the terminal's width)
    monkeypatch.setenv("COLUMNS", "160")
    EmulatorControl(emulator_url).reset()
    truth = seed_large_estate(SIZES)
    cli = Cli(emulator_url, write_policy(tmp_path, truth), capsys)

    # When the scan runs
    run = cli.scan("--progress", "--format", "json")

    # Then stdout is the report alone, and stderr's last redraw shows everything done
    assert run.code == 1
    assert json.loads(run.out)["summary"]["endpoints"] == 200
    bar_line, summary, *_ = run.err.split("\n")
    final = bar_line.split("\r")[-1]
    assert final.startswith("[" + "#" * 24 + "] 200/200 endpoints")
    assert "eu-west-1 120/120" in final
    assert "us-east-1 80/80" in final
    assert summary.startswith("cvpn-guard: 200 endpoints in 2 regions")


def test_no_progress_is_drawn_when_stderr_is_not_a_terminal(
    emulator_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a small, compliant estate, and stderr captured (not a terminal)
    EmulatorControl(emulator_url).reset()
    truth = seed_large_estate({"eu-west-1": 10, "us-east-1": 10})
    cli = Cli(emulator_url, write_policy(tmp_path, truth), capsys)

    # When the scan runs with the default
    run = cli.scan("--format", "json")

    # Then stderr holds only the summary line, and a clean estate exits 0
    assert run.code == 0
    assert run.err.splitlines() == [
        "cvpn-guard: 20 endpoints in 2 regions: 20 compliant, 0 non-compliant, 0 remediated, "
        "0 remediation failed, 0 exempt, 0 errors"
    ]
