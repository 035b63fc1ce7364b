"""Connection logging needs a CloudWatch Logs group that exists where the endpoint is.

Client VPN publishes into the log group a request names and never creates one, so AWS refuses
a group that the endpoint's account and Region do not have (InvalidParameterValue).
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.emulator.conftest import (
    REGION,
    Emulator,
    create_endpoint,
    describe_endpoint,
    endpoint_request,
    error_of,
)

GROUP = "/aws/clientvpn/audit"
LOGGING = {"Enabled": True, "CloudwatchLogGroup": GROUP}


@pytest.mark.server_smoke
def test_creating_an_endpoint_that_logs_to_a_missing_log_group_is_refused(
    emulator: Emulator,
) -> None:
    # Given no log group of that name in this account and Region
    ec2 = emulator.ec2()

    # When an endpoint is created to log into it, Then AWS refuses, naming the parameter
    with pytest.raises(ClientError) as error:
        ec2.create_client_vpn_endpoint(**endpoint_request(ConnectionLogOptions=LOGGING))
    code, message = error_of(error)
    assert code == "InvalidParameterValue"
    assert "CloudwatchLogGroup" in message
    assert GROUP in message
    # And no endpoint was created
    assert ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"] == []

    # When the group is created, Then the same request succeeds
    emulator.client("logs").create_log_group(logGroupName=GROUP)
    endpoint_id = create_endpoint(ec2, ConnectionLogOptions=LOGGING)
    assert describe_endpoint(ec2, endpoint_id)["ConnectionLogOptions"]["CloudwatchLogGroup"] == (
        GROUP
    )


def test_modifying_an_endpoint_to_log_to_a_missing_log_group_is_refused_and_changes_nothing(
    emulator: Emulator,
) -> None:
    # Given an endpoint, and no log group of that name
    ec2 = emulator.ec2()
    endpoint_id = create_endpoint(ec2)
    before = describe_endpoint(ec2, endpoint_id)

    # When a Modify turns logging on into it along with another change, Then AWS refuses the
    # whole request
    with pytest.raises(ClientError) as error:
        ec2.modify_client_vpn_endpoint(
            ClientVpnEndpointId=endpoint_id, ConnectionLogOptions=LOGGING, SessionTimeoutHours=12
        )
    code, message = error_of(error)
    assert code == "InvalidParameterValue"
    assert "CloudwatchLogGroup" in message
    # And nothing changed, the other parameter neither
    assert describe_endpoint(ec2, endpoint_id) == before


@pytest.mark.parametrize(
    ("where", "group"),
    [
        pytest.param("other-region", GROUP, id="a-group-of-another-region"),
        pytest.param("other-account", GROUP, id="a-group-of-another-account"),
        pytest.param("here", "/aws/clientvpn", id="a-group-of-another-name"),
    ],
)
def test_only_a_group_of_the_endpoints_own_account_and_region_counts(
    emulator: Emulator, where: str, group: str
) -> None:
    # Given a log group that is not the named one in the endpoint's account and Region
    logs: Any
    if where == "other-region":
        logs = emulator.client("logs", "eu-west-1")
    elif where == "other-account":
        logs = emulator.client_in("210987654321", "logs")
    else:
        logs = emulator.client("logs", REGION)
    logs.create_log_group(logGroupName=group)

    # When an endpoint is created to log into the named group, Then AWS refuses
    with pytest.raises(ClientError) as error:
        emulator.ec2().create_client_vpn_endpoint(**endpoint_request(ConnectionLogOptions=LOGGING))
    assert error_of(error)[0] == "InvalidParameterValue"
