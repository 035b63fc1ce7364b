"""Client connections: Describe/TerminateClientVpnConnections, and seeding (a mixin)."""

from __future__ import annotations

from datetime import datetime

from moto.ec2.exceptions import DryRunClientError

from .backend_core import BackendCore, FilterFields, PageRequest
from .entities import ClientVpnConnection, ClientVpnEndpoint, Json, now
from .exceptions import (
    ConnectionNotFound,
    ConnectionUserNotFound,
    InvalidParameterCombination,
    MissingParameter,
    TerminateConnectionsLimitExceeded,
)

MAX_CONNECTIONS_TERMINATED_BY_USERNAME = 5


class ConnectionsMixin(BackendCore):
    def seed_connections(
        self,
        endpoint_id: str,
        count: int,
        username: str | None = None,
        established_at: datetime | None = None,
    ) -> list[str]:
        if count < 0:
            raise ValueError("count must be zero or more")
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            created = []
            for _ in range(count):
                name = username or f"user{len(endpoint.connections) + 1}"
                connection = ClientVpnConnection(
                    endpoint_id, name, endpoint.next_client_ip(), established_at or now()
                )
                endpoint.connections.add(connection.id, connection)
                created.append(connection.id)
            return created

    def describe_client_vpn_connections(
        self, endpoint_id: str, page: PageRequest
    ) -> tuple[list[Json], str | None]:
        fields: FilterFields[ClientVpnConnection] = {
            "connection-id": lambda connection: connection.id,
            "username": lambda connection: connection.username,
        }
        endpoint = self.get_endpoint(endpoint_id)
        moment = now()
        return self._describe_page(
            page,
            fields,
            endpoint.connections.iter_from,
            lambda connection: connection.describe(moment),
        )

    def terminate_client_vpn_connections(
        self,
        endpoint_id: str,
        connection_id: str | None,
        username: str | None,
        dry_run: bool,
    ) -> Json:
        if connection_id and username:
            raise InvalidParameterCombination("Specify either ConnectionId or Username, not both.")
        if not connection_id and not username:
            raise MissingParameter("ConnectionId or Username")
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            targets = self._connections_to_terminate(endpoint, connection_id, username)
            if dry_run:
                raise DryRunClientError()
            statuses = [_termination_status(connection) for connection in targets]
            moment = now()
            for connection in targets:
                connection.terminate(moment)
            result: Json = {"ClientVpnEndpointId": endpoint_id}
            if username:
                result["Username"] = username
            result["ConnectionStatuses"] = statuses
            return result

    @staticmethod
    def _connections_to_terminate(
        endpoint: ClientVpnEndpoint, connection_id: str | None, username: str | None
    ) -> list[ClientVpnConnection]:
        if connection_id:
            connection = endpoint.connections.get(connection_id)
            if connection is None:
                raise ConnectionNotFound(connection_id)
            return [connection]
        active = [c for c in endpoint.active_connections() if c.username == username]
        if not active:
            raise ConnectionUserNotFound(username or "")
        if len(active) > MAX_CONNECTIONS_TERMINATED_BY_USERNAME:
            raise TerminateConnectionsLimitExceeded(username or "", len(active))
        return active


def _termination_status(connection: ClientVpnConnection) -> Json:
    return {
        "ConnectionId": connection.id,
        "PreviousStatus": {"Code": connection.status},
        "CurrentStatus": {"Code": "terminating" if connection.is_active else connection.status},
    }
