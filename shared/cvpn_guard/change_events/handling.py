"""Handle one endpoint change: enforce under a lease, notify, and never lose a notice.

The order of steps is what makes retries safe:

Every step is keyed by the change (:attr:`EndpointChange.key`: event id and endpoint id), so
the endpoints of one tag call are each handled, recorded and notified on their own.

1. A change already handled (EventBridge delivers at least once) is dropped as a duplicate.
   A notice saved for this event by an earlier attempt is delivered first (its publish
   failed after a successful modify); the endpoint is already compliant, nothing to modify.
2. A permanent failure recorded for this event is not attempted again: Lambda keeps the
   event (on-failure destination) without a second modify or a second notice.
3. The endpoint's lease serialises concurrent invocations (all steps run under it), so
   duplicates and simultaneous events cause one ModifyClientVpnEndpoint; the later ones
   find the endpoint fixed or the event done. The guard renews the lease before each write
   to the endpoint, so a holder that outlived it never writes.
4. A remediation's notice is saved before it is published.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cvpn_guard.endpoint_guard import EndpointGuard, EndpointUnavailable, EnforcementResult
from cvpn_guard.exceptions import CvpnGuardError
from cvpn_guard.findings import EndpointStatus
from cvpn_guard.intake import ChangeKind, EndpointChange
from cvpn_guard.policy import Policy
from cvpn_guard.ports import EndpointLocks, Lease, NoticeOutbox, NotificationPort
from cvpn_guard.report import (
    Notice,
    ReportSource,
    build_report,
    compose_endpoint_notice,
    needs_notice,
)

DONE = {"done": True}


class RemediationFailed(CvpnGuardError):
    """The fix was refused or did not stick. Raised after notifying, so Lambda retries the
    event and finally keeps it in the on-failure destination."""

    def __init__(self, endpoint_id: str, error: str, *, already_reported: bool = False) -> None:
        super().__init__(f"remediation of {endpoint_id} failed: {error}")
        self.endpoint_id = endpoint_id
        self.error = error
        self.already_reported = already_reported


@dataclass(frozen=True, slots=True)
class ChangeOutcome:
    """What handling one change did, for logs and metrics."""

    kind: Literal[
        "enforced", "duplicate", "notice_redelivered", "endpoint_gone", "endpoint_deleting"
    ]
    result: EnforcementResult | None = None
    notified: bool = False


def _publish(notifier: NotificationPort | None, notice: Notice, key: str) -> bool:
    if notifier is None:
        return False
    notifier.publish(notice, deduplication_id=key)
    return True


def handle_change(
    change: EndpointChange,
    *,
    guard: EndpointGuard,
    policy: Policy,
    notifier: NotificationPort | None,
    locks: EndpointLocks,
    outbox: NoticeOutbox,
) -> ChangeOutcome:
    """Enforce the policy on the endpoint ``change`` names and notify when needed.

    Everything happens under the endpoint's lease, so that racing deliveries of the same
    event see each other's outbox records.

    Raises
    ------
    RemediationFailed
        The modify was refused or did not stick (after notifying once).
    AwsCallError
        An AWS call failed after botocore's retries; Lambda's retry takes it from here.
    """
    with locks.hold(f"{change.account}/{change.region}/{change.endpoint_id}") as lease:
        return _handle_locked(change, guard, policy, notifier, outbox, lease=lease)


def _handle_locked(
    change: EndpointChange,
    guard: EndpointGuard,
    policy: Policy,
    notifier: NotificationPort | None,
    outbox: NoticeOutbox,
    *,
    lease: Lease,
) -> ChangeOutcome:
    key = change.key
    earlier = outbox.pending(key) or {}
    if earlier.get("done"):
        return ChangeOutcome("duplicate")
    if "notice" in earlier:
        notified = _publish(notifier, Notice.from_record(earlier["notice"]), key)
        outbox.save(key, DONE)
        return ChangeOutcome("notice_redelivered", notified=notified)
    failure = dict(earlier.get("failure") or {})
    if failure.get("permanent"):
        raise RemediationFailed(
            change.endpoint_id, str(failure.get("error")), already_reported=True
        )

    # Right after a create, EC2 may not show the endpoint yet: read again before "gone".
    result = guard.enforce(
        change.endpoint_id, lease=lease, just_created=change.kind is ChangeKind.CREATED
    )
    if isinstance(result, EndpointUnavailable):
        outbox.save(key, DONE)
        return ChangeOutcome(
            "endpoint_gone" if result.reason == "not_found" else "endpoint_deleting"
        )
    if not needs_notice(result.report):
        outbox.save(key, DONE)
        return ChangeOutcome("enforced", result)

    notice = compose_endpoint_notice(
        build_report(
            policy=policy,
            source=ReportSource(
                kind="enforcer",
                event_id=change.event_id,
                event_name=change.event_name,
                change=change.described_as,
                actor=change.actor,
                regions=(change.region,),
            ),
            endpoints=[result.report],
        )
    )
    if result.status is EndpointStatus.REMEDIATION_FAILED:
        error = result.error
        code = error.code if error else "Unknown"
        repeated = failure.get("code") == code
        notified = False if repeated else _publish(notifier, notice, key)
        permanent = not (error and error.transient)
        outbox.save(
            key,
            {"failure": {"code": code, "error": result.report.error, "permanent": permanent}},
        )
        raise RemediationFailed(
            change.endpoint_id, result.report.error or code, already_reported=repeated
        )
    if result.status in (EndpointStatus.REMEDIATED, EndpointStatus.DEFERRED):
        # Saved before publishing: a failed publish is retried without a second modify (a
        # deferred endpoint may have had its non-disruptive fixes applied).
        outbox.save(key, {"notice": notice.as_record()})
    notified = _publish(notifier, notice, key)
    outbox.save(key, DONE)
    return ChangeOutcome("enforced", result, notified)
