"""Create Client VPN endpoints and the notification plumbing on the emulator."""

from __future__ import annotations

import json
from typing import Any

from cvpn_devkit.endpoint_request import create_log_group, create_request, log_group_of
from cvpn_devkit.lambda_harness import ACCOUNT
from moto.ec2.models import ec2_backends
from moto.logs.models import logs_backends

from cvpn_emulator.models import client_vpn_backend
from tests.support.sessions import shared_session

BANNER = (
    "Authorized use only. This VPN and all systems reached through it are monitored; "
    "by connecting you consent to monitoring. Disconnect now if you are not authorized."
)


def create_endpoint(
    ec2: Any, *, cidr: str = "10.100.0.0/22", logs: Any = None, **overrides: Any
) -> str:
    """Create an endpoint; defaults are AWS's, so it breaks the default policy unless told.

    One that logs gets its log group first, with ``logs`` (a CloudWatch Logs client in the
    endpoint's account; by default one in ``ec2``'s region and at its endpoint URL, so an
    emulator server's ``ec2`` gets that server's logs, with the default credentials).
    """
    request = create_request(ec2.meta.region_name, cidr=cidr, **overrides)
    group = log_group_of(request)
    if group is not None:
        if logs is None:
            url = ec2.meta.endpoint_url
            local = None if "amazonaws.com" in url else url  # moto in-process answers AWS's
            logs = shared_session().client(
                "logs", region_name=ec2.meta.region_name, endpoint_url=local
            )
        create_log_group(logs, group)
    return str(ec2.create_client_vpn_endpoint(**request)["ClientVpnEndpointId"])


def seed_endpoint(region: str, name: str, *, cidr: str = "10.200.0.0/22", **settings: Any) -> str:
    """Create an endpoint straight in the in-process emulator's backend (no HTTP: thousands
    take a second); what it holds is read back through the real API."""
    backend = client_vpn_backend(ec2_backends[ACCOUNT][region])
    request = create_request(region, cidr=cidr, **settings)
    group = log_group_of(request)
    if group is not None:
        logs_backends[ACCOUNT][region].ensure_log_group(group)
    return str(
        backend.create_client_vpn_endpoint(request, {"Name": name}, None, False)[
            "ClientVpnEndpointId"
        ]
    )


def compliant_overrides() -> dict[str, Any]:
    """Settings that satisfy the bundled default policy."""
    return {
        "ConnectionLogOptions": {"Enabled": True, "CloudwatchLogGroup": "/aws/clientvpn"},
        "SessionTimeoutHours": 12,
        "DisconnectOnSessionTimeout": True,
        "ClientLoginBannerOptions": {"Enabled": True, "BannerText": BANNER},
        # botocore documents the portal's default as "enabled"; the default policy forbids it.
        "SelfServicePortal": "disabled",
    }


def subscribe_queue(sns: Any, sqs: Any, name: str = "cvpn-guard-notices") -> tuple[str, str]:
    """An SNS topic with an SQS subscription (not raw: the subscriber sees the SNS envelope)."""
    topic_arn = sns.create_topic(Name=name)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=f"{name}-subscriber")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return topic_arn, queue_url


def received_notices(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    """Every SNS envelope waiting on the queue (drained)."""
    notices: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not messages:
            return notices
        for message in messages:
            notices.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def create_state_table(dynamodb: Any, name: str = "cvpn-guard-state") -> str:
    """The enforcer's lease/outbox table, as template.yaml defines it."""
    dynamodb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name
