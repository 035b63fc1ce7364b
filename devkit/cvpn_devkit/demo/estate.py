"""The demo's estate: notification plumbing, Client VPN endpoints and the policy file.

The endpoints are created with real boto3 calls against the emulator, each with a short
story a newcomer can follow: one is fine, some drifted in the ways the policy exists to
catch, one is exempt, two have users connected right now, and one waits for a maintenance
window of its own (its tag names it) before a fix may disconnect its users.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from cvpn_devkit.demo.windows import DemoWindow
from cvpn_devkit.endpoint_request import create_log_group, create_request, log_group_of
from cvpn_guard.policy import WINDOW_TAG

PRIMARY_REGION = "eu-west-1"
SECOND_REGION = "us-east-1"
ACCOUNT = "123456789012"  # the emulator's default account

TOPIC_NAME = "cvpn-guard-notifications"
QUEUE_NAME = "security-team-inbox"
STATE_TABLE = "cvpn-guard-state"

APPROVED_BANNER = (
    "Authorized use only. This VPN and all systems reached through it are monitored; "
    "by connecting you consent to monitoring. Disconnect now if you are not authorized."
)
OLD_BANNER = "Authorized use only. Activity is monitored."
EXEMPTION_TICKET = "NET-4521: load-test rig, owned by the network team"
EXEMPTION_DAYS = 90

# The baseline's top-level ``mode:`` line (comment included), whatever it says.
_MODE_LINE = re.compile(r"^mode:.*$", flags=re.MULTILINE)
ENFORCE_OPT_IN = (
    "mode: enforce  # the demo's opt-in: the baseline only reports (README, Roll out safely)"
)


@dataclass(frozen=True)
class EndpointSpec:
    """One endpoint to create: its name, region, settings and what it illustrates."""

    name: str
    region: str
    story: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    users: Sequence[str] = ()
    access_all: bool = False
    exempt: bool = False
    own_window: bool = False
    """Tagged with the demo's closed maintenance window (the others use ``default``)."""


def compliant_settings(name: str) -> dict[str, Any]:
    """Settings that satisfy the bundled default policy."""
    return {
        "ConnectionLogOptions": {
            "Enabled": True,
            "CloudwatchLogGroup": f"/aws/clientvpn/{name}",
        },
        "SessionTimeoutHours": 12,
        "DisconnectOnSessionTimeout": True,
        "ClientLoginBannerOptions": {"Enabled": True, "BannerText": APPROVED_BANNER},
        "SelfServicePortal": "disabled",
    }


def _drifted(name: str, **changes: Any) -> dict[str, Any]:
    return compliant_settings(name) | changes


SALES_USERS = (
    "ana@example.com",
    "ben@example.com",
    "chloe@example.com",
    "dev@example.com",
    "emma@example.com",
    "farid@example.com",
    "grace@example.com",
)

ESTATE: tuple[EndpointSpec, ...] = (
    EndpointSpec(
        "engineering",
        PRIMARY_REGION,
        "compliant: set up by the book",
        compliant_settings("engineering"),
    ),
    EndpointSpec(
        "sales",
        PRIMARY_REGION,
        "drifted: DisconnectOnSessionTimeout=false, no login banner, 24-hour sessions",
        _drifted(
            "sales",
            DisconnectOnSessionTimeout=False,
            ClientLoginBannerOptions={"Enabled": False},
            SessionTimeoutHours=24,
        ),
        users=SALES_USERS,
    ),
    EndpointSpec(
        "partners",
        PRIMARY_REGION,
        "drifted: the self-service portal is on",
        _drifted("partners", SelfServicePortal="enabled", DnsServers=["8.8.8.8", "8.8.4.4"]),
    ),
    EndpointSpec(
        "lab",
        PRIMARY_REGION,
        "drifted, but exempt: 24-hour sessions and no banner, allowed by a policy exemption",
        _drifted("lab", SessionTimeoutHours=24, ClientLoginBannerOptions={"Enabled": False}),
        exempt=True,
    ),
    EndpointSpec(
        "support",
        SECOND_REGION,
        "compliant: set up by the book",
        compliant_settings("support"),
    ),
    EndpointSpec(
        "legacy",
        SECOND_REGION,
        "drifted: DisconnectOnSessionTimeout=false, an outdated banner text",
        _drifted(
            "legacy",
            DisconnectOnSessionTimeout=False,
            ClientLoginBannerOptions={"Enabled": True, "BannerText": OLD_BANNER},
        ),
        users=("hana@example.com", "ivan@example.com", "jon@example.com"),
        # One disruptive fix (DisconnectOnSessionTimeout) and one that disconnects nobody
        # (the banner), fixed by the sweep only: the one fix the demo shows deferred.
        own_window=True,
    ),
    EndpointSpec(
        "research",
        SECOND_REGION,
        "drifted: an authorization rule lets every client reach 0.0.0.0/0",
        compliant_settings("research"),
        access_all=True,
    ),
)

CONTRACTORS = EndpointSpec(
    "contractors",
    PRIMARY_REGION,
    "created by jane.doe with the settings of events/create_endpoint_noncompliant.json",
    {
        # What the sample CloudTrail event records; everything else is AWS's default.
        "ConnectionLogOptions": {"Enabled": False},
        "TransportProtocol": "udp",
        "SplitTunnel": True,
        "Description": "Contractor access",
        "SessionTimeoutHours": 24,
        "DisconnectOnSessionTimeout": False,
    },
)


@dataclass(frozen=True)
class SeededEndpoint:
    """An endpoint that exists on the emulator."""

    spec: EndpointSpec
    endpoint_id: str


@dataclass
class Plumbing:
    """Where notices go: the SNS topic, the subscribed queue, the enforcer's state table."""

    topic_arn: str
    queue_url: str
    table_name: str


ClientFactory = Callable[[str, str], Any]
"""(service, region) -> a boto3 client pointed at the emulator."""


def create_plumbing(client: ClientFactory, region: str = PRIMARY_REGION) -> Plumbing:
    """An SNS topic with an SQS queue subscribed (not raw delivery: the subscriber sees the
    SNS envelope, Subject and MessageAttributes included) and the DynamoDB state table."""
    sns, sqs, dynamodb = client("sns", region), client("sqs", region), client("dynamodb", region)
    topic_arn = sns.create_topic(Name=TOPIC_NAME)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=QUEUE_NAME)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    # The table as template.yaml defines it: the enforcer's leases and notification outbox.
    dynamodb.create_table(
        TableName=STATE_TABLE,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return Plumbing(topic_arn=topic_arn, queue_url=queue_url, table_name=STATE_TABLE)


def create_endpoint(
    client: ClientFactory, spec: EndpointSpec, window: str | None = None
) -> SeededEndpoint:
    """Create ``spec`` on the emulator (after its log group, and with its access-all rule,
    when it has them); an ``own_window`` spec is tagged with maintenance window ``window``."""
    ec2 = client("ec2", spec.region)
    tags = [{"Key": "Name", "Value": spec.name}, {"Key": "owner", "Value": "platform"}]
    if spec.own_window and window is not None:
        tags.append({"Key": WINDOW_TAG, "Value": window})
    request = create_request(
        spec.region,
        TagSpecifications=[{"ResourceType": "client-vpn-endpoint", "Tags": tags}],
        **spec.settings,
    )
    group = log_group_of(request)
    if group is not None:
        create_log_group(client("logs", spec.region), group)
    endpoint_id = str(ec2.create_client_vpn_endpoint(**request)["ClientVpnEndpointId"])
    if spec.access_all:
        ec2.authorize_client_vpn_ingress(
            ClientVpnEndpointId=endpoint_id,
            TargetNetworkCidr="0.0.0.0/0",
            AuthorizeAllGroups=True,
            Description="temporary: everyone to everywhere",
        )
    return SeededEndpoint(spec, endpoint_id)


def seed_estate(
    client: ClientFactory, connect: Callable[[str, str], None], window: str
) -> list[SeededEndpoint]:
    """Create every endpoint of ``ESTATE``; ``connect(endpoint_id, user)`` opens a session;
    the ``own_window`` endpoints are tagged with maintenance window ``window``."""
    seeded = [create_endpoint(client, spec, window) for spec in ESTATE]
    for endpoint in seeded:
        for user in endpoint.spec.users:
            connect(endpoint.endpoint_id, user)
    return seeded


def enforcing(default_text: str) -> str:
    """The bundled baseline switched to ``mode: enforce``, as an operator opts in.

    The baseline says ``mode: report`` (nothing is modified until a policy says enforce);
    the demo shows what enforcement does, so it writes the one line an operator writes.
    """
    text, replaced = _MODE_LINE.subn(ENFORCE_OPT_IN, default_text, count=1)
    if replaced:
        return text
    # No mode line: the baseline relies on the default (report); a second key would be a
    # duplicate, so the opt-in is added only here.
    return default_text.rstrip("\n") + "\n" + ENFORCE_OPT_IN + "\n"


def demo_policy_text(
    default_text: str,
    exempt: Sequence[SeededEndpoint],
    today: date,
    windows: Mapping[str, DemoWindow],
) -> str:
    """The bundled baseline in enforce mode, with disruptive fixes only inside ``windows``,
    plus an exemption for each exempt endpoint."""
    expires = today + timedelta(days=EXEMPTION_DAYS)
    lines = [
        enforcing(default_text).rstrip("\n"),
        "",
        "# Added by the demo: fixes that disconnect users wait for the endpoint's maintenance",
        f"# window (the one its {WINDOW_TAG} tag names, else default).",
        "disruptive_fixes:",
        "  when: in_window",
        "  windows:",
        *(f"    {name}: {window.yaml()}" for name, window in windows.items()),
    ]
    if exempt:
        # Without exempt endpoints the key stays out: an empty "exemptions:" is null, an error.
        lines += [
            "",
            "# Added by the demo: endpoints spared some rules, each with a reason and an end date.",
            "exemptions:",
        ]
    for endpoint in exempt:
        lines += [
            f"  - endpoint_id: {endpoint.endpoint_id}",
            "    rules: [session-timeout, login-banner]",
            f"    reason: {json.dumps(EXEMPTION_TICKET)}",
            f"    expires: {expires.isoformat()}",
        ]
    return "\n".join(lines) + "\n"
