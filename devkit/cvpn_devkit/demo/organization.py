"""The organization demo's world: an organization, the central stack, the member stacks.

Each piece is created from the repository's own templates, evaluated for this organization
(:class:`cvpn_devkit.cfn.Deployed`): the central bus's resource policy and rule and the
functions' environment variables come from template.yaml deployed with ``OrganizationId``; the
member's forwarding rule and ``cvpn-guard-member`` role (trust and permissions) come from
org/member.yaml. Only what the emulator cannot run is stood in for: EventBridge delivers the
central rule's events to an SQS queue where AWS would invoke the enforcer Lambda, and the
demo invokes the function with each of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cvpn_devkit.cfn import Deployed
from cvpn_devkit.demo import estate

CENTRAL_ACCOUNT = estate.ACCOUNT
"""The management account, which also holds the central stack in this demo."""
STACK = "cvpn-guard"
REGIONS = (estate.PRIMARY_REGION, estate.SECOND_REGION)
ROLE_REGION = estate.PRIMARY_REGION
"""The member StackSet's RoleRegion: the one region whose stack instance creates the role."""
ENFORCER_INVOCATIONS = "enforcer-invocations"
"""Where the central rule delivers, standing in for the enforcer Lambda target."""

# What the central stack's roles are called once deployed (CloudFormation adds a suffix).
CENTRAL_ROLE_ARNS = {
    "EnforcerRole.Arn": f"arn:aws:iam::{CENTRAL_ACCOUNT}:role/{STACK}-EnforcerRole-DEMO",
    "SweeperRole.Arn": f"arn:aws:iam::{CENTRAL_ACCOUNT}:role/{STACK}-SweeperRole-DEMO",
}

# The function's logical id in template.yaml -> its name in the demo.
FUNCTIONS = {
    "EnforcerFunction": "cvpn-guard-enforcer",
    "SweeperFunction": "cvpn-guard-sweeper",
    "SweepWorkerFunction": "cvpn-guard-sweep-worker",
}

ClientFactory = Callable[[str, str], Any]
"""(service, region) -> a boto3 client of one account, pointed at the emulator."""


def load_template(path: Path) -> dict[str, Any]:
    """A CloudFormation/SAM template, its short-form functions (!Sub, !Ref) as mappings."""
    from samtranslator.yaml_helper import yaml_parse  # type: ignore[import-untyped]

    template: dict[str, Any] = yaml_parse(path.read_text(encoding="utf-8"))
    return template


@dataclass(frozen=True)
class Organization:
    """The organization: its id and its accounts (name -> account id), management first."""

    id: str
    accounts: Mapping[str, str]

    @property
    def names(self) -> dict[str, str]:
        """Account id -> name."""
        return {account: name for name, account in self.accounts.items()}


def create_organization(
    organizations: Any, management: str, members: Sequence[str]
) -> Organization:
    """An organization managed by the caller's account, with one new account per member name
    (Organizations gives each its OrganizationAccountAccessRole, as in AWS)."""
    organization_id = str(organizations.create_organization(FeatureSet="ALL")["Organization"]["Id"])
    accounts = {management: CENTRAL_ACCOUNT}
    for name in members:
        status = organizations.create_account(Email=f"aws+{name}@example.com", AccountName=name)[
            "CreateAccountStatus"
        ]
        accounts[name] = str(status["AccountId"])
    return Organization(organization_id, accounts)


@dataclass(frozen=True)
class OrganizationBus:
    """The central stack's event bus, its resource policy and the enforcer's rule on it."""

    arn: str
    policy: dict[str, Any]
    rule_name: str


@dataclass
class CentralStack:
    """What ``sam deploy --parameter-overrides OrganizationId=…`` created, as the demo needs it."""

    plumbing: estate.Plumbing
    bus: OrganizationBus
    enforcer_queue_url: str
    sweep_queue_url: str
    policy_parameter: str
    environments: dict[str, dict[str, str]] = field(default_factory=dict)
    """Function name -> the environment variables template.yaml gives it."""


def central_parameters(organization: Organization) -> dict[str, Any]:
    """The central stack's parameter overrides in this demo."""
    return {"OrganizationId": organization.id, "SweepRegions": ",".join(REGIONS)}


CENTRAL_PSEUDO_PARAMETERS = {
    "AWS::AccountId": CENTRAL_ACCOUNT,
    "AWS::Region": estate.PRIMARY_REGION,
    "AWS::StackName": STACK,
}


def create_organization_bus(
    client: ClientFactory,
    template: Mapping[str, Any],
    organization: Organization,
    *,
    enforcer_arn: str,
) -> OrganizationBus:
    """The bus, with the template's resource policy, and the rule that invokes
    ``enforcer_arn`` (a stand-in's ARN: the emulator cannot invoke a Lambda function)."""
    events = client("events", estate.PRIMARY_REGION)
    parameters = central_parameters(organization)
    names = Deployed(template, pseudo_parameters=CENTRAL_PSEUDO_PARAMETERS, **parameters)
    bus_name = str(names.resource("OrganizationEventBus")["Name"])
    bus_arn = str(events.create_event_bus(Name=bus_name)["EventBusArn"])
    deployed = Deployed(
        template,
        pseudo_parameters=CENTRAL_PSEUDO_PARAMETERS,
        resources={**CENTRAL_ROLE_ARNS, "OrganizationEventBus.Arn": bus_arn},
        **parameters,
    )
    bus_policy = deployed.resource("OrganizationEventBusPolicy")
    statement = {"Sid": bus_policy["StatementId"], **bus_policy["Statement"]}
    events.put_permission(
        EventBusName=bus_name,
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )
    rule = deployed.resource("OrganizationEndpointChangedRule")
    events.put_rule(
        Name=rule["Name"],
        EventBusName=bus_name,
        EventPattern=json.dumps(rule["EventPattern"]),
        State=rule["State"],
        Description=rule["Description"],
    )
    events.put_targets(
        Rule=rule["Name"], EventBusName=bus_name, Targets=[{"Id": "enforcer", "Arn": enforcer_arn}]
    )
    return OrganizationBus(bus_arn, statement, str(rule["Name"]))


def deploy_central_stack(
    client: ClientFactory, template: Mapping[str, Any], organization: Organization, policy: str
) -> CentralStack:
    """The central stack's bus (policy and rule), queues, table, topic and policy parameter."""
    region = estate.PRIMARY_REGION
    parameters = central_parameters(organization)
    names = Deployed(template, pseudo_parameters=CENTRAL_PSEUDO_PARAMETERS, **parameters)
    plumbing = estate.create_plumbing(client, region)
    sqs = client("sqs", region)
    sweep_queue_url = str(sqs.create_queue(QueueName=f"{STACK}-SweepQueue")["QueueUrl"])
    enforcer_queue_url = str(sqs.create_queue(QueueName=ENFORCER_INVOCATIONS)["QueueUrl"])
    bus = create_organization_bus(
        client, template, organization, enforcer_arn=queue_arn(sqs, enforcer_queue_url)
    )
    parameter = names.resource("PolicyParameter")
    client("ssm", region).put_parameter(
        Name=parameter["Name"], Value=policy, Type="String", Description=parameter["Description"]
    )
    deployed = Deployed(
        template,
        pseudo_parameters=CENTRAL_PSEUDO_PARAMETERS,
        resources={
            **CENTRAL_ROLE_ARNS,
            "NotificationTopic": plumbing.topic_arn,
            "StateTable": plumbing.table_name,
            "SweepQueue": sweep_queue_url,
            "PolicyParameter": parameter["Name"],
        },
        **parameters,
    )
    return CentralStack(
        plumbing=plumbing,
        bus=bus,
        enforcer_queue_url=enforcer_queue_url,
        sweep_queue_url=sweep_queue_url,
        policy_parameter=str(parameter["Name"]),
        environments={
            name: function_environment(deployed, logical_id)
            for logical_id, name in FUNCTIONS.items()
        },
    )


def function_environment(deployed: Deployed, logical_id: str) -> dict[str, str]:
    """The environment variables of ``logical_id``: the Globals' and its own, as deployed."""
    shared = deployed.value(deployed.template["Globals"]["Function"]["Environment"]["Variables"])
    own = deployed.resource(logical_id).get("Environment", {}).get("Variables", {})
    return {name: str(value) for name, value in {**shared, **own}.items()}


@dataclass(frozen=True)
class MemberStack:
    """One stack instance of the member StackSet."""

    account: str
    region: str
    rule_name: str
    member_role_arn: str | None
    """Set in the RoleRegion's instance only (IAM is global)."""


def deploy_member_stack(
    client: ClientFactory,
    template: Mapping[str, Any],
    *,
    account: str,
    region: str,
    central_bus_arn: str,
    organization: Organization,
) -> MemberStack:
    """org/member.yaml in ``account`` and ``region``, with the central stack's outputs."""
    deployed = Deployed(
        template,
        pseudo_parameters={"AWS::AccountId": account, "AWS::Region": region},
        CentralEventBusArn=central_bus_arn,
        CentralRoleArns=",".join(CENTRAL_ROLE_ARNS.values()),
        OrganizationId=organization.id,
        RoleRegion=ROLE_REGION,
    )
    iam, events = client("iam", region), client("events", region)
    forward_role = _create_role(
        iam, f"cvpn-guard-member-ForwardRole-{region}", deployed.resource("ForwardRole")
    )
    rule = deployed.resource("ForwardEndpointChanges")
    events.put_rule(
        Name=rule["Name"],
        EventPattern=json.dumps(rule["EventPattern"]),
        State=rule["State"],
        Description=rule["Description"],
    )
    events.put_targets(
        Rule=rule["Name"],
        Targets=[
            {"Id": t["Id"], "Arn": t["Arn"], "RoleArn": forward_role} for t in rule["Targets"]
        ],
    )
    member_role = None
    if deployed.condition("CreateMemberRole"):
        properties = deployed.resource("MemberRole")
        member_role = _create_role(iam, properties["RoleName"], properties)
    return MemberStack(account, region, str(rule["Name"]), member_role)


def _create_role(iam: Any, name: str, properties: Mapping[str, Any]) -> str:
    arn = str(
        iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(properties["AssumeRolePolicyDocument"]),
            Description=properties.get("Description", ""),
        )["Role"]["Arn"]
    )
    for policy in properties.get("Policies", []):
        iam.put_role_policy(
            RoleName=name,
            PolicyName=policy["PolicyName"],
            PolicyDocument=json.dumps(policy["PolicyDocument"]),
        )
    return arn


def queue_arn(sqs: Any, queue_url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])


def take_messages(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    """Every message body waiting on ``queue_url`` (JSON), deleted once taken."""
    bodies: list[dict[str, Any]] = []
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
        "Messages", []
    ):
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def put_cloudtrail_event(events: Any, event: Mapping[str, Any]) -> None:
    """Put ``event`` on the account's default bus, as CloudTrail does after an EC2 call."""
    response = events.put_events(
        Entries=[
            {
                "Source": event["source"],
                "DetailType": event["detail-type"],
                "Detail": json.dumps(event["detail"]),
                "Resources": list(event.get("resources", [])),
            }
        ]
    )
    if response.get("FailedEntryCount"):
        raise RuntimeError(f"PutEvents refused the event: {response['Entries']}")
