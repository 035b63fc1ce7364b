"""What ``scan --plan`` shows of a call is exactly what the adapter sends for it.

botocore's Stubber checks each request against the expected parameters (and against the
EC2 model), so a call whose ``request`` drifted from its ``run`` fails here.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from cvpn_guard.aws.ec2 import ClientVpnApi
from cvpn_guard.endpoint_calls import Call, DeleteRoute, LeaveShadowMode, RevokeAccessAll

ENDPOINT = "cvpn-endpoint-0123456789abcdef0"
OPERATIONS = {
    "RevokeClientVpnIngress": "revoke_client_vpn_ingress",
    "DeleteClientVpnRoute": "delete_client_vpn_route",
    "ModifyClientVpnEndpointAuthorizationPolicy": "modify_client_vpn_endpoint_authorization_policy",
}


@pytest.fixture
def ec2() -> Any:
    return boto3.client(
        "ec2",
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.mark.parametrize(
    "call",
    [
        RevokeAccessAll(target_network_cidr="0.0.0.0/0"),
        DeleteRoute(destination_cidr="0.0.0.0/0", target_subnet="subnet-0123456789abcdef0"),
        DeleteRoute(destination_cidr="10.9.0.0/16", target_subnet=None),
        LeaveShadowMode(policy_document='{"Version": "2012-10-17"}'),
    ],
    ids=lambda call: call.kind,
)
def test_a_calls_shown_request_is_what_run_sends(call: Call, ec2: Any) -> None:
    # Given a stubbed EC2 client expecting the call's shown request, exactly
    with Stubber(ec2) as stub:
        stub.add_response(OPERATIONS[call.operation], {}, call.request(ENDPOINT))

        # When the call runs through the adapter
        call.run(ClientVpnApi(ec2), ENDPOINT)

        # Then the adapter sent exactly those parameters
        stub.assert_no_pending_responses()
