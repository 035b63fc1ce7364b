"""In-memory stand-ins for the ports (``cvpn_guard.ports``): the use cases' unit tests run on
these, without moto or the emulator.

``FakeClientVpn`` holds Describe items and applies a Modify only for parameters whose Modify and
Describe spellings are the same (the session-timeout settings); any other parameter is refused
loudly, so that a test never leans on a guess about how AWS shows a change (the emulator's
tests own that mapping).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.report import Notice

SAME_SPELLING = frozenset({"DisconnectOnSessionTimeout", "SessionTimeoutHours"})


class FakeClientVpn:
    """A ``ClientVpnPort`` over a dict of Describe items; records every call it is asked."""

    def __init__(self, *items: Mapping[str, Any]) -> None:
        self.items = {str(item["ClientVpnEndpointId"]): copy.deepcopy(dict(item)) for item in items}
        self.calls: list[tuple[str, str]] = []
        self.connections = 0
        self.refuse_modify: AwsCallError | None = None
        self.ignore_modify = False  # answer OK but change nothing (a fix that does not stick)

    def describe_endpoint(self, endpoint_id: str) -> Mapping[str, Any] | None:
        self.calls.append(("DescribeClientVpnEndpoints", endpoint_id))
        item = self.items.get(endpoint_id)
        return copy.deepcopy(item) if item is not None else None

    def endpoint_pages(self, page_size: int = 1000) -> Iterator[Sequence[Mapping[str, Any]]]:
        yield [copy.deepcopy(item) for item in self.items.values()]

    def authorization_rules(self, endpoint_id: str) -> list[Mapping[str, Any]]:
        self.calls.append(("DescribeClientVpnAuthorizationRules", endpoint_id))
        return []

    def default_security_group_ids(self, vpc_id: str) -> frozenset[str]:
        self.calls.append(("DescribeSecurityGroups", vpc_id))
        return frozenset()

    def routes(self, endpoint_id: str) -> list[Mapping[str, Any]]:
        self.calls.append(("DescribeClientVpnRoutes", endpoint_id))
        return []

    def authorization_policy(self, endpoint_id: str) -> Mapping[str, Any]:
        self.calls.append(("GetClientVpnEndpointAuthorizationPolicy", endpoint_id))
        return {"ClientVpnEndpointId": endpoint_id}

    def revocation_list(self, endpoint_id: str) -> Mapping[str, Any]:
        self.calls.append(("ExportClientVpnClientCertificateRevocationList", endpoint_id))
        return {}

    def active_connection_count(self, endpoint_id: str) -> int:
        self.calls.append(("DescribeClientVpnConnections", endpoint_id))
        return self.connections

    def modify_endpoint(self, endpoint_id: str, parameters: Mapping[str, Any]) -> None:
        self.calls.append(("ModifyClientVpnEndpoint", endpoint_id))
        if self.refuse_modify is not None:
            raise self.refuse_modify
        unknown = set(parameters) - SAME_SPELLING
        if unknown:
            raise AssertionError(f"FakeClientVpn cannot show {sorted(unknown)} in Describe")
        if not self.ignore_modify:
            self.items[endpoint_id].update(copy.deepcopy(dict(parameters)))

    def revoke_access_all(self, endpoint_id: str, target_network_cidr: str) -> None:
        raise AssertionError("not used by these tests")

    def delete_route(
        self, endpoint_id: str, destination_cidr: str, target_subnet: str | None
    ) -> None:
        raise AssertionError("not used by these tests")

    def leave_shadow_mode(self, endpoint_id: str, policy_document: str) -> None:
        raise AssertionError("not used by these tests")

    def made(self, operation: str) -> int:
        """How many calls of ``operation`` were made."""
        return sum(1 for name, _ in self.calls if name == operation)


class RecordingNotifier:
    """A ``NotificationPort`` that keeps what it was asked to publish; may fail the first N."""

    def __init__(self, failures: int = 0) -> None:
        self.published: list[tuple[Notice, str | None]] = []
        self._failures = failures

    def publish(self, notice: Notice, *, deduplication_id: str | None = None) -> str:
        if self._failures:
            self._failures -= 1
            raise AwsCallError("Publish", "Throttling", "Rate exceeded")
        self.published.append((notice, deduplication_id))
        return f"message-{len(self.published)}"
