"""What the domain needs from AWS, as protocols. ``cvpn_guard.aws`` implements them with boto3.

The enforcement service depends on these, not on boto3, so it is tested with the emulator
through the real adapters and could be driven by any other implementation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from cvpn_guard.notice import Notice


class ClientVpnPort(Protocol):
    """Client VPN endpoint operations in one account and region."""

    def describe_endpoint(self, endpoint_id: str) -> Mapping[str, Any] | None:
        """The DescribeClientVpnEndpoints item, or None when the endpoint does not exist."""
        ...

    def endpoint_pages(self, page_size: int = ...) -> Iterator[Sequence[Mapping[str, Any]]]:
        """Every endpoint, one API page at a time."""
        ...

    def authorization_rules(self, endpoint_id: str) -> list[Mapping[str, Any]]:
        """DescribeClientVpnAuthorizationRules items of one endpoint."""
        ...

    def default_security_group_ids(self, vpc_id: str) -> frozenset[str]:
        """The id of the VPC's ``default`` security group (a set: empty when not found)."""
        ...

    def routes(self, endpoint_id: str) -> list[Mapping[str, Any]]:
        """DescribeClientVpnRoutes items of one endpoint."""
        ...

    def authorization_policy(self, endpoint_id: str) -> Mapping[str, Any]:
        """GetClientVpnEndpointAuthorizationPolicy's answer (only the id when there is none)."""
        ...

    def revocation_list(self, endpoint_id: str) -> Mapping[str, Any]:
        """ExportClientVpnClientCertificateRevocationList's answer (empty when none imported)."""
        ...

    def active_connection_count(self, endpoint_id: str) -> int:
        """How many client connections are active now: the users a disruptive fix touches."""
        ...

    def modify_endpoint(self, endpoint_id: str, parameters: Mapping[str, Any]) -> None:
        """One ModifyClientVpnEndpoint call; raises AwsCallError when AWS refuses."""
        ...

    def revoke_access_all(self, endpoint_id: str, target_network_cidr: str) -> None:
        """RevokeClientVpnIngress of the rule that lets every client reach the CIDR."""
        ...

    def delete_route(
        self, endpoint_id: str, destination_cidr: str, target_subnet: str | None
    ) -> None:
        """DeleteClientVpnRoute of one route (target subnet None: a transit gateway route)."""
        ...

    def leave_shadow_mode(self, endpoint_id: str, policy_document: str) -> None:
        """ModifyClientVpnEndpointAuthorizationPolicy: this document, ShadowMode disabled."""
        ...


@dataclass(frozen=True, slots=True)
class TrailState:
    """One CloudTrail trail covering a region: logging or not (None: status unreadable)."""

    arn: str
    logging: bool | None
    problem: str | None = None


class TrailPort(Protocol):
    """CloudTrail in one account and region."""

    def trails(self) -> list[TrailState]:
        """Every trail that records the region's events."""
        ...


class NotificationPort(Protocol):
    """Where notices and reports go (SNS in production)."""

    def publish(self, notice: Notice, *, deduplication_id: str | None = None) -> str:
        """Publish one notice (text for humans, JSON document for machines); returns its id."""
        ...


class Lease(Protocol):
    """One invocation's hold on one endpoint, valid for a while (it can expire)."""

    def renew(self) -> None:
        """Extend the lease; called right before each write to the endpoint.

        Raises ``LeaseLost`` (an ``AwsCallError``) when the lease expired or another
        invocation holds it now: the write must not be made.
        """
        ...


class EndpointLocks(Protocol):
    """Serialises work on one endpoint across concurrent invocations."""

    def hold(self, key: str) -> AbstractContextManager[Lease]:
        """Hold the lease on ``key`` for the duration of the ``with`` block; renew it before
        each write (a holder that outlives its lease must not write)."""
        ...


class NoticeOutbox(Protocol):
    """Remembers, per change (event id and endpoint id), what must still be said or was decided.

    A notice saved before publishing survives a failed publish, so Lambda's retry of the same
    event delivers it without modifying the endpoint again; a "done" record turns a duplicate
    delivery of the same event into a no-op.
    """

    def pending(self, key: str) -> Mapping[str, Any] | None:
        """The record saved for ``key``, if any."""
        ...

    def save(self, key: str, record: Mapping[str, Any]) -> None:
        """Save a record for ``key`` (overwrites)."""
        ...


class WindowLedger(Protocol):
    """Remembers which maintenance window openings had their deferred fixes applied, so the
    sweeper's window tick sweeps once per opening rather than every quarter of an hour."""

    def window_settled(self, key: str) -> bool:
        """Whether the opening ``key`` is marked settled."""
        ...

    def settle_window(self, key: str, until: float) -> None:
        """Mark the opening ``key`` settled until ``until`` (epoch seconds: the window's end)."""
        ...
