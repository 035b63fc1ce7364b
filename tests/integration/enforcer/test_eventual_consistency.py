"""EC2's reads can lag its writes: the enforcer reads again (bounded) before it concludes.

Faults from the emulator stand in for EC2's eventual consistency: a just-created endpoint
described as NotFound, a verifying describe that still shows the values before the Modify.
"""

from __future__ import annotations

import pytest

from tests.support.estate import compliant_overrides, create_endpoint
from tests.support.events import load_event
from tests.support.world import EnforcerWorld

NOT_FOUND = "InvalidClientVpnEndpointId.NotFound"


def _describes(world: EnforcerWorld, endpoint_id: str) -> int:
    counts = world.faults.endpoint_call_counts().get("DescribeClientVpnEndpoints", {})
    return counts.get(endpoint_id, 0)


@pytest.mark.server_smoke
def test_a_just_created_endpoint_read_as_not_found_is_read_again(world: EnforcerWorld) -> None:
    # Given a drifted endpoint that EC2 describes as NotFound once, right after its creation
    endpoint_id = create_endpoint(world.ec2, DisconnectOnSessionTimeout=False)
    world.faults.inject_error(
        "DescribeClientVpnEndpoints", NOT_FOUND, times=1, endpoint_id=endpoint_id, http_status=400
    )

    # When the Create event reaches the enforcer
    result = world.invoke(load_event("create_endpoint_noncompliant", endpoint_id))

    # Then it read again and fixed the endpoint, instead of recording it as gone
    assert result["status"] == "remediated", result
    assert world.describe(endpoint_id)["DisconnectOnSessionTimeout"] is True
    assert world.modify_calls(endpoint_id) == 1


def test_an_endpoint_never_found_after_its_creation_is_gone_after_bounded_reads(
    world: EnforcerWorld,
) -> None:
    # Given an endpoint id EC2 keeps describing as NotFound
    endpoint_id = create_endpoint(world.ec2)
    world.faults.inject_error(
        "DescribeClientVpnEndpoints",
        NOT_FOUND,
        times=None,
        endpoint_id=endpoint_id,
        http_status=400,
    )

    # When its Create event arrives
    result = world.invoke(load_event("create_endpoint_noncompliant", endpoint_id))

    # Then it is recorded as gone after the first read and three re-reads, never modified
    assert result["status"] == "endpoint_gone"
    assert world.modify_calls(endpoint_id) == 0
    world.faults.clear_faults()
    assert _describes(world, endpoint_id) == 4


def test_not_found_on_a_modify_event_is_not_read_again(world: EnforcerWorld) -> None:
    # Given an endpoint described as NotFound once, and an event about an older endpoint
    endpoint_id = create_endpoint(world.ec2, **compliant_overrides())
    world.faults.inject_error(
        "DescribeClientVpnEndpoints", NOT_FOUND, times=1, endpoint_id=endpoint_id, http_status=400
    )

    # When a Modify event about it arrives
    result = world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then NotFound is the answer: only a creation is worth waiting for
    assert result["status"] == "endpoint_gone"
    assert _describes(world, endpoint_id) == 1


def test_a_verifying_describe_that_lags_the_modify_is_read_again(world: EnforcerWorld) -> None:
    # Given a drifted endpoint whose first describe after the Modify still shows the old values
    endpoint_id = create_endpoint(
        world.ec2, **{**compliant_overrides(), "DisconnectOnSessionTimeout": False}
    )
    world.faults.stale_reads(endpoint_id=endpoint_id, times=1)

    # When a change event reaches the enforcer
    result = world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then the stale read did not count as "did not stick": one Modify, then remediated
    assert result["status"] == "remediated", result
    assert world.modify_calls(endpoint_id) == 1
    assert _describes(world, endpoint_id) == 1 + 1 + 1
    (notice,) = world.notices()
    assert notice["MessageAttributes"]["status"]["Value"] == "remediated"


def test_a_modify_that_never_sticks_fails_after_bounded_re_reads(world: EnforcerWorld) -> None:
    # Given a drifted endpoint whose Modify calls succeed but change nothing
    endpoint_id = create_endpoint(
        world.ec2, **{**compliant_overrides(), "DisconnectOnSessionTimeout": False}
    )
    world.faults.ignore_changes("ModifyClientVpnEndpoint", endpoint_id=endpoint_id)

    # When the enforcer handles a change event
    try:
        world.invoke(load_event("modify_endpoint_by_user", endpoint_id))
    except Exception as error:  # RemediationFailed: Lambda keeps the event
        failure = error
    else:  # pragma: no cover - the assertion below explains
        failure = None

    # Then it is a failure only after the verifying read and three re-reads, with one Modify
    assert failure is not None
    assert "ModifyDidNotStick" in str(failure)
    assert world.modify_calls(endpoint_id) == 1
    assert _describes(world, endpoint_id) == 1 + 1 + 3
