"""botocore's exceptions become AwsCallError with a code that tells transient from permanent."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)

from cvpn_guard.aws.errors import aws_call
from cvpn_guard.exceptions import AwsCallError


def _translated(error: Exception) -> AwsCallError:
    with pytest.raises(AwsCallError) as caught, aws_call("ModifyClientVpnEndpoint"):
        raise error
    return caught.value


def test_a_request_botocore_refuses_to_send_is_permanent() -> None:
    # Given botocore's model does not know a field the request carries (an older botocore)
    error = ParamValidationError(report='Unknown parameter in input: "DevicePostureOptions"')

    # When the call is translated / Then it is permanent: a retry would fail the same way
    translated = _translated(error)
    assert translated.code == "ParamValidationError"
    assert not translated.transient
    assert "DevicePostureOptions" in translated.message


@pytest.mark.parametrize(
    "error",
    [
        EndpointConnectionError(endpoint_url="https://ec2.eu-west-1.amazonaws.com"),
        ConnectTimeoutError(endpoint_url="https://ec2.eu-west-1.amazonaws.com"),
        ReadTimeoutError(endpoint_url="https://ec2.eu-west-1.amazonaws.com"),
    ],
    ids=type,
)
def test_connection_failures_are_transient(error: Exception) -> None:
    translated = _translated(error)
    assert translated.code == "ConnectionError"
    assert translated.transient


def test_other_client_side_errors_are_permanent_and_named() -> None:
    translated = _translated(NoCredentialsError())
    assert translated.code == "NoCredentialsError"
    assert not translated.transient
