"""The rules' data table (``EXTRA_READS``): each kind of data a rule may need, its call, the
state field its answer fills, its EC2 operation and its IAM action, and the reads that follow.

The templates' grants of these actions are checked in tests/unit/template/ (their parameter
lists come from this table), the trimmed service models' operations in service_models.
"""

from __future__ import annotations

import inspect
from typing import Any

import botocore.session
import pytest

from cvpn_guard.aws import service_models
from cvpn_guard.aws.ec2 import ClientVpnApi
from cvpn_guard.endpoint import CERTIFICATE_AUTHENTICATION, EndpointState
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.extra_reads import EXTRA_READS, read_extra
from cvpn_guard.ports import ClientVpnPort
from cvpn_guard.rules import Needs

ENDPOINT_ID = "cvpn-endpoint-0123456789abcdef0"
VPC_ID = "vpc-0123456789abcdef0"
ITEM = {
    "ClientVpnEndpointId": ENDPOINT_ID,
    "VpcId": VPC_ID,
    "AuthenticationOptions": [{"Type": CERTIFICATE_AUTHENTICATION}],
}


class RecordingPort:
    """Answers every read with its own name, and records the calls."""

    def __init__(self, refuse: str | None = None) -> None:
        self.calls: list[tuple[str, str]] = []
        self._refuse = refuse

    def __getattr__(self, name: str) -> Any:
        def call(argument: str) -> str:
            self.calls.append((name, argument))
            if name == self._refuse:
                raise AwsCallError(name, "AccessDenied", "not allowed")
            return name

        return call


def test_every_kind_of_data_has_one_row() -> None:
    assert sorted(extra.need for extra in EXTRA_READS) == sorted(Needs)


@pytest.mark.parametrize("extra", EXTRA_READS, ids=lambda extra: str(extra.need))
def test_each_row_names_a_port_method_a_state_field_and_a_real_ec2_operation(extra: Any) -> None:
    # Given a row of the table
    # Then the port and its boto3 adapter both have its method
    assert callable(getattr(ClientVpnPort, extra.port_method, None)), extra.port_method
    assert callable(getattr(ClientVpnApi, extra.port_method, None)), extra.port_method
    # And EndpointState takes its answer under that keyword
    assert extra.state_field in inspect.signature(EndpointState.from_describe).parameters
    # And its operation is one of botocore's EC2 operations, kept in the trimmed models
    ec2 = botocore.session.get_session().get_service_model("ec2")
    assert extra.operation in ec2.operation_names
    assert extra.operation in service_models.OPERATIONS["ec2"]
    assert extra.iam_action == f"ec2:{extra.operation}"


def test_every_read_needed_is_made_once_with_the_field_it_takes() -> None:
    # Given an endpoint in a VPC that authenticates by certificate, and every kind of need
    port = RecordingPort()

    # When the reads are made
    reads = read_extra(port, ITEM, frozenset(Needs))  # type: ignore[arg-type]

    # Then each row's method was called once, with the endpoint id or the VPC id
    assert sorted(port.calls) == sorted(
        (extra.port_method, ENDPOINT_ID if extra.argument == "ClientVpnEndpointId" else VPC_ID)
        for extra in EXTRA_READS
    )
    # And each answer went to its state field
    assert reads.answers == {extra.state_field: extra.port_method for extra in EXTRA_READS}
    assert reads.failed == {}


def test_only_the_reads_needed_are_made() -> None:
    port = RecordingPort()
    read_extra(port, ITEM, frozenset({Needs.ROUTES}))  # type: ignore[arg-type]
    assert port.calls == [("routes", ENDPOINT_ID)]


def test_reads_an_endpoint_cannot_have_are_not_made() -> None:
    # Given a transit gateway endpoint (no VPC) that authenticates through a directory
    port = RecordingPort()
    item = {
        "ClientVpnEndpointId": ENDPOINT_ID,
        "AuthenticationOptions": [{"Type": "directory-service-authentication"}],
    }

    # When every read is asked for
    read_extra(port, item, frozenset(Needs))  # type: ignore[arg-type]

    # Then neither the default security group nor the revocation list is read
    made = {name for name, _ in port.calls}
    assert "default_security_group_ids" not in made
    assert "revocation_list" not in made
    assert "routes" in made


def test_a_refused_read_is_kept_for_its_rules_and_the_others_are_made() -> None:
    # Given AWS refusing the routes
    port = RecordingPort(refuse="routes")

    # When every read is asked for
    reads = read_extra(port, ITEM, frozenset(Needs))  # type: ignore[arg-type]

    # Then the routes' failure is kept under its need, and every other answer is there
    assert set(reads.failed) == {Needs.ROUTES}
    assert "routes" not in reads.answers
    assert len(reads.answers) == len(EXTRA_READS) - 1
