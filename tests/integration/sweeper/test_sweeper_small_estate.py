"""The sweeper on a small estate: one SNS message, endpoint-level errors, DynamoDB leases."""

from __future__ import annotations

import json

import boto3
import pytest
from cvpn_devkit.lambda_harness import ACCOUNT

from cvpn_guard.report import ComplianceReport, render_summary
from cvpn_guard.runtime import reset_runtime
from tests.integration.sweeper.conftest import SweeperWorld
from tests.integration.sweeper.large_estate import REGIONS, assert_report_matches
from tests.integration.sweeper.report_checks import assert_valid_report
from tests.support.estate import create_state_table

pytestmark = pytest.mark.server

SMALL = {REGIONS[0]: 40, REGIONS[1]: 40}


def test_a_small_report_is_one_message_with_the_subject_and_attributes_subscribers_filter_on(
    world: SweeperWorld,
) -> None:
    # Given 80 endpoints over two regions, whose drift a first sweep fixed
    truth = world.seed(SMALL)
    world.invoke()
    first = world.received_report()
    assert_valid_report(first)
    assert_report_matches(first, truth, enforced=True)

    # When the sweeper runs again
    world.invoke()

    # Then one SNS message carries the whole report, with a readable subject and the
    # attributes a subscription's filter policy can match
    (notice,) = world.notices()
    attributes = {name: value["Value"] for name, value in notice["MessageAttributes"].items()}
    assert attributes == {
        "kind": "report",
        "status": "compliant",
        "part": "1",
        "parts": "1",
        "rules": "none",
    }
    assert notice["Subject"] == "[cvpn-guard] REPORT 80 endpoints, 0 non-compliant, 0 remediated"
    document = json.loads(notice["Message"])
    assert_valid_report(document)
    assert document["summary"]["compliant"] == truth.total - truth.exempt


def test_an_endpoint_that_cannot_be_checked_is_an_error_and_the_rest_is_fixed(
    world: SweeperWorld,
) -> None:
    # Given a small estate, and describing one drifted endpoint again under its lease (before
    # its fix) fails for good
    truth = world.seed(SMALL)
    (unlucky, *_) = truth.per_region[REGIONS[0]].ids_by_kind["three-rules"]
    world.control.inject_error(
        "DescribeClientVpnEndpoints", "InternalError", times=None, endpoint_id=unlucky
    )

    # When the sweeper runs in enforce mode
    world.invoke()

    # Then that endpoint is an error entry naming it, and every other drifted one is fixed
    report = world.received_report()
    assert_valid_report(report)
    (error,) = report["errors"]
    assert error["endpoint_id"] == unlucky
    assert error["region"] == REGIONS[0]
    assert error["code"] == "InternalError"
    assert report["summary"]["remediated"] == truth.drifted - 1
    assert report["summary"]["endpoints"] == truth.total - 1
    assert report["summary"]["non_compliant"] == 0
    assert unlucky not in {e["endpoint_id"] for e in report["endpoints"]}


def test_an_endpoint_whose_users_cannot_be_counted_is_fixed_all_the_same_and_says_so(
    world: SweeperWorld,
) -> None:
    # Given a small estate, and counting the users of one endpoint (its fix is disruptive)
    # fails for good
    truth = world.seed(SMALL)
    (unlucky, *_) = truth.per_region[REGIONS[0]].ids_by_kind["three-rules"]
    world.control.inject_error(
        "DescribeClientVpnConnections", "InternalError", times=None, endpoint_id=unlucky
    )

    # When the sweeper runs in enforce mode
    world.invoke()

    # Then every drifted endpoint is fixed, that one too: the count only informs the report
    report = world.received_report()
    assert_valid_report(report)
    assert report["errors"] == []
    assert_report_matches(report, truth, enforced=True)
    # And its entry says the users were not counted, and why
    (entry,) = [e for e in report["endpoints"] if e["endpoint_id"] == unlucky]
    assert entry["users_affected"] is None
    assert entry["users_not_counted"].startswith(
        "DescribeClientVpnConnections failed: InternalError"
    )


def test_the_sweeper_takes_its_leases_in_the_dynamodb_state_table(
    world: SweeperWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the deployment's state table (leases shared with the enforcer)
    dynamodb = boto3.client("dynamodb", region_name=REGIONS[0], endpoint_url=world.url)
    monkeypatch.setenv("STATE_TABLE_NAME", create_state_table(dynamodb))
    truth = world.seed(SMALL)
    reset_runtime()
    world.control.reset_call_counts()

    # When the sweeper fixes the drifted endpoints
    world.invoke()

    # Then each fix held a lease (a conditional put to take it, another to renew it right
    # before the Modify, then a delete) and none is left behind
    report = world.received_report()
    assert report["summary"]["remediated"] == truth.drifted
    calls = world.control.call_counts()
    assert calls["PutItem"] == 2 * truth.drifted
    assert calls["DeleteItem"] == truth.drifted
    assert dynamodb.scan(TableName="cvpn-guard-state")["Count"] == 0


def test_the_report_says_where_no_cloudtrail_trail_feeds_the_enforcer(
    world: SweeperWorld,
) -> None:
    # Given a trail logging in the first region and none in the second
    s3 = boto3.client("s3", region_name=REGIONS[0], endpoint_url=world.url)
    s3.create_bucket(
        Bucket="org-trail-logs", CreateBucketConfiguration={"LocationConstraint": REGIONS[0]}
    )
    cloudtrail = boto3.client("cloudtrail", region_name=REGIONS[0], endpoint_url=world.url)
    trail = cloudtrail.create_trail(Name="management-events", S3BucketName="org-trail-logs")
    cloudtrail.start_logging(Name="management-events")
    world.seed({REGIONS[0]: 3, REGIONS[1]: 3})

    # When the sweeper runs
    world.invoke()

    # Then the report tells, per region, whether real-time enforcement can run there
    (notice,) = world.notices()
    report = json.loads(notice["Message"])
    assert_valid_report(report)
    account = ACCOUNT  # the sweeper's own (its function ARN's)
    assert report["cloudtrail"] == [
        {
            "region": REGIONS[0],
            "account": account,
            "logging": True,
            "trails": [trail["TrailARN"]],
            "problem": None,
            "shortened": False,
        },
        {
            "region": REGIONS[1],
            "account": account,
            "logging": False,
            "trails": [],
            "problem": None,
            "shortened": False,
        },
    ]
    # And the e-mail text of the report names the account and region the enforcer never
    # hears from
    text = render_summary(ComplianceReport.model_validate(report))
    assert f"  {account}/{REGIONS[1]}: no logging trail" in text.splitlines()
