"""``cvpn-guard scan``: the sweep, run with the caller's credentials, as a CI-friendly report.

Same code path as the sweeper Lambda (``cvpn_guard.sweep``), so a scan on a laptop and the
scheduled report agree. It reports only unless ``--remediate`` is given, whatever the
policy document's own ``mode`` says: a command run to look must never change anything.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from cvpn_guard.cli.errors import CliError
from cvpn_guard.cli.exit_codes import ExitCode, exit_code_for
from cvpn_guard.cli.progress import ProgressBar
from cvpn_guard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from cvpn_guard.aws.ec2 import ClientVpnApi
    from cvpn_guard.aws.session import Session
    from cvpn_guard.policy import Policy
    from cvpn_guard.report import ComplianceReport

COUNT_PAGE_SIZE = 1000  # counting for the progress bar: one call per 1,000 endpoints
MAX_ERRORS_SHOWN = 10
_REGION = re.compile(r"^[a-z]{2,4}(-[a-z]+)+-\d+$")


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """What the user asked ``scan`` to do."""

    regions: tuple[str, ...] = ()
    profile: str | None = None
    endpoint_url: str | None = None
    policy_file: str | None = None
    output_format: str = "table"
    output: str | None = None
    remediate: bool = False
    ignore_windows: bool = False
    progress: bool | None = None

    @classmethod
    def from_args(cls, args: object) -> ScanOptions:
        """Options from the parsed command line."""
        regions = getattr(args, "regions", None) or ()
        return cls(
            regions=tuple(dict.fromkeys(regions)),
            profile=getattr(args, "profile", None),
            endpoint_url=getattr(args, "endpoint_url", None),
            policy_file=getattr(args, "policy", None),
            output_format=getattr(args, "output_format", "table"),
            output=getattr(args, "output", None),
            remediate=bool(getattr(args, "remediate", False)),
            ignore_windows=bool(getattr(args, "ignore_windows", False)),
            progress=getattr(args, "progress", None),
        )


def run_scan(options: ScanOptions, *, stdout: TextIO, stderr: TextIO) -> int:
    """Scan, print or write the report, and return the exit status (see ``ExitCode``)."""
    if options.ignore_windows and not options.remediate:
        raise CliError("--ignore-windows changes only what --remediate applies: add --remediate")
    policy = load_scan_policy(options)
    if options.output:
        _check_writable(options.output)
    session = _session(options.profile)
    regions = _regions(options, session)
    _require_credentials(session, options)
    apis = _region_apis(session, regions, options.endpoint_url)
    account = _account(session, regions[0], options.endpoint_url)
    report = _sweep(policy, regions, apis, account=account, options=options, stderr=stderr)
    _emit(report, options, stdout)
    _print_summary(report, options, regions, stderr)
    return exit_code_for(report)


def load_scan_policy(options: ScanOptions) -> Policy:
    """The policy file (or the bundled default), in enforce mode only with ``--remediate``."""
    from cvpn_guard.exceptions import PolicyError
    from cvpn_guard.policy import Mode, default_policy, load_policy_file

    try:
        policy = load_policy_file(options.policy_file) if options.policy_file else default_policy()
    except PolicyError as error:
        count = len(error.problems)
        lines = "\n".join(f"  {error.source}: {problem}" for problem in error.problems)
        raise CliError(
            f"the policy cannot be used ({count} problem{'s' if count != 1 else ''}):\n{lines}"
        ) from error
    return policy.with_mode(Mode.ENFORCE if options.remediate else Mode.REPORT)


def _check_writable(output: str) -> None:
    # Fail before a long scan rather than after it.
    parent = Path(output).resolve().parent
    if not parent.is_dir():
        raise CliError(f"cannot write {output}: the directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise CliError(f"cannot write {output}: no permission to write in {parent}")


def _session(profile: str | None) -> Session:
    from cvpn_guard.aws.session import open_session

    try:
        return open_session(profile)
    except ConfigurationError as error:
        raise CliError(str(error)) from error


def _regions(options: ScanOptions, session: Session) -> tuple[str, ...]:
    regions = options.regions or ((session.region_name,) if session.region_name else ())
    if not regions:
        raise CliError(
            "no region to scan: pass --region REGION (repeat it for several), "
            "or set AWS_REGION, or give the profile a region"
        )
    bad = [region for region in regions if not _REGION.match(region)]
    if bad:
        raise CliError(f"not a region name: {', '.join(bad)} (expected e.g. eu-west-1)")
    return regions


def _require_credentials(session: Session, options: ScanOptions) -> None:
    from cvpn_guard.aws.session import require_credentials

    try:
        require_credentials(session, emulator=options.endpoint_url is not None)
    except ConfigurationError as error:
        raise CliError(str(error)) from error


def _region_apis(
    session: Session, regions: Sequence[str], endpoint_url: str | None
) -> dict[str, ClientVpnApi]:
    from cvpn_guard.aws.clients import session_client
    from cvpn_guard.aws.ec2 import ClientVpnApi
    from cvpn_guard.settings import DEFAULT_MAX_ATTEMPTS

    # Built here, in one thread: creating clients from a shared boto3 session is not
    # thread-safe, and the sweep runs its regions in threads.
    return {
        region: ClientVpnApi(
            session_client(session, "ec2", region, DEFAULT_MAX_ATTEMPTS, endpoint_url)
        )
        for region in regions
    }


def _account(session: Session, region: str, endpoint_url: str | None) -> str:
    from cvpn_guard.aws.session import caller_account
    from cvpn_guard.settings import DEFAULT_MAX_ATTEMPTS

    try:
        return caller_account(session, region, endpoint_url, DEFAULT_MAX_ATTEMPTS)
    except ConfigurationError as error:
        raise CliError(str(error)) from error


def _show_progress(options: ScanOptions, stderr: TextIO) -> bool:
    if options.progress is not None:
        return options.progress
    isatty = getattr(stderr, "isatty", None)
    return bool(isatty and isatty())


def _count_endpoints(api: ClientVpnApi) -> int | None:
    from cvpn_guard.exceptions import AwsCallError

    try:
        return sum(len(page) for page in api.endpoint_pages(COUNT_PAGE_SIZE))
    except AwsCallError:
        return None  # the sweep meets the same error and reports it


def _progress_bar(
    regions: Sequence[str], apis: Mapping[str, ClientVpnApi], stderr: TextIO
) -> ProgressBar:
    bar = ProgressBar(regions, stderr, width=shutil.get_terminal_size((120, 24)).columns - 1)
    # Counting first turns a counter into a bar with an ETA, for about one call per 1,000
    # endpoints (the sweep makes at least one per endpoint that needs a closer look).
    with ThreadPoolExecutor(max_workers=min(8, len(regions))) as pool:
        totals = pool.map(lambda region: _count_endpoints(apis[region]), regions)
        for region, total in zip(regions, totals, strict=True):
            if total is not None:
                bar.set_total(region, total)
    return bar


def _sweep(
    policy: Policy,
    regions: Sequence[str],
    apis: Mapping[str, ClientVpnApi],
    *,
    account: str,
    options: ScanOptions,
    stderr: TextIO,
) -> ComplianceReport:
    from cvpn_guard.memory_state import InMemoryState
    from cvpn_guard.report import ReportSource
    from cvpn_guard.sweep import sweep

    bar = _progress_bar(regions, apis, stderr) if _show_progress(options, stderr) else None
    try:
        return sweep(
            regions,
            apis.__getitem__,
            policy,
            account=account,
            # One process is the only writer here; the Lambdas' DynamoDB leases are theirs.
            locks=InMemoryState(),
            source=ReportSource(kind="cli", regions=tuple(regions)),
            progress=bar.update if bar else None,
            ignore_windows=options.ignore_windows,
        )
    finally:
        if bar:
            bar.close()


def render(report: ComplianceReport, output_format: str) -> str:
    """The report in ``table``, ``json`` (the schema's document, compact) or ``csv``."""
    from cvpn_guard.report import render_csv, render_table

    if output_format == "json":
        return report.to_json() + "\n"
    if output_format == "csv":
        return render_csv(report)
    return render_table(report)


def _emit(report: ComplianceReport, options: ScanOptions, stdout: TextIO) -> None:
    text = render(report, options.output_format)
    if not options.output:
        stdout.write(text)
        stdout.flush()
        return
    try:
        Path(options.output).write_text(text, encoding="utf-8")
    except OSError as error:
        raise CliError(
            f"cannot write {options.output}: {error.strerror or error}", ExitCode.USAGE
        ) from error


def summary_line(report: ComplianceReport, regions: Sequence[str]) -> str:
    """One line of counts, for stderr (and CI logs)."""
    s = report.summary
    where = f"{len(regions)} region{'s' if len(regions) != 1 else ''}"
    return (
        f"{s.endpoints} endpoints in {where}: {s.compliant} compliant, "
        f"{s.non_compliant} non-compliant, {s.remediated} remediated, "
        f"{s.remediation_failed} remediation failed, {s.exempt} exempt, {s.errors} errors"
    )


def _print_summary(
    report: ComplianceReport, options: ScanOptions, regions: Sequence[str], stderr: TextIO
) -> None:
    table_on_stdout = options.output_format == "table" and not options.output
    if table_on_stdout:
        return  # the table ends with the same counts and lists the errors
    print(f"cvpn-guard: {summary_line(report, regions)}", file=stderr)
    for error in report.errors[:MAX_ERRORS_SHOWN]:
        where = " ".join(p for p in (error.region, error.endpoint_id) if p) or "the sweep"
        print(f"cvpn-guard: could not check {where}: {error.code}: {error.message}", file=stderr)
    if len(report.errors) > MAX_ERRORS_SHOWN:
        print(f"cvpn-guard: … and {len(report.errors) - MAX_ERRORS_SHOWN} more errors", file=stderr)
    if options.output:
        print(f"cvpn-guard: report written to {options.output}", file=stderr)
