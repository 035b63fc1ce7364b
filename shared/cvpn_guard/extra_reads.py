"""The reads beyond an endpoint's Describe item, each one on its own.

A rule may need more than the Describe item (authorization rules, routes, the revocation list,
the authorization policy, the VPC's default security group), and a disruptive fix counts the
users it touches (DescribeClientVpnConnections). Each is one more AWS call, and each can fail
for good (no permission, throttled beyond the retries) while every other call succeeds: such a
failure leaves only the rules that need that read unevaluated, with the call and AWS's error
as the reason, and never the others nor the run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from cvpn_guard.endpoint import CERTIFICATE_AUTHENTICATION
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.rules import Needs

if TYPE_CHECKING:
    from cvpn_guard.ports import ClientVpnPort


def _every_endpoint(item: Mapping[str, Any]) -> bool:
    return True


def authenticates_by_certificate(item: Mapping[str, Any]) -> bool:
    """Whether the endpoint authenticates clients by certificate: only mutual authentication
    has a client revocation list to export."""
    options = item.get("AuthenticationOptions") or ()
    return any(option.get("Type") == CERTIFICATE_AUTHENTICATION for option in options)


@dataclass(frozen=True)
class ExtraRead:
    """One kind of data a rule may need (its ``Needs`` member) and everything that follows
    from it: the EC2 operation that reads it, the port method that makes the call, the
    ``EndpointState.from_describe`` keyword its answer goes to, the Describe field the call
    takes, which endpoints have such data, and the IAM resource the action is authorized on
    (the Service Authorization Reference, Amazon EC2: ``client-vpn-endpoint*`` or none).

    The guard reads through this table; the trimmed service models' operations and the
    templates' IAM grants are checked against it (tests/unit/policy/test_extra_reads.py,
    tests/unit/template/test_deployed_template.py and test_member_template.py).
    """

    need: Needs
    operation: str
    port_method: str
    state_field: str
    argument: Literal["ClientVpnEndpointId", "VpcId"] = "ClientVpnEndpointId"
    applies: Callable[[Mapping[str, Any]], bool] = _every_endpoint
    resource: Literal["client-vpn-endpoint", "*"] = "client-vpn-endpoint"

    @property
    def iam_action(self) -> str:
        return f"ec2:{self.operation}"


EXTRA_READS: tuple[ExtraRead, ...] = (
    ExtraRead(
        Needs.AUTHORIZATION_RULES,
        "DescribeClientVpnAuthorizationRules",
        "authorization_rules",
        "authorization_rules",
    ),
    ExtraRead(
        Needs.DEFAULT_SECURITY_GROUPS,
        "DescribeSecurityGroups",
        "default_security_group_ids",
        "default_security_group_ids",
        argument="VpcId",  # an endpoint without a VPC (a transit gateway one) has none
        resource="*",
    ),
    ExtraRead(Needs.ROUTES, "DescribeClientVpnRoutes", "routes", "routes"),
    ExtraRead(
        Needs.AUTHORIZATION_POLICY,
        "GetClientVpnEndpointAuthorizationPolicy",
        "authorization_policy",
        "authorization_policy",
    ),
    ExtraRead(
        Needs.REVOCATION_LIST,
        "ExportClientVpnClientCertificateRevocationList",
        "revocation_list",
        "revocation_list",
        applies=authenticates_by_certificate,
    ),
)
"""Every ``Needs`` member's read, in the order the guard makes them."""


def read_extra(port: ClientVpnPort, item: Mapping[str, Any], needs: frozenset[Needs]) -> ExtraReads:
    """What ``needs`` asks beyond the Describe ``item``, each read on its own (one that fails
    leaves the others' answers usable); a read the endpoint cannot have (no VPC, no
    certificate authentication) is not made."""
    reads = ExtraReads()
    for extra in EXTRA_READS:
        argument = item.get(extra.argument)
        if extra.need in needs and isinstance(argument, str) and extra.applies(item):
            reads.read(
                extra.need,
                extra.state_field,
                partial(getattr(port, extra.port_method), argument),
            )
    return reads


UserCount = int | AwsCallError | None
"""Active connections a disruptive fix touches, the error that kept them from being counted,
or None when the fix is not disruptive."""


def failed_read(error: AwsCallError) -> str:
    """Why a read is missing, as reports say it: the call, AWS's code and message."""
    return f"{error.operation} failed: {error.code} ({error.message})"


@dataclass
class ExtraReads:
    """What the reads answered, as ``EndpointState.from_describe`` takes it, and which failed."""

    answers: dict[str, Any] = field(default_factory=dict)
    failed: dict[Needs, AwsCallError] = field(default_factory=dict)

    def read(self, need: Needs, keyword: str, call: Callable[[], Any]) -> None:
        """Make one read; its failure is kept for the rules that need it, not raised.

        Reads never renew the lease, so a ``LeaseLost`` cannot come from one: lost leases are
        raised by the renewals before writes, outside any read.
        """
        try:
            self.answers[keyword] = call()
        except AwsCallError as error:
            self.failed[need] = error

    @property
    def unread(self) -> dict[str, str]:
        """Each failed read's ``Needs`` member -> why, as ``EndpointState.unread`` holds it."""
        return {str(need): failed_read(error) for need, error in self.failed.items()}


def count_users(count: Callable[[], int]) -> UserCount:
    """Count the active connections, or say why they could not be: the count only informs
    the report, so its failure must not stop a fix the policy asks for."""
    try:
        return count()
    except AwsCallError as error:
        return error
