"""template.yaml's organization mode (OrganizationId): the bus, its rule, the member roles."""

from __future__ import annotations

import json
from typing import Any

from tests.support.template import REPO, Deployed, source_template

ORG = "o-a1b2c3d4e5"
ORG_RESOURCES = {
    "OrganizationEventBus",
    "OrganizationEventBusPolicy",
    "OrganizationEndpointChangedRule",
    "OrganizationEndpointChangedPermission",
    "MemberAccessPolicy",
}


def _deployed(**parameters: str) -> Deployed:
    return Deployed(source_template(), **parameters)


def _created(deployed: Deployed) -> set[str]:
    return {
        name
        for name, resource in deployed.template["Resources"].items()
        if "Condition" not in resource or deployed.condition(resource["Condition"])
    }


def _environment(deployed: Deployed) -> dict[str, Any]:
    variables: dict[str, Any] = deployed.value(
        deployed.template["Globals"]["Function"]["Environment"]["Variables"]
    )
    return variables


def test_single_account_mode_is_the_default_and_creates_nothing_of_the_organization() -> None:
    deployed = _deployed()
    assert deployed.parameters["OrganizationId"] == ""
    assert not _created(deployed) & ORG_RESOURCES
    assert _environment(deployed)["MEMBER_ROLE_NAME"] == ""
    assert "MemberAccessPolicy" not in _created(deployed)


def test_organization_mode_creates_the_bus_rule_and_member_role_name() -> None:
    deployed = _deployed(OrganizationId=ORG)
    assert _created(deployed) >= ORG_RESOURCES
    assert _environment(deployed)["MEMBER_ROLE_NAME"] == "cvpn-guard-member"


def test_the_bus_accepts_events_only_from_the_organization() -> None:
    properties = _deployed(OrganizationId=ORG).resource("OrganizationEventBusPolicy")
    statement = properties["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "events:PutEvents"
    assert statement["Resource"] == "<OrganizationEventBus.Arn>"
    assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": ORG}}
    assert properties["EventBusName"] == "<OrganizationEventBus>"


def test_the_bus_rule_has_the_enforcer_rules_pattern_and_keeps_failures() -> None:
    # Given the SAM enforcer rule (default bus) and the organization bus's rule, as written
    template = source_template()
    sam_rule = template["Resources"]["EnforcerFunction"]["Properties"]["Events"][
        "ClientVpnEndpointChanged"
    ]["Properties"]
    org_rule = template["Resources"]["OrganizationEndpointChangedRule"]["Properties"]

    # Then both select the same events, and failed deliveries go to the same queue alike
    assert org_rule["EventPattern"] == sam_rule["Pattern"]
    (target,) = org_rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["EnforcerFunction", "Arn"]}
    assert target["DeadLetterConfig"] == sam_rule["DeadLetterConfig"]
    assert target["RetryPolicy"] == sam_rule["RetryPolicy"]
    permission = _deployed(OrganizationId=ORG).resource("OrganizationEndpointChangedPermission")
    assert permission["SourceArn"] == "<OrganizationEndpointChangedRule.Arn>"
    assert permission["Principal"] == "events.amazonaws.com"


def test_the_key_lets_eventbridge_write_dead_letters_of_the_bus_rule_too() -> None:
    deployed = _deployed(OrganizationId=ORG)
    statement = deployed.statement("CvpnGuardKey", "EventBridgeWritesDeadLetters")
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == [
        "arn:aws:events:eu-west-1:123456789012:rule/cvpn-guard-endpoint-changed",
        "arn:aws:events:eu-west-1:123456789012:rule/cvpn-guard-org/cvpn-guard-org-endpoint-changed",
    ]
    single = _deployed().statement("CvpnGuardKey", "EventBridgeWritesDeadLetters")
    assert single["Condition"]["ArnEquals"]["aws:SourceArn"] == [
        "arn:aws:events:eu-west-1:123456789012:rule/cvpn-guard-endpoint-changed"
    ]


def test_functions_assume_only_member_roles_of_the_organization() -> None:
    deployed = _deployed(OrganizationId=ORG)
    assert deployed.resource("MemberAccessPolicy")["Roles"] == ["<EnforcerRole>", "<SweeperRole>"]
    statement = deployed.statement("MemberAccessPolicy", "AssumeMemberRoles")
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Resource"] == "arn:aws:iam::*:role/cvpn-guard-member"
    assert statement["Condition"] == {"StringEquals": {"aws:ResourceOrgID": ORG}}


def test_outputs_give_the_member_stackset_its_parameters() -> None:
    outputs = source_template()["Outputs"]
    assert outputs["OrganizationEventBusArn"]["Condition"] == "OrganizationMode"
    assert outputs["MemberRoleTrustedArns"]["Condition"] == "OrganizationMode"


def test_the_org_sweep_fans_out_through_a_queue_to_one_target_per_worker_invocation() -> None:
    deployed = _deployed(OrganizationId=ORG, SweepAccounts="210987654321,210987654322")
    assert {"SweepQueue", "SweepWorkerFunction", "OrganizationSweepPolicy"} <= _created(deployed)
    sweeper = deployed.resource("SweeperFunction")["Environment"]["Variables"]
    assert sweeper["SWEEP_QUEUE_URL"] == "<SweepQueue>"
    assert sweeper["SWEEP_ACCOUNTS"] == "210987654321,210987654322"
    worker = deployed.resource("SweepWorkerFunction")
    # The sweeper's role: the member roles trust it and the loop guard knows its fixes.
    assert worker["Role"] == "<SweeperRole.Arn>"
    work = worker["Events"]["SweepWork"]["Properties"]
    assert work["Queue"] == "<SweepQueue.Arn>"
    assert work["BatchSize"] == 1
    assert work["ScalingConfig"]["MaximumConcurrency"] <= 10
    queue = deployed.resource("SweepQueue")
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == "<FailureQueue.Arn>"
    assert queue["VisibilityTimeout"] >= 6 * worker["Timeout"]
    assert deployed.resource("OrganizationSweepPolicy")["Roles"] == ["<SweeperRole>"]


def test_single_account_sweeps_itself() -> None:
    deployed = _deployed()
    assert not {"SweepQueue", "SweepWorkerFunction"} & _created(deployed)
    assert deployed.resource("SweeperFunction")["Environment"]["Variables"]["SWEEP_QUEUE_URL"] == ""


def test_security_hub_export_is_opt_in_and_limited_to_our_own_findings() -> None:
    assert "SecurityHubPolicy" not in _created(_deployed())
    assert _environment(_deployed())["SECURITY_HUB"] == "false"
    deployed = _deployed(SecurityHubFindings="true")
    assert "SecurityHubPolicy" in _created(deployed)
    assert _environment(deployed)["SECURITY_HUB"] == "true"
    assert deployed.resource("SecurityHubPolicy")["Roles"] == ["<EnforcerRole>", "<SweeperRole>"]
    imports = deployed.statement("SecurityHubPolicy", "ImportFindings")
    assert imports["Action"] == "securityhub:BatchImportFindings"
    assert imports["Resource"] == "arn:aws:securityhub:*:123456789012:product/123456789012/default"
    # And it reads findings only on the hub of its own account (GetFindings: resource hub)
    reads = deployed.statement("SecurityHubPolicy", "ReadFindings")
    assert reads["Action"] == "securityhub:GetFindings"
    assert reads["Resource"] == "arn:aws:securityhub:*:123456789012:hub/default"


# ---- what needs a human reaches the topic: the failure queue, unmerged sweeps -------------


def test_the_failure_queue_and_unmerged_sweeps_raise_alarms_that_notify_the_topic() -> None:
    from cvpn_guard.handlers.sweeper import SERVICE

    deployed = _deployed(OrganizationId=ORG)
    failures = deployed.resource("FailureQueueAlarm")
    assert failures["Namespace"] == "AWS/SQS"
    assert failures["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert failures["Dimensions"] == [{"Name": "QueueName", "Value": "<FailureQueue.QueueName>"}]
    assert (failures["ComparisonOperator"], failures["Threshold"]) == ("GreaterThanThreshold", 0)
    unmerged = deployed.resource("UnmergedSweepRunsAlarm")
    watched = {
        query["MetricStat"]["Metric"]["MetricName"]: query["MetricStat"]["Metric"]
        for query in unmerged["Metrics"]
        if "MetricStat" in query
    }
    # The metrics the sweeper emits (cvpn_guard.handlers.sweeper), as Powertools' EMF
    # names them: namespace CvpnGuard, the service dimension of the sweeper's Metrics
    assert set(watched) == {"SweepRunOverdue", "SweepRunFinishFailed"}
    for metric in watched.values():
        assert metric["Namespace"] == "CvpnGuard"
        assert metric["Dimensions"] == [{"Name": "service", "Value": SERVICE}]
    for alarm in (failures, unmerged):
        assert alarm["AlarmActions"] == ["<NotificationTopic>"]
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["AlarmName"].startswith("cvpn-guard-")  # what the key and topic allow


def test_single_account_mode_keeps_the_failure_queue_alarm_only() -> None:
    created = _created(_deployed())
    assert "FailureQueueAlarm" in created
    assert not created & {"UnmergedSweepRunsAlarm", "SweepDeadlineTimer", "SweepDeadlineTimerRole"}


def test_the_key_lets_cloudwatch_encrypt_notices_of_the_stacks_own_alarms_only() -> None:
    statement = _deployed().statement("CvpnGuardKey", "CloudWatchAlarmsNotify")
    assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {
            "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:cvpn-guard-*"
        },
    }


def test_a_deadline_adds_a_timer_that_only_merges_overdue_sweeps() -> None:
    from cvpn_guard.handlers.sweeper import FINISH_OVERDUE_EVENT

    # Without a deadline the next sweep merges overdue runs: no timer
    assert "SweepDeadlineTimer" not in _created(_deployed(OrganizationId=ORG))
    # With one, a timer sends the sweeper the event that only merges what is due
    deployed = _deployed(OrganizationId=ORG, OrgSweepDeadlineMinutes="120")
    timer = deployed.resource("SweepDeadlineTimer")
    assert timer["ScheduleExpression"] == "rate(10 minutes)"
    assert timer["Target"]["Arn"] == "<SweeperFunction.Arn>"
    assert json.loads(timer["Target"]["Input"]) == FINISH_OVERDUE_EVENT
    # (the sample sam local invoke takes, events/sweeper/finish_overdue.json, is the same)
    sample = REPO / "events" / "sweeper" / "finish_overdue.json"
    assert json.loads(sample.read_text()) == FINISH_OVERDUE_EVENT
    (invoke,) = deployed.statements("SweepDeadlineTimerRole")
    assert (invoke["Action"], invoke["Resource"]) == (
        "lambda:InvokeFunction",
        "<SweeperFunction.Arn>",
    )
    sweeper = deployed.resource("SweeperFunction")["Environment"]["Variables"]
    assert sweeper["SWEEP_DEADLINE_MINUTES"] == "120"
    # And a single-account stack never gets one, whatever the parameter says
    assert "SweepDeadlineTimer" not in _created(_deployed(OrgSweepDeadlineMinutes="120"))


def test_the_deadline_is_refused_at_deploy_time_unless_minutes() -> None:
    import re

    pattern = source_template()["Parameters"]["OrgSweepDeadlineMinutes"]["AllowedPattern"]
    for good in ("", "5", "120", "9999"):
        assert re.fullmatch(pattern, good), good
    for bad in ("0", "4", "-5", "2h", "120 ", "10000"):
        assert not re.fullmatch(pattern, bad), bad


def test_a_merge_claim_is_taken_over_only_after_its_holder_cannot_be_running() -> None:
    from cvpn_guard.org_sweep.worker import CLAIM_STALE_SECONDS

    # The finisher (in the sweeper) and the last worker merge; a claim older than either's
    # timeout belongs to an invocation Lambda has already stopped.
    deployed = _deployed(OrganizationId=ORG)
    timeouts = [
        deployed.resource(function)["Timeout"]
        for function in ("SweeperFunction", "SweepWorkerFunction")
    ]
    assert max(timeouts) < CLAIM_STALE_SECONDS
