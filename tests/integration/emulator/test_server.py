"""Server mode: the exact HTTP control contract, concurrency, and ``python -m cvpn_emulator``."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from cvpn_emulator.control import EmulatorControl, EmulatorControlError
from tests.integration.emulator.conftest import (
    NO_RETRIES,
    REGION,
    create_endpoint,
    describe_endpoint,
    endpoint_request,
)

pytestmark = pytest.mark.server


def call(
    url: str, method: str, path: str, body: Any = None, raw: bytes | None = None
) -> tuple[int, Any]:
    """One raw HTTP call, as a curl user would make it."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(
        f"{url}{path}", data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def post_fault(url: str, **fields: Any) -> tuple[int, Any]:
    """Arm a fault with the documented JSON body."""
    return call(url, "POST", "/cvpn-emulator/faults", fields)


@pytest.fixture
def server(emulator_url: str) -> Iterator[str]:
    call(emulator_url, "POST", "/moto-api/reset")
    yield emulator_url
    call(emulator_url, "POST", "/moto-api/reset")


def ec2_at(url: str, region: str = REGION, **config: Any) -> Any:
    return boto3.client("ec2", region_name=region, endpoint_url=url, config=Config(**config))


def test_error_fault_contract(server: str) -> None:
    # Given an endpoint
    ec2 = ec2_at(server, **NO_RETRIES)
    endpoint_id = create_endpoint(ec2)

    # When the documented request arms three failures
    status, body = call(
        server,
        "POST",
        "/cvpn-emulator/faults",
        {"operation": "ModifyClientVpnEndpoint", "error_code": "RequestLimitExceeded", "times": 3},
    )
    assert status == 201
    assert body["fault"]["remaining"] == 3

    # Then exactly three modifies fail, with AWS's code
    codes = []
    for _ in range(4):
        try:
            ec2.modify_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id, VpnPort=443)
            codes.append("ok")
        except ClientError as error:
            codes.append(error.response["Error"]["Code"])
    assert codes == ["RequestLimitExceeded"] * 3 + ["ok"]

    # And the counts say four modifies arrived
    status, calls = call(server, "GET", "/cvpn-emulator/calls")
    assert status == 200
    assert calls["operations"]["ModifyClientVpnEndpoint"] == 4
    assert calls["endpoints"]["ModifyClientVpnEndpoint"] == {endpoint_id: 4}


@pytest.mark.parametrize(
    ("kind", "operation", "remaining", "timeouts_read"),
    [
        # changes dropped until cleared: every read shows the old 24 h
        ("ignore_changes", "ModifyClientVpnEndpoint", None, [24, 24]),
        # one stale read: the first read shows the old 24 h, the next the new 8 h
        ("stale_reads", "DescribeClientVpnEndpoints", 1, [24, 8]),
    ],
)
def test_fault_kind_contract(
    server: str, kind: str, operation: str, remaining: int | None, timeouts_read: list[int]
) -> None:
    # Given an endpoint (session timeout 24 h)
    ec2 = ec2_at(server)
    endpoint_id = create_endpoint(ec2)

    # When the documented request arms the fault for it, without "times"
    status, body = post_fault(server, operation=operation, endpoint_id=endpoint_id, **{kind: True})

    # Then it answers with the armed fault and the kind's default count
    assert status == 201
    assert body["fault"] == {
        "operation": operation,
        "endpoint_id": endpoint_id,
        "remaining": remaining,
        "kind": kind,
    }
    # And a modify to 8 h is then read as the kind says
    ec2.modify_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id, SessionTimeoutHours=8)
    timeouts = [describe_endpoint(ec2, endpoint_id)["SessionTimeoutHours"] for _ in range(2)]
    assert timeouts == timeouts_read


def test_emulator_control_reports_a_refused_stale_reads_fault(server: str) -> None:
    # When EmulatorControl arms stale reads with a bad count, Then it raises the API's error
    with pytest.raises(EmulatorControlError) as error:
        EmulatorControl(server).stale_reads(times=0)
    assert error.value.status == 400
    assert "times" in error.value.message


def test_delete_faults_contract(server: str) -> None:
    call(
        server,
        "POST",
        "/cvpn-emulator/faults",
        {"operation": "Publish", "error_code": "Throttling"},
    )
    assert call(server, "GET", "/cvpn-emulator/faults")[1]["faults"][0]["operation"] == "Publish"
    assert call(server, "DELETE", "/cvpn-emulator/faults") == (200, {"cleared": 1})
    assert call(server, "GET", "/cvpn-emulator/faults") == (200, {"faults": []})


def test_connections_contract_finds_the_endpoint_in_any_region(server: str) -> None:
    # Given an endpoint in eu-west-1
    ec2 = ec2_at(server, "eu-west-1")
    endpoint_id = create_endpoint(ec2)

    # When five connections are seeded by id alone
    status, body = call(
        server, "POST", "/cvpn-emulator/connections", {"endpoint_id": endpoint_id, "count": 5}
    )

    # Then they are in that region's endpoint
    assert status == 201
    assert len(body["connection_ids"]) == 5
    connections = ec2.describe_client_vpn_connections(ClientVpnEndpointId=endpoint_id)
    assert [c["ConnectionId"] for c in connections["Connections"]] == body["connection_ids"]


def test_endpoint_status_contract(server: str) -> None:
    ec2 = ec2_at(server)
    endpoint_id = create_endpoint(ec2)
    status, _ = call(
        server,
        "POST",
        "/cvpn-emulator/endpoint-status",
        {"endpoint_id": endpoint_id, "status": "deleting"},
    )
    assert status == 200
    (described,) = ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"]
    assert described["Status"] == {"Code": "deleting"}


def test_roles_contract(server: str) -> None:
    status, body = call(server, "POST", "/cvpn-emulator/roles", {"require_existing": True})
    assert (status, body) == (200, {"require_existing": True})
    assert call(server, "GET", "/cvpn-emulator/roles") == (200, {"require_existing": True})
    call(server, "POST", "/cvpn-emulator/roles", {"require_existing": False})
    assert call(server, "GET", "/cvpn-emulator/roles") == (200, {"require_existing": False})


@dataclass(frozen=True)
class BadRequest:
    method: str
    path: str
    payload: bytes | None
    status: int
    message: str


UNKNOWN_ENDPOINT = "cvpn-endpoint-0123456789abcdef0"
BAD_REQUESTS = [
    BadRequest("POST", "/cvpn-emulator/faults", b"{not json", 400, "not valid JSON"),
    BadRequest("POST", "/cvpn-emulator/faults", b"[1, 2]", 400, "JSON object"),
    BadRequest(
        "POST", "/cvpn-emulator/faults", b'{"error_code": "X"}', 400, "'operation' is required"
    ),
    BadRequest(
        "POST", "/cvpn-emulator/faults", b'{"operation": "P"}', 400, "'error_code' is required"
    ),
    BadRequest(
        "POST",
        "/cvpn-emulator/faults",
        b'{"operation": "P", "error_code": "X", "times": 0}',
        400,
        "times",
    ),
    BadRequest(
        "POST",
        "/cvpn-emulator/faults",
        b'{"operation": "Publish", "ignore_changes": true}',
        400,
        "ModifyClientVpnEndpoint",
    ),
    BadRequest(
        "POST",
        "/cvpn-emulator/faults",
        b'{"operation": "ModifyClientVpnEndpoint", "stale_reads": true}',
        400,
        "stale_reads supports only DescribeClientVpnEndpoints",
    ),
    BadRequest(
        "POST", "/cvpn-emulator/faults", b'{"stale_reads": true}', 400, "'operation' is required"
    ),
    BadRequest(
        "POST",
        "/cvpn-emulator/faults",
        b'{"operation": "DescribeClientVpnEndpoints", "stale_reads": true, "times": 0}',
        400,
        "times",
    ),
    BadRequest(
        "POST",
        "/cvpn-emulator/faults",
        b'{"operation": "DescribeClientVpnEndpoints", "stale_reads": true, "times": "2"}',
        400,
        "Field 'times' must be of type int",
    ),
    BadRequest(
        "POST",
        "/cvpn-emulator/faults",
        b'{"operation": "DescribeClientVpnEndpoints", "stale_reads": true, "endpoint_id": 7}',
        400,
        "Field 'endpoint_id' must be of type str",
    ),
    BadRequest(
        "POST",
        "/cvpn-emulator/faults",
        b'{"operation": "DescribeClientVpnEndpoints", "stale_reads": "yes"}',
        400,
        "Field 'stale_reads' must be of type bool",
    ),
    BadRequest(
        "POST",
        "/cvpn-emulator/faults",
        b'{"operation": "DescribeClientVpnEndpoints", "stale_reads": true, "ignore_changes": true}',
        400,
        "Set at most one of 'ignore_changes', 'stale_reads'",
    ),
    BadRequest(
        "POST",
        "/cvpn-emulator/connections",
        json.dumps({"endpoint_id": UNKNOWN_ENDPOINT, "count": 5}).encode(),
        404,
        UNKNOWN_ENDPOINT,
    ),
    BadRequest(
        "POST", "/cvpn-emulator/connections", b'{"endpoint_id": "x", "count": "5"}', 400, "int"
    ),
    BadRequest(
        "POST",
        "/cvpn-emulator/connections",
        b'{"endpoint_id": "x", "count": 1, "established_at": "yesterday"}',
        400,
        "ISO 8601",
    ),
    BadRequest(
        "POST",
        "/cvpn-emulator/endpoint-status",
        json.dumps({"endpoint_id": UNKNOWN_ENDPOINT, "status": "deleting"}).encode(),
        404,
        UNKNOWN_ENDPOINT,
    ),
    BadRequest("POST", "/cvpn-emulator/roles", b"{}", 400, "Field 'require_existing' is required"),
    BadRequest(
        "POST",
        "/cvpn-emulator/roles",
        b'{"require_existing": "yes"}',
        400,
        "Field 'require_existing' must be of type bool",
    ),
    BadRequest("PUT", "/cvpn-emulator/faults", None, 405, "POST"),
    BadRequest("GET", "/cvpn-emulator/nothing", None, 404, "No control endpoint"),
]


@pytest.mark.parametrize(
    "case", BAD_REQUESTS, ids=lambda case: f"{case.method}-{case.status}-{case.message}"
)
def test_bad_control_requests_get_clear_json_errors(server: str, case: BadRequest) -> None:
    status, body = call(server, case.method, case.path, raw=case.payload)
    assert status == case.status
    assert case.message in body["error"]


def test_unknown_status_is_a_bad_request(server: str) -> None:
    endpoint_id = create_endpoint(ec2_at(server))
    status, body = call(
        server,
        "POST",
        "/cvpn-emulator/endpoint-status",
        {"endpoint_id": endpoint_id, "status": "gone"},
    )
    assert status == 400
    assert "pending-associate" in body["error"]


def test_moto_reset_clears_state_faults_and_counts(server: str) -> None:
    # Given an endpoint, a fault and counted calls
    ec2 = ec2_at(server, **NO_RETRIES)
    create_endpoint(ec2)
    call(
        server,
        "POST",
        "/cvpn-emulator/faults",
        {"operation": "Publish", "error_code": "Throttling", "times": None},
    )

    # When moto is reset
    assert call(server, "POST", "/moto-api/reset")[0] == 200

    # Then everything is gone
    assert call(server, "GET", "/cvpn-emulator/faults")[1] == {"faults": []}
    assert call(server, "GET", "/cvpn-emulator/calls")[1] == {"operations": {}, "endpoints": {}}
    assert ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"] == []


def test_concurrent_clients_see_exactly_the_armed_failures(server: str) -> None:
    # Given ten failures armed and a client that does not retry
    ec2 = ec2_at(server, max_pool_connections=8, **NO_RETRIES)
    endpoint_id = create_endpoint(ec2)
    call(
        server,
        "POST",
        "/cvpn-emulator/faults",
        {"operation": "DescribeClientVpnEndpoints", "error_code": "InternalError", "times": 10},
    )

    def describe(_: int) -> str:
        try:
            ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])
        except ClientError as error:
            return str(error_of_response(error))
        return "ok"

    # When forty describes race from eight threads
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(describe, range(40)))

    # Then exactly ten failed and every call was counted
    assert outcomes.count("InternalError") == 10
    assert outcomes.count("ok") == 30
    assert (
        call(server, "GET", "/cvpn-emulator/calls")[1]["operations"]["DescribeClientVpnEndpoints"]
        == 40
    )


def error_of_response(error: ClientError) -> str:
    return str(error.response["Error"]["Code"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def cli_server() -> Iterator[str]:
    """``python -m cvpn_emulator`` in a child process, as a developer would run it."""
    port = free_port()
    environment = {**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}
    process = subprocess.Popen(
        [sys.executable, "-m", "cvpn_emulator", "--host", "127.0.0.1", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                call(url, "GET", "/cvpn-emulator/calls")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("python -m cvpn_emulator did not start within 30 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_module_entry_point_serves_moto_and_client_vpn(
    cli_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given boto3 pointed at the server by AWS_ENDPOINT_URL only
    monkeypatch.setenv("AWS_ENDPOINT_URL", cli_server)
    ec2 = boto3.client("ec2", region_name=REGION)

    # When an endpoint is created, Then it is described, and plain moto APIs work too
    endpoint_id = ec2.create_client_vpn_endpoint(**endpoint_request())["ClientVpnEndpointId"]
    described = ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"]
    assert [endpoint["ClientVpnEndpointId"] for endpoint in described] == [endpoint_id]
    assert ec2.describe_vpcs()["Vpcs"]


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_aws_cli_talks_to_the_server(cli_server: str) -> None:
    # Given the AWS CLI pointed at the server
    environment = {
        **os.environ,
        "AWS_ENDPOINT_URL": cli_server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-central-1",
    }

    def aws(*arguments: str) -> Any:
        completed = subprocess.run(
            ["aws", "ec2", *arguments, "--output", "json"],
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return json.loads(completed.stdout)

    # When an endpoint is created and described with the CLI
    created = aws(
        "create-client-vpn-endpoint",
        "--client-cidr-block",
        "10.200.0.0/16",
        "--server-certificate-arn",
        "arn:aws:acm:eu-central-1:123456789012:certificate/x",
        "--authentication-options",
        "Type=certificate-authentication,MutualAuthentication={ClientRootCertificateChainArn=arn:aws:acm:eu-central-1:123456789012:certificate/y}",
        "--connection-log-options",
        "Enabled=false",
        "--session-timeout-hours",
        "8",
    )
    described = aws("describe-client-vpn-endpoints")

    # Then the CLI sees what it created
    (endpoint,) = described["ClientVpnEndpoints"]
    assert endpoint["ClientVpnEndpointId"] == created["ClientVpnEndpointId"]
    assert endpoint["SessionTimeoutHours"] == 8
