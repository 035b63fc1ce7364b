"""``cvpn-guard check PATH...``: the policy before deploy, on the files that create endpoints.

CloudFormation (SAM, CDK output), Terraform (plans and ``.tf`` files) and saved estates are
judged by the enforcer's rules and policy (:mod:`cvpn_guard.iac`); nothing is changed, so the
policy is applied as report mode applies it. The policy is read, ``--rule`` applied and
``--output`` written as ``scan`` does, and the exit status is decided the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

from cvpn_guard.cli.errors import CliError
from cvpn_guard.cli.exit_codes import exit_code_for
from cvpn_guard.cli.output import check_writable, to_stdout, write_output
from cvpn_guard.cli.scan_policy import applied, read_policy

if TYPE_CHECKING:
    from cvpn_guard.iac.checking import CheckResult
    from cvpn_guard.policy import Policy


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """What the user asked ``check`` to do."""

    paths: tuple[str, ...]
    policy_file: str | None = None
    rules: tuple[str, ...] = ()
    controls: tuple[str, ...] = ()
    output_format: str = "table"
    output: str | None = None

    @classmethod
    def from_args(cls, args: object) -> CheckOptions:
        """Options from the parsed command line."""
        return cls(
            paths=tuple(getattr(args, "paths", None) or ()),
            policy_file=getattr(args, "policy", None),
            rules=tuple(dict.fromkeys(getattr(args, "rules", None) or ())),
            controls=tuple(dict.fromkeys(getattr(args, "controls", None) or ())),
            output_format=getattr(args, "output_format", "table"),
            output=getattr(args, "output", None),
        )


def run_check(
    options: CheckOptions, *, stdout: TextIO, stderr: TextIO, now: datetime | None = None
) -> int:
    """Check the files, print or write the verdicts, and return the exit status.

    ``now``: the instant exemptions expire by (default: the current time).
    """
    from cvpn_guard.iac.checking import check_all
    from cvpn_guard.iac.declared import SourceError
    from cvpn_guard.iac.discovery import declared_endpoints
    from cvpn_guard.iac.terraform_hcl import HclParserMissing

    document, source = read_policy(policy_file=options.policy_file)
    # --rule and --control as scan reads them: the rules named and the rules of the controls.
    policy = applied(
        document,
        source,
        changes=False,
        remediate=False,
        override_mode=False,
        rules=options.rules,
        controls=options.controls,
    ).policy
    check_writable(options.output)
    try:
        sources, endpoints = declared_endpoints(options.paths)
    except (SourceError, HclParserMissing) as error:
        raise CliError(str(error)) from error
    result = check_all(endpoints, policy, now or datetime.now(UTC), sources.files)
    write_output(render(result, policy, source, options.output_format), options.output, stdout)
    if options.output_format != "table" or not to_stdout(options.output):
        _print_summary(result, options, stderr)
    if not result.verdicts:
        # Clean, but perhaps only because the paths hold nothing to check: say so.
        read = len(result.files)
        print(
            f"cvpn-guard: note: no Client VPN endpoint in {read} file{'s' if read != 1 else ''} "
            f"read from {', '.join(options.paths)}",
            file=stderr,
        )
    return exit_code_for(result)


def render(result: CheckResult, policy: Policy, source: str, output_format: str) -> str:
    """The verdicts in ``table``, ``json``, ``sarif`` or ``junit``."""
    if output_format == "json":
        from cvpn_guard.iac.json_report import render_json

        return render_json(result, policy, source)
    if output_format == "sarif":
        from cvpn_guard.iac.sarif import render_sarif

        return render_sarif(result, policy)
    if output_format == "junit":
        from cvpn_guard.iac.junit import render_junit

        return render_junit(result)
    from cvpn_guard.iac.table import render_table

    return render_table(result)


def _print_summary(result: CheckResult, options: CheckOptions, stderr: TextIO) -> None:
    # The table on stdout ends with the same line; any other document gets it on stderr.
    from cvpn_guard.iac.table import summary_line

    print(f"cvpn-guard: {summary_line(result)}", file=stderr)
    if not to_stdout(options.output):
        print(f"cvpn-guard: {options.output_format} written to {options.output}", file=stderr)
