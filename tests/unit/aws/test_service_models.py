"""The cut-down botocore data speaks exactly as botocore's full data does.

For each operation cvpn-guard calls, a request holding every member (nested, lists of two) is
serialized by botocore under both models, and a response holding every member is written by
moto's serializer from the full model and parsed by botocore under both: the results must be
equal. In every region of every partition, each client sends its requests to the same URL,
signed for the same region and service. And the committed data must be what the installed
botocore cuts down to.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

import botocore
import botocore.session
import pytest
from botocore import xform_name
from botocore.awsrequest import AWSPreparedRequest
from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from moto.core.model import ServiceModel as MotoServiceModel
from moto.core.serialize import get_serializer_class

from cvpn_guard.aws import service_models
from cvpn_guard.aws.clients import cached_client, default_session

CASES = [
    (service, operation)
    for service, operations in service_models.OPERATIONS.items()
    for operation in operations
]
DEPTH = 6  # deeper than any kept shape, except the recursive ones (DynamoDB's AttributeValue)


def example(shape: Shape | None, depth: int = 0) -> Any:
    """A value with every member of ``shape`` (only required ones below ``DEPTH``); an
    operation without input (DescribeOrganization) takes ``{}``."""
    if shape is None:
        return {}
    kind = shape.type_name
    if kind == "structure":
        members: dict[str, Shape] = shape.members  # type: ignore[attr-defined]
        required = set(shape.required_members)  # type: ignore[attr-defined]
        return {
            name: example(member, depth + 1)
            for name, member in members.items()
            if depth < DEPTH or name in required
        }
    minimum = int(shape.metadata.get("min", 0))  # the model's own bound (Findings: 1 at least)
    if kind == "list":
        member = shape.member  # type: ignore[attr-defined]
        count = max(2 if depth < DEPTH else 0, minimum)
        return [example(member, depth + 1) for _ in range(count)]
    if kind == "map":
        key, value = shape.key, shape.value  # type: ignore[attr-defined]
        return {example(key, depth + 1): example(value, depth + 1)} if depth < DEPTH else {}
    if kind == "string":
        value = (getattr(shape, "enum", None) or [f"{shape.name}-value"])[0]
        return str(value).ljust(minimum, "x")  # e.g. an ARN of 20 characters at least
    return {
        "integer": 7,
        "long": 7,
        "double": 1.5,
        "float": 1.5,
        "boolean": True,
        "timestamp": datetime(2026, 11, 30, 8, 30, 15, tzinfo=UTC),
        "blob": b"blob",
    }[kind]


# Loaded once per service and kind (each test only reads them): the full EC2 model alone takes
# a tenth of a second to load, and every operation's two tests need it.
@cache
def _model(service: str, *, trimmed: bool) -> dict[str, Any]:
    loader = service_models.CutDownLoader() if trimmed else Loader()
    model: dict[str, Any] = loader.load_service_model(service, "service-2")
    return model


@cache
def _service(service: str, *, trimmed: bool) -> ServiceModel:
    return ServiceModel(_model(service, trimmed=trimmed), service)


def _operation(service: str, operation: str, *, trimmed: bool) -> OperationModel:
    return _service(service, trimmed=trimmed).operation_model(operation)


def _both(service: str, operation: str) -> tuple[OperationModel, OperationModel]:
    return (
        _operation(service, operation, trimmed=False),
        _operation(service, operation, trimmed=True),
    )


def test_the_committed_models_are_what_the_installed_botocore_trims_to() -> None:
    # Given the installed botocore / When its data is cut down again
    wanted = service_models.render(botocore.session.get_session())

    # Then the committed files are exactly that (`make lock` rewrites them)
    for path, text in wanted.items():
        assert path.read_text() == text, f"{path} is stale: run `make lock`"


@pytest.mark.parametrize(("service", "operation"), CASES)
def test_a_request_is_serialized_exactly_as_the_full_model_does(
    service: str, operation: str
) -> None:
    # Given the operation under both models and a request with every member
    full, trimmed = _both(service, operation)
    request = example(full.input_shape)
    serializer = create_serializer(full.metadata["protocol"], include_validation=False)

    # When each model serializes it / Then the wire requests are identical
    assert serializer.serialize_to_request(request, trimmed) == serializer.serialize_to_request(
        request, full
    )


@pytest.mark.parametrize(("service", "operation"), CASES)
def test_a_response_is_parsed_exactly_as_the_full_model_does(service: str, operation: str) -> None:
    # Given a response with every member, as AWS would send it (moto writes it from the model)
    full, trimmed = _both(service, operation)
    protocol = full.metadata["protocol"]
    writer = MotoServiceModel(_model(service, trimmed=False), service).operation_model(operation)
    sent = get_serializer_class(service, protocol)(writer).serialize(example(full.output_shape))
    response = {
        "body": sent["body"].encode() if isinstance(sent["body"], str) else sent["body"],
        "headers": sent["headers"],
        "status_code": sent["status_code"],
    }

    # When each model parses it / Then the results are identical, and not empty
    parsed = create_parser(protocol).parse(response, trimmed.output_shape)
    assert parsed == create_parser(protocol).parse(response, full.output_shape)
    assert set(parsed) - {"ResponseMetadata"}


def test_the_functions_clients_load_only_the_trimmed_operations() -> None:
    # Given the session the Lambda functions' clients come from
    default_session.cache_clear()
    cached_client.cache_clear()
    try:
        # When an EC2 client is created / Then its model has only the operations cvpn-guard calls
        ec2 = cached_client("ec2", "eu-west-1", 3)
        assert sorted(ec2.meta.service_model.operation_names) == sorted(
            service_models.OPERATIONS["ec2"]
        )
        assert isinstance(
            default_session().get_component("data_loader"), service_models.CutDownLoader
        )
    finally:
        default_session.cache_clear()
        cached_client.cache_clear()


class _Sent(Exception):
    """Raised by the send hook: the request is built, signed and never sent."""

    def __init__(self, request: AWSPreparedRequest) -> None:
        super().__init__(request.url)
        self.url = request.url
        authorization = request.headers.get("Authorization", b"")
        text = authorization.decode() if isinstance(authorization, bytes) else authorization
        self.scope = text.split("Credential=", 1)[-1].split(",", 1)[0].split("/", 2)[-1]


def _sent(session: botocore.session.Session, service: str, region: str) -> tuple[str, str]:
    """The URL and the credential scope (date/region/service) of the service's first request."""
    client = session.create_client(
        service, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing"
    )

    def capture(request: AWSPreparedRequest, **_: Any) -> None:
        raise _Sent(request)

    client.meta.events.register("before-send", capture)
    operation = client.meta.service_model.operation_model(service_models.OPERATIONS[service][0])
    arguments = example(operation.input_shape, depth=DEPTH)  # required members only
    method = getattr(client, xform_name(operation.name))
    with pytest.raises(_Sent) as sent:
        method(**arguments)
    return sent.value.url, sent.value.scope


def _regions() -> list[str]:
    partitions = Loader().load_data("partitions")["partitions"]
    return sorted(region for partition in partitions for region in partition["regions"])


@pytest.mark.parametrize("service", sorted(service_models.OPERATIONS))
def test_every_region_gets_the_same_endpoint_and_signature(service: str) -> None:
    # Given one session on botocore's full data and one on the cut-down copy
    full = botocore.session.get_session()
    cut_down = botocore.session.get_session()
    assert service_models.enable(cut_down)

    # When each client sends its first request, in every region AWS has / Then they agree
    for region in _regions():
        assert _sent(cut_down, service, region) == _sent(full, service, region), region


def test_models_cut_from_another_botocore_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a botocore release other than the one the models were cut from
    monkeypatch.setattr(botocore, "__version__", "0.0.1")
    session = botocore.session.get_session()

    # When the session is offered the trimmed models / Then it keeps botocore's full ones
    assert service_models.enable(session) is False
    ec2 = session.create_client("ec2", region_name="eu-west-1")
    assert "RunInstances" in ec2.meta.service_model.operation_names
