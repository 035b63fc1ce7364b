"""The trimmed service models speak exactly as botocore's full models do, operation by operation.

For each operation cvpn-guard calls, a request holding every member (nested, lists of two) is
serialized by botocore under both models, and a response holding every member is written by
moto's serializer from the full model and parsed by botocore under both: the results must be
equal. And the committed models must be what the installed botocore trims to.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import botocore
import botocore.session
import pytest
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


def example(shape: Shape, depth: int = 0) -> Any:
    """A value with every member of ``shape`` (only required ones below ``DEPTH``)."""
    kind = shape.type_name
    if kind == "structure":
        members: dict[str, Shape] = shape.members  # type: ignore[attr-defined]
        required = set(shape.required_members)  # type: ignore[attr-defined]
        return {
            name: example(member, depth + 1)
            for name, member in members.items()
            if depth < DEPTH or name in required
        }
    if kind == "list":
        member = shape.member  # type: ignore[attr-defined]
        return [example(member, depth + 1) for _ in range(2)] if depth < DEPTH else []
    if kind == "map":
        key, value = shape.key, shape.value  # type: ignore[attr-defined]
        return {example(key, depth + 1): example(value, depth + 1)} if depth < DEPTH else {}
    if kind == "string":
        return (getattr(shape, "enum", None) or [f"{shape.name}-value"])[0]
    return {
        "integer": 7,
        "long": 7,
        "double": 1.5,
        "float": 1.5,
        "boolean": True,
        "timestamp": datetime(2026, 11, 30, 8, 30, 15, tzinfo=UTC),
        "blob": b"blob",
    }[kind]


def _model(service: str, *, trimmed: bool) -> dict[str, Any]:
    search_paths = [str(service_models.MODELS)] if trimmed else []
    model: dict[str, Any] = Loader(extra_search_paths=search_paths).load_service_model(
        service, "service-2"
    )
    return model


def _operation(service: str, operation: str, *, trimmed: bool) -> OperationModel:
    return ServiceModel(_model(service, trimmed=trimmed), service).operation_model(operation)


def _both(service: str, operation: str) -> tuple[OperationModel, OperationModel]:
    return (
        _operation(service, operation, trimmed=False),
        _operation(service, operation, trimmed=True),
    )


def test_the_committed_models_are_what_the_installed_botocore_trims_to() -> None:
    # Given the installed botocore / When its models are trimmed again
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
    finally:
        default_session.cache_clear()
        cached_client.cache_clear()


def test_models_cut_from_another_botocore_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a botocore release other than the one the models were cut from
    monkeypatch.setattr(botocore, "__version__", "0.0.1")
    session = botocore.session.get_session()

    # When the session is offered the trimmed models / Then it keeps botocore's full ones
    assert service_models.enable(session) is False
    ec2 = session.create_client("ec2", region_name="eu-west-1")
    assert "RunInstances" in ec2.meta.service_model.operation_names
