"""Run every emulator test twice: in-process under ``mock_aws``, and over HTTP.

The ``emulator`` fixture hands a test one way of reaching the emulator. In-process it
wraps the test in ``mock_aws`` and drives faults through the Python API; in server mode
it talks to a real HTTP server (started once per session in a background thread) and
drives faults through the ``/cvpn-emulator`` control API. The same assertions must hold
both ways.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws

import cvpn_emulator
from cvpn_emulator.control import EmulatorControl
from cvpn_emulator.server import running_emulator

REGION = "us-east-1"
ACCOUNT = "123456789012"
CERT_ARN = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555"
ROOT_CHAIN_ARN = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/66666666-7777-8888-9999-000000000000"
SAML_ARN = f"arn:aws:iam::{ACCOUNT}:saml-provider/corp-idp"
SELF_SERVICE_SAML_ARN = f"arn:aws:iam::{ACCOUNT}:saml-provider/corp-idp-portal"
LAMBDA_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:AWSClientVPN-authorize"
# Under mock_aws, moto answers its own API at this host (the server answers it at its URL).
IN_PROCESS_MOTO_API = "http://motoapi.amazonaws.com"
# botocore's ``max_attempts`` counts retries; ``total_max_attempts`` counts the first try too.
NO_RETRIES: dict[str, Any] = {"retries": {"mode": "standard", "total_max_attempts": 1}}


def endpoint_request(**overrides: Any) -> dict[str, Any]:
    """The smallest valid CreateClientVpnEndpoint request, plus overrides."""
    request: dict[str, Any] = {
        "ClientCidrBlock": "10.100.0.0/16",
        "ServerCertificateArn": CERT_ARN,
        "AuthenticationOptions": [
            {
                "Type": "certificate-authentication",
                "MutualAuthentication": {"ClientRootCertificateChainArn": ROOT_CHAIN_ARN},
            }
        ],
        "ConnectionLogOptions": {"Enabled": False},
    }
    request.update(overrides)
    return request


def create_endpoint(ec2: Any, **overrides: Any) -> str:
    return str(
        ec2.create_client_vpn_endpoint(**endpoint_request(**overrides))["ClientVpnEndpointId"]
    )


def describe_endpoint(ec2: Any, endpoint_id: str) -> dict[str, Any]:
    (endpoint,) = ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])[
        "ClientVpnEndpoints"
    ]
    return dict(endpoint)


def associate(ec2: Any, endpoint_id: str, subnet_id: str) -> str:
    response = ec2.associate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, SubnetId=subnet_id
    )
    return str(response["AssociationId"])


def error_of(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    details = error.value.response["Error"]
    return details["Code"], details.get("Message", "")


@dataclass
class Emulator:
    """One way of reaching the emulator: in-process (``url`` is None) or over HTTP."""

    mode: str
    session: Any  # boto3.session.Session; Any because its client() overloads want literals
    url: str | None = None
    control: EmulatorControl | None = None

    def client(self, service: str, region: str = REGION, **config: Any) -> Any:
        return self.session.client(
            service,
            region_name=region,
            endpoint_url=self.url,
            config=Config(**config) if config else None,
        )

    def ec2(self, region: str = REGION, **config: Any) -> Any:
        return self.client("ec2", region, **config)

    def client_in(self, account: str, service: str, role: str = "admin") -> Any:
        """A client acting in ``account`` through its role ``role`` (moto's way across
        accounts: the role need not exist unless the role check is on)."""
        credentials = self.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="test"
        )["Credentials"]
        return self.session.client(
            service,
            region_name=REGION,
            endpoint_url=self.url,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )

    # The fault and state controls, through whichever API this mode exercises.

    def inject_error(
        self, operation: str, error_code: str, times: int | None = 1, **kw: Any
    ) -> None:
        if self.control:
            self.control.inject_error(operation, error_code, times, **kw)
        else:
            cvpn_emulator.inject_error(operation, error_code, times, **kw)

    def ignore_changes(self, endpoint_id: str | None = None, times: int | None = None) -> None:
        if self.control:
            self.control.ignore_changes(endpoint_id=endpoint_id, times=times)
        else:
            cvpn_emulator.ignore_changes(endpoint_id=endpoint_id, times=times)

    def stale_reads(self, endpoint_id: str | None = None, times: int | None = 1) -> None:
        if self.control:
            self.control.stale_reads(endpoint_id, times)
        else:
            cvpn_emulator.stale_reads(endpoint_id, times)

    def clear_faults(self) -> int:
        return self.control.clear_faults() if self.control else cvpn_emulator.clear_faults()

    def faults(self) -> list[dict[str, Any]]:
        return self.control.faults() if self.control else cvpn_emulator.active_faults()

    def seed_connections(
        self,
        endpoint_id: str,
        count: int,
        username: str | None = None,
        established_at: datetime | None = None,
    ) -> list[str]:
        if self.control:
            return self.control.seed_connections(endpoint_id, count, username, established_at)
        return cvpn_emulator.seed_connections(
            endpoint_id, count, username=username, established_at=established_at
        )

    def set_endpoint_status(self, endpoint_id: str, status: str) -> None:
        if self.control:
            self.control.set_endpoint_status(endpoint_id, status)
        else:
            cvpn_emulator.set_endpoint_status(endpoint_id, status)

    def require_existing_roles(self, required: bool = True) -> None:
        if self.control:
            self.control.require_existing_roles(required)
        else:
            cvpn_emulator.require_existing_roles(required)

    def reset(self) -> None:
        """moto's reset (all state, faults and counters), as a user of this mode calls it."""
        if self.control:
            self.control.reset()
        else:
            requests.post(f"{IN_PROCESS_MOTO_API}/moto-api/reset", timeout=10).raise_for_status()

    def call_counts(self) -> dict[str, int]:
        return self.control.call_counts() if self.control else cvpn_emulator.call_counts()

    def endpoint_call_counts(self) -> dict[str, dict[str, int]]:
        if self.control:
            return self.control.endpoint_call_counts()
        return cvpn_emulator.endpoint_call_counts()


@pytest.fixture(autouse=True)
def fake_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    # moto builds ~2,600 AMIs per EC2 backend (0.4 s, after every reset); none is needed here.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    with running_emulator() as url:
        yield url


@pytest.fixture(scope="session")
def boto_session() -> boto3.session.Session:
    """One session for the whole run: mock_aws resets boto3's default session on every
    entry, and a fresh session re-reads botocore's service models (0.5 s per test)."""
    return boto3.session.Session()


@pytest.fixture  # in process; also over HTTP for server_smoke tests (../conftest.py)
def emulator(
    request: pytest.FixtureRequest, boto_session: boto3.session.Session
) -> Iterator[Emulator]:
    cvpn_emulator.install()
    if request.param == "in_process":
        with mock_aws():
            yield Emulator("in_process", boto_session)
        return
    url: str = request.getfixturevalue("emulator_url")
    control = EmulatorControl(url)
    control.reset()
    yield Emulator("server", boto_session, url, control)
    control.reset()


@pytest.fixture
def ec2(emulator: Emulator) -> Any:
    return emulator.ec2()


@dataclass
class Network:
    vpc_id: str
    vpc_cidr: str
    subnet_a: str
    subnet_b: str
    subnet_a2: str
    default_group_id: str


@pytest.fixture
def network(ec2: Any) -> Network:
    """A VPC with subnets in two zones (a second one in zone a), apart from 10.100.0.0/16."""
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]

    def subnet(cidr: str, zone: str) -> str:
        created = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone)
        return str(created["Subnet"]["SubnetId"])

    groups = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"]
    return Network(
        vpc_id=vpc_id,
        vpc_cidr="10.0.0.0/16",
        subnet_a=subnet("10.0.1.0/24", f"{REGION}a"),
        subnet_b=subnet("10.0.2.0/24", f"{REGION}b"),
        subnet_a2=subnet("10.0.3.0/24", f"{REGION}a"),
        default_group_id=groups[0]["GroupId"],
    )
