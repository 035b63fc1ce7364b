"""Every flag of ``cvpn-guard check`` is documented in ``--help`` and in docs/cli.md, and the
pre-commit hook runs the command on the files it reads."""

from __future__ import annotations

import argparse
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.support.cli_parser import command_parser

REPO = Path(__file__).resolve().parents[3]
CLI_DOC = REPO / "docs" / "cli.md"


def _check_parser() -> argparse.ArgumentParser:
    return command_parser("check")


FLAGS = sorted(
    flag
    for action in _check_parser()._actions
    for flag in action.option_strings
    if flag not in ("-h", "--help", "--debug")
)


def _check_section() -> str:
    return CLI_DOC.read_text(encoding="utf-8").split("\n## `cvpn-guard check`\n", 1)[1]


@pytest.mark.parametrize("flag", FLAGS)
def test_the_cli_doc_documents_every_check_flag(flag: str) -> None:
    assert re.search(rf"`{re.escape(flag)}[` ]", _check_section()), f"{flag} undocumented"


@pytest.mark.parametrize("flag", FLAGS)
def test_check_help_documents_every_flag(flag: str) -> None:
    assert flag in _check_parser().format_help()


@pytest.mark.parametrize("status", [0, 1, 2])
def test_every_exit_status_of_check_is_in_its_help_and_its_section(status: int) -> None:
    assert re.search(rf"^  {status}  ", _check_parser().format_help(), re.MULTILINE)
    assert f"\n| {status} | " in _check_section()


def test_the_pre_commit_hook_runs_check_on_the_files_it_reads() -> None:
    # Given the hook and the console script pyproject.toml installs
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]

    # Then it runs `cvpn-guard check` on the files it is given
    assert hook["id"] == "cvpn-guard-check"
    assert hook["entry"] == "cvpn-guard check"
    assert "cvpn-guard" in scripts
    assert hook["pass_filenames"] is True

    # And it passes templates, .tf and JSON files, but not the JSON and YAML that are never
    # one of the formats (a file named to check must be one)
    files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])

    def passed(path: str) -> bool:
        return bool(files.search(path)) and not exclude.search(path)

    fixtures = [
        p.relative_to(REPO).as_posix()
        for p in (REPO / "tests" / "fixtures" / "iac").rglob("*")
        if p.is_file() and p.suffix != ".md"
    ]
    assert fixtures
    assert all(passed(path) for path in fixtures), [p for p in fixtures if not passed(p)]
    for never in ("package.json", "web/tsconfig.json", ".github/workflows/ci.yml", "cdk.json"):
        assert not passed(never), never
