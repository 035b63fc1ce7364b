"""The demo's estate: notification plumbing, Client VPN endpoints and the policy file.

The endpoints are created with real boto3 calls against the emulator, each with a short
story a newcomer can follow: one is fine, some drifted in the ways the policy exists to
catch, one is exempt, two have users connected right now, and one waits for a maintenance
window of its own (its tag names it) before a fix may disconnect its users. Beside them, the
contractors' VPC that the sample events associate, secure and route through.
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
ENFORCE_OPT_IN = "mode: enforce  # the demo's opt-in: the baseline only reports (docs/deploy.md, Roll out safely)"


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
class DemoNetwork:
    """The contractors' VPC in the primary region: what the samples' network calls act on."""

    vpc_id: str
    subnet_id: str
    default_group_id: str
    """The VPC's default security group: the one the create sample names."""
    vpn_group_id: str
    """``contractors-vpn``: the group the apply-security-groups sample puts in its place."""

    def aliases(self) -> dict[str, str]:
        """Each network id the samples name -> the id of its counterpart here."""
        return {
            SAMPLE_VPC: self.vpc_id,
            SAMPLE_SUBNET: self.subnet_id,
            SAMPLE_CREATE_GROUP: self.default_group_id,
            SAMPLE_VPN_GROUP: self.vpn_group_id,
        }


# The network the sample events name (events/README.md). Client VPN's client range
# (10.100.0.0/22, every demo endpoint's) must not overlap the VPC's.
SAMPLE_VPC = "vpc-0f1e2d3c4b5a69788"
SAMPLE_SUBNET = "subnet-0b1c2d3e4f5a6b7c8"
SAMPLE_CREATE_GROUP = "sg-0a1b2c3d4e5f60718"
SAMPLE_VPN_GROUP = "sg-0c1d2e3f4a5b6c7d8"
VPC_CIDR = "10.0.0.0/16"
SUBNET_CIDR = "10.0.1.0/24"
VPN_GROUP_NAME = "contractors-vpn"


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


def create_network(client: ClientFactory, region: str = PRIMARY_REGION) -> DemoNetwork:
    """The contractors' VPC, one subnet and the VPN's security group."""
    ec2 = client("ec2", region)
    name = [{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "contractors"}]}]
    vpc_id = str(ec2.create_vpc(CidrBlock=VPC_CIDR, TagSpecifications=name)["Vpc"]["VpcId"])
    subnet_id = str(
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=SUBNET_CIDR, AvailabilityZone=f"{region}a")[
            "Subnet"
        ]["SubnetId"]
    )
    (default,) = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"]
    vpn_group = ec2.create_security_group(
        GroupName=VPN_GROUP_NAME, Description="Client VPN for contractors", VpcId=vpc_id
    )["GroupId"]
    return DemoNetwork(vpc_id, subnet_id, str(default["GroupId"]), str(vpn_group))


def in_network(network: DemoNetwork) -> dict[str, Any]:
    """What the create sample asks for besides its settings: the endpoint in the VPC, with
    the security group it names."""
    return {"VpcId": network.vpc_id, "SecurityGroupIds": [network.default_group_id]}


def create_endpoint(
    client: ClientFactory,
    spec: EndpointSpec,
    window: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> SeededEndpoint:
    """Create ``spec`` on the emulator (after its log group, and with its access-all rule,
    when it has them); an ``own_window`` spec is tagged with maintenance window ``window``;
    ``extra`` is added to the request (its VPC and security groups)."""
    ec2 = client("ec2", spec.region)
    tags = [{"Key": "Name", "Value": spec.name}, {"Key": "owner", "Value": "platform"}]
    if spec.own_window and window is not None:
        tags.append({"Key": WINDOW_TAG, "Value": window})
    request = create_request(
        spec.region,
        TagSpecifications=[{"ResourceType": "client-vpn-endpoint", "Tags": tags}],
        **spec.settings,
        **(extra or {}),
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
