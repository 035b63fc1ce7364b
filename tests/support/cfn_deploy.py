"""Deploy a template's Client VPN resources onto the emulator, as CloudFormation would.

The equivalence test needs the live endpoints a template creates, made without the product's
own template reader: the template is loaded by SAM's YAML loader, its values are evaluated by
the dev kit's CloudFormation evaluator (``cvpn_devkit.cfn``), and each resource is created
through the EC2 API call CloudFormation makes for it, whose parameters the Client VPN
resource types' properties mirror (CloudFormation User Guide, AWS::EC2::ClientVpn*). What the
template leaves out is then the emulator's Create default, not the reader's table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cvpn_devkit.cfn import Deployed
from cvpn_devkit.demo.organization import load_template
from cvpn_devkit.endpoint_request import create_log_group
from cvpn_devkit.lambda_harness import ACCOUNT

Creator = Callable[["_Deployment", str, dict[str, Any]], None]


class _Deployment:
    def __init__(self, template: Mapping[str, Any], ec2: Any, logs: Any) -> None:
        self.template = template
        self.ec2 = ec2
        self.logs = logs
        self.region: str = ec2.meta.region_name
        self.resources: dict[str, str] = {}

    def properties(self, logical_id: str) -> dict[str, Any]:
        deployed = Deployed(
            self.template,
            pseudo_parameters={"AWS::Region": self.region, "AWS::AccountId": ACCOUNT},
            resources=self.resources,
        )
        return deployed.resource(logical_id)

    def condition_holds(self, resource: Mapping[str, Any]) -> bool:
        name = resource.get("Condition")
        if name is None:
            return True
        deployed = Deployed(
            self.template,
            pseudo_parameters={"AWS::Region": self.region, "AWS::AccountId": ACCOUNT},
            resources=self.resources,
        )
        return deployed.condition(name)


def _vpc(deployment: _Deployment, logical_id: str, properties: dict[str, Any]) -> None:
    vpc = deployment.ec2.create_vpc(CidrBlock=properties["CidrBlock"])["Vpc"]
    groups = deployment.ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc["VpcId"]]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"]
    deployment.resources[logical_id] = vpc["VpcId"]
    deployment.resources[f"{logical_id}.VpcId"] = vpc["VpcId"]
    deployment.resources[f"{logical_id}.CidrBlock"] = properties["CidrBlock"]
    deployment.resources[f"{logical_id}.DefaultSecurityGroup"] = groups[0]["GroupId"]


def _subnet(deployment: _Deployment, logical_id: str, properties: dict[str, Any]) -> None:
    zone = properties.get("AvailabilityZone") or f"{deployment.region}a"
    subnet = deployment.ec2.create_subnet(
        VpcId=properties["VpcId"], CidrBlock=properties["CidrBlock"], AvailabilityZone=zone
    )["Subnet"]
    deployment.resources[logical_id] = subnet["SubnetId"]
    deployment.resources[f"{logical_id}.SubnetId"] = subnet["SubnetId"]


def _security_group(deployment: _Deployment, logical_id: str, properties: dict[str, Any]) -> None:
    group_id = deployment.ec2.create_security_group(
        GroupName=logical_id,
        Description=properties.get("GroupDescription", logical_id),
        VpcId=properties["VpcId"],
    )["GroupId"]
    deployment.resources[logical_id] = group_id
    deployment.resources[f"{logical_id}.GroupId"] = group_id


def _log_group(deployment: _Deployment, logical_id: str, properties: dict[str, Any]) -> None:
    # CloudFormation names a group the template does not name after the stack and logical id.
    name = properties.get("LogGroupName") or f"/stack/{logical_id}"
    create_log_group(deployment.logs, name)
    deployment.resources[logical_id] = name
    deployment.resources[f"{logical_id}.Arn"] = (
        f"arn:aws:logs:{deployment.region}:{ACCOUNT}:log-group:{name}:*"
    )


def _function(deployment: _Deployment, logical_id: str, properties: dict[str, Any]) -> None:
    name = properties.get("FunctionName") or f"stack-{logical_id}"
    deployment.resources[logical_id] = name
    deployment.resources[f"{logical_id}.Arn"] = (
        f"arn:aws:lambda:{deployment.region}:{ACCOUNT}:function:{name}"
    )


def _endpoint(deployment: _Deployment, logical_id: str, properties: dict[str, Any]) -> None:
    endpoint_id = deployment.ec2.create_client_vpn_endpoint(**properties)["ClientVpnEndpointId"]
    deployment.resources[logical_id] = endpoint_id


def _association(deployment: _Deployment, logical_id: str, properties: dict[str, Any]) -> None:
    deployment.ec2.associate_client_vpn_target_network(**properties)


def _authorization(deployment: _Deployment, logical_id: str, properties: dict[str, Any]) -> None:
    deployment.ec2.authorize_client_vpn_ingress(**properties)


def _route(deployment: _Deployment, logical_id: str, properties: dict[str, Any]) -> None:
    deployment.ec2.create_client_vpn_route(**properties)


# In the order CloudFormation's dependencies put them: what an endpoint refers to first, then
# the endpoint, then what refers to it (routes after the associations they go through).
CREATORS: tuple[tuple[str, Creator], ...] = (
    ("AWS::EC2::VPC", _vpc),
    ("AWS::EC2::Subnet", _subnet),
    ("AWS::EC2::SecurityGroup", _security_group),
    ("AWS::Logs::LogGroup", _log_group),
    ("AWS::Serverless::Function", _function),
    ("AWS::Lambda::Function", _function),
    ("AWS::EC2::ClientVpnEndpoint", _endpoint),
    ("AWS::EC2::ClientVpnTargetNetworkAssociation", _association),
    ("AWS::EC2::ClientVpnAuthorizationRule", _authorization),
    ("AWS::EC2::ClientVpnRoute", _route),
)


def deploy_template(path: Path, ec2: Any, logs: Any) -> dict[str, str]:
    """Create the template's resources with ``ec2`` and ``logs`` (boto3 clients of one
    region); the logical id of each Client VPN endpoint -> the id AWS gave it."""
    template = load_template(path)
    deployment = _Deployment(template, ec2, logs)
    endpoints: dict[str, str] = {}
    for resource_type, create in CREATORS:
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] != resource_type or not deployment.condition_holds(resource):
                continue
            create(deployment, logical_id, deployment.properties(logical_id))
            if resource_type == "AWS::EC2::ClientVpnEndpoint":
                endpoints[logical_id] = deployment.resources[logical_id]
    return endpoints
