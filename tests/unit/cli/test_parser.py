"""The command line's grammar: commands, flags, defaults, and argparse's own exits."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cvpn_guard.cli import main
from cvpn_guard.cli.parser import build_parser
from cvpn_guard.cli.scan import ScanOptions


def test_scan_defaults_report_only_as_a_table_with_automatic_progress() -> None:
    # Given / When a bare scan
    options = ScanOptions.from_args(build_parser().parse_args(["scan"]))

    # Then nothing is modified, the table is printed, progress follows the terminal
    assert options == ScanOptions()
    assert options.remediate is False
    assert options.output_format == "table"
    assert options.progress is None


def test_scan_reads_every_flag_and_keeps_regions_in_order_without_repeats() -> None:
    # Given every flag, with a region given twice
    args = build_parser().parse_args(
        [
            "scan",
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--region",
            "us-east-1",
            "--profile",
            "audit",
            "--endpoint-url",
            "http://127.0.0.1:5000",
            "--policy",
            "org.yaml",
            "--format",
            "csv",
            "-o",
            "out.csv",
            "--remediate",
            "--no-progress",
        ]
    )

    # When they become options
    options = ScanOptions.from_args(args)

    # Then each is kept, the regions once each in the order given
    assert options == ScanOptions(
        regions=("us-east-1", "eu-west-1"),
        profile="audit",
        endpoint_url="http://127.0.0.1:5000",
        policy_file="org.yaml",
        output_format="csv",
        output="out.csv",
        remediate=True,
        progress=False,
    )


@pytest.mark.parametrize(
    "argv", [["--debug", "scan"], ["scan", "--debug"], ["--debug", "policy", "show-default"]]
)
def test_debug_is_accepted_before_or_after_the_command(argv: list[str]) -> None:
    assert build_parser().parse_args(argv).debug is True


def test_debug_is_off_unless_given() -> None:
    assert getattr(build_parser().parse_args(["scan"]), "debug", False) is False


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["scan", "--format", "xml"], "invalid choice: 'xml'"),
        (["scan", "--bogus"], "unrecognized arguments: --bogus"),
        (["policy", "validate"], "the following arguments are required: FILE"),
        (["policy"], "the following arguments are required: ACTION"),
        ([], "the following arguments are required: COMMAND"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_usage_errors_exit_2_with_argparse_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given / When a malformed command line
    code = main(argv)

    # Then exit 2 and argparse's explanation on stderr
    assert code == 2
    assert message in capsys.readouterr().err


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "scan" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("cvpn-guard ")
    assert main(["scan", "--help"]) == 0
    assert "exit status:" in capsys.readouterr().out


def test_help_does_not_import_boto3_or_the_policy_engine() -> None:
    # Given a fresh interpreter / When the help is printed
    code = (
        "import sys\n"
        "from cvpn_guard.cli import main\n"
        "assert main(['--help']) == 0\n"
        "heavy = sorted(m for m in ('boto3', 'botocore', 'pydantic', 'cvpn_guard.policy') "
        "if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60
    )

    # Then only argparse was needed: `cvpn-guard --help` answers at once
    assert done.returncode == 0, done.stderr
