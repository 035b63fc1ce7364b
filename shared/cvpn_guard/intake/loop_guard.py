"""The loop guard: recognises calls cvpn-guard made itself, whatever the event name.

Our fixes (ModifyClientVpnEndpoint by the enforcer or the sweeper) come back as CloudTrail
events; enforcing them again would be a loop. The guard runs before an event's endpoint ids
are read, so it covers every call the intake accepts, tag calls included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cvpn_guard.intake.cloudtrail import CloudTrailRecord

_ASSUMED_ROLE_SESSION = re.compile(
    r"^arn:[\w-]+:sts::\d{12}:assumed-role/(?P<role>[^/]+)/(?P<session>.+)$"
)
_ROLE = re.compile(r"^arn:[\w-]+:iam::\d{12}:role/(?:.*/)?(?P<name>[^/]+)$")
_QUALIFIER = re.compile(r"^(?P<base>arn:[\w-]+:lambda:[\w-]+:\d{12}:function:[^:]+)(:.+)?$")


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
