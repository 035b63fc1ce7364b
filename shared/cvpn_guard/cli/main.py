"""Run one command: parse, dispatch, and turn failures into one line and an exit status."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from cvpn_guard.cli.errors import CliError
from cvpn_guard.cli.exit_codes import ExitCode
from cvpn_guard.cli.parser import build_parser

INTERRUPTED = 130  # the shell's convention for Ctrl-C


def main(argv: Sequence[str] | None = None) -> int:
    """The ``cvpn-guard`` console script; returns the exit status instead of exiting."""
    stdin, stdout, stderr = sys.stdin, sys.stdout, sys.stderr
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:
        # argparse exits 2 on bad flags and 0 after --help/--version: keep its status.
        return exit_.code if isinstance(exit_.code, int) else ExitCode.USAGE
    debug = bool(getattr(args, "debug", False))
    try:
        return int(_dispatch(args, stdin, stdout, stderr))
    except CliError as error:
        if debug:
            raise
        print(f"cvpn-guard: error: {error.message}", file=stderr)
        return int(error.code)
    except KeyboardInterrupt:
        print("cvpn-guard: interrupted", file=stderr)
        return INTERRUPTED
    except Exception as error:
        if debug:
            raise
        print(
            f"cvpn-guard: unexpected error: {type(error).__name__}: {error} "
            "(run again with --debug for the traceback)",
            file=stderr,
        )
        return int(ExitCode.FINDINGS)


def _dispatch(args: object, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    command = getattr(args, "command", None)
    if command == "scan":
        from cvpn_guard.cli.scan import ScanOptions, run_scan

        return run_scan(ScanOptions.from_args(args), stdout=stdout, stderr=stderr, stdin=stdin)
    if command == "check":
        from cvpn_guard.cli.check import CheckOptions, run_check

        return run_check(CheckOptions.from_args(args), stdout=stdout, stderr=stderr)
    if command == "policy":
        from cvpn_guard.cli import policy_commands

        if getattr(args, "policy_command", None) == "validate":
            return policy_commands.validate(
                list(getattr(args, "files", [])),
                stdout,
                stderr,
                output_format=str(getattr(args, "output_format", "text")),
                stdin=sys.stdin,
            )
        return policy_commands.show_default(stdout)
    if command == "demo":
        from cvpn_guard.cli.plugins import load_command

        run_demo = load_command("demo")
        return run_demo(stdout=stdout, stderr=stderr, org=bool(getattr(args, "org", False)))
    raise CliError(f"unknown command {command!r}; run cvpn-guard --help")
