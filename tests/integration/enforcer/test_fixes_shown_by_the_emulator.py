"""Fixes whose Modify and Describe spellings differ, judged by the emulator's own mapping.

``DnsServers`` is a structure in Modify (``{CustomDnsServers, Enabled}``) and a list in
Describe; ``ClientConnectOptions`` comes back with a ``Status``. The unit matrix replays each
rule's own idea of that mapping, so a misunderstanding of AWS there would pass it: here the
enforcer fixes the endpoint through boto3, the emulator applies the Modify as its models say
AWS does (emulator/README.md), and the rule judges what the emulator then describes.
"""

from __future__ import annotations

from typing import Any

from tests.integration.emulator.conftest import describe_endpoint
from tests.support.estate import compliant_overrides, create_endpoint
from tests.support.events import load_event
from tests.support.world import EnforcerWorld

HANDLER = "arn:aws:lambda:eu-west-1:123456789012:function:AWSClientVPN-posture"


def test_dns_servers_fixed_by_the_enforcer_are_described_as_the_policy_allows(
    world: EnforcerWorld, use_policy: Any
) -> None:
    # Given an endpoint pushing a public resolver, and a policy that fixes DNS servers
    use_policy({"dns-servers": {"allowed": ["10.0.0.2"], "remediate": True}})
    endpoint_id = create_endpoint(world.ec2, **{**compliant_overrides(), "DnsServers": ["8.8.8.8"]})

    # When a change to it reaches the enforcer
    result = world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then it was remediated, the emulator describes the allowed server, and a second event
    # finds nothing to do
    assert result["status"] == "remediated", result
    assert describe_endpoint(world.ec2, endpoint_id)["DnsServers"] == ["10.0.0.2"]
    again = world.invoke(
        load_event(
            "modify_endpoint_by_user", endpoint_id, event_id="00000000-0000-4000-8000-0000000000b2"
        )
    )
    assert again["status"] == "compliant", again


def test_a_client_connect_handler_fixed_by_the_enforcer_is_described_on(
    world: EnforcerWorld, use_policy: Any
) -> None:
    # Given an endpoint without a client connect handler, and a policy naming one
    use_policy({"client-connect-handler": {"allowed_functions": [HANDLER]}})
    endpoint_id = create_endpoint(
        world.ec2, **{**compliant_overrides(), "ClientConnectOptions": {"Enabled": False}}
    )

    # When a change to it reaches the enforcer
    result = world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then the emulator describes the handler on, with the function, and the rule agrees
    assert result["status"] == "remediated", result
    options = describe_endpoint(world.ec2, endpoint_id)["ClientConnectOptions"]
    assert options["Enabled"] is True
    assert options["LambdaFunctionArn"] == HANDLER
    again = world.invoke(
        load_event(
            "modify_endpoint_by_user", endpoint_id, event_id="00000000-0000-4000-8000-0000000000b2"
        )
    )
    assert again["status"] == "compliant", again
