"""Client connections: seeding, describing, terminating, and what ends them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.emulator.conftest import (
    Emulator,
    Network,
    create_endpoint,
    describe_endpoint,
    error_of,
)


def connections_of(ec2: Any, endpoint_id: str, **kwargs: Any) -> list[dict[str, Any]]:
    pages = ec2.get_paginator("describe_client_vpn_connections").paginate(
        ClientVpnEndpointId=endpoint_id, **kwargs
    )
    return [connection for page in pages for connection in page["Connections"]]


def statuses(ec2: Any, endpoint_id: str) -> dict[str, str]:
    return {c["ConnectionId"]: c["Status"]["Code"] for c in connections_of(ec2, endpoint_id)}


@pytest.mark.server_smoke
def test_seeded_connections_are_described_like_aws(emulator: Emulator, ec2: Any) -> None:
    # Given an endpoint with three seeded connections
    endpoint_id = create_endpoint(ec2)
    seeded = emulator.seed_connections(endpoint_id, 3)

    # When its connections are described
    connections = connections_of(ec2, endpoint_id)

    # Then they are active, with AWS's fields and formats
    assert [connection["ConnectionId"] for connection in connections] == seeded
    first = connections[0]
    assert re.match(r"^cvpn-connection-[0-9a-f]{17}$", first["ConnectionId"])
    assert first["ClientVpnEndpointId"] == endpoint_id
    assert first["Status"] == {"Code": "active"}
    assert first["Username"] == "user1"
    assert first["ClientIp"] == "10.100.0.2"
    assert first["ConnectionEndTime"] == "-"
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", first["ConnectionEstablishedTime"])
    assert first["IngressBytes"].isdigit()


def test_connections_page_and_filter_by_username(emulator: Emulator, ec2: Any) -> None:
    # Given seven connections, two of them bob's
    endpoint_id = create_endpoint(ec2)
    emulator.seed_connections(endpoint_id, 5)
    emulator.seed_connections(endpoint_id, 2, username="bob")

    # When they are read five at a time, Then there are two pages
    first = ec2.describe_client_vpn_connections(ClientVpnEndpointId=endpoint_id, MaxResults=5)
    assert len(first["Connections"]) == 5
    second = ec2.describe_client_vpn_connections(
        ClientVpnEndpointId=endpoint_id, MaxResults=5, NextToken=first["NextToken"]
    )
    assert len(second["Connections"]) == 2
    # And the username filter selects bob's
    bobs = connections_of(ec2, endpoint_id, Filters=[{"Name": "username", "Values": ["bob"]}])
    assert [connection["Username"] for connection in bobs] == ["bob", "bob"]


def test_terminate_by_connection_id(emulator: Emulator, ec2: Any) -> None:
    # Given two connections
    endpoint_id = create_endpoint(ec2)
    doomed, kept = emulator.seed_connections(endpoint_id, 2)

    # When one is terminated by id
    response = ec2.terminate_client_vpn_connections(
        ClientVpnEndpointId=endpoint_id, ConnectionId=doomed
    )

    # Then it was active and is terminating, and afterwards is described as terminated
    assert response["ClientVpnEndpointId"] == endpoint_id
    assert response["ConnectionStatuses"] == [
        {
            "ConnectionId": doomed,
            "PreviousStatus": {"Code": "active"},
            "CurrentStatus": {"Code": "terminating"},
        }
    ]
    assert statuses(ec2, endpoint_id) == {doomed: "terminated", kept: "active"}
    ended = connections_of(
        ec2, endpoint_id, Filters=[{"Name": "connection-id", "Values": [doomed]}]
    )
    assert ended[0]["ConnectionEndTime"] != "-"


def test_terminate_by_username_ends_that_users_connections(emulator: Emulator, ec2: Any) -> None:
    # Given alice with two connections and someone else with one
    endpoint_id = create_endpoint(ec2)
    alice = emulator.seed_connections(endpoint_id, 2, username="alice")
    (other,) = emulator.seed_connections(endpoint_id, 1, username="carol")

    # When alice's connections are terminated
    response = ec2.terminate_client_vpn_connections(
        ClientVpnEndpointId=endpoint_id, Username="alice"
    )

    # Then exactly hers are
    assert response["Username"] == "alice"
    assert [status["ConnectionId"] for status in response["ConnectionStatuses"]] == alice
    assert statuses(ec2, endpoint_id) == {
        alice[0]: "terminated",
        alice[1]: "terminated",
        other: "active",
    }


@pytest.mark.parametrize(
    ("seed", "arguments", "code"),
    [
        pytest.param(
            6, {"Username": "dave"}, "ClientVpnTerminateConnectionsLimitExceeded", id="over-5"
        ),
        pytest.param(
            0, {"Username": "nobody"}, "InvalidClientVpnConnection.UserNotFound", id="no-user"
        ),
        pytest.param(
            0,
            {"ConnectionId": "cvpn-connection-0123456789abcdef0"},
            "InvalidClientVpnConnection.IdNotFound",
            id="no-connection",
        ),
        pytest.param(0, {}, "MissingParameter", id="neither"),
        pytest.param(
            0, {"Username": "dave", "ConnectionId": "x"}, "InvalidParameterCombination", id="both"
        ),
    ],
)
def test_invalid_terminations(
    emulator: Emulator, ec2: Any, seed: int, arguments: dict[str, Any], code: str
) -> None:
    endpoint_id = create_endpoint(ec2)
    emulator.seed_connections(endpoint_id, seed, username="dave")
    with pytest.raises(ClientError) as error:
        ec2.terminate_client_vpn_connections(ClientVpnEndpointId=endpoint_id, **arguments)
    assert error_of(error)[0] == code


def test_changing_dns_servers_resets_connections(emulator: Emulator, ec2: Any) -> None:
    # Given two users connected
    endpoint_id = create_endpoint(ec2)
    emulator.seed_connections(endpoint_id, 2)

    # When the DNS servers change (AWS: "Modifying the DNS server resets existing client connections")
    ec2.modify_client_vpn_endpoint(
        ClientVpnEndpointId=endpoint_id,
        DnsServers={"CustomDnsServers": ["10.0.0.2"], "Enabled": True},
    )

    # Then no connection is active any more
    assert set(statuses(ec2, endpoint_id).values()) == {"terminated"}


def test_lower_session_timeout_ends_only_older_sessions(emulator: Emulator, ec2: Any) -> None:
    # Given a session ten hours old and a fresh one
    endpoint_id = create_endpoint(ec2)
    (old,) = emulator.seed_connections(
        endpoint_id, 1, established_at=datetime.now(UTC) - timedelta(hours=10)
    )
    (fresh,) = emulator.seed_connections(endpoint_id, 1)

    # When the session timeout drops from 24 to 8 hours
    ec2.modify_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id, SessionTimeoutHours=8)

    # Then only the old session ends
    assert statuses(ec2, endpoint_id) == {old: "terminated", fresh: "active"}


def test_last_disassociation_ends_every_session(
    emulator: Emulator, ec2: Any, network: Network
) -> None:
    # Given an associated endpoint with users connected
    endpoint_id = create_endpoint(ec2)
    association_id = ec2.associate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, SubnetId=network.subnet_a
    )["AssociationId"]
    emulator.seed_connections(endpoint_id, 3)

    # When its only target network is disassociated
    ec2.disassociate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, AssociationId=association_id
    )

    # Then every session has ended
    assert set(statuses(ec2, endpoint_id).values()) == {"terminated"}


def test_forced_status_is_described_and_blocks_changes(emulator: Emulator, ec2: Any) -> None:
    # Given an endpoint forced into the deleting state
    endpoint_id = create_endpoint(ec2)
    emulator.set_endpoint_status(endpoint_id, "deleting")

    # Then Describe shows it
    assert describe_endpoint(ec2, endpoint_id)["Status"] == {"Code": "deleting"}
    # And it can no longer be modified
    with pytest.raises(ClientError) as error:
        ec2.modify_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id, SessionTimeoutHours=8)
    assert error_of(error)[0] == "IncorrectState"
