"""What every part of the Client VPN backend shares: endpoints, lock, tokens, paging."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from moto.ec2.exceptions import DryRunClientError, InvalidSecurityGroupNotFoundError
from moto.ec2.models import EC2Backend

from .entities import ClientVpnEndpoint, Json, fingerprint
from .exceptions import (
    IdempotentParameterMismatch,
    InvalidClientVpnEndpointIdNotFound,
    InvalidParameterValue,
)
from .paging import OrderedIndex, decode_token, take_page, validate_max_results

T = TypeVar("T")
Filters = dict[str, list[str]]
FilterFields = Mapping[str, Callable[[T], str | None]]


@dataclass(frozen=True)
class PageRequest:
    """The members every paged Describe* call shares."""

    filters: Filters = field(default_factory=dict)
    max_results: int | None = None
    next_token: str | None = None
    dry_run: bool = False


def filter_matcher(filters: Filters, fields: FilterFields[T]) -> Callable[[T], bool]:
    """Build an AND-of-ORs predicate over named fields, rejecting unknown filter names."""
    for name in filters:
        if name not in fields:
            raise InvalidParameterValue(f"The filter '{name}' is invalid")

    def matches(item: T) -> bool:
        return all(fields[name](item) in values for name, values in filters.items())

    return matches


class BackendCore:
    """State shared by the feature mixins of ``ClientVpnBackend``."""

    def __init__(self, ec2_backend: EC2Backend) -> None:
        self.ec2 = ec2_backend
        self.region: str = ec2_backend.region_name
        self.account_id: str = ec2_backend.account_id
        self.endpoints: OrderedIndex[ClientVpnEndpoint] = OrderedIndex()
        self._client_tokens: dict[tuple[str, str], tuple[str, Json]] = {}
        # The server is multi-threaded and moto itself takes no locks.
        self.lock = threading.RLock()

    def get_endpoint(self, endpoint_id: str) -> ClientVpnEndpoint:
        endpoint = self.endpoints.get(endpoint_id)
        if endpoint is None:
            raise InvalidClientVpnEndpointIdNotFound(endpoint_id)
        return endpoint

    def tags_of(self, resource_id: str) -> dict[str, str]:
        return dict(self.ec2.tags.get(resource_id, {}))

    @staticmethod
    def _check_vpc_of_target_networks(endpoint: ClientVpnEndpoint, vpc_id: str) -> None:
        """An endpoint's VPC is the one of its target networks while any is associated."""
        for association in endpoint.associations.values():
            if association.vpc_id and association.vpc_id != vpc_id:
                raise InvalidParameterValue(
                    f"Client VPN endpoint {endpoint.id} has target networks in "
                    f"{association.vpc_id}; disassociate them before changing the VPC."
                )

    def _resolve_security_groups(self, vpc_id: str | None, group_ids: list[str]) -> list[str]:
        """Validate the VPC and groups; without groups, AWS applies the VPC's default group."""
        if not vpc_id:
            return []
        self.ec2.get_vpc(vpc_id)
        for group_id in group_ids:
            group = self.ec2.get_security_group_from_id(group_id)
            if group is None:
                raise InvalidSecurityGroupNotFoundError(group_id)
            if group.vpc_id != vpc_id:
                raise InvalidParameterValue(
                    f"Security group {group_id} does not belong to VPC {vpc_id}."
                )
        if group_ids:
            return group_ids
        default_group = self.ec2.get_default_security_group(vpc_id)
        return [default_group.id] if default_group else []

    def _describe_page(
        self,
        page: PageRequest,
        fields: FilterFields[T],
        candidates: Callable[[int], Iterable[tuple[int, T]]],
        render: Callable[[T], Json],
    ) -> tuple[list[Json], str | None]:
        """The shared shape of every Describe*: validate, dry-run, filter, page, render."""
        limit = validate_max_results(page.max_results)
        matches = filter_matcher(page.filters, fields)
        start = decode_token(page.next_token)
        with self.lock:
            items = candidates(start)
            if page.dry_run:
                raise DryRunClientError()
            selected, token = take_page(items, limit, matches)
            return [render(item) for item in selected], token

    def _replayed(self, operation: str, token: str | None, request: Any) -> Json | None:
        """The stored result of an earlier identical request with this client token."""
        if not token or (operation, token) not in self._client_tokens:
            return None
        stored_fingerprint, result = self._client_tokens[(operation, token)]
        if stored_fingerprint != fingerprint(request):
            raise IdempotentParameterMismatch()
        return result

    def _idempotent(
        self, operation: str, token: str | None, request: Any, produce: Callable[[], Json]
    ) -> Json:
        replay = self._replayed(operation, token, request)
        if replay is not None:
            return replay
        result = produce()
        if token:
            self._client_tokens[(operation, token)] = (fingerprint(request), result)
        return result
