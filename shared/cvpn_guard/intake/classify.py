"""Decide what an incoming event means: the endpoints to enforce, or a reasoned skip.

Nothing here raises on bad input: a malformed event is a :class:`Skip` with reason
``malformed`` and a message saying what was missing, so a poison event is logged and counted
once instead of being retried by Lambda until it lands in the on-failure destination.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from pydantic import ValidationError

from cvpn_guard.intake.calls import WATCHED_CALLS
from cvpn_guard.intake.cloudtrail import CloudTrailApiCallEvent
from cvpn_guard.intake.endpoint_ids import endpoint_ids
from cvpn_guard.intake.loop_guard import LoopGuard
from cvpn_guard.intake.outcomes import EndpointChange, IntakeOutcome, Skip, SkipReason

DRY_RUN_ERROR_CODES = frozenset({"Client.DryRunOperation", "DryRunOperation"})


def _describe_validation_error(error: ValidationError) -> str:
    problems = []
    for item in error.errors()[:5]:
        where = ".".join(str(part) for part in item["loc"]) or "event"
        problems.append(f"{where}: {item['msg']}")
    more = f" (+{error.error_count() - 5} more)" if error.error_count() > 5 else ""
    return "; ".join(problems) + more


def classify_event(raw: Any, guard: LoopGuard, *, own_account: str | None = None) -> IntakeOutcome:
    """Classify one raw EventBridge event.

    Parameters
    ----------
    raw
        The Lambda ``event`` argument, untrusted.
    guard
        Identifies cvpn-guard's own calls.
    own_account
        The account this deployment enforces; an event about another account is skipped
        (its endpoint is out of reach of our credentials, so it would read as "gone"). None
        in organization mode: the organization bus accepts only the organization's accounts,
        and the enforcer reaches each through its member role.

    Returns
    -------
    tuple[EndpointChange, ...] | Skip
        One change per endpoint the call named (a tag call may name several), or a skip with
        a reason and a human-readable detail.
    """
    if not isinstance(raw, Mapping):
        return Skip(
            SkipReason.MALFORMED, f"event is a {type(raw).__name__}, expected a JSON object"
        )
    try:
        event = parse(event=dict(raw), model=CloudTrailApiCallEvent)
    except ValidationError as error:
        return Skip(
            SkipReason.MALFORMED,
            f"not an EventBridge CloudTrail event: {_describe_validation_error(error)}",
        )
    record = event.detail
    event_id, name = record.eventID, record.eventName
    call = WATCHED_CALLS.get(name or "")
    if call is None or record.eventSource not in (None, "ec2.amazonaws.com"):
        return Skip(
            SkipReason.UNSUPPORTED_EVENT,
            f"event {str(name)[:64]!r} is not a call that changes a Client VPN endpoint",
            event_id,
            name,
        )
    if record.errorCode:
        reason = (
            SkipReason.DRY_RUN
            if record.errorCode in DRY_RUN_ERROR_CODES
            else SkipReason.FAILED_CALL
        )
        return Skip(
            reason, f"the call failed with {record.errorCode[:64]}: nothing changed", event_id, name
        )
    mark = guard.own_mark(record)
    if mark:
        return Skip(SkipReason.OWN_CHANGE, f"loop guard: {mark}", event_id, name)
    found = endpoint_ids(record, call)
    if isinstance(found, Skip):
        return replace(found, event_id=event_id, event_name=name)
    # EventBridge sets the envelope's account (the bus's sender, kept across the organization
    # bus); the record's recipientAccountId is whatever the event's body says. A body that
    # disagrees is not acted on: enforcing it would assume the member role of an account
    # the event does not come from.
    account = event.account
    recipient = record.recipientAccountId
    if recipient and recipient != account:
        return Skip(
            SkipReason.ACCOUNT_MISMATCH,
            f"the event comes from account {account[:32]} but its CloudTrail record names "
            f"account {recipient[:32]}: not acted on (a misrouted or forged event)",
            event_id,
            name,
        )
    if own_account and account != own_account:
        return Skip(
            SkipReason.OTHER_ACCOUNT,
            f"the change happened in account {account[:32]}; this deployment enforces account "
            f"{own_account}: deploy cvpn-guard in that account too",
            event_id,
            name,
        )
    return tuple(
        EndpointChange(
            endpoint_id=endpoint_id,
            event_id=event_id or event.id,
            event_name=call.name,
            kind=call.kind,
            account=account,
            region=record.awsRegion or event.region,
            event_time=record.eventTime,
            actor=record.userIdentity.arn if record.userIdentity else None,
        )
        for endpoint_id in found
    )
