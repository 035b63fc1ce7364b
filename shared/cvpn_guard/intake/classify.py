"""Decide what an incoming event means: an endpoint to enforce, or a reasoned skip.

Nothing here raises on bad input: a malformed event is a :class:`Skip` with reason
``malformed`` and a message saying what was missing, so a poison event is logged and counted
once instead of being retried by Lambda until it lands in the on-failure destination.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from pydantic import ValidationError

from cvpn_guard.endpoint import ENDPOINT_ID
from cvpn_guard.intake.cloudtrail import CloudTrailApiCallEvent, CloudTrailRecord
from cvpn_guard.intake.wire import find_key, unwrap

CREATE = "CreateClientVpnEndpoint"
MODIFY = "ModifyClientVpnEndpoint"
SUPPORTED_EVENTS = frozenset({CREATE, MODIFY})
DRY_RUN_ERROR_CODES = frozenset({"Client.DryRunOperation", "DryRunOperation"})

_ASSUMED_ROLE_SESSION = re.compile(
    r"^arn:[\w-]+:sts::\d{12}:assumed-role/(?P<role>[^/]+)/(?P<session>.+)$"
)
_ROLE = re.compile(r"^arn:[\w-]+:iam::\d{12}:role/(?:.*/)?(?P<name>[^/]+)$")
_QUALIFIER = re.compile(r"^(?P<base>arn:[\w-]+:lambda:[\w-]+:\d{12}:function:[^:]+)(:.+)?$")


class SkipReason(StrEnum):
    """Why an event needs no enforcement. Values are metric dimensions: keep them stable."""

    MALFORMED = "malformed"
    UNSUPPORTED_EVENT = "unsupported_event"
    FAILED_CALL = "failed_call"
    DRY_RUN = "dry_run"
    OWN_CHANGE = "own_change"
    OTHER_ACCOUNT = "other_account"


@dataclass(frozen=True, slots=True)
class EndpointChange:
    """A successful create or modify of a Client VPN endpoint by someone other than us."""

    endpoint_id: str
    event_id: str
    event_name: str
    account: str
    region: str
    event_time: str | None
    actor: str | None


@dataclass(frozen=True, slots=True)
class Skip:
    """An event that needs no enforcement, and why."""

    reason: SkipReason
    detail: str
    event_id: str | None = None
    event_name: str | None = None


IntakeOutcome = EndpointChange | Skip


def _unqualified(function_arn: str) -> str:
    match = _QUALIFIER.match(function_arn)
    return match.group("base") if match else function_arn


@dataclass(frozen=True)
class LoopGuard:
    """Recognises calls made by cvpn-guard itself, so our own Modify never re-triggers us.

    Any one of three marks is enough: the caller's role is one of ours, the caller is an
    assumed-role session named after our function (Lambda names its sessions that way), or
    CloudTrail says the credentials were issued to our function (``inScopeOf``, 1.11+).
    In organization mode our fixes in member accounts are made by the member role, which only
    our functions may assume: its name in any account is ours too.
    """

    function_name: str | None = None
    function_arn: str | None = None
    role_arns: frozenset[str] = field(default_factory=frozenset)
    member_role_name: str | None = None

    def _is_member_role(self, arn: str) -> bool:
        match = _ROLE.match(arn)
        return bool(self.member_role_name and match and match["name"] == self.member_role_name)

    def own_mark(self, record: CloudTrailRecord) -> str | None:
        """Return which mark identifies ``record`` as our own call, or None."""
        identity = record.userIdentity
        issuer = (
            identity.sessionContext.sessionIssuer if identity and identity.sessionContext else None
        )
        if (
            issuer
            and issuer.arn
            and (issuer.arn in self.role_arns or self._is_member_role(issuer.arn))
        ):
            return f"caller role {issuer.arn} is cvpn-guard's own"
        if identity and identity.arn and self.function_name:
            session = _ASSUMED_ROLE_SESSION.match(identity.arn)
            role_names = {arn.rsplit("/", 1)[-1] for arn in self.role_arns}
            if self.member_role_name:
                role_names.add(self.member_role_name)
            if (
                session
                and session.group("session") == self.function_name
                and (not role_names or session.group("role") in role_names)
            ):
                return f"caller session {identity.arn} is this function's"
        issued_to = record.inScopeOf.credentialsIssuedTo if record.inScopeOf else None
        if (
            issued_to
            and self.function_arn
            and _unqualified(issued_to) == _unqualified(self.function_arn)
        ):
            return f"credentials were issued to this function ({issued_to})"
        return None


def _describe_validation_error(error: ValidationError) -> str:
    problems = []
    for item in error.errors()[:5]:
        where = ".".join(str(part) for part in item["loc"]) or "event"
        problems.append(f"{where}: {item['msg']}")
    more = f" (+{error.error_count() - 5} more)" if error.error_count() > 5 else ""
    return "; ".join(problems) + more


def _endpoint_id(record: CloudTrailRecord) -> tuple[str | None, str]:
    """Find the endpoint id where CloudTrail puts it for this event name."""
    if record.eventName == CREATE:
        section, where = unwrap(record.responseElements), "responseElements"
    else:
        section, where = unwrap(record.requestParameters), "requestParameters"
    value = find_key(section, "ClientVpnEndpointId")
    if not isinstance(value, str):
        return None, f"no ClientVpnEndpointId in {where}"
    if not ENDPOINT_ID.fullmatch(value):
        return None, f"{where} ClientVpnEndpointId {value[:64]!r} is not a Client VPN endpoint id"
    return value, where


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
    EndpointChange | Skip
        Work to do, or a skip with a reason and a human-readable detail.
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
    if name not in SUPPORTED_EVENTS or record.eventSource not in (None, "ec2.amazonaws.com"):
        return Skip(
            SkipReason.UNSUPPORTED_EVENT,
            f"event {str(name)[:64]!r} is not a Client VPN endpoint change",
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
    endpoint_id, where = _endpoint_id(record)
    if endpoint_id is None:
        return Skip(SkipReason.MALFORMED, where, event_id, name)
    account = record.recipientAccountId or event.account
    if own_account and account != own_account:
        return Skip(
            SkipReason.OTHER_ACCOUNT,
            f"the change happened in account {account[:32]}; this deployment enforces account "
            f"{own_account}: deploy cvpn-guard in that account too",
            event_id,
            name,
        )
    return EndpointChange(
        endpoint_id=endpoint_id,
        event_id=event_id or event.id,
        event_name=name,
        account=account,
        region=record.awsRegion or event.region,
        event_time=record.eventTime,
        actor=record.userIdentity.arn if record.userIdentity else None,
    )
