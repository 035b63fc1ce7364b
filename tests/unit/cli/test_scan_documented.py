"""Every flag of ``cvpn-guard scan`` and every exit status is documented: in ``--help`` and
in the README's CLI section."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from cvpn_guard.cli.exit_codes import ExitCode
from cvpn_guard.cli.parser import build_parser

README = Path(__file__).resolve().parents[3] / "README.md"


def _scan_parser() -> argparse.ArgumentParser:
    commands = next(
        action
        for action in build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    parser: argparse.ArgumentParser = commands.choices["scan"]
    return parser


def _flags() -> list[str]:
    return sorted(
        flag
        for action in _scan_parser()._actions
        for flag in action.option_strings
        if flag not in ("-h", "--help")
    )


def _cli_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("\n## The CLI\n", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("flag", _flags())
def test_the_readme_cli_section_documents_every_scan_flag(flag: str) -> None:
    assert re.search(rf"`{re.escape(flag)}[` ]", _cli_section()), f"README: {flag} undocumented"


@pytest.mark.parametrize("flag", _flags())
def test_scan_help_documents_every_flag(flag: str) -> None:
    assert flag in _scan_parser().format_help()


@pytest.mark.parametrize("status", list(ExitCode))
def test_every_exit_status_is_in_the_help_and_the_readme(status: ExitCode) -> None:
    assert re.search(rf"^  {status.value}  ", _scan_parser().format_help(), re.MULTILINE)
    assert f"\n| {status.value} | " in _cli_section()
