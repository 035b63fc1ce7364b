"""The sample CloudTrail events of ``events/``, pointed at the demo's endpoints.

Each sample names endpoint ids that do not exist here; the demo rewrites them to the seeded
endpoints whose state matches the story the event tells (the create sample becomes a freshly
created endpoint, a user's modify points at an endpoint drifted that way, the network calls
point at the contractors endpoint in the contractors' VPC), and the samples' network ids to
the demo's own. Every sample is replayed.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cvpn_guard.endpoint import ENDPOINT_ID
from cvpn_guard.intake.wire import plain, unwrap

# Sample file -> the demo endpoints it is about, in the order the sample names its ids
# (() delivers it as recorded: nothing was created). jane.doe sets the contractors endpoint
# up, network and routes included; sam.lee works on sales (the revocation list, the
# authorization policy); access-all rules are shown on an endpoint otherwise by the book.
TARGETS: Mapping[str, tuple[str, ...]] = {
    "create_endpoint_failed.json": (),
    "create_endpoint_noncompliant.json": ("contractors",),
    "modify_endpoint_by_enforcer.json": ("contractors",),
    "associate_target_network.json": ("contractors",),
    "apply_security_groups.json": ("contractors",),
    "create_route.json": ("contractors",),
    "authorize_ingress_for_all_groups.json": ("engineering",),
    "modify_endpoint_by_user.json": ("sales",),
    "modify_endpoint_dry_run.json": ("sales",),
    "modify_authorization_policy.json": ("sales",),
    "modify_endpoint_by_iam_user.json": ("partners",),
    "create_tags_on_two_endpoints.json": ("sales", "partners"),
    "import_revocation_list.json": ("sales",),
    "revoke_ingress.json": ("engineering",),
    "delete_route.json": ("contractors",),
    "delete_authorization_policy.json": ("sales",),
    "delete_tags.json": ("contractors",),
    "disassociate_target_network.json": ("contractors",),
}
ENFORCER_SAMPLE = "modify_endpoint_by_enforcer.json"

# What a reader wants to see of a request, in this order; the rest is plumbing.
_SHOWN_PARAMETERS = (
    "SubnetId",
    "AssociationId",
    "VpcId",
    "SecurityGroupId",
    "DestinationCidrBlock",
    "TargetVpcSubnetId",
    "TargetNetworkCidr",
    "AuthorizeAllGroups",
    "RevokeAllGroups",
    "SessionTimeoutHours",
    "DisconnectOnSessionTimeout",
    "ClientLoginBannerOptions",
    "SelfServicePortal",
    "DnsServers",
    "ConnectionLogOptions",
    "PolicyDocument",
    "ShadowMode",
    "Description",
)
# The ids of the other resources samples name (VPC, subnet, security group, association).
_RESOURCE_ID = re.compile(r"\b(?:vpc|subnet|sg|cvpn-assoc)-[0-9a-f]{8,17}\b")


@dataclass(frozen=True)
class SampleEvent:
    """One sample, as EventBridge would deliver it."""

    name: str
    event: dict[str, Any]

    @property
    def detail(self) -> dict[str, Any]:
        """The CloudTrail record."""
        detail: dict[str, Any] = self.event.get("detail") or {}
        return detail

    @property
    def event_name(self) -> str:
        """The call: ``CreateClientVpnEndpoint``, ``CreateTags``, ..."""
        return str(self.detail.get("eventName", "?"))

    @property
    def error_code(self) -> str | None:
        """AWS's error code when the call failed (or was a dry run)."""
        code = self.detail.get("errorCode")
        return str(code) if code else None

    @property
    def time(self) -> str:
        """``HH:MM`` of the call (UTC)."""
        stamp = str(self.detail.get("eventTime", ""))
        return stamp[11:16] if len(stamp) >= 16 else stamp

    @property
    def targets(self) -> tuple[str, ...]:
        """The demo endpoints this sample is about (none when the call created nothing)."""
        return TARGETS.get(self.name, ())

    @property
    def target(self) -> str | None:
        """The first of :attr:`targets`, if any."""
        return self.targets[0] if self.targets else None

    @property
    def creates(self) -> bool:
        """True when the sample records a successful endpoint creation."""
        return self.event_name == "CreateClientVpnEndpoint" and not self.error_code

    def pointed_at(
        self, *endpoint_ids: str, aliases: Mapping[str, str] | None = None
    ) -> SampleEvent:
        """The same event about ``endpoint_ids``: the sample's first id (every mention of it)
        becomes the first, its second the second; extra sample ids become the last one. Other
        resource ids (VPC, subnet, security group, association) become their ``aliases``."""
        text = json.dumps(self.event)
        if endpoint_ids:
            sample_ids = list(dict.fromkeys(ENDPOINT_ID.findall(text)))
            mapping = {
                sample_id: endpoint_ids[min(index, len(endpoint_ids) - 1)]
                for index, sample_id in enumerate(sample_ids)
            }
            text = ENDPOINT_ID.sub(lambda match: mapping[match.group(0)], text)
        if aliases:
            text = _RESOURCE_ID.sub(lambda match: aliases.get(match.group(0), match.group(0)), text)
        return SampleEvent(self.name, json.loads(text))

    @property
    def resource_ids(self) -> set[str]:
        """The ids of the VPCs, subnets, security groups and associations the sample names."""
        return set(_RESOURCE_ID.findall(json.dumps(self.event)))


def recorded_in(
    event: Mapping[str, Any], account: str, region: str | None = None
) -> dict[str, Any]:
    """A copy of ``event`` as CloudTrail records the call in ``account`` (and ``region``): the
    envelope, the recipient and the caller's identity name that account, as in an event a
    member account's rule forwards to the organization bus."""
    recorded = copy.deepcopy(dict(event))
    recorded["account"] = account
    detail = recorded["detail"]
    detail["recipientAccountId"] = account
    if region:
        recorded["region"] = detail["awsRegion"] = region
    identity = detail.get("userIdentity") or {}
    issuer = (identity.get("sessionContext") or {}).get("sessionIssuer") or {}
    identity["accountId"] = account
    if "accountId" in issuer:
        issuer["accountId"] = account
    for caller in (identity, issuer):
        if "arn" in caller:
            caller["arn"] = _in_account(str(caller["arn"]), account)
    return recorded


def _in_account(arn: str, account: str) -> str:
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[4]:
        parts[4] = account
    return ":".join(parts)


def load_samples(events_dir: Path) -> list[SampleEvent]:
    """Every ``*.json`` sample, in the order the calls happened."""
    samples = [
        SampleEvent(path.name, json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(events_dir.glob("*.json"))
    ]
    return sorted(
        samples, key=lambda sample: (str(sample.detail.get("eventTime", "")), sample.name)
    )


def enforcer_role_arn(samples: list[SampleEvent]) -> str | None:
    """The enforcer's role in the sample of its own call: what LOOP_GUARD_ROLE_ARNS lists."""
    for sample in samples:
        if sample.name == ENFORCER_SAMPLE:
            issuer = ((sample.detail.get("userIdentity") or {}).get("sessionContext") or {}).get(
                "sessionIssuer"
            ) or {}
            arn = issuer.get("arn")
            return str(arn) if arn else None
    return None


def actor(detail: Mapping[str, Any]) -> str:
    """Who made the call, in words: ``jane.doe@example.com (role AWSReserved…)``."""
    identity: Mapping[str, Any] = detail.get("userIdentity") or {}
    arn = str(identity.get("arn", ""))
    if identity.get("type") == "AssumedRole" and "/" in arn:
        _, role, session = arn.split("/", 2)
        return f"{session} (role {role})"
    if identity.get("userName"):
        return f"IAM user {identity['userName']}"
    return arn or "an unknown caller"


def requested(detail: Mapping[str, Any]) -> list[str]:
    """The settings the call asked for, as ``Name=value`` (policy-relevant ones only)."""
    raw = detail.get("requestParameters")
    parameters = unwrap(raw if isinstance(raw, Mapping) else None)
    shown = []
    if tags := tag_set(raw):
        # DeleteTags names keys only (a key without a value goes whatever its value).
        removed = detail.get("eventName") == "DeleteTags"
        shown.append(f"Tags={json.dumps(list(tags) if removed else tags, ensure_ascii=False)}")
    for name in _SHOWN_PARAMETERS:
        if name in parameters:
            value = plain(parameters[name])
            shown.append(f"{name}={json.dumps(value, ensure_ascii=False)}")
    if isinstance(pem := parameters.get("CertificateRevocationList"), str):
        # A PEM document says nothing to a reader: its size does.
        shown.append(f"CertificateRevocationList=<a PEM X.509 CRL, {len(pem.encode())} bytes>")
    return shown


def tag_set(parameters: Any) -> dict[str, str]:
    """The tags of a CreateTags/DeleteTags request (``tagSet.items``), as ``{key: value}``."""
    if not isinstance(parameters, Mapping):
        return {}
    items = (parameters.get("tagSet") or {}).get("items") or []
    return {
        str(item.get("key")): str(item.get("value", ""))
        for item in (items if isinstance(items, Sequence) else [items])
        if isinstance(item, Mapping)
    }
