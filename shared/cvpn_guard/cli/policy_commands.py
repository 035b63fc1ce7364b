"""``cvpn-guard policy validate FILE...`` and ``cvpn-guard policy show-default``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from cvpn_guard.cli.exit_codes import ExitCode

if TYPE_CHECKING:
    from cvpn_guard.exceptions import PolicyProblem
    from cvpn_guard.policy import Policy
    from cvpn_guard.policy.storage import SsmFit

STDIN = "-"
"""The FILE argument that reads the document from standard input."""
STDIN_LABEL = "<stdin>"
"""How a document read from standard input is named in the output."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What ``policy validate`` found in one document."""

    file: str
    errors: tuple[PolicyProblem, ...]
    warnings: tuple[PolicyProblem, ...]
    policy: Policy | None
    """The document as loaded; None when it could not be parsed into a policy."""
    fit: SsmFit | None
    """Its size as an SSM parameter stores it; None when it could not be read."""

    @property
    def valid(self) -> bool:
        return not self.errors and self.policy is not None

    @property
    def exit_code(self) -> ExitCode:
        if not self.valid:
            return ExitCode.USAGE
        return ExitCode.FINDINGS if self.warnings else ExitCode.OK

    def as_json(self) -> dict[str, Any]:
        """``{file, valid, errors, warnings, content_hash}``; problems as ``{path, message}``."""
        return {
            "file": self.file,
            "valid": self.valid,
            "errors": [_problem_json(problem) for problem in self.errors],
            "warnings": [_problem_json(problem) for problem in self.warnings],
            "content_hash": (
                self.policy.identity.content_hash if self.policy is not None else None
            ),
        }


def validate(
    files: Sequence[str],
    stdout: TextIO,
    stderr: TextIO,
    *,
    output_format: str = "text",
    stdin: TextIO | None = None,
    today: date | None = None,
) -> int:
    """Check each document; print a verdict per file; return the worst file's status.

    Exit 0 when every document is valid without warnings, 1 when one has warnings but none
    has errors, 2 when one has errors. ``-`` reads standard input (named ``<stdin>``).
    """
    day = today if today is not None else datetime.now(UTC).date()
    stdin_data: bytes | OSError | None = None
    verdicts: list[Verdict] = []
    for name in files:
        if name == STDIN:
            if stdin_data is None:  # standard input can be read once; "- -" reuses it
                stdin_data = _read_stdin(stdin)
            verdicts.append(check_document(STDIN_LABEL, stdin_data, today=day))
        else:
            verdicts.append(check_document(name, _read_file(name), today=day))
    if output_format == "json":
        json.dump([verdict.as_json() for verdict in verdicts], stdout, indent=2)
        stdout.write("\n")
    else:
        for verdict in verdicts:
            _print_text(verdict, stdout, stderr)
    return max((verdict.exit_code for verdict in verdicts), default=ExitCode.OK)


def check_document(label: str, data: bytes | OSError, *, today: date) -> Verdict:
    """Every error and warning of one document (its bytes, or why they could not be read)."""
    from cvpn_guard.exceptions import PolicyError, PolicyProblem
    from cvpn_guard.policy.lint import policy_warnings
    from cvpn_guard.policy.loader import decode_policy, load_policy
    from cvpn_guard.policy.storage import ADVANCED_TIER_BYTES, ssm_fit

    if isinstance(data, OSError):
        reason = data.strerror or str(data)
        problem = PolicyProblem("", f"cannot read the policy file: {reason}")
        return Verdict(label, (problem,), (), None, None)
    errors: list[PolicyProblem] = []
    warnings: list[PolicyProblem] = []
    policy = None
    try:
        policy = load_policy(decode_policy(data, source=label), source=label)
    except PolicyError as error:
        errors += error.problems
    fit = ssm_fit(data)  # the bytes as stored, not the parsed text
    if policy is not None:
        warnings += policy_warnings(policy, today=today)
    if fit.tier is None:
        # A warning, not an error: the file still works where a file is read.
        warnings.append(
            PolicyProblem(
                "",
                f"the document is {fit.size:,} bytes; an SSM parameter holds at most "
                f"{ADVANCED_TIER_BYTES:,} (Advanced tier), so the stack's policy parameter "
                "cannot hold it: shorten it (comments and whitespace count too), or use it "
                "only as a file (cvpn-guard scan --policy, the functions' POLICY_FILE)",
            )
        )
    return Verdict(label, tuple(errors), tuple(warnings), policy, fit)


def _read_file(path: str) -> bytes | OSError:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        return error


def _read_stdin(stdin: TextIO | None) -> bytes | OSError:
    if stdin is None:
        return OSError("standard input is not available")
    try:
        buffer = getattr(stdin, "buffer", None)
        # The bytes, as for a file: the size SSM would store, and UTF-8 checked by the loader.
        return bytes(buffer.read()) if buffer is not None else stdin.read().encode("utf-8")
    except OSError as error:
        return error


def _problem_json(problem: PolicyProblem) -> dict[str, str]:
    return {"path": problem.path, "message": problem.message}


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _print_text(verdict: Verdict, stdout: TextIO, stderr: TextIO) -> None:
    from cvpn_guard.policy.storage import ADVANCED_TIER_BYTES, STANDARD_TIER_BYTES, SsmTier

    name = verdict.file
    for problem in verdict.errors:
        print(f"{name}: {problem}", file=stderr)
    for problem in verdict.warnings:
        print(f"{name}: warning: {problem}", file=stderr)
    policy = verdict.policy
    if not verdict.valid or policy is None:
        counts = _plural(len(verdict.errors), "problem")
        if verdict.warnings:
            counts += f", {_plural(len(verdict.warnings), 'warning')}"
        print(f"{name}: invalid ({counts})", file=stderr)
        return
    identity = policy.identity
    with_warnings = f" with {_plural(len(verdict.warnings), 'warning')}" if verdict.warnings else ""
    print(
        f"{name}: valid{with_warnings} (version {identity.version}, "
        f"{_plural(len(policy.rules.active()), 'rule')}, mode {policy.mode}, "
        f"{identity.content_hash})",
        file=stdout,
    )
    fit = verdict.fit
    if fit is not None and fit.tier is SsmTier.ADVANCED:
        print(
            f"{name}: note: {fit.size:,} bytes, more than an SSM Standard parameter holds "
            f"({STANDARD_TIER_BYTES:,}): store it in an Advanced parameter (up to "
            f"{ADVANCED_TIER_BYTES:,} bytes, charged by AWS). The stack's own parameter is "
            "Advanced; one you name in PolicyParameterName must be too",
            file=stdout,
        )


def default_policy_text() -> str:
    """The bundled default policy document, byte for byte as shipped (comments included)."""
    from cvpn_guard.policy.loader import DEFAULT_POLICY_RESOURCE

    return resources.files("cvpn_guard.policy").joinpath(DEFAULT_POLICY_RESOURCE).read_text("utf-8")


def show_default(stdout: TextIO) -> int:
    """Print the bundled default policy exactly, as a starting point for an org's own."""
    stdout.write(default_policy_text())
    return ExitCode.OK
