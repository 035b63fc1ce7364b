"""The demo, step by step: emulator, estate, events through the enforcer, sweep, report, the
maintenance window. ``cvpn_devkit.demo.run`` runs it (or its organization variant,
``org_story``, which builds on this module's ``Demo``)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cvpn_devkit.demo import estate, lambdas, replay, windows
from cvpn_devkit.demo.environment import base_environment, emulator_session
from cvpn_devkit.demo.inbox import ReceivedNotice, ReceivedReport, assemble_report, drain
from cvpn_devkit.demo.recorded_calls import make_recorded_call
from cvpn_devkit.demo.render import Console, report_table, show_endpoint_verdict
from cvpn_guard.findings import EndpointStatus
from cvpn_guard.policy import WINDOW_TAG, DisruptiveFixTiming, Policy
from cvpn_guard.policy.windows import DEFAULT_WINDOW
from cvpn_guard.report import EndpointReport, short_json


class Demo:
    """The demo's steps, sharing the emulator's clients and what was created."""

    def __init__(self, console: Console, root: Path, url: str, scratch: Path) -> None:
        self.console = console
        self.root = root
        self.url = url
        self.scratch = scratch
        self._session = emulator_session(estate.PRIMARY_REGION, str(scratch))
        self.lambdas = lambdas.DemoLambdas(
            root, scratch, base_environment(url, estate.PRIMARY_REGION, str(scratch))
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self.names: dict[str, str] = {}
        self.ids: dict[str, str] = {}
        self.ok = True
        self.policy_file = scratch / "policy.yaml"
        self.policy_windows: dict[str, windows.DemoWindow] = {}
        """The demo policy's maintenance windows, by name."""
        self.own_window = ""
        """The closed window the ``own_window`` endpoints are tagged with."""
        self._exempt: list[estate.SeededEndpoint] = []
        self.network: estate.DemoNetwork | None = None
        self.aliases: dict[str, str] = {}
        """The samples' VPC, subnet, group and association ids -> the demo's."""
        self._findings_shown: dict[str, set[str]] = {}
        """Endpoint id -> the findings its notices showed already (as JSON)."""

    def client(self, service: str, region: str) -> Any:
        """A boto3 client for ``service`` in ``region``, talking to the emulator."""
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self._session.client(
                service, region_name=region, endpoint_url=self.url
            )
        return self._clients[key]

    @property
    def sweep_regions(self) -> str:
        """SWEEP_REGIONS as the demo's stack would set it."""
        return f"{estate.PRIMARY_REGION},{estate.SECOND_REGION}"

    def run(self) -> bool:
        """Every step in order; False when something did not go as the story says."""
        plumbing = self.setup()
        samples = replay.load_samples(self.root / "events")
        policy_file = self.seed()
        self.configure_lambdas(plumbing, policy_file, samples)
        self.replay_events(samples, plumbing)
        self.sweep()
        received = self.received_report(plumbing)
        latest = self.window_opens(plumbing, received)
        self.recap(latest or received)
        return self.ok

    # -- 1. infrastructure ---------------------------------------------------------------

    def setup(self) -> estate.Plumbing:
        """The emulator's notification plumbing and state table."""
        c = self.console
        c.section(
            1,
            "Start the emulator",
            "A throwaway AWS on a free local port, with what the deployed stack would create: "
            "an SNS topic for notices and reports (here with an SQS queue subscribed, like a "
            "SIEM or chat integration) and the DynamoDB table the enforcer uses for leases.",
        )
        plumbing = estate.create_plumbing(self.client)
        c.done(f"emulator listening on {self.url}")
        c.done(f"SNS topic {estate.TOPIC_NAME}, delivering to the SQS queue {estate.QUEUE_NAME}")
        c.done(f"DynamoDB table {plumbing.table_name} (per-endpoint leases, notification outbox)")
        return plumbing

    # -- 2. estate and policy ------------------------------------------------------------

    def seed(self) -> Path:
        """Create the endpoints and write the demo's policy; return the policy file."""
        from cvpn_emulator.control import EmulatorControl
        from cvpn_guard.policy import load_policy_file

        c = self.console
        c.section(
            2,
            "Seed an estate of Client VPN endpoints",
            "Two regions, seven endpoints, each in a state worth a look. Some have users "
            "connected right now: fixing them disconnects some sessions, so cvpn-guard says "
            "how many users each fix touches. Beside them, the contractors' VPC, where the "
            "endpoint created in step 3 gets its target network, security group and routes.",
        )
        now = datetime.now(UTC)
        # The endpoints without the tag use "default", open for the whole run: their
        # disruptive fixes are applied as they are found. The tagged one waits.
        self.own_window, closed = windows.closed_window(now)
        self.policy_windows = {DEFAULT_WINDOW: windows.open_around(now), self.own_window: closed}
        control = EmulatorControl(self.url)
        seeded = estate.seed_estate(
            self.client,
            lambda endpoint_id, user: _connect(control, endpoint_id, user),
            self.own_window,
        )
        for endpoint in seeded:
            self._remember(endpoint)
        self.network = estate.create_network(self.client)
        self.aliases = self.network.aliases()
        rows = [
            (
                f"{e.spec.region}  {e.endpoint_id}  {e.spec.name:<11}",
                e.spec.story
                + (f"; {len(e.spec.users)} users connected" if e.spec.users else "")
                + (f"; tag {WINDOW_TAG}={self.own_window}" if e.spec.own_window else ""),
            )
            for e in seeded
        ]
        network = self.network
        rows.append(
            (
                f"{estate.PRIMARY_REGION}  {network.vpc_id:<{len(seeded[0].endpoint_id)}}  "
                f"{'contractors':<11}",
                f"VPC {estate.VPC_CIDR}: subnet {network.subnet_id} ({estate.SUBNET_CIDR}), "
                f"security groups default ({network.default_group_id}) and "
                f"{estate.VPN_GROUP_NAME} ({network.vpn_group_id})",
            )
        )
        c.facts(rows, indent=2)
        self._exempt = [e for e in seeded if e.spec.exempt]
        policy = load_policy_file(self.write_policy())
        c.line()
        c.para(
            "The policy is the bundled baseline (cvpn-guard policy show-default) with the "
            "line an operator writes to let cvpn-guard fix things, mode: enforce (the baseline "
            "only reports: docs/deploy.md, Roll out safely), fixes that disconnect users only inside "
            "the endpoint's maintenance window, and one exemption for the lab endpoint:"
        )
        in_window = policy.disruptive_fixes.when is DisruptiveFixTiming.IN_WINDOW
        for config in policy.rules.active():
            how = "fixed automatically" if config.remediate else "reported only"
            if config.remediate and config.rule.disruptive and in_window:
                how += ", inside a maintenance window"
            c.line(f"- {config.rule_id} ({config.severity}, {how})", 4)
        for exemption in policy.exemptions:
            until = f" until {exemption.expires}" if exemption.expires else ""
            c.para(f"- {exemption.describe()}{until}: {exemption.reason}", indent=4, hanging=2)
        tagged = ", ".join(e.spec.name for e in seeded if e.spec.own_window)
        c.line(f"- maintenance windows (disruptive_fixes.when: {policy.disruptive_fixes.when}):", 4)
        c.facts(
            [
                (
                    name,
                    f"{_window_times(policy, name, now)} "
                    f"({'the untagged endpoints' if name == DEFAULT_WINDOW else tagged})",
                )
                for name in policy.disruptive_fixes.windows
            ],
            indent=6,
        )
        return self.policy_file

    def write_policy(self) -> Path:
        """Write the demo's policy file (what POLICY_FILE names) from its current windows."""
        from cvpn_guard.cli.policy_commands import default_policy_text

        text = estate.demo_policy_text(
            default_policy_text(), self._exempt, datetime.now(UTC).date(), self.policy_windows
        )
        self.policy_file.write_text(text, encoding="utf-8")
        return self.policy_file

    def _remember(self, endpoint: estate.SeededEndpoint) -> None:
        self.names[endpoint.endpoint_id] = endpoint.spec.name
        self.ids[endpoint.spec.name] = endpoint.endpoint_id

    # -- 3. the enforcer -----------------------------------------------------------------

    def configure_lambdas(
        self, plumbing: estate.Plumbing, policy_file: Path, samples: list[replay.SampleEvent]
    ) -> None:
        """The environment variables template.yaml gives the functions."""
        role = replay.enforcer_role_arn(samples)
        common = {
            "POLICY_FILE": str(policy_file),
            "NOTIFICATION_TOPIC_ARN": plumbing.topic_arn,
            "STATE_TABLE_NAME": plumbing.table_name,
        }
        self.lambdas.variables = {
            lambdas.ENFORCER: {**common, **({"LOOP_GUARD_ROLE_ARNS": role} if role else {})},
            lambdas.SWEEPER: {**common, "SWEEP_REGIONS": self.sweep_regions},
        }

    def replay_events(self, samples: list[replay.SampleEvent], plumbing: estate.Plumbing) -> None:
        """Deliver every sample event to the enforcer handler and show its verdict."""
        c = self.console
        c.section(
            3,
            "Replay CloudTrail events through the enforcer Lambda",
            "Each file in events/ is what EventBridge delivers when someone calls the EC2 API. "
            "The enforcer (functions/enforcer/app.py) never trusts the event: it describes the "
            "endpoint, evaluates the policy, fixes everything fixable in one "
            "ModifyClientVpnEndpoint call, describes again to verify, and publishes a notice. "
            "Before each event the demo makes the call it records, on the endpoint its story "
            "is about, so that the enforcer finds what the event says happened.",
        )
        sqs = self.client("sqs", estate.PRIMARY_REGION)
        ec2 = self.client("ec2", estate.PRIMARY_REGION)
        for index, sample in enumerate(samples):
            if index:
                c.line()
            if sample.creates:
                # The call the event records, made now so the endpoint exists when it arrives,
                # in the VPC and with the security group the event names.
                network = estate.in_network(self.network) if self.network else None
                self._remember(
                    estate.create_endpoint(self.client, estate.CONTRACTORS, extra=network)
                )
            endpoint_ids = tuple(self.ids[name] for name in sample.targets if name in self.ids)
            event = sample.pointed_at(*endpoint_ids, aliases=self.aliases)
            try:
                created = make_recorded_call(ec2, event, endpoint_ids)
            except Exception as error:  # shown, and the demo exits 1 at the end
                self._show_call(event, endpoint_ids)
                self.ok = False
                c.line(f"→ the call itself failed: {type(error).__name__}: {error}", 4)
                continue
            if created:
                # An id the call made (an association): later samples name the real one.
                self.aliases.update(created)
                event = sample.pointed_at(*endpoint_ids, aliases=self.aliases)
            self._show_call(event, endpoint_ids)
            try:
                result = self.lambdas.invoke("enforcer", lambdas.ENFORCER, event.event, warm=True)
            except Exception as error:  # shown, and the demo exits 1 at the end
                self.ok = False
                c.line(f"→ the enforcer failed: {type(error).__name__}: {error}", 4)
                continue
            self._show_verdict(result, drain(sqs, plumbing.queue_url))
        # The burst is over: the enforcer's warm environment goes.
        self.lambdas.close()

    def _show_call(self, sample: replay.SampleEvent, endpoint_ids: tuple[str, ...]) -> None:
        c = self.console
        detail = sample.detail
        c.line(f"▸ {sample.time} UTC  {replay.actor(detail)}  [{sample.name}]", 2)
        target = ", ".join(
            f"{self.names.get(endpoint_id, '?')} ({endpoint_id})" for endpoint_id in endpoint_ids
        )
        outcome = ""
        if sample.error_code:
            kind = "a dry run" if "DryRun" in sample.error_code else "failed"
            outcome = f"  ({kind}: {sample.error_code})"
        c.line(f"{sample.event_name}{' ' + target if target else ''}{outcome}", 4)
        asked = replay.requested(detail)
        if asked:
            c.para("asked for: " + ", ".join(asked), indent=4, hanging=11)

    def _show_verdict(self, result: dict[str, Any], notices: list[ReceivedNotice]) -> None:
        from cvpn_guard.report import ComplianceReport

        c = self.console
        if result.get("status") == "skipped":
            c.para(
                f"→ enforcer: skipped ({result.get('reason')}): {result.get('detail')}",
                indent=4,
                hanging=2,
            )
            return
        status = str(result.get("status", "?"))
        if status == "several_endpoints":
            # One tag call on several endpoints: each is enforced on its own.
            verdicts = ", ".join(
                f"{self.names.get(str(e.get('endpoint_id')), '?')} "
                f"{str(e.get('status', '?')).replace('_', ' ')}"
                for e in result.get("endpoints", [])
            )
            c.line(f"→ enforcer, each endpoint on its own: {verdicts}", 4)
        else:
            c.line(f"→ enforcer: {status.replace('_', ' ')}", 4)
        for notice in notices:
            report = ComplianceReport.model_validate_json(notice.message)
            for endpoint in report.endpoints:
                self._show_new_findings(endpoint)
            c.line(f"notice published: {short_json(notice.subject, 90)}", 6)
        if not notices:
            settled = status == "compliant" or (
                status == "several_endpoints"
                and all(e.get("status") == "compliant" for e in result.get("endpoints", []))
            )
            c.line("nothing to fix, no notice" if settled else "no notice", 6)

    def _show_new_findings(self, endpoint: EndpointReport) -> None:
        """An endpoint's verdict, each finding shown once: one an earlier notice about this
        endpoint showed word for word is only named (the notice itself repeats it)."""
        shown = self._findings_shown.setdefault(endpoint.endpoint_id, set())
        new = tuple(f for f in endpoint.findings if f.model_dump_json() not in shown)
        again = [f.rule for f in endpoint.findings if f.model_dump_json() in shown]
        shown.update(f.model_dump_json() for f in new)
        show_endpoint_verdict(self.console, endpoint.model_copy(update={"findings": new}))
        if again:
            self.console.para(
                f"Still reported, as its earlier notice showed: {', '.join(again)}",
                indent=6,
                hanging=2,
            )

    # -- 4. the sweeper ------------------------------------------------------------------

    def sweep(self) -> None:
        """Run the scheduled sweeper once, over both regions."""
        c = self.console
        c.section(
            4,
            "Run the scheduled sweeper",
            "Events can be late or lost, and some drift predates cvpn-guard. The sweeper "
            "(functions/sweeper/app.py) runs on a schedule over every endpoint of every region "
            f"in SWEEP_REGIONS (here {self.sweep_regions}), fixes what the enforcer "
            "would fix, and publishes one compliance report.",
        )
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": lambdas.ACCOUNT,
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": estate.PRIMARY_REGION,
            "resources": [
                f"arn:aws:events:{lambdas.REGION}:{lambdas.ACCOUNT}:rule/cvpn-guard-sweep"
            ],
            "detail": {},
        }
        result = self.lambdas.invoke("sweeper", lambdas.SWEEPER, event)
        summary = result.get("summary", {})
        c.done(
            f"swept {summary.get('endpoints', '?')} endpoints: {summary.get('compliant', 0)} "
            f"compliant, {summary.get('remediated', 0)} remediated, "
            f"{summary.get('deferred', 0)} deferred, "
            f"{summary.get('non_compliant', 0)} non-compliant, {summary.get('exempt', 0)} exempt, "
            f"{summary.get('errors', 0)} errors"
        )

    # -- 5. what the subscriber received -------------------------------------------------

    def received_report(
        self, plumbing: estate.Plumbing, *, step: int = 5, publisher: str = "The sweeper"
    ) -> ReceivedReport | None:
        """The compliance report exactly as the SQS subscriber received it."""
        c = self.console
        c.section(
            step,
            "The compliance report, as the subscriber received it",
            f"{publisher} published the report to SNS; this is what arrived on the SQS queue "
            f"{estate.QUEUE_NAME}: an SNS envelope whose Message is the report's JSON (a large "
            "report arrives in numbered parts, each a valid report of some endpoints with the "
            "whole summary, that merge back into one).",
        )
        received = assemble_report(
            drain(self.client("sqs", estate.PRIMARY_REGION), plumbing.queue_url)
        )
        if received is None:
            self.ok = False
            c.line("no report arrived on the queue", 2)
            return None
        first = received.first
        validity = (
            "valid against schemas/compliance-report.schema.json"
            if received.schema_problem is None
            else f"NOT valid against the schema: {received.schema_problem}"
        )
        if received.schema_problem is not None:
            self.ok = False
        c.facts(
            [
                ("Subject", first.subject),
                (
                    "MessageAttributes",
                    "  ".join(f"{k}={v}" for k, v in sorted(first.attributes.items())),
                ),
                (
                    "Message",
                    f"{received.size:,} bytes of JSON in {received.parts} part(s), {validity}",
                ),
            ],
            indent=2,
        )
        report = received.report
        c.line()
        c.line(
            f"report.summary (policy {report.policy.content_hash[:19]}…, mode {report.policy.mode}):",
            2,
        )
        for line in _pretty(report.summary.model_dump()).splitlines():
            c.line(line, 4)
        c.line()
        c.line("report.endpoints, one row each (* = fixed by cvpn-guard):", 2)
        report_table(c, report, self.names)
        fixed = [e for e in report.endpoints if e.status in _TOUCHED and e.changes]
        for endpoint in fixed:
            how = (
                "fixed by this sweep"
                if endpoint.status is EndpointStatus.REMEDIATED
                else "fixed in part by this sweep, a fix deferred to its maintenance window"
            )
            c.line()
            c.line(
                f"{how}: {self.names.get(endpoint.endpoint_id, '?')} "
                f"({endpoint.endpoint_id}, {endpoint.region})",
                2,
            )
            show_endpoint_verdict(c, endpoint, indent=4)
        return received

    # -- 6. the maintenance window opens --------------------------------------------------

    def window_opens(
        self, plumbing: estate.Plumbing, received: ReceivedReport | None
    ) -> ReceivedReport | None:
        """Open the deferred endpoints' window, tick the sweeper twice; the tick's report."""
        c = self.console
        name = self.own_window
        endpoints = received.report.endpoints if received else ()
        waiting = [e for e in endpoints if e.status is EndpointStatus.DEFERRED]
        now = datetime.now(UTC)
        next_start = self.policy_windows[name].model().next_opening(now).start
        c.section(
            6,
            "The maintenance window opens",
            f"{name} opens next at {next_start.isoformat()}. The demo cannot wait, so it "
            "rewrites its policy file to put the window around now (the policy is a document: "
            "it changes without a stack update). Every 15 minutes the sweeper gets the window "
            "tick (events/sweeper/window_tick.json); while a window is open, it sweeps once "
            "and applies what is still needed.",
        )
        self.policy_windows[name] = windows.open_around(now)
        self.write_policy()
        opened = self.policy_windows[name]
        state = "open now" if opened.model().opening_at(now) else "still closed"
        c.done(
            f"policy: {name} is every day {opened.start}-{opened.end} {opened.timezone}, {state}"
        )
        tick = json.loads((self.root / "events/sweeper/window_tick.json").read_text("utf-8"))
        sqs = self.client("sqs", estate.PRIMARY_REGION)
        first = self.lambdas.invoke("sweeper", lambdas.SWEEPER, tick)
        latest = assemble_report(drain(sqs, plumbing.queue_url))
        c.done(
            f"window tick: {first.get('window_tick')} "
            f"(open windows: {', '.join(first.get('windows', {})) or 'none'})"
        )
        if latest is not None:
            c.line(f"report on the queue: {short_json(latest.first.subject, 80)}", 4)
        if not waiting or first.get("window_tick") != "swept" or latest is None:
            self.ok = False
            c.line("expected a deferred endpoint, then a sweep that applies its fix", 4)
            return latest
        self._show_applied(waiting, latest.report.endpoints)
        second = self.lambdas.invoke("sweeper", lambdas.SWEEPER, tick)
        again = drain(sqs, plumbing.queue_url)
        c.done(f"window tick again: {second.get('window_tick')} ({second.get('reason')})")
        if second.get("window_tick") != "idle" or again:
            self.ok = False
            c.line(f"expected no sweep and no report, got {len(again)} message(s)", 4)
        return latest

    def _show_applied(self, waiting: list[EndpointReport], now: tuple[EndpointReport, ...]) -> None:
        """Each deferred endpoint's status before and after the tick, and what the tick changed."""
        c = self.console
        now_by_id = {e.endpoint_id: e for e in now}
        for before in waiting:
            after = now_by_id.get(before.endpoint_id)
            status = after.status if after else "missing from the report"
            c.line(
                f"{self.names.get(before.endpoint_id, '?')} ({before.endpoint_id}): "
                f"{before.status} -> {status}",
                4,
            )
            if after is None or after.status is not EndpointStatus.REMEDIATED:
                self.ok = False
                c.line("expected the tick to apply the deferred fix", 6)
                continue
            # What changed and whom it touched, in the notice's words; the findings were
            # shown with the report above.
            show_endpoint_verdict(c, after.model_copy(update={"findings": ()}), indent=6)

    # -- 7. recap ------------------------------------------------------------------------

    def recap(self, received: ReceivedReport | None) -> None:
        """What the newcomer just saw, and what to run next."""
        c = self.console
        c.section(
            7,
            "What just happened",
            "cvpn-guard fixed drift moments after it happened, checked the endpoint after "
            "every call that changes what it lets in (target networks, security groups, "
            "routes, authorization rules, the revocation list, the authorization policy, "
            "tags), reported a route to the whole internet and an access-all rule the moment "
            "each was added, checked each endpoint of a tag call on its own, left its "
            "own change, failed calls and dry runs alone, said how many users each disruptive "
            "fix touched, held a fix that disconnects users back until the endpoint's "
            "maintenance window (fixing the rest at once) and applied it when the window "
            "opened, left what it must not fix by itself (connection logging without an org "
            "log group, access-all rules, full-tunnel routes) to a human, and proved the estate's state with "
            "reports.",
        )
        if received is not None:
            remaining = _needing_a_human(received.report.endpoints)
            if remaining:
                c.line("Still needing a human, per the last report:", 2)
                for endpoint in remaining:
                    rules = ", ".join(
                        f.rule for f in endpoint.findings if f.rule not in endpoint.fixed_rules
                    )
                    c.line(f"- {self.names.get(endpoint.endpoint_id, '?')}: {rules}", 4)
                c.line()
        c.line("Next:", 2)
        c.facts(
            [
                ("cvpn-guard scan --region eu-west-1", "scan your own account (reports only)"),
                (
                    "cvpn-guard scan --region eu-west-1 --plan",
                    "the exact calls enforcing would make, and the users they disconnect",
                ),
                ("cvpn-guard policy show-default", "the baseline, to start your own policy"),
                ("cvpn-guard policy validate FILE", "check a policy before deploying it"),
                (
                    "cvpn-guard check tests/fixtures/iac/",
                    "the same policy on templates and Terraform, before they deploy",
                ),
                ("make test", "every quality gate: ruff, mypy, cfn-lint, checkov, pytest"),
            ]
        )


_TOUCHED = (EndpointStatus.REMEDIATED, EndpointStatus.DEFERRED)
"""The statuses of an endpoint a sweep changed (a deferred one, in part)."""


def _window_times(policy: Policy, name: str, now: datetime) -> str:
    """``sat, sun 02:00-05:00 Europe/Berlin: closed now, opens …``, as cvpn-guard judges it."""
    window = policy.disruptive_fixes.windows[name]
    days = "every day" if len(window.days) == len(windows.EVERY_DAY) else ", ".join(window.days)
    state = (
        "open now"
        if window.opening_at(now) is not None
        else f"closed now, opens {window.next_opening(now).start.isoformat()}"
    )
    return f"{days} {window.start}-{window.end} {window.timezone}: {state}"


def _connect(control: Any, endpoint_id: str, user: str) -> None:
    control.seed_connections(endpoint_id, 1, username=user)


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2)


def _needing_a_human(endpoints: tuple[EndpointReport, ...]) -> list[EndpointReport]:

    return [endpoint for endpoint in endpoints if not endpoint.settled]
