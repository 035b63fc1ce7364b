"""Errors a command reports in one line and turns into an exit status (no traceback)."""

from __future__ import annotations

from cvpn_guard.cli.exit_codes import ExitCode


class CliError(Exception):
    """A failure the user can act on; ``message`` says what to do next."""

    def __init__(self, message: str, code: ExitCode = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
