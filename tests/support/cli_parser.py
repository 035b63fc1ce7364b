"""The CLI's argument parser, command by command, for the tests that hold the docs to it."""

from __future__ import annotations

import argparse

from cvpn_guard.cli.parser import build_parser


def command_parser(command: str) -> argparse.ArgumentParser:
    """The parser of ``cvpn-guard COMMAND`` (``scan``, ``check``, ...)."""
    commands = next(
        action
        for action in build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    parser: argparse.ArgumentParser = commands.choices[command]
    return parser
