"""Exit status 2 for usage and configuration errors, with one clear line and no traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cvpn_guard.cli import main
from tests.integration.cli.conftest import CONSOLE_SCRIPT, REPO, subprocess_env

pytestmark = pytest.mark.server


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CONSOLE_SCRIPT), *args],
        check=False,
        capture_output=True,
        text=True,
        env=env or subprocess_env(),
        cwd=REPO,
        timeout=60,
    )


def test_an_invalid_policy_file_exits_2_naming_each_key_path(
    emulator_url: str, tmp_path: Path
) -> None:
    # Given a policy with a typo in a rule name and an out-of-range value
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "version: 1\nrules:\n  session-timeout:\n    max_hours: 4\n  login-baner:\n    required: true\n"
    )

    # When a scan is asked to use it
    done = run(
        "scan", "--endpoint-url", emulator_url, "--region", "eu-west-1", "--policy", str(policy)
    )

    # Then it exits 2 before any AWS call, with each problem's key path
    assert done.returncode == 2
    assert "rules.session-timeout.max_hours: 4 is too small" in done.stderr
    assert (
        "rules.login-baner: unknown rule 'login-baner'; did you mean 'login-banner'?" in done.stderr
    )
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_policy_validate_exits_2_with_the_key_path_and_0_when_valid(tmp_path: Path) -> None:
    # Given one broken and one valid policy document
    broken = tmp_path / "broken.json"
    broken.write_text('{"version": 1, "rules": {"session-timeout": {"max_hours": "twelve"}}}')
    valid = tmp_path / "valid.yaml"
    valid.write_text("version: 1\nmode: report\nrules:\n  session-timeout:\n    max_hours: 12\n")

    # When each is validated
    bad, good = run("policy", "validate", str(broken)), run("policy", "validate", str(valid))

    # Then the broken one names its key path (exit 2), the valid one is summarised (exit 0)
    assert bad.returncode == 2
    assert f"{broken}: rules.session-timeout.max_hours: must be a whole number" in bad.stderr
    assert good.returncode == 0
    assert good.stdout.startswith(f"{valid}: valid (version 1, 1 rule, mode report, sha256:")


def test_an_unknown_flag_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    # Given / When a flag that does not exist
    code = main(["scan", "--regoin", "eu-west-1"])

    # Then argparse's usage error, exit 2
    assert code == 2
    assert "unrecognized arguments: --regoin" in capsys.readouterr().err


def test_no_credentials_exits_2_with_what_to_do(emulator_url: str, tmp_path: Path) -> None:
    # Given a process with no credentials anywhere
    env = subprocess_env()
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "none")
    env["AWS_EC2_METADATA_DISABLED"] = "true"

    # When it scans
    done = run("scan", "--endpoint-url", emulator_url, "--region", "eu-west-1", env=env)

    # Then exit 2 and one line saying how to provide credentials
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "cvpn-guard: error: no AWS credentials found; the emulator accepts any: "
        "export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing"
    )


def test_no_region_exits_2(tmp_path: Path) -> None:
    # Given no --region and no region in the environment or a profile
    env = subprocess_env()
    env["AWS_CONFIG_FILE"] = str(tmp_path / "none")

    # When it scans
    done = run("scan", env=env)

    # Then exit 2, saying how to choose a region
    assert done.returncode == 2
    assert "no region to scan: pass --region REGION" in done.stderr


def test_an_unreachable_endpoint_is_one_line_without_a_traceback() -> None:
    # Given nothing listening on the endpoint URL
    # When it scans
    done = run("scan", "--endpoint-url", "http://127.0.0.1:9", "--region", "eu-west-1")

    # Then one line naming the URL, exit 2 (a configuration error)
    assert done.returncode == 2
    assert done.stderr.startswith(
        "cvpn-guard: error: cannot reach http://127.0.0.1:9: Could not connect to the endpoint URL"
    )
    assert "Traceback" not in done.stderr
