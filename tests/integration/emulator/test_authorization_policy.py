"""Endpoint authorization policies: Get/Modify/DeleteClientVpnEndpointAuthorizationPolicy."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.emulator.conftest import (
    NO_RETRIES,
    Emulator,
    create_endpoint,
    describe_endpoint,
    error_of,
)

UNKNOWN_ENDPOINT = "cvpn-endpoint-0123456789abcdef0"
POLICY = "permit (principal, action, resource) when { context.posture.compliant == true };"
STRICTER = "forbid (principal, action, resource);"
TRUST_PROVIDER = {
    "TrustProviderType": "jamf",
    "TenantId": "tenant-1",
    "PublicSigningKeyUrl": "https://keys.example.com/jwks",
}


def get_policy(ec2: Any, endpoint_id: str) -> dict[str, Any]:
    response = dict(
        ec2.get_client_vpn_endpoint_authorization_policy(ClientVpnEndpointId=endpoint_id)
    )
    response.pop("ResponseMetadata")
    return response


def modify_policy(ec2: Any, endpoint_id: str, **members: Any) -> Any:
    return ec2.modify_client_vpn_endpoint_authorization_policy(
        ClientVpnEndpointId=endpoint_id, **members
    )


@pytest.mark.server_smoke
def test_endpoint_without_policy(ec2: Any) -> None:
    # Given a new endpoint, When its policy is read, Then only the endpoint is named
    endpoint_id = create_endpoint(ec2)
    assert get_policy(ec2, endpoint_id) == {"ClientVpnEndpointId": endpoint_id}


def test_create_update_delete_round_trip(ec2: Any) -> None:
    # Given an endpoint
    endpoint_id = create_endpoint(ec2)

    # When a policy is created without a shadow mode
    created = modify_policy(ec2, endpoint_id, PolicyDocument=POLICY)

    # Then it is being created, and reads back enforced (ShadowMode's default is disabled)
    assert created["Status"] == "creating"
    assert get_policy(ec2, endpoint_id) == {
        "ClientVpnEndpointId": endpoint_id,
        "PolicyDocument": POLICY,
        "ShadowMode": "disabled",
        "Status": "active",
    }

    # When only a description and shadow mode are sent
    updated = modify_policy(ec2, endpoint_id, Description="posture", ShadowMode="enabled")

    # Then it is updating, those members changed and the document stayed (API reference)
    assert updated["Status"] == "updating"
    assert get_policy(ec2, endpoint_id) == {
        "ClientVpnEndpointId": endpoint_id,
        "PolicyDocument": POLICY,
        "Description": "posture",
        "ShadowMode": "enabled",
        "Status": "active",
    }

    # When only the document is sent, Then the other members stay
    modify_policy(ec2, endpoint_id, PolicyDocument=STRICTER)
    assert get_policy(ec2, endpoint_id)["PolicyDocument"] == STRICTER
    assert get_policy(ec2, endpoint_id)["ShadowMode"] == "enabled"

    # When it is deleted, Then it is deleting and gone
    deleted = ec2.delete_client_vpn_endpoint_authorization_policy(ClientVpnEndpointId=endpoint_id)
    assert deleted["Status"] == "deleting"
    assert get_policy(ec2, endpoint_id) == {"ClientVpnEndpointId": endpoint_id}


def test_describe_keeps_device_posture_to_its_model(ec2: Any) -> None:
    # Given an endpoint with a trust provider and an authorization policy in shadow mode
    endpoint_id = create_endpoint(
        ec2, DevicePostureOptions={"Enabled": True, "TrustProviders": [TRUST_PROVIDER]}
    )
    modify_policy(ec2, endpoint_id, PolicyDocument=POLICY, ShadowMode="enabled")

    # Then Describe's DevicePostureOptions has only what botocore's output shape knows:
    # the policy is read through GetClientVpnEndpointAuthorizationPolicy alone
    assert describe_endpoint(ec2, endpoint_id)["DevicePostureOptions"] == {
        "TrustProviders": [TRUST_PROVIDER]
    }


@pytest.mark.parametrize(
    ("members", "code"),
    [
        pytest.param(
            {"Description": "no document"}, "MissingParameter", id="create-without-document"
        ),
        pytest.param({"PolicyDocument": "   "}, "InvalidParameterValue", id="blank-document"),
        pytest.param(
            {"PolicyDocument": POLICY, "ShadowMode": "audit"},
            "InvalidParameterValue",
            id="bad-mode",
        ),
    ],
)
def test_invalid_policies_are_refused(ec2: Any, members: dict[str, Any], code: str) -> None:
    endpoint_id = create_endpoint(ec2)
    with pytest.raises(ClientError) as error:
        modify_policy(ec2, endpoint_id, **members)
    assert error_of(error)[0] == code
    assert get_policy(ec2, endpoint_id) == {"ClientVpnEndpointId": endpoint_id}


def test_delete_without_policy_is_refused(ec2: Any) -> None:
    endpoint_id = create_endpoint(ec2)
    with pytest.raises(ClientError) as error:
        ec2.delete_client_vpn_endpoint_authorization_policy(ClientVpnEndpointId=endpoint_id)
    assert error_of(error)[0] == "InvalidParameterValue"


@pytest.mark.parametrize(
    ("operation", "members"),
    [
        ("get_client_vpn_endpoint_authorization_policy", {}),
        ("modify_client_vpn_endpoint_authorization_policy", {"PolicyDocument": POLICY}),
        ("delete_client_vpn_endpoint_authorization_policy", {}),
    ],
)
def test_unknown_endpoint(ec2: Any, operation: str, members: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as error:
        getattr(ec2, operation)(ClientVpnEndpointId=UNKNOWN_ENDPOINT, **members)
    assert error_of(error) == (
        "InvalidClientVpnEndpointId.NotFound",
        f"Endpoint {UNKNOWN_ENDPOINT} does not exist",
    )


def test_deleting_endpoint_refuses_a_policy(emulator: Emulator, ec2: Any) -> None:
    endpoint_id = create_endpoint(ec2)
    emulator.set_endpoint_status(endpoint_id, "deleting")
    with pytest.raises(ClientError) as error:
        modify_policy(ec2, endpoint_id, PolicyDocument=POLICY)
    assert error_of(error)[0] == "IncorrectState"


def test_dry_runs_validate_and_change_nothing(ec2: Any) -> None:
    # Given an endpoint with a policy
    endpoint_id = create_endpoint(ec2)
    modify_policy(ec2, endpoint_id, PolicyDocument=POLICY)
    before = get_policy(ec2, endpoint_id)

    # When each operation is a valid dry run, Then each answers DryRunOperation
    calls: list[tuple[str, dict[str, Any]]] = [
        ("get_client_vpn_endpoint_authorization_policy", {}),
        ("modify_client_vpn_endpoint_authorization_policy", {"PolicyDocument": STRICTER}),
        ("delete_client_vpn_endpoint_authorization_policy", {}),
    ]
    for operation, members in calls:
        with pytest.raises(ClientError) as error:
            getattr(ec2, operation)(ClientVpnEndpointId=endpoint_id, DryRun=True, **members)
        assert error_of(error)[0] == "DryRunOperation"

    # And an invalid dry run reports the real error; the policy never changed
    with pytest.raises(ClientError) as error:
        modify_policy(ec2, endpoint_id, ShadowMode="audit", DryRun=True)
    assert error_of(error)[0] == "InvalidParameterValue"
    assert get_policy(ec2, endpoint_id) == before


def test_client_token_makes_modify_idempotent(ec2: Any) -> None:
    endpoint_id = create_endpoint(ec2)

    # When the same create is retried with one token, Then the retry answers like the first
    first = modify_policy(ec2, endpoint_id, PolicyDocument=POLICY, ClientToken="t")
    again = modify_policy(ec2, endpoint_id, PolicyDocument=POLICY, ClientToken="t")
    assert first["Status"] == again["Status"] == "creating"

    # When the token is reused for another request, Then AWS refuses it
    with pytest.raises(ClientError) as error:
        modify_policy(ec2, endpoint_id, PolicyDocument=STRICTER, ClientToken="t")
    assert error_of(error)[0] == "IdempotentParameterMismatch"
    assert get_policy(ec2, endpoint_id)["PolicyDocument"] == POLICY


@pytest.mark.parametrize(
    "operation",
    [
        "GetClientVpnEndpointAuthorizationPolicy",
        "ModifyClientVpnEndpointAuthorizationPolicy",
        "DeleteClientVpnEndpointAuthorizationPolicy",
    ],
)
def test_faults_and_counters(emulator: Emulator, operation: str) -> None:
    # Given an endpoint with a policy and a client that does not retry
    ec2 = emulator.ec2(**NO_RETRIES)
    endpoint_id = create_endpoint(ec2)
    modify_policy(ec2, endpoint_id, PolicyDocument=POLICY)
    calls = {
        "GetClientVpnEndpointAuthorizationPolicy": lambda: get_policy(ec2, endpoint_id),
        "ModifyClientVpnEndpointAuthorizationPolicy": lambda: modify_policy(
            ec2, endpoint_id, ShadowMode="enabled"
        ),
        "DeleteClientVpnEndpointAuthorizationPolicy": lambda: (
            ec2.delete_client_vpn_endpoint_authorization_policy(ClientVpnEndpointId=endpoint_id)
        ),
    }

    # When the operation is throttled once, Then the client sees the code and status
    emulator.inject_error(operation, "RequestLimitExceeded", endpoint_id=endpoint_id)
    with pytest.raises(ClientError) as error:
        calls[operation]()
    assert error_of(error)[0] == "RequestLimitExceeded"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    # And the next call works; the endpoint's counter saw both (and the set-up's Modify)
    calls[operation]()
    expected = 3 if operation.startswith("Modify") else 2
    assert emulator.endpoint_call_counts()[operation] == {endpoint_id: expected}


def test_reset_wipes_policies(emulator: Emulator, ec2: Any) -> None:
    # Given a policy
    endpoint_id = create_endpoint(ec2)
    modify_policy(ec2, endpoint_id, PolicyDocument=POLICY)

    # When moto is reset, Then the endpoint and its policy are gone
    emulator.reset()
    with pytest.raises(ClientError) as error:
        get_policy(ec2, endpoint_id)
    assert error_of(error)[0] == "InvalidClientVpnEndpointId.NotFound"
