"""``cvpn-guard policy validate FILE`` and ``cvpn-guard policy show-default``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TextIO

from cvpn_guard.cli.exit_codes import ExitCode


def validate(path: str, stdout: TextIO, stderr: TextIO) -> int:
    """Print a one-line verdict (exit 0), or every problem with its key path (exit 2).

    A document too large for any SSM parameter is a problem; one that needs the Advanced
    tier is valid, with a note saying so.
    """
    from cvpn_guard.exceptions import PolicyError, PolicyProblem
    from cvpn_guard.policy import load_policy_file
    from cvpn_guard.policy.storage import (
        ADVANCED_TIER_BYTES,
        STANDARD_TIER_BYTES,
        SsmTier,
        ssm_fit,
    )

    problems: list[PolicyProblem] = []
    policy = None
    try:
        policy = load_policy_file(path)
    except PolicyError as error:
        problems += error.problems
    try:
        fit = ssm_fit(Path(path).read_bytes())  # the bytes as stored, not the parsed text
    except OSError:
        fit = None  # unreadable: load_policy_file said so
    if fit is not None and fit.tier is None:
        problems.append(
            PolicyProblem(
                "",
                f"the document is {fit.size:,} bytes; an SSM parameter holds at most "
                f"{ADVANCED_TIER_BYTES:,} (Advanced tier): shorten it (comments and "
                "whitespace count too)",
            )
        )
    if problems or policy is None:
        for problem in problems:
            print(f"{path}: {problem}", file=stderr)
        count = len(problems)
        print(f"{path}: invalid ({count} problem{'s' if count != 1 else ''})", file=stderr)
        return ExitCode.USAGE
    identity = policy.identity
    rules = len(policy.rules.active())
    print(
        f"{path}: valid (version {identity.version}, {rules} rule{'s' if rules != 1 else ''}, "
        f"mode {policy.mode}, {identity.content_hash})",
        file=stdout,
    )
    if fit is not None and fit.tier is SsmTier.ADVANCED:
        print(
            f"{path}: note: {fit.size:,} bytes, more than an SSM Standard parameter holds "
            f"({STANDARD_TIER_BYTES:,}): store it in an Advanced parameter (up to "
            f"{ADVANCED_TIER_BYTES:,} bytes, charged by AWS). The stack's own parameter is "
            "Advanced; one you name in PolicyParameterName must be too",
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
