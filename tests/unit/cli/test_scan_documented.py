"""Every flag of ``cvpn-guard scan`` and every exit status is documented: in ``--help`` and
in docs/cli.md, the CLI's document."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from cvpn_guard.cli.exit_codes import ExitCode
from tests.support.cli_parser import command_parser

CLI_DOC = Path(__file__).resolve().parents[3] / "docs" / "cli.md"


def _scan_parser() -> argparse.ArgumentParser:
    return command_parser("scan")


def _flags() -> list[str]:
    return sorted(
        flag
        for action in _scan_parser()._actions
        for flag in action.option_strings
        if flag not in ("-h", "--help")
    )


def _cli_doc() -> str:
    text = CLI_DOC.read_text(encoding="utf-8")
    assert text.startswith("# The CLI\n"), "docs/cli.md must open with its title"
    return text


@pytest.mark.parametrize("flag", _flags())
def test_the_cli_doc_documents_every_scan_flag(flag: str) -> None:
    assert re.search(rf"`{re.escape(flag)}[` ]", _cli_doc()), f"docs/cli.md: {flag} undocumented"


@pytest.mark.parametrize("flag", _flags())
def test_scan_help_documents_every_flag(flag: str) -> None:
    assert flag in _scan_parser().format_help()


@pytest.mark.parametrize("status", list(ExitCode))
def test_every_exit_status_is_in_the_help_and_the_cli_doc(status: ExitCode) -> None:
    assert re.search(rf"^  {status.value}  ", _scan_parser().format_help(), re.MULTILINE)
    assert f"\n| {status.value} | " in _cli_doc()
