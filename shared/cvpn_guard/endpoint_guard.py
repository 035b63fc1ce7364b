"""The guard of one endpoint: describe, evaluate, remediate once, verify.

This is the one code path the enforcer function (per event), the sweeper (per endpoint of the
estate) and the CLI's ``--remediate`` share. It never trusts an event's content: the
endpoint's current state, described now, is the truth.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import JsonValue
from pydantic_core import to_jsonable_python

from cvpn_guard.endpoint import ClientVpnEndpoint, EndpointState
from cvpn_guard.evaluation import Evaluation, evaluate
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.extra_reads import ExtraReads, UserCount, count_users, failed_read, read_extra
from cvpn_guard.findings import EndpointStatus
from cvpn_guard.fix_timing import HoldBack, crowd_hold
from cvpn_guard.modify_refusal import without_refused
from cvpn_guard.policy import Mode, Policy
from cvpn_guard.ports import ClientVpnPort, Lease
from cvpn_guard.remediation import RemediationPlan
from cvpn_guard.report import EndpointReport, ReportChange, ReportExemption, endpoint_owner
from cvpn_guard.rules import Needs, all_rules, get_rule

GONE_STATES = frozenset({"deleting", "deleted"})
SETTLE_DELAYS = (1.0, 2.0, 4.0)
"""Seconds between re-reads while EC2's reads catch up (7 s at most, well within the
enforcer's timeout); EC2 documents eventual consistency without a bound, these cover the
seconds it usually takes."""


@dataclass(frozen=True, slots=True)
class EndpointUnavailable:
    """The endpoint cannot be enforced: it is gone or being deleted."""

    endpoint_id: str
    reason: Literal["not_found", "deleting"]


Approval = Callable[[str, RemediationPlan], bool]
"""Whether the plan ``enforce`` is about to apply to an endpoint (by id) may be applied."""
NOT_APPROVED = (
    "not applied: the fix this endpoint needs now differs from the plan that was confirmed "
    "(it changed in between); review it with `cvpn-guard scan --plan` and run again"
)


@dataclass(frozen=True, slots=True)
class EnforcementResult:
    """What happened to one endpoint."""

    report: EndpointReport
    evaluation: Evaluation
    plan: RemediationPlan
    error: AwsCallError | None = None

    @property
    def status(self) -> EndpointStatus:
        """The endpoint's final status."""
        return self.report.status


@dataclass(frozen=True, slots=True)
class Proposal:
    """What ``enforce`` would do to an endpoint now, worked out without writing anything.

    ``result``: the verdict now; its plan is what would be applied (after the maintenance
    windows and the connected-users limit) and its report counts the users that plan would
    disconnect. ``item`` and ``state``: what was read, for the plan's before values.
    """

    result: EnforcementResult
    item: Mapping[str, Any]
    state: EndpointState


def _still_broken(plan: RemediationPlan, recheck: Evaluation) -> tuple[str, ...]:
    return tuple(rule for rule in plan.rules if rule in recheck.violated_rules)


def _unchanged(evaluation: Evaluation) -> EndpointStatus:
    """The status of an endpoint enforcement left as it was: deferred when a fix waits."""
    return evaluation.status if evaluation.deferred.is_empty else EndpointStatus.DEFERRED


def _gone(endpoint_id: str, item: Mapping[str, Any]) -> EndpointUnavailable | None:
    if (item.get("Status") or {}).get("Code") in GONE_STATES:
        return EndpointUnavailable(endpoint_id, "deleting")
    return None


def describe_tags(item: Mapping[str, Any]) -> dict[str, str]:
    """The Describe item's tags as ``{key: value}`` (a missing value reads as ``""``), skipping
    entries without a key."""
    return {
        str(tag["Key"]): str(tag.get("Value") or "")
        for tag in item.get("Tags") or ()
        if isinstance(tag, Mapping) and tag.get("Key") is not None
    }


def name_tag(item: Mapping[str, Any]) -> str | None:
    """The Describe item's ``Name`` tag, as reports show the endpoint (None: none or empty)."""
    return describe_tags(item).get("Name") or None


def _json(value: Any) -> JsonValue:
    # Describe items hold datetimes (CreationTime) beside plain JSON values.
    result: JsonValue = to_jsonable_python(value, fallback=str)
    return result


def describe_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], plan: RemediationPlan
) -> tuple[ReportChange, ...]:
    """The settings the plan touched, before and after, as Describe shows them."""
    described_as = {
        parameter: field for rule in all_rules() for parameter, field in rule.described_as.items()
    }
    changes = []
    for parameter in plan.parameters:
        field = described_as.get(parameter, parameter)
        old, new = _json(before.get(field)), _json(after.get(field))
        if old != new:
            changes.append(ReportChange(field=field, before=old, after=new))
    return tuple(changes)


def call_changes(
    before: EndpointState, after: EndpointState, plan: RemediationPlan
) -> tuple[ReportChange, ...]:
    """What the plan's other calls changed, as the reads before and after show it."""
    changes = []
    for call in plan.calls:
        old, new = call.shown(before), call.shown(after)
        if old != new:
            changes.append(ReportChange(field=call.field, before=old, after=new))
    return tuple(changes)


class EndpointGuard:
    """Keeps the endpoints of one account and region inside one policy.

    ``assess`` judges a Describe item as it is and never modifies; ``enforce`` describes the
    endpoint now and, in enforce mode, fixes it with one Modify call and verifies.

    Parameters
    ----------
    api
        Client VPN operations of the region (``cvpn_guard.aws.ec2.ClientVpnApi``).
    policy
        The policy in force; its ``mode`` decides whether fixes are applied.
    account, region
        Where ``api`` points, for the report.
    clock
        "Now", for exemption expiry.
    settle
        Pauses between re-reads while EC2's eventually consistent reads catch up with a
        write: a just-created endpoint read as NotFound, a verifying describe that still shows
        the old values. Their sum bounds the wait (seconds).
    sleep
        How to pause (tests pass a recorder).
    ignore_windows
        Apply disruptive fixes whatever the policy's maintenance windows say (the CLI's
        ``--ignore-windows``); ``disruptive_fixes.when: never`` still holds.
    approve
        Asked before anything is written, with the plan about to be applied: ``False``
        leaves the endpoint as it is (the CLI applies only the plans a person confirmed).
    """

    def __init__(
        self,
        api: ClientVpnPort,
        policy: Policy,
        *,
        account: str,
        region: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        settle: tuple[float, ...] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        ignore_windows: bool = False,
        approve: Approval | None = None,
    ) -> None:
        self._api = api
        self._approve = approve
        self._policy = policy
        self._account = account
        self._region = region
        self._clock = clock
        self._settle = SETTLE_DELAYS if settle is None else settle
        self._sleep = sleep
        self._ignore_windows = ignore_windows
        self._needs: frozenset[Needs] = frozenset().union(
            *(config.rule.needs for config in policy.rules.active())
        )

    def enforce(
        self, endpoint_id: str, *, lease: Lease, just_created: bool = False
    ) -> EnforcementResult | EndpointUnavailable:
        """Describe one endpoint now, evaluate it and, in enforce mode, fix it with one Modify.

        ``lease``: the caller's lease on the endpoint, renewed right before each write (the
        Modify and every other call of the fix); a renewal that fails raises ``LeaseLost``
        and nothing more is written. ``just_created``: the endpoint was created moments ago,
        so a NotFound may only mean EC2's reads have not caught up yet; it is read again
        (bounded) before it counts as gone. AWS errors other than a permanent Modify
        rejection propagate as ``AwsCallError`` (the caller decides to retry).
        """
        item = self._api.describe_endpoint(endpoint_id)
        for delay in self._settle if just_created else ():
            if item is not None:
                break
            self._sleep(delay)
            item = self._api.describe_endpoint(endpoint_id)
        if item is None:
            return EndpointUnavailable(endpoint_id, "not_found")
        gone = _gone(endpoint_id, item)
        if gone is not None:
            return gone
        state = self._state(item)
        evaluation = self._evaluate(state)
        plan = evaluation.plan
        if self._policy.mode is not Mode.ENFORCE:
            return self._result(evaluation, plan, evaluation.status, item=item)
        evaluation, users = self._unless_crowded(state, evaluation)
        plan = evaluation.plan
        if plan.is_empty:
            return self._result(evaluation, plan, _unchanged(evaluation), item=item)
        if self._approve is not None and not self._approve(endpoint_id, plan):
            return self._not_approved(evaluation, item)
        incomplete: AwsCallError | None = None
        if plan.modifies:
            modified = self._modify(endpoint_id, evaluation, users, lease, item=item)
            if isinstance(modified, EnforcementResult):
                return modified
            evaluation, plan, incomplete = modified
        made, error = self._call(endpoint_id, plan, lease)
        if error is not None and not plan.modifies and made == 0:
            # Nothing changed: like a refused Modify, there is nothing to verify.
            return self._result(
                evaluation,
                plan,
                EndpointStatus.REMEDIATION_FAILED,
                item=item,
                error=error,
                users=users,
            )
        return self._verify(item, state, evaluation, plan, users, error=error or incomplete)

    def propose(self, item: Mapping[str, Any]) -> Proposal | EndpointUnavailable:
        """What ``enforce`` would apply to this Describe item now, without writing.

        The same decisions as ``enforce`` (windows, the connected-users limit, whose count is
        read when the plan is disruptive), so a confirmed plan is the one applied.
        """
        endpoint_id = str(item.get("ClientVpnEndpointId"))
        gone = _gone(endpoint_id, item)
        if gone is not None:
            return gone
        state = self._state(item)
        evaluation = self._evaluate(state)
        users: UserCount = None
        if self._policy.mode is Mode.ENFORCE:
            evaluation, users = self._unless_crowded(state, evaluation)
        result = self._result(
            evaluation, evaluation.plan, _unchanged(evaluation), users=users, item=item
        )
        return Proposal(result=result, item=item, state=state)

    def _not_approved(self, evaluation: Evaluation, item: Mapping[str, Any]) -> EnforcementResult:
        # Nothing was written, so nobody was affected.
        result = self._result(evaluation, evaluation.plan, _unchanged(evaluation), item=item)
        report = result.report.model_copy(update={"error": NOT_APPROVED})
        return EnforcementResult(report=report, evaluation=evaluation, plan=evaluation.plan)

    def _unless_crowded(
        self, state: EndpointState, evaluation: Evaluation
    ) -> tuple[Evaluation, UserCount]:
        """Count the users a disruptive plan would disconnect; with more than the policy's
        ``max_connected_users`` (or no count), judge again with the disruptive fixes held back.
        """
        if not evaluation.plan.disruptive:
            return evaluation, None
        users = count_users(lambda: self._api.active_connection_count(evaluation.endpoint_id))
        crowd = crowd_hold(
            self._policy.disruptive_fixes,
            users if isinstance(users, int) else None,
            failed_read(users) if isinstance(users, AwsCallError) else None,
        )
        if crowd is None:
            return evaluation, users
        # What is left is applied now; nobody is disconnected, so no users are affected.
        return self._evaluate(state, crowd=crowd), None

    def _modify(
        self,
        endpoint_id: str,
        evaluation: Evaluation,
        users: UserCount,
        lease: Lease,
        *,
        item: Mapping[str, Any],
    ) -> EnforcementResult | tuple[Evaluation, RemediationPlan, AwsCallError | None]:
        """The plan's one Modify (and, when AWS refuses one parameter, a second without it).

        Returns the evaluation (its refused findings marked), the plan that was applied (only
        its rules are verified) and the refusal of the parameter left out; or the failed
        result when nothing was applied.
        """
        plan = evaluation.plan
        lease.renew()  # outside the try: a lost lease is not AWS refusing the fix
        try:
            self._api.modify_endpoint(endpoint_id, plan.parameters)
        except AwsCallError as refused:
            # One refused parameter must not keep the other fixes out: send them again
            # without it, once, when AWS's answer says which one it was.
            split = without_refused(refused, plan)
            if split is None:
                return self._result(
                    evaluation,
                    plan,
                    EndpointStatus.REMEDIATION_FAILED,
                    item=item,
                    error=refused,
                    users=users,
                )
            lease.renew()
            try:
                self._api.modify_endpoint(endpoint_id, split.rest.parameters)
            except AwsCallError as again:
                return self._result(
                    evaluation,
                    plan,
                    EndpointStatus.REMEDIATION_FAILED,
                    item=item,
                    error=split.refused_again(again),
                    users=users,
                )
            return split.marked(evaluation), split.rest, split.error
        return evaluation, plan, None

    def _evaluate(self, state: EndpointState, crowd: HoldBack | None = None) -> Evaluation:
        return evaluate(
            state, self._policy, self._clock(), ignore_windows=self._ignore_windows, crowd=crowd
        )

    def _call(
        self, endpoint_id: str, plan: RemediationPlan, lease: Lease
    ) -> tuple[int, AwsCallError | None]:
        """Make the plan's other calls in order, each under a renewed lease; stop at the
        first AWS refuses.

        Returns how many succeeded, and the refusal (None when every call succeeded).
        """
        for made, call in enumerate(plan.calls):
            lease.renew()
            try:
                call.run(self._api, endpoint_id)
            except AwsCallError as error:
                return made, error
        return len(plan.calls), None

    def assess(self, item: Mapping[str, Any]) -> EnforcementResult | EndpointUnavailable:
        """Judge a Describe item as it is, without modifying anything.

        The result's plan is what ``enforce`` would apply now (empty in report mode).
        """
        endpoint_id = str(item.get("ClientVpnEndpointId"))
        gone = _gone(endpoint_id, item)
        if gone is not None:
            return gone
        evaluation = self._evaluate(self._state(item))
        return self._result(evaluation, evaluation.plan, _unchanged(evaluation), item=item)

    def _state(self, item: Mapping[str, Any]) -> EndpointState:
        # Only fetch what an active rule reads: each is one more AWS call per endpoint.
        reads = self._read(item, self._needs)
        return EndpointState.from_describe(
            item,
            **reads.answers,
            unread=reads.unread,
            account=self._account,
            region=self._region,
        )

    def _read(self, item: Mapping[str, Any], needs: frozenset[Needs]) -> ExtraReads:
        return read_extra(self._api, item, needs)

    def _verify(
        self,
        before: Mapping[str, Any],
        state: EndpointState,
        evaluation: Evaluation,
        plan: RemediationPlan,
        users: UserCount,
        *,
        error: AwsCallError | None = None,
    ) -> EnforcementResult | EndpointUnavailable:
        endpoint_id = evaluation.endpoint_id
        # Other calls change what Describe does not show: read again what their rules read.
        refresh: frozenset[Needs] = (
            frozenset().union(*(get_rule(rule).needs for rule in plan.rules))
            if plan.calls
            else frozenset()
        )
        # A verifying read may lag the change: read again (bounded) before "did not stick".
        after, recheck = self._reread(state, endpoint_id, refresh)
        for delay in self._settle:
            if after is not None and recheck is not None and not _still_broken(plan, recheck):
                break
            self._sleep(delay)
            after, recheck = self._reread(state, endpoint_id, refresh)
        if after is None or recheck is None:
            return EndpointUnavailable(endpoint_id, "not_found")
        after_item, after_state = after
        still_broken = _still_broken(plan, recheck)
        changes = describe_changes(before, after_item, plan) + call_changes(
            state, after_state, plan
        )
        unverified = {u.rule: u.reason for u in recheck.unevaluated if u.rule in plan.rules}
        fixed = tuple(
            rule for rule in plan.rules if rule not in still_broken and rule not in unverified
        )
        if error is None and still_broken:
            operation = "ModifyClientVpnEndpoint" if plan.modifies else plan.calls[0].operation
            error = AwsCallError(
                operation,
                "ModifyDidNotStick" if plan.modifies else "ChangeDidNotStick",
                "the call succeeded but the endpoint still breaks " + ", ".join(still_broken),
            )
        if error is None and unverified:
            error = AwsCallError(
                plan.calls[0].operation,
                "ChangeNotVerified",
                "the calls succeeded but what they changed could not be read again: "
                + "; ".join(f"{rule}: {why}" for rule, why in unverified.items()),
            )
        if error is not None:
            return self._result(
                evaluation,
                plan,
                EndpointStatus.REMEDIATION_FAILED,
                item=before,
                error=error,
                users=users,
                changes=changes,
                fixed=fixed,
            )
        status = (
            EndpointStatus.REMEDIATED if evaluation.deferred.is_empty else EndpointStatus.DEFERRED
        )
        return self._result(
            evaluation,
            plan,
            status,
            item=before,
            users=users,
            changes=changes,
            fixed=fixed,
        )

    def _reread(
        self, state: EndpointState, endpoint_id: str, refresh: frozenset[Needs]
    ) -> tuple[tuple[Mapping[str, Any], EndpointState] | None, Evaluation | None]:
        after = self._api.describe_endpoint(endpoint_id)
        if after is None:
            return None, None
        update: dict[str, Any] = {"endpoint": ClientVpnEndpoint.from_describe(after)}
        if refresh:
            reads = self._read(after, refresh)
            fresh = EndpointState.from_describe(after, **reads.answers)
            # from_describe's keyword names are the state's field names.
            update.update({field: getattr(fresh, field) for field in reads.answers})
            # A re-read that fails leaves its rules unevaluated: not verified, so not fixed.
            kept = {need: why for need, why in state.unread.items() if need not in refresh}
            update["unread"] = kept | reads.unread
        after_state = state.model_copy(update=update)
        recheck = self._evaluate(after_state)
        return (after, after_state), recheck

    def _result(
        self,
        evaluation: Evaluation,
        plan: RemediationPlan,
        status: EndpointStatus,
        *,
        item: Mapping[str, Any],
        error: AwsCallError | None = None,
        users: UserCount = None,
        changes: tuple[ReportChange, ...] = (),
        fixed: tuple[str, ...] = (),
    ) -> EnforcementResult:
        tags = describe_tags(item)
        report = EndpointReport(
            endpoint_id=evaluation.endpoint_id,
            name=tags.get("Name") or None,
            account=self._account,
            region=self._region,
            status=status,
            findings=evaluation.findings,
            exempted=tuple(ReportExemption.of(e) for e in evaluation.exempted),
            unevaluated=evaluation.unevaluated,
            changes=changes,
            fixed_rules=fixed,
            users_affected=users if isinstance(users, int) else None,
            users_not_counted=failed_read(users) if isinstance(users, AwsCallError) else None,
            error=f"{error.code}: {error.message}" if error else None,
            failed_call=error.operation if error else None,
            owner=endpoint_owner(tags, self._policy.iac_owner_tags),
        )
        return EnforcementResult(report=report, evaluation=evaluation, plan=plan, error=error)
