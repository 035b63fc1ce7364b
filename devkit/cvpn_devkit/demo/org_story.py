"""``cvpn-guard demo --org``: one organization, three accounts, one central deployment.

A member account's change travels member rule -> central bus -> enforcer, which fixes it
through the member's ``cvpn-guard-member`` role; the organization sweep fans out one SQS item
per account x region to the sweep worker and merges one organization report, in which the
account the StackSet has not reached yet is an error entry, not a failed sweep.
"""

from __future__ import annotations

import json
import uuid
from functools import cached_property
from pathlib import Path
from typing import Any

from cvpn_devkit.demo import estate, lambdas, organization, replay
from cvpn_devkit.demo.environment import emulator_session
from cvpn_devkit.demo.inbox import ReceivedReport, drain
from cvpn_devkit.demo.render import Console
from cvpn_devkit.demo.story import Demo
from cvpn_guard.report import ComplianceReport, short_json

MANAGEMENT, PAYMENTS, SANDBOX = "security", "payments", "sandbox"
MEMBER_EVENT = "create_endpoint_noncompliant.json"

CENTRAL_ENDPOINT = estate.EndpointSpec(
    "corp-vpn", estate.PRIMARY_REGION, "compliant", estate.compliant_settings("corp-vpn")
)
PAYMENTS_LEGACY = estate.EndpointSpec(
    "pay-legacy",
    estate.SECOND_REGION,
    "drifted: DisconnectOnSessionTimeout=false",
    estate.compliant_settings("pay-legacy") | {"DisconnectOnSessionTimeout": False},
)
PAYMENTS_NEW = estate.EndpointSpec(
    "pay-contractors",
    estate.PRIMARY_REGION,
    "created by the member event",
    estate.CONTRACTORS.settings,
)
SANDBOX_LAB = estate.EndpointSpec(
    "sandbox-lab",
    estate.PRIMARY_REGION,
    "drifted: the self-service portal is on",
    estate.compliant_settings("sandbox-lab") | {"SelfServicePortal": "enabled"},
)


class OrganizationDemo(Demo):
    """The organization story, on the single-account demo's console, clients and Lambdas."""

    def __init__(self, console: Console, root: Path, url: str, scratch: Path) -> None:
        super().__init__(console, root, url, scratch)
        self.account_names: dict[str, str] = {}
        """Account id -> name."""

    def run(self) -> bool:
        """Every step in order; False when something did not go as the story says."""
        org = self.found_organization()
        self.account_names = org.names
        central = self.central_stack(org)
        self.member_stacks(org, central)
        self.seed_accounts(org)
        self.member_event(org, central)
        self.org_sweep(central)
        received = self.org_report(org, central)
        self.org_recap(received)
        return self.ok

    @cached_property
    def samples(self) -> dict[str, replay.SampleEvent]:
        """The sample events of events/, by file name (read once)."""
        return {sample.name: sample for sample in replay.load_samples(self.root / "events")}

    def account_client(self, account: str, service: str, region: str) -> Any:
        """A client acting in ``account``: its administrators', through the role
        Organizations created with it (the central account's own otherwise)."""
        if account == organization.CENTRAL_ACCOUNT:
            return self.client(service, region)
        key = (f"{account}:{service}", region)
        if key not in self._clients:
            credentials = self.client("sts", region).assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
                RoleSessionName="administrator",
            )["Credentials"]
            session = emulator_session(region, str(self.scratch))
            self._clients[key] = session.client(
                service,
                region_name=region,
                endpoint_url=self.url,
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials["SessionToken"],
            )
        return self._clients[key]

    def in_account(self, account: str) -> organization.ClientFactory:
        """A client factory for ``account``."""
        return lambda service, region: self.account_client(account, service, region)

    # -- 1. the organization -------------------------------------------------------------

    def found_organization(self) -> organization.Organization:
        from cvpn_emulator.control import EmulatorControl

        c = self.console
        c.section(
            1,
            "An AWS Organization of three accounts",
            "The emulator now refuses AssumeRole on a role that does not exist, as AWS does. "
            f"The management account ({MANAGEMENT}) creates the organization and two member "
            f"accounts; cvpn-guard's central stack will live in {MANAGEMENT} too.",
        )
        EmulatorControl(self.url).require_existing_roles()
        org = organization.create_organization(
            self.client("organizations", estate.PRIMARY_REGION), MANAGEMENT, (PAYMENTS, SANDBOX)
        )
        for name, account in org.accounts.items():
            c.done(f"{account}  {name}")
        c.done(f"organization {org.id}")
        return org

    # -- 2. the central stack ------------------------------------------------------------

    def central_stack(self, org: organization.Organization) -> organization.CentralStack:
        from cvpn_guard.cli.policy_commands import default_policy_text

        c = self.console
        c.section(
            2,
            "Deploy the central stack (template.yaml, OrganizationId set)",
            "Everything below comes from template.yaml evaluated for this organization: the "
            "bus's resource policy and rule, the queues and table, and each function's "
            "environment variables.",
        )
        central = organization.deploy_central_stack(
            self.client,
            organization.load_template(self.root / "template.yaml"),
            org,
            # As an operator opts in: the baseline alone only reports.
            estate.enforcing(default_policy_text()),
        )
        condition = central.bus.policy.get("Condition", {})
        c.done(f"event bus {central.bus.arn}")
        c.line(f"policy: only {central.bus.policy['Action']} with {condition}", 6)
        c.done(f"rule {central.bus.rule_name}: the enforcer rule's pattern, target the enforcer")
        c.done(f"sweep queue {central.sweep_queue_url.rsplit('/', 1)[-1]} for the sweep workers")
        c.done(
            f"policy parameter {central.policy_parameter} (the bundled baseline, switched to "
            "mode: enforce)"
        )
        self.lambdas.variables = central.environments
        enforcer = central.environments[lambdas.ENFORCER]
        c.done(f"the enforcer assumes MEMBER_ROLE_NAME={enforcer['MEMBER_ROLE_NAME']}")
        return central

    # -- 3. the member StackSet ----------------------------------------------------------

    def member_stacks(
        self, org: organization.Organization, central: organization.CentralStack
    ) -> None:
        c = self.console
        c.section(
            3,
            "The member StackSet (org/member.yaml) reaches one member",
            f"{PAYMENTS} gets a stack instance in each region: a rule forwarding Client VPN "
            "changes to the central bus and, in the RoleRegion only, the cvpn-guard-member "
            f"role trusting the central functions inside the organization. {SANDBOX} joined "
            "a minute ago: the StackSet's auto-deployment has not reached it yet.",
        )
        template = organization.load_template(self.root / "org" / "member.yaml")
        account = org.accounts[PAYMENTS]
        for region in organization.REGIONS:
            stack = organization.deploy_member_stack(
                self.in_account(account),
                template,
                account=account,
                region=region,
                central_bus_arn=central.bus.arn,
                organization=org,
            )
            role = f", role {stack.member_role_arn}" if stack.member_role_arn else ""
            c.done(f"{PAYMENTS} {region}: rule {stack.rule_name}{role}")
        c.line(f"- {SANDBOX}: no stack instance yet (no rule, no role)", 2)

    # -- 4. endpoints --------------------------------------------------------------------

    def seed_accounts(self, org: organization.Organization) -> None:
        c = self.console
        c.section(
            4,
            "Endpoints across the organization",
            "One endpoint per account, created by each account's administrators (through the "
            "OrganizationAccountAccessRole that Organizations created with the account).",
        )
        for account_name, spec in (
            (MANAGEMENT, CENTRAL_ENDPOINT),
            (PAYMENTS, PAYMENTS_LEGACY),
            (SANDBOX, SANDBOX_LAB),
        ):
            seeded = estate.create_endpoint(self.in_account(org.accounts[account_name]), spec)
            self._remember(seeded)
            c.line(
                f"{account_name:<9} {spec.region}  {seeded.endpoint_id}  {spec.name:<12} "
                f"{spec.story}",
                2,
            )

    # -- 5. a member's change, fixed centrally --------------------------------------------

    def member_event(
        self, org: organization.Organization, central: organization.CentralStack
    ) -> None:
        c = self.console
        account = org.accounts[PAYMENTS]
        region = estate.PRIMARY_REGION
        c.section(
            5,
            f"A change in {PAYMENTS}, fixed from the central account",
            f"Someone in {PAYMENTS} creates an endpoint with the settings of events/"
            f"{MEMBER_EVENT}. CloudTrail puts the call on {PAYMENTS}' default bus; the member "
            "rule forwards it to the central bus, whose rule invokes the enforcer. The "
            f"enforcer assumes cvpn-guard-member in {PAYMENTS} and fixes the endpoint there.",
        )
        created = estate.create_endpoint(self.in_account(account), PAYMENTS_NEW)
        self._remember(created)
        sample = self.samples[MEMBER_EVENT]
        event = replay.recorded_in(sample.pointed_at(created.endpoint_id).event, account, region)
        c.line(f"▸ {replay.actor(event['detail'])} in {PAYMENTS} ({account})", 2)
        c.line(f"CreateClientVpnEndpoint {PAYMENTS_NEW.name} ({created.endpoint_id})", 4)
        organization.put_cloudtrail_event(self.account_client(account, "events", region), event)
        sqs = self.client("sqs", region)
        delivered = organization.take_messages(sqs, central.enforcer_queue_url)
        if len(delivered) != 1:
            self.ok = False
            c.line(f"→ the central rule delivered {len(delivered)} events, not 1", 4)
            return
        c.line(
            f"→ forwarded: {PAYMENTS}' rule → {central.bus.arn.rsplit('/', 1)[-1]} → "
            f"{central.bus.rule_name} → enforcer",
            4,
        )
        try:
            result = self.lambdas.invoke("enforcer", lambdas.ENFORCER, delivered[0])
        except Exception as error:  # shown, and the demo exits 1 at the end
            self.ok = False
            c.line(f"→ the enforcer failed: {type(error).__name__}: {error}", 4)
            return
        self._show_verdict(result, drain(sqs, central.plumbing.queue_url))
        described = self.account_client(account, "ec2", region).describe_client_vpn_endpoints(
            ClientVpnEndpointIds=[created.endpoint_id]
        )["ClientVpnEndpoints"][0]
        fixed = described["DisconnectOnSessionTimeout"] is True
        self.ok = self.ok and fixed
        c.line(
            f"{PAYMENTS}' own describe: DisconnectOnSessionTimeout="
            f"{str(described['DisconnectOnSessionTimeout']).lower()}",
            6,
        )
        self._own_change_stays_home(account, region, created.endpoint_id, central)

    def _own_change_stays_home(
        self, account: str, region: str, endpoint_id: str, central: organization.CentralStack
    ) -> None:
        """The enforcer's Modify is a CloudTrail event in the member account too: the member
        rule drops it, so it never comes back as a change to fix (no loop)."""
        c = self.console
        sample = self.samples[replay.ENFORCER_SAMPLE]
        event = replay.recorded_in(sample.pointed_at(endpoint_id).event, account, region)
        issuer = event["detail"]["userIdentity"]["sessionContext"]["sessionIssuer"]
        issuer["arn"] = f"arn:aws:iam::{account}:role/cvpn-guard-member"
        organization.put_cloudtrail_event(self.account_client(account, "events", region), event)
        echoed = organization.take_messages(self.client("sqs", region), central.enforcer_queue_url)
        if echoed:
            self.ok = False
        c.line(
            "the enforcer's own ModifyClientVpnEndpoint (as cvpn-guard-member) → "
            + ("forwarded: a loop!" if echoed else "dropped by the member rule: no loop"),
            6,
        )

    # -- 6. the organization sweep --------------------------------------------------------

    def org_sweep(self, central: organization.CentralStack) -> None:
        c = self.console
        c.section(
            6,
            "The organization sweep: one work item per account x region",
            "The scheduled sweeper lists the organization's active accounts and only enqueues "
            "(no Lambda loops over the estate); SQS invokes the sweep worker with one item "
            "at a time (BatchSize 1); the last worker to finish merges one organization report.",
        )
        # What the schedule delivers (the sweeper ignores its content).
        event = json.loads((self.root / "events/sweeper/scheduled.json").read_text("utf-8"))
        queued = self.lambdas.invoke("sweeper", lambdas.SWEEPER, event)
        c.done(
            f"sweeper: run {queued.get('run_id')}, {queued.get('accounts')} accounts → "
            f"{queued.get('work_items')} work items"
        )
        sqs = self.client("sqs", estate.PRIMARY_REGION)
        items = organization.take_messages(sqs, central.sweep_queue_url)
        merged: list[str] = []
        for number, item in enumerate(items, start=1):
            record = {
                "messageId": str(uuid.uuid4()),
                "body": json.dumps(item),
                "eventSource": "aws:sqs",
            }
            result = self.lambdas.invoke(
                "sweep_worker", organization.FUNCTIONS["SweepWorkerFunction"], {"Records": [record]}
            )
            merged += result.get("merged_runs", [])
            name = self.account_names.get(item["account"], item["account"])
            last = (
                "  → last one: merged the organization report" if result.get("merged_runs") else ""
            )
            c.line(f"worker {number}: {name:<9} {item['region']}{last}", 4)
        if merged != [queued.get("run_id")]:
            self.ok = False
            c.line(f"expected one merge of run {queued.get('run_id')}, got {merged}", 4)

    # -- 7. the organization report -------------------------------------------------------

    def org_report(
        self, org: organization.Organization, central: organization.CentralStack
    ) -> ReceivedReport | None:
        received = self.received_report(central.plumbing, step=7, publisher="The last sweep worker")
        if received is None:
            return None
        accounts = {e.account for e in received.report.endpoints} | {
            e.account for e in received.report.errors if e.account
        }
        c = self.console
        c.line()
        c.line("Accounts: " + ", ".join(f"{a} = {n}" for n, a in org.accounts.items()), 2)
        missing = set(org.accounts.values()) - accounts
        if missing:
            self.ok = False
            c.line(f"the report covers no endpoint or error of {sorted(missing)}", 2)
        sandbox = org.accounts[SANDBOX]
        if not any(e.account == sandbox for e in received.report.errors):
            self.ok = False
            c.line(f"the report should name {SANDBOX} (no role yet) among its errors", 2)
        self._show_trails(received.report, org)
        return received

    def _show_trails(self, report: ComplianceReport, org: organization.Organization) -> None:
        """Each account x region's CloudTrail state: where real-time enforcement can run."""
        c = self.console
        names = {account: name for name, account in org.accounts.items()}
        c.line()
        c.line(
            f"report.cloudtrail: {len(report.cloudtrail)} entries, one per account x region "
            "(does a logging trail feed the enforcer there?):",
            2,
        )
        for trail in report.cloudtrail:
            if trail.logging is None:
                state = f"unknown ({short_json(trail.problem or '', 60)})"
            else:
                state = "logging" if trail.logging else "no logging trail"
            who = names.get(trail.account or "", trail.account or "?")
            c.line(f"{who:<9} {trail.region:<10} {state}", 4)
        targets = len(org.accounts) * len(report.source.regions)
        if len(report.cloudtrail) != targets:
            self.ok = False
            c.line(f"expected {targets} CloudTrail entries, one per account x region", 4)

    def org_recap(self, received: ReceivedReport | None) -> None:
        c = self.console
        c.section(
            8,
            "What just happened",
            "One central deployment governed three accounts: a member's change crossed to the "
            "central bus and was fixed in the member account through its cvpn-guard-member "
            "role; the fix did not come back as an event; the sweep fanned out per account and "
            "region and merged one report; the account without the role is an error entry "
            "(AccessDenied), not a failed sweep. docs/organization.md has the "
            "commands for both sides.",
        )
        if received is not None:
            _show_unreachable(c, received.report, self.account_names)


def _show_unreachable(c: Any, report: ComplianceReport, names: dict[str, str]) -> None:
    for error in report.errors:
        who = names.get(error.account or "", error.account or "?")
        c.line(f"- {who} {error.region}: {error.code}", 4)
