"""The sweeper over 1,500 endpoints in two regions: counts and reports in parts; fixes and a
region that cannot be listed over 520 (every region more than one page)."""

from __future__ import annotations

import json

import pytest

from cvpn_guard.handlers.sweeper import run_sweep
from cvpn_guard.report import merge_parts
from cvpn_guard.runtime import get_runtime, reset_runtime
from tests.integration.sweeper.conftest import SweeperWorld
from tests.integration.sweeper.large_estate import (
    ACCOUNT,
    PAGED_SIZES,
    REGIONS,
    SIZES,
    assert_report_matches,
)
from tests.integration.sweeper.report_checks import (
    SNS_MESSAGE_LIMIT,
    assert_valid_report,
    report_parts,
)

pytestmark = [pytest.mark.slow, pytest.mark.server]

# The sweep pages with 200 endpoints per DescribeClientVpnEndpoints call.
PAGES = sum(-(-size // 200) for size in SIZES.values())


def test_report_mode_counts_equal_the_seeded_truth_and_nothing_is_modified(
    world: SweeperWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 1,500 endpoints over two regions, and the deployment forcing report mode
    truth = world.seed()
    monkeypatch.setenv("ENFORCEMENT_MODE", "report")
    reset_runtime()
    world.control.reset_call_counts()

    # When the sweep runs
    report = run_sweep(
        runtime=get_runtime(),
        account=ACCOUNT,
    )

    # Then the report's counts, per status and per rule, are the seeded truth
    document = json.loads(report.to_json())
    assert_valid_report(document)
    assert_report_matches(document, truth, enforced=False)
    assert document["policy"]["mode"] == "report"
    assert set(document["source"]["regions"]) == set(REGIONS)
    # And every endpoint was listed through the paginator, none modified
    calls = world.control.call_counts()
    assert calls["DescribeClientVpnEndpoints"] >= PAGES
    assert "ModifyClientVpnEndpoint" not in calls


def test_a_report_over_256_kb_arrives_in_parts_that_are_reports_and_merge_back(
    world: SweeperWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a large estate, whose report is far above SNS's 256 KB limit
    world.seed()
    monkeypatch.setenv("ENFORCEMENT_MODE", "report")
    reset_runtime()

    # When the sweep publishes its report
    report = run_sweep(
        runtime=get_runtime(),
        account=ACCOUNT,
    )

    # Then the subscriber received several parts, each within the byte budget, valid against
    # the schema, with the report's id and whole summary (report_parts checks each)
    assert len(report.to_json().encode()) > SNS_MESSAGE_LIMIT
    notices = world.notices()
    parts = report_parts(notices)
    assert len(parts) > 1
    assert {part.report_id for part in parts} == {report.report_id}
    assert all(part.summary == report.summary for part in parts)
    numbers = {notice["Subject"].rpartition(" (part ")[2] for notice in notices}
    assert numbers == {f"{index} of {len(parts)})" for index in range(1, len(parts) + 1)}
    # And each part holds its own whole endpoints, none twice
    ids = [e.endpoint_id for part in parts for e in part.endpoints]
    assert len(ids) == len(set(ids)) == report.summary.endpoints
    # And, merged in any order, they are the report
    merged = merge_parts(reversed(parts))
    assert merged.endpoints == report.endpoints
    assert merged == report


def test_enforce_mode_fixes_every_drifted_endpoint_and_a_second_sweep_finds_all_compliant(
    world: SweeperWorld,
) -> None:
    # Given 520 endpoints, every region more than a page, 10% drifted, some exempt, and an
    # enforce-mode policy
    truth = world.seed(PAGED_SIZES)
    assert all(size > 200 for size in truth.regions.values())
    world.control.reset_call_counts()

    # When the sweeper Lambda runs
    result = world.invoke()

    # Then every drifted endpoint was fixed with one Modify call, exempt ones left alone
    first = world.received_report()
    assert_valid_report(first)
    assert_report_matches(first, truth, enforced=True)
    assert result["summary"] == first["summary"]
    assert world.control.call_counts()["ModifyClientVpnEndpoint"] == truth.drifted
    remediated = {e["endpoint_id"] for e in first["endpoints"] if e["status"] == "remediated"}
    assert remediated == truth.drifted_ids
    assert all(
        set(e["fixed_rules"]) == {f["rule"] for f in e["findings"]}
        for e in first["endpoints"]
        if e["status"] == "remediated"
    )

    # When the sweeper runs again
    world.invoke()

    # Then everything is compliant (or exempt) and nothing else was modified
    second = world.received_report()
    assert_valid_report(second)
    assert second["summary"]["compliant"] == truth.total - truth.exempt
    assert second["summary"]["exempt"] == truth.exempt
    assert second["summary"]["remediated"] == 0
    assert second["summary"]["non_compliant"] == 0
    assert second["summary"]["by_rule"] == {}
    assert world.control.call_counts()["ModifyClientVpnEndpoint"] == truth.drifted


def test_a_region_that_cannot_be_listed_is_an_error_while_the_other_region_is_reported(
    world: SweeperWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an estate of more than a page per region, and the very first
    # DescribeClientVpnEndpoints call refused: it is necessarily the first page of one region,
    # so that region cannot be listed at all
    truth = world.seed(PAGED_SIZES)
    assert all(size > 200 for size in truth.regions.values())
    monkeypatch.setenv("ENFORCEMENT_MODE", "report")
    reset_runtime()
    world.control.inject_error(
        "DescribeClientVpnEndpoints",
        "UnauthorizedOperation",
        times=1,
        message="You are not authorized to perform this operation.",
    )

    # When the sweeper Lambda runs over both regions
    world.invoke()

    # Then the failed region is one error entry and the other region is fully reported
    report = world.received_report()
    assert_valid_report(report)
    (error,) = report["errors"]
    assert error["code"] == "UnauthorizedOperation"
    assert error["endpoint_id"] is None
    assert error["account"] == ACCOUNT
    (reported,) = set(REGIONS) - {error["region"]}
    regional = truth.per_region[reported]
    assert report["summary"]["errors"] == 1
    assert report["summary"]["endpoints"] == regional.total
    assert report["summary"]["non_compliant"] == regional.drifted
    assert report["summary"]["by_rule"] == dict(sorted(regional.by_rule.items()))
    assert {e["region"] for e in report["endpoints"]} == {reported}
