"""``cvpn-guard scan``: the sweep, run with the caller's credentials, as a CI-friendly report.

Same code path as the sweeper Lambda (``cvpn_guard.sweep``), so a scan on a laptop and the
scheduled report agree. It reports only unless ``--remediate`` is given, whatever the
policy document's own ``mode`` says: a command run to look must never change anything. And
``--remediate`` obeys the document: under ``mode: report`` it changes nothing (exit 2)
unless ``--override-mode``; on a terminal it shows the plan and applies it only once a
person said yes, and then exactly that plan (``--yes`` skips the question).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from cvpn_guard.cli.errors import CliError
from cvpn_guard.cli.exit_codes import exit_code_for
from cvpn_guard.cli.output import check_writable, to_stdout, write_output
from cvpn_guard.cli.progress import ProgressBar
from cvpn_guard.cli.scan_policy import ScanPolicy, applied, read_policy, read_policy_parameter
from cvpn_guard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from cvpn_guard.aws.ec2 import ClientVpnApi
    from cvpn_guard.aws.session import Session
    from cvpn_guard.endpoint_guard import Approval, Proposal
    from cvpn_guard.planning import EndpointPlan
    from cvpn_guard.policy import Policy
    from cvpn_guard.remediation import RemediationPlan
    from cvpn_guard.report import ComplianceReport

COUNT_PAGE_SIZE = 1000  # counting for the progress bar: one call per 1,000 endpoints
MAX_ERRORS_SHOWN = 10
_REGION = re.compile(r"^[a-z]{2,4}(-[a-z]+)+-\d+$")
_ENDPOINT_ID = re.compile(r"cvpn-endpoint-[0-9a-f]{8,17}")
_YES = frozenset({"y", "yes"})


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """What the user asked ``scan`` to do."""

    regions: tuple[str, ...] = ()
    profile: str | None = None
    endpoint_url: str | None = None
    policy_file: str | None = None
    policy_parameter: str | None = None
    policy_region: str | None = None
    endpoint_ids: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    controls: tuple[str, ...] = ()
    output_format: str = "table"
    output: str | None = None
    plan: bool = False
    remediate: bool = False
    override_mode: bool = False
    yes: bool = False
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
            policy_parameter=getattr(args, "policy_parameter", None),
            policy_region=getattr(args, "policy_region", None),
            endpoint_ids=tuple(dict.fromkeys(getattr(args, "endpoint_ids", None) or ())),
            rules=tuple(dict.fromkeys(getattr(args, "rules", None) or ())),
            controls=tuple(dict.fromkeys(getattr(args, "controls", None) or ())),
            output_format=getattr(args, "output_format", "table"),
            output=getattr(args, "output", None),
            plan=bool(getattr(args, "plan", False)),
            remediate=bool(getattr(args, "remediate", False)),
            override_mode=bool(getattr(args, "override_mode", False)),
            yes=bool(getattr(args, "yes", False)),
            ignore_windows=bool(getattr(args, "ignore_windows", False)),
            progress=getattr(args, "progress", None),
        )

    @property
    def changes(self) -> bool:
        """Whether the scan fixes, or plans fixes (and so judges as enforce mode would)."""
        return self.remediate or self.plan

    @property
    def to_stdout(self) -> bool:
        """Whether the report (or plan) goes to stdout."""
        return to_stdout(self.output)


def run_scan(
    options: ScanOptions, *, stdout: TextIO, stderr: TextIO, stdin: TextIO | None = None
) -> int:
    """Scan, print or write the report, and return the exit status (see ``ExitCode``).

    ``stdin``: where a confirmation is read (``--remediate`` without ``--yes``); it must be
    a terminal.
    """
    _check_flags(options)
    if options.remediate and not options.yes and not _is_terminal(stdin):
        raise CliError(
            "--remediate asks for confirmation and there is no terminal to ask on: nothing "
            "was scanned or changed. Review the changes with --plan, then apply them with "
            "--remediate --yes"
        )
    # A file's policy is checked before any AWS call; the stack's needs the session first.
    scan_policy = None if options.policy_parameter else _scan_policy(options)
    check_writable(options.output)  # before a long scan rather than after it
    session = _session(options.profile)
    regions = _regions(options, session)
    _require_credentials(session, options)
    if scan_policy is None:
        assert options.policy_parameter is not None
        text = read_policy_parameter(
            session,
            options.policy_parameter,
            options.policy_region or session.region_name,
            options.endpoint_url,
        )
        scan_policy = _scan_policy(options, text)
    apis = _region_apis(session, regions, options.endpoint_url)
    account = _account(session, regions[0], options.endpoint_url)
    scan = _Scan(
        scan_policy, regions=regions, apis=apis, account=account, options=options, stderr=stderr
    )
    if options.plan:
        return scan.plan_only(stdout)
    if options.remediate and not options.yes:
        assert stdin is not None
        return scan.confirm_then_remediate(stdin, stdout)
    report = scan.sweep(progress=True)
    _emit(report, options, stdout)
    _print_summary(report, options, regions, stderr)
    return exit_code_for(report)


def _check_flags(options: ScanOptions) -> None:
    """Combinations that cannot mean anything, refused before any work."""
    if options.plan and options.remediate:
        raise CliError(
            "--plan shows what --remediate would do and changes nothing: give one of them"
        )
    for flag, given in (
        ("--override-mode", options.override_mode),
        ("--yes", options.yes),
    ):
        if given and not options.remediate:
            raise CliError(f"{flag} changes only what --remediate does: add --remediate")
    if options.ignore_windows and not options.changes:
        raise CliError(
            "--ignore-windows changes only what --remediate applies: add --remediate "
            "(or --plan to see what it would apply)"
        )
    if options.policy_region and not options.policy_parameter:
        raise CliError("--policy-region says where --policy-parameter is: add --policy-parameter")
    bad = [i for i in options.endpoint_ids if not _ENDPOINT_ID.fullmatch(i)]
    if bad:
        raise CliError(
            f"not an endpoint id: {', '.join(bad)} (expected e.g. cvpn-endpoint-0123456789abcdef0)"
        )
    if options.plan and options.output_format == "csv":
        raise CliError("--plan prints text (--format table) or JSON (--format json), not CSV")


def _is_terminal(stream: TextIO | None) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # a closed or detached stream is no terminal
        return False


def _scan_policy(options: ScanOptions, text: tuple[str, str] | None = None) -> ScanPolicy:
    return applied(
        *read_policy(policy_file=options.policy_file, policy_text=text),
        changes=options.changes,
        remediate=options.remediate,
        override_mode=options.override_mode,
        rules=options.rules,
        controls=options.controls,
    )


def load_scan_policy(options: ScanOptions) -> Policy:
    """The policy of ``--policy`` (or the bundled default) as the scan applies it."""
    return _scan_policy(options).policy


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
    regions: Sequence[str], apis: Mapping[str, ClientVpnApi], stderr: TextIO, *, counted: bool
) -> ProgressBar:
    bar = ProgressBar(regions, stderr, width=shutil.get_terminal_size((120, 24)).columns - 1)
    if not counted:
        return bar  # a few named endpoints: counting every endpoint would cost more
    # Counting first turns a counter into a bar with an ETA, for about one call per 1,000
    # endpoints (the sweep makes at least one per endpoint that needs a closer look).
    with ThreadPoolExecutor(max_workers=min(8, len(regions))) as pool:
        totals = pool.map(lambda region: _count_endpoints(apis[region]), regions)
        for region, total in zip(regions, totals, strict=True):
            if total is not None:
                bar.set_total(region, total)
    return bar


class _Scan:
    """One scan's sweeps: the report, the plan, the confirmed remediation."""

    def __init__(
        self,
        scan_policy: ScanPolicy,
        *,
        regions: Sequence[str],
        apis: Mapping[str, ClientVpnApi],
        account: str,
        options: ScanOptions,
        stderr: TextIO,
    ) -> None:
        self.policy = scan_policy.policy
        self.scan_policy = scan_policy
        self.regions = regions
        self.apis = apis
        self.account = account
        self.options = options
        self.stderr = stderr
        self._proposed: dict[str, RemediationPlan] = {}

    def sweep(
        self,
        *,
        progress: bool,
        propose: Callable[[Proposal], None] | None = None,
        only: Sequence[str] | None = None,
        approve: Approval | None = None,
    ) -> ComplianceReport:
        """Sweep the scan's regions (``only``: these endpoints; default: the scan's own)."""
        from cvpn_guard.memory_state import InMemoryState
        from cvpn_guard.report import ReportSource
        from cvpn_guard.sweep import sweep

        options, regions = self.options, self.regions
        endpoint_ids = only if only is not None else (options.endpoint_ids or None)
        bar = None
        if progress and _show_progress(options, self.stderr):
            bar = _progress_bar(regions, self.apis, self.stderr, counted=endpoint_ids is None)
        try:
            return sweep(
                regions,
                self.apis.__getitem__,
                self.policy,
                account=self.account,
                # One process is the only writer here; the Lambdas' DynamoDB leases are theirs.
                locks=InMemoryState(),
                source=ReportSource(
                    kind="cli",
                    regions=tuple(regions),
                    endpoint_ids=options.endpoint_ids,
                    rules=self.scan_policy.rules,
                ),
                progress=bar.update if bar else None,
                ignore_windows=options.ignore_windows,
                endpoint_ids=endpoint_ids,
                propose=propose,
                approve=approve,
            )
        finally:
            if bar:
                bar.close()

    def planned(self) -> tuple[ComplianceReport, list[EndpointPlan]]:
        """What a remediation would do now (nothing written), and the verdicts it is based on.

        Keeps each endpoint's plan as the guard made it, for ``_apply`` to compare against.
        """
        from cvpn_guard.planning import endpoint_plan

        proposals: list[Proposal] = []
        # The sweep's regions run in threads: list.append is atomic.
        report = self.sweep(progress=True, propose=proposals.append)
        self._proposed = {p.result.report.endpoint_id: p.result.plan for p in proposals}
        plans = [endpoint_plan(p) for p in proposals]
        plans = [p for p in plans if p.changes_something or p.held_back]
        plans.sort(key=lambda p: (p.account, p.region, p.endpoint_id))
        return report, plans

    def plan_only(self, stdout: TextIO) -> int:
        """``--plan``: print the plan, change nothing, exit as a report-only scan would."""
        from cvpn_guard.cli.plan_view import render_plan_json, render_plan_text
        from cvpn_guard.policy import Mode

        report, plans = self.planned()
        text = (
            render_plan_json(plans, report)
            if self.options.output_format == "json"
            else render_plan_text(plans, report)
        )
        _write(text, self.options, stdout)
        if self.scan_policy.document_mode is not Mode.ENFORCE:
            print(
                f"cvpn-guard: note: {self.scan_policy.source} says mode: "
                f"{self.scan_policy.document_mode}: --remediate applies this plan only with "
                "--override-mode",
                file=self.stderr,
            )
        _print_summary(report, self.options, self.regions, self.stderr, always=True)
        return exit_code_for(report)

    def confirm_then_remediate(self, stdin: TextIO, stdout: TextIO) -> int:
        """Show the plan, ask, and apply exactly the confirmed plans (nothing when declined)."""
        from cvpn_guard.cli.plan_view import plan_headline, render_plan_text

        report, plans = self.planned()
        confirmed = {p.endpoint_id: p for p in plans if p.changes_something}
        if confirmed:
            self.stderr.write(render_plan_text(plans, report))
            if not _ask(
                f"Apply this plan ({plan_headline(plans)[6:]})? [y/N] ", stdin, self.stderr
            ):
                print("cvpn-guard: declined: nothing was changed", file=self.stderr)
                return self._finish(_as_reported(report), stdout)
        else:
            print("cvpn-guard: nothing to change now", file=self.stderr)
            return self._finish(report, stdout)
        applied = self._apply(report, confirmed)
        return self._finish(applied, stdout)

    def _apply(
        self, planned: ComplianceReport, confirmed: Mapping[str, EndpointPlan]
    ) -> ComplianceReport:
        from cvpn_guard.report import build_report

        # Only the confirmed endpoints are touched, and only with the plan a person saw: an
        # endpoint whose fix changed in between is left as it is and says so.
        shown = {endpoint_id: self._proposed[endpoint_id] for endpoint_id in confirmed}
        fixed = self.sweep(
            progress=False,
            only=list(confirmed),
            approve=lambda endpoint_id, plan: shown.get(endpoint_id) == plan,
        )
        untouched = [e for e in planned.endpoints if e.endpoint_id not in confirmed]
        return build_report(
            policy=self.policy,
            source=planned.source,
            endpoints=[*untouched, *fixed.endpoints],
            errors=[*planned.errors, *fixed.errors],
            report_id=planned.report_id,
        )

    def _finish(self, report: ComplianceReport, stdout: TextIO) -> int:
        _emit(report, self.options, stdout)
        _print_summary(report, self.options, self.regions, self.stderr)
        return exit_code_for(report)


def _as_reported(report: ComplianceReport) -> ComplianceReport:
    """The report of a scan that changed nothing says so: the mode that applied is report."""
    return report.model_copy(update={"policy": report.policy.model_copy(update={"mode": "report"})})


def _ask(question: str, stdin: TextIO, stderr: TextIO) -> bool:
    """A yes from the person at the terminal (anything else, or end of input, is no)."""
    stderr.write(question)
    stderr.flush()
    try:
        answer = stdin.readline()
    except (OSError, ValueError):
        return False
    return answer.strip().lower() in _YES


def render(report: ComplianceReport, output_format: str) -> str:
    """The report in ``table``, ``json`` (the schema's document, compact) or ``csv``."""
    from cvpn_guard.report import render_csv, render_table

    if output_format == "json":
        return report.to_json() + "\n"
    if output_format == "csv":
        return render_csv(report)
    return render_table(report)


def _emit(report: ComplianceReport, options: ScanOptions, stdout: TextIO) -> None:
    _write(render(report, options.output_format), options, stdout)


def _write(text: str, options: ScanOptions, stdout: TextIO) -> None:
    """To stdout (no ``--output``, or ``--output -``), else to the file."""
    write_output(text, options.output, stdout)


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
    report: ComplianceReport,
    options: ScanOptions,
    regions: Sequence[str],
    stderr: TextIO,
    *,
    always: bool = False,
) -> None:
    table_on_stdout = options.output_format == "table" and options.to_stdout
    if table_on_stdout and not always:
        return  # the table ends with the same counts and lists the errors
    print(f"cvpn-guard: {summary_line(report, regions)}", file=stderr)
    for error in report.errors[:MAX_ERRORS_SHOWN]:
        where = " ".join(p for p in (error.region, error.endpoint_id) if p) or "the sweep"
        print(f"cvpn-guard: could not check {where}: {error.code}: {error.message}", file=stderr)
    if len(report.errors) > MAX_ERRORS_SHOWN:
        print(f"cvpn-guard: … and {len(report.errors) - MAX_ERRORS_SHOWN} more errors", file=stderr)
    if not options.to_stdout:
        what = "plan" if options.plan else "report"
        print(f"cvpn-guard: {what} written to {options.output}", file=stderr)
