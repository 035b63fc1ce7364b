"""The sweeper's Security Hub export (SECURITY_HUB=true): archiving, and batches that fail."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from cvpn_guard.runtime import reset_runtime
from tests.integration.sweeper.conftest import SweeperWorld
from tests.integration.sweeper.large_estate import REGIONS

pytestmark = pytest.mark.server

RULES = 4  # large_estate.policy_text's rules: one finding per endpoint and rule


def _export_on(world: SweeperWorld, *regions: str) -> None:
    world.monkeypatch.setenv("SECURITY_HUB", "true")
    world.monkeypatch.setenv("SWEEP_REGIONS", ",".join(regions))
    reset_runtime()


def _security_hub_refuses(world: SweeperWorld, operation: str, *, times: int | None) -> None:
    world.control.inject_error(
        operation, "InvalidAccessException", times=times, service="securityhub"
    )


def _client(world: SweeperWorld, service: str, region: str) -> Any:
    return boto3.client(service, region_name=region, endpoint_url=world.url)


def _findings(world: SweeperWorld, region: str) -> dict[str, dict[str, Any]]:
    pages = _client(world, "securityhub", region).get_paginator("get_findings").paginate()
    found = [finding for page in pages for finding in page["Findings"]]
    by_id = {finding["Id"]: finding for finding in found}
    assert len(by_id) == len(found), "a finding was duplicated"
    return by_id


def _endpoint_ids(world: SweeperWorld, region: str) -> list[str]:
    pages = _client(world, "ec2", region).get_paginator("describe_client_vpn_endpoints")
    return [e["ClientVpnEndpointId"] for p in pages.paginate() for e in p["ClientVpnEndpoints"]]


def _states(findings: dict[str, dict[str, Any]], endpoint_id: str) -> set[str]:
    return {f["RecordState"] for i, f in findings.items() if f"/{endpoint_id}/" in i}


def test_a_sweep_archives_the_findings_of_deleted_endpoints_and_keeps_the_rest(
    world: SweeperWorld,
) -> None:
    # Given a swept estate: ten endpoints in one region, one in the other
    home, other = REGIONS
    world.seed({home: 10, other: 1})
    _export_on(world, home, other)
    world.invoke()
    before = _findings(world, home)
    assert len(before) == 10 * RULES

    # When an endpoint of each region is deleted (the other region's last one) and the
    # sweeper runs again
    deleted, *kept = _endpoint_ids(world, home)
    (last,) = _endpoint_ids(world, other)
    _client(world, "ec2", home).delete_client_vpn_endpoint(ClientVpnEndpointId=deleted)
    _client(world, "ec2", other).delete_client_vpn_endpoint(ClientVpnEndpointId=last)
    world.invoke()

    # Then the deleted endpoints' findings are archived, the others' still active, nothing
    # added or lost, and every finding keeps the time it was first seen
    after = _findings(world, home)
    assert set(after) == set(before)
    assert _states(after, deleted) == {"ARCHIVED"}
    assert {state for endpoint in kept for state in _states(after, endpoint)} == {"ACTIVE"}
    assert {i: f["CreatedAt"] for i, f in after.items()} == {
        i: f["CreatedAt"] for i, f in before.items()
    }
    assert _states(_findings(world, other), last) == {"ARCHIVED"}


def test_one_failed_request_does_not_keep_the_other_batches_out(
    world: SweeperWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given 40 endpoints (160 findings: two BatchImportFindings requests), and Security Hub
    # refusing the first request
    home = REGIONS[0]
    world.seed({home: 40})
    _export_on(world, home)
    _security_hub_refuses(world, "BatchImportFindings", times=1)
    capsys.readouterr()

    # When the sweeper runs
    world.invoke()

    # Then the second request was still made, and the failure counted by its code
    assert len(_findings(world, home)) == 40 * RULES - 100
    failed = [
        blob
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("{") and "SecurityHubFailed" in line
        for blob in [json.loads(line)]
        if blob.get("code") == "InvalidAccessException"
    ]
    assert failed

    # And the next sweep sends what was missed
    world.invoke()
    assert len(_findings(world, home)) == 40 * RULES


def test_a_region_that_could_not_be_listed_keeps_its_findings(world: SweeperWorld) -> None:
    # Given a swept region with findings
    home = REGIONS[0]
    world.seed({home: 5})
    _export_on(world, home)
    world.invoke()
    before = _findings(world, home)

    # When the next sweep cannot list the region
    world.control.inject_error("DescribeClientVpnEndpoints", "UnauthorizedOperation", times=None)
    world.invoke()
    world.control.clear_faults()

    # Then its findings are left as they were (not archived: nothing says the endpoints are
    # gone)
    assert _findings(world, home) == before


def test_a_region_without_endpoints_or_security_hub_is_not_an_error(
    world: SweeperWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a region with no endpoint, where Security Hub is not enabled (GetFindings is
    # refused with InvalidAccessException)
    home = REGIONS[0]
    world.seed({home: 0})
    _export_on(world, home)
    _security_hub_refuses(world, "GetFindings", times=None)
    capsys.readouterr()

    # When the sweeper runs, Then it asked (the findings of a last deleted endpoint would be
    # archived) but counts no Security Hub failure
    world.invoke()
    assert world.control.call_counts()["GetFindings"] == 1
    assert "SecurityHubFailed" not in capsys.readouterr().out
