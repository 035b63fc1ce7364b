"""Where a command's document goes: stdout (no ``--output``, or ``--output -``) or a file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO

from cvpn_guard.cli.errors import CliError
from cvpn_guard.cli.exit_codes import ExitCode

STDOUT = "-"


def to_stdout(output: str | None) -> bool:
    """Whether ``--output`` sends the document to stdout."""
    return output in (None, STDOUT)


def check_writable(output: str | None) -> None:
    """Fail before the work rather than after it when ``output`` cannot be written."""
    if output is None or to_stdout(output):
        return
    parent = Path(output).resolve().parent
    if not parent.is_dir():
        raise CliError(f"cannot write {output}: the directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise CliError(f"cannot write {output}: no permission to write in {parent}")


def write_output(text: str, output: str | None, stdout: TextIO) -> None:
    """``text`` to stdout or to the file ``output``."""
    if output is None or to_stdout(output):
        stdout.write(text)
        stdout.flush()
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as error:
        raise CliError(
            f"cannot write {output}: {error.strerror or error}", ExitCode.USAGE
        ) from error
