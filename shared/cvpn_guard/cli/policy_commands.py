"""``cvpn-guard policy validate FILE`` and ``cvpn-guard policy show-default``."""

from __future__ import annotations

from importlib import resources
from typing import TextIO

from cvpn_guard.cli.exit_codes import ExitCode


def validate(path: str, stdout: TextIO, stderr: TextIO) -> int:
    """Print a one-line verdict (exit 0), or every problem with its key path (exit 2)."""
    from cvpn_guard.exceptions import PolicyError
    from cvpn_guard.policy import load_policy_file

    try:
        policy = load_policy_file(path)
    except PolicyError as error:
        for problem in error.problems:
            print(f"{path}: {problem}", file=stderr)
        count = len(error.problems)
        print(f"{path}: invalid ({count} problem{'s' if count != 1 else ''})", file=stderr)
        return ExitCode.USAGE
    identity = policy.identity
    rules = len(policy.rules.active())
    print(
        f"{path}: valid (version {identity.version}, {rules} rule{'s' if rules != 1 else ''}, "
        f"mode {policy.mode}, {identity.content_hash})",
        file=stdout,
    )
    return ExitCode.OK


def default_policy_text() -> str:
    """The bundled default policy document, byte for byte as shipped (comments included)."""
    from cvpn_guard.policy.loader import DEFAULT_POLICY_RESOURCE

    return resources.files("cvpn_guard.policy").joinpath(DEFAULT_POLICY_RESOURCE).read_text("utf-8")


def show_default(stdout: TextIO) -> int:
    """Print the bundled default policy exactly, as a starting point for an org's own."""
    stdout.write(default_policy_text())
    return ExitCode.OK
