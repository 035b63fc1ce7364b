"""A saved estate, checked offline, says what ``scan`` says of the live endpoints it was saved
from: the same rules broken, the same messages.

The endpoints are made on the emulator server; their Describe answers are saved as the AWS
CLI prints them (``aws ec2 describe-client-vpn-endpoints`` and, per endpoint, its
authorization rules and routes), then ``check`` reads the files and ``scan`` the emulator.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from cvpn_emulator.control import EmulatorControl
from cvpn_guard.cli import main
from tests.integration.sweeper.large_estate import REGIONS
from tests.support.estate import compliant_overrides, create_endpoint

pytestmark = pytest.mark.server
REGION = REGIONS[0]


@pytest.fixture
def ec2(emulator_url: str) -> Any:
    EmulatorControl(emulator_url).reset()
    return boto3.client("ec2", region_name=REGION, endpoint_url=emulator_url)


def _as_the_cli_prints(response: dict[str, Any]) -> str:
    # The AWS CLI prints the operation's output shape, without the response metadata, as
    # 4-space indented JSON.
    shape = {key: value for key, value in response.items() if key != "ResponseMetadata"}
    return json.dumps(shape, indent=4, default=str) + "\n"


def _estate(ec2: Any) -> tuple[str, str]:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    compliant = create_endpoint(ec2, cidr="10.100.0.0/22", VpcId=vpc, **compliant_overrides())
    drifted = create_endpoint(ec2, cidr="10.104.0.0/22", VpcId=vpc)
    ec2.authorize_client_vpn_ingress(
        ClientVpnEndpointId=compliant, TargetNetworkCidr="10.0.0.0/16", AccessGroupId="engineers"
    )
    ec2.authorize_client_vpn_ingress(
        ClientVpnEndpointId=drifted, TargetNetworkCidr="0.0.0.0/0", AuthorizeAllGroups=True
    )
    for endpoint in (compliant, drifted):
        ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint, SubnetId=subnet)
    ec2.create_client_vpn_route(
        ClientVpnEndpointId=drifted, DestinationCidrBlock="0.0.0.0/0", TargetVpcSubnetId=subnet
    )
    return compliant, drifted


def _save(ec2: Any, folder: Path, endpoints: tuple[str, ...]) -> None:
    folder.mkdir()
    (folder / "endpoints.json").write_text(_as_the_cli_prints(ec2.describe_client_vpn_endpoints()))
    for endpoint in endpoints:
        rules = ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=endpoint)
        (folder / f"rules-{endpoint}.json").write_text(_as_the_cli_prints(rules))
        routes = ec2.describe_client_vpn_routes(ClientVpnEndpointId=endpoint)
        (folder / f"routes-{endpoint}.json").write_text(_as_the_cli_prints(routes))


def _findings(document: dict[str, Any], key: str) -> dict[str, list[tuple[str, str]]]:
    return {
        endpoint[key]: sorted((f["rule"], f["message"]) for f in endpoint["findings"])
        for endpoint in document["endpoints"]
    }


def test_check_on_a_saved_estate_finds_what_scan_finds_live(
    ec2: Any, emulator_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a compliant and a drifted endpoint on the emulator, and their Describe answers
    # saved as the AWS CLI prints them
    compliant, drifted = _estate(ec2)
    _save(ec2, tmp_path / "estate", (compliant, drifted))

    # When the live endpoints are scanned, and the saved estate is checked, by the baseline
    capsys.readouterr()
    scanned = main(["scan", "--endpoint-url", emulator_url, "--region", REGION, "--format", "json"])
    live = json.loads(capsys.readouterr().out)
    checked = main(["check", "--format", "json", str(tmp_path / "estate")])
    saved = json.loads(capsys.readouterr().out)

    # Then both exit 1 and name the same findings, with the same messages, for each endpoint
    assert (scanned, checked) == (1, 1)
    live_findings = _findings(live, "endpoint_id")
    assert live_findings == _findings(saved, "name")
    assert live_findings[compliant] == []
    assert {rule for rule, _ in live_findings[drifted]} >= {"authorization", "routes"}
