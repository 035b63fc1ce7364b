"""Fault injection and call counting, seen through real boto3 clients.

In-process the faults are armed through the Python API, in server mode through the HTTP
control API: the clients must see the same thing either way.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

import cvpn_emulator
from tests.integration.emulator.conftest import (
    NO_RETRIES,
    Emulator,
    create_endpoint,
    describe_endpoint,
    error_of,
)

# The emulator's HTTP fault API is a contract: every fault test runs over HTTP too.
pytestmark = pytest.mark.server_smoke


def modify(ec2: Any, endpoint_id: str, **changes: Any) -> dict[str, Any]:
    return dict(
        ec2.modify_client_vpn_endpoint(
            ClientVpnEndpointId=endpoint_id, **(changes or {"VpnPort": 1194})
        )
    )


@pytest.mark.parametrize(
    ("code", "status"),
    [("RequestLimitExceeded", 503), ("InternalError", 500), ("UnauthorizedOperation", 400)],
)
def test_injected_error_reaches_boto3_with_aws_code_and_status(
    emulator: Emulator, code: str, status: int
) -> None:
    # Given an endpoint and a client that does not retry
    ec2 = emulator.ec2(**NO_RETRIES)
    endpoint_id = create_endpoint(ec2)

    # When the next modify is made to fail
    emulator.inject_error("ModifyClientVpnEndpoint", code)

    # Then the client sees AWS's code and HTTP status
    with pytest.raises(ClientError) as error:
        modify(ec2, endpoint_id)
    assert error_of(error)[0] == code
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    # And the fault is used up: the next call succeeds
    assert modify(ec2, endpoint_id)["Return"] is True


def test_custom_message_and_status(emulator: Emulator) -> None:
    ec2 = emulator.ec2(**NO_RETRIES)
    emulator.inject_error(
        "DescribeClientVpnEndpoints", "ServiceUnavailable", message="try later", http_status=503
    )
    with pytest.raises(ClientError) as error:
        ec2.describe_client_vpn_endpoints()
    assert error_of(error) == ("ServiceUnavailable", "try later")
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503


@pytest.mark.usefixtures("no_backoff")
@pytest.mark.parametrize("code", ["RequestLimitExceeded", "InternalError", "Throttling"])
def test_botocore_retries_throttling_and_server_errors(emulator: Emulator, code: str) -> None:
    # Given a client that tries up to four times
    ec2 = emulator.ec2(retries={"mode": "standard", "total_max_attempts": 4})
    endpoint_id = create_endpoint(ec2)

    # When the next two modifies fail with a retryable error
    emulator.inject_error("ModifyClientVpnEndpoint", code, times=2)
    response = modify(ec2, endpoint_id, SessionTimeoutHours=8)

    # Then botocore retried twice and the change went through on the third attempt
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert emulator.call_counts()["ModifyClientVpnEndpoint"] == 3
    assert describe_endpoint(ec2, endpoint_id)["SessionTimeoutHours"] == 8


@pytest.mark.usefixtures("no_backoff")
def test_legacy_retry_mode_retries_request_limit_exceeded(emulator: Emulator) -> None:
    # Given botocore's legacy retry mode, whose EC2 rule wants RequestLimitExceeded with 503
    ec2 = emulator.ec2(retries={"mode": "legacy", "total_max_attempts": 3})
    emulator.inject_error("DescribeClientVpnEndpoints", "RequestLimitExceeded", times=1)

    # When describing, Then the throttled call was retried
    response = ec2.describe_client_vpn_endpoints()
    assert response["ResponseMetadata"]["RetryAttempts"] == 1


def test_fault_until_cleared(emulator: Emulator) -> None:
    # Given a fault with no limit
    ec2 = emulator.ec2(**NO_RETRIES)
    endpoint_id = create_endpoint(ec2)
    emulator.inject_error("ModifyClientVpnEndpoint", "InvalidParameterValue", times=None)

    # Then every call fails
    for _ in range(3):
        with pytest.raises(ClientError):
            modify(ec2, endpoint_id)
    assert len(emulator.faults()) == 1

    # When faults are cleared, Then calls succeed again
    assert emulator.clear_faults() == 1
    assert modify(ec2, endpoint_id)["Return"] is True


def test_fault_scoped_to_one_endpoint(emulator: Emulator) -> None:
    # Given two endpoints and a fault for the first only
    ec2 = emulator.ec2(**NO_RETRIES)
    target, bystander = create_endpoint(ec2), create_endpoint(ec2)
    emulator.inject_error(
        "ModifyClientVpnEndpoint", "InternalError", times=None, endpoint_id=target
    )

    # Then only the first one's modifications fail
    assert modify(ec2, bystander)["Return"] is True
    with pytest.raises(ClientError):
        modify(ec2, target)


def test_describe_right_after_create_can_say_not_found(emulator: Emulator) -> None:
    # Given an older endpoint, one just created, and a client that does not retry
    ec2 = emulator.ec2(**NO_RETRIES)
    older, created = create_endpoint(ec2), create_endpoint(ec2)

    # When EC2 has not caught up yet: the next describe of the new one says NotFound
    emulator.inject_error(
        "DescribeClientVpnEndpoints",
        "InvalidClientVpnEndpointId.NotFound",
        times=1,
        message=f"Endpoint {created} does not exist",
        endpoint_id=created,
    )

    # Then describing the other endpoint, or listing all, is unaffected
    assert describe_endpoint(ec2, older)["ClientVpnEndpointId"] == older
    assert len(ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"]) == 2
    # And the first describe of the new one fails as AWS's does
    with pytest.raises(ClientError) as error:
        describe_endpoint(ec2, created)
    assert error_of(error) == (
        "InvalidClientVpnEndpointId.NotFound",
        f"Endpoint {created} does not exist",
    )
    # And the second one succeeds
    assert describe_endpoint(ec2, created)["ClientVpnEndpointId"] == created
    assert emulator.faults() == []
    # And one-endpoint describes are counted per endpoint, the listing is not
    assert emulator.endpoint_call_counts()["DescribeClientVpnEndpoints"] == {
        older: 1,
        created: 2,
    }


def test_ignored_changes_succeed_but_change_nothing(emulator: Emulator, ec2: Any) -> None:
    # Given an endpoint whose modifications are silently dropped
    endpoint_id = create_endpoint(ec2)
    emulator.ignore_changes(endpoint_id=endpoint_id)

    # When it is modified, Then AWS says yes
    assert modify(ec2, endpoint_id, SessionTimeoutHours=8)["Return"] is True
    # But nothing changed
    assert describe_endpoint(ec2, endpoint_id)["SessionTimeoutHours"] == 24


def test_ignored_changes_for_a_number_of_calls_and_endpoints(emulator: Emulator, ec2: Any) -> None:
    # Given the next modification of one endpoint is dropped
    target, bystander = create_endpoint(ec2), create_endpoint(ec2)
    emulator.ignore_changes(endpoint_id=target, times=1)

    # When both are modified twice
    modify(ec2, bystander, SessionTimeoutHours=8)
    modify(ec2, target, SessionTimeoutHours=8)
    assert describe_endpoint(ec2, target)["SessionTimeoutHours"] == 24
    modify(ec2, target, SessionTimeoutHours=10)

    # Then only the first modification of the target was lost
    assert describe_endpoint(ec2, target)["SessionTimeoutHours"] == 10
    assert describe_endpoint(ec2, bystander)["SessionTimeoutHours"] == 8


def test_ignored_changes_still_validate(emulator: Emulator, ec2: Any) -> None:
    # Given dropped modifications, When an invalid one is sent, Then it is still refused
    endpoint_id = create_endpoint(ec2)
    emulator.ignore_changes()
    with pytest.raises(ClientError) as error:
        modify(ec2, endpoint_id, SessionTimeoutHours=7)
    assert error_of(error)[0] == "InvalidParameterValue"


def test_calls_are_counted_per_operation_and_endpoint(emulator: Emulator) -> None:
    # Given two endpoints and a client that does not retry
    ec2 = emulator.ec2(**NO_RETRIES)
    first, second = create_endpoint(ec2), create_endpoint(ec2)
    emulator.inject_error("ModifyClientVpnEndpoint", "RequestLimitExceeded", endpoint_id=second)

    # When the first is modified once and the second twice (once failing)
    modify(ec2, first)
    with pytest.raises(ClientError):
        modify(ec2, second)
    modify(ec2, second)

    # Then every call, failed ones included, is counted, per operation and per endpoint
    counts = emulator.call_counts()
    assert counts["CreateClientVpnEndpoint"] == 2
    assert counts["ModifyClientVpnEndpoint"] == 3
    assert emulator.endpoint_call_counts()["ModifyClientVpnEndpoint"] == {first: 1, second: 2}


def test_sns_publish_can_be_throttled(emulator: Emulator) -> None:
    # Given a topic and a client that does not retry
    sns = emulator.client("sns", **NO_RETRIES)
    topic_arn = sns.create_topic(Name="notices")["TopicArn"]

    # When Publish is throttled once
    emulator.inject_error("Publish", "Throttling", service="sns")

    # Then the publisher sees SNS's throttling error, and the next publish goes through
    with pytest.raises(ClientError) as error:
        sns.publish(TopicArn=topic_arn, Message="hello")
    assert error_of(error)[0] == "Throttling"
    assert "MessageId" in sns.publish(TopicArn=topic_arn, Message="hello")
    assert emulator.call_counts()["Publish"] == 2


def test_service_scope_keeps_other_services_working(emulator: Emulator) -> None:
    # Given a fault on an operation name, scoped to another service
    ec2 = emulator.ec2(**NO_RETRIES)
    emulator.inject_error("DescribeClientVpnEndpoints", "InternalError", service="sns")

    # Then EC2's operation of that name is unaffected
    assert ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"] == []


def test_bad_fault_requests_are_refused() -> None:
    # Python API: non-positive counts and unsupported operations are programming errors
    with pytest.raises(ValueError, match="times"):
        cvpn_emulator.inject_error("Publish", "Throttling", times=0)
    with pytest.raises(ValueError, match="ModifyClientVpnEndpoint"):
        cvpn_emulator.ignore_changes("DeleteClientVpnEndpoint")
    with pytest.raises(cvpn_emulator.EndpointNotFoundError):
        cvpn_emulator.seed_connections("cvpn-endpoint-0123456789abcdef0", 1)


def test_mock_aws_clears_faults_and_counts() -> None:
    # Given a fault armed and a call counted inside one mock_aws context
    cvpn_emulator.install()
    with mock_aws():
        cvpn_emulator.inject_error("Publish", "Throttling", times=None)
        cvpn_emulator.ignore_changes()

    # When the next context starts, Then neither survived
    with mock_aws():
        assert cvpn_emulator.active_faults() == []
        assert cvpn_emulator.call_counts() == {}


# -- reset isolation: the second test must not see the first one's state -----------------


def test_isolation_first_leaves_state_behind(emulator: Emulator, ec2: Any) -> None:
    create_endpoint(ec2)
    emulator.inject_error("DescribeClientVpnEndpoints", "InternalError", times=None)
    assert emulator.call_counts()["CreateClientVpnEndpoint"] == 1


def test_isolation_second_sees_none_of_it(emulator: Emulator) -> None:
    ec2 = emulator.ec2(**NO_RETRIES)
    assert emulator.faults() == []
    assert emulator.call_counts() == {}
    assert ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"] == []
