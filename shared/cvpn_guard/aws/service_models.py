"""botocore's data, cut down to what cvpn-guard calls, loaded by the functions' botocore session.

Creating a client reads botocore's data: the service's model (EC2's describes 830 operations:
3.7 MB of JSON, about 30 MB once loaded), its endpoint rules, ``endpoints.json`` (1.2 MB, every
service in every region) and a scan of the 400 service folders. That is most of what the AWS
clients cost a cold Lambda, and most of the sweeper's memory. cvpn-guard calls a few operations
of a few services. ``python -m cvpn_guard.aws.service_models`` (run by ``make lock``) writes into
``models/`` botocore's own data for those services only: each model with the operations
below and every shape they reach (as botocore has them, without documentation), their endpoint
rules and paginators, and botocore's shared files (``endpoints.json`` keeping those services).
``enable`` makes a session load that folder and nothing else, through botocore's own loader.

The copy is used only with the botocore release it was cut from (``models/botocore-version.json``);
with any other release, botocore's full data loads as before. Tests prove that each operation
serializes requests and parses responses, and each client resolves its endpoint, exactly as with
the full data.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import botocore
import botocore.session
from botocore.loaders import Loader

if TYPE_CHECKING:
    from botocore.session import Session

MODELS = Path(__file__).resolve().with_name("models")
VERSION_FILE = MODELS / "botocore-version.json"  # JSON: package data ships *.json

# What ``cvpn_guard.aws`` calls, per service (the enforcer, the sweeper, their state and policy).
# The functions' clients know nothing else: a new call goes here first, then `make lock`.
# EC2's reads a rule may need are the rules' data table's (``extra_reads.EXTRA_READS``):
# tests/unit/policy/test_extra_reads.py fails when one is missing here. Listed, not imported,
# so that creating a client never loads the policy engine.
OPERATIONS: Mapping[str, tuple[str, ...]] = {
    "ec2": (
        "DescribeClientVpnEndpoints",
        "DescribeClientVpnConnections",
        "DescribeClientVpnAuthorizationRules",
        "DescribeSecurityGroups",
        "DescribeClientVpnRoutes",
        "GetClientVpnEndpointAuthorizationPolicy",
        "ExportClientVpnClientCertificateRevocationList",
        "ModifyClientVpnEndpoint",
        "ModifyClientVpnEndpointAuthorizationPolicy",
        "RevokeClientVpnIngress",
        "DeleteClientVpnRoute",
    ),
    "sns": ("Publish",),
    "dynamodb": ("PutItem", "GetItem", "DeleteItem", "UpdateItem", "BatchGetItem"),
    "ssm": ("GetParameter",),
    # The sweeper's CloudTrail check and organization mode's calls.
    "cloudtrail": ("DescribeTrails", "GetTrailStatus"),
    "sts": ("AssumeRole",),
    "sqs": ("SendMessageBatch",),
    "securityhub": ("BatchImportFindings", "BatchUpdateFindings", "GetFindings"),
    "organizations": ("ListAccounts", "DescribeOrganization"),
}
SHARED_FILES = ("partitions", "sdk-default-configuration", "_retry")  # copied as they are
DROPPED_KEYS = frozenset({"documentation", "documentationUrl"})


class CutDownLoader(Loader):
    """botocore's loader, reading only the cut-down copy of botocore's data."""

    def __init__(self) -> None:
        super().__init__(extra_search_paths=[str(MODELS)], include_default_search_paths=False)

    def is_builtin_path(self, path: str) -> bool:
        # The files are botocore's built-in data, cut down. Taken for a user's own, the
        # endpoints file would make botocore hand its legacy endpoint to the endpoint rules
        # as a custom endpoint.
        return True


def enable(session: Session) -> bool:
    """Make ``session`` load the cut-down data (call it before its first client).

    Returns False, leaving the session alone, when the data was cut from another botocore.
    """
    try:
        cut_from = json.loads(VERSION_FILE.read_text())["botocore"]
    except (OSError, ValueError, KeyError):
        return False
    if cut_from != botocore.__version__:
        return False
    session.register_component("data_loader", CutDownLoader())
    return True


def _references(definition: Mapping[str, Any]) -> Iterator[str]:
    """The shapes a shape or an operation names directly."""
    for key in ("input", "output", "member", "key", "value"):
        if isinstance(definition.get(key), Mapping):
            yield definition[key]["shape"]
    for member in (definition.get("members") or {}).values():
        yield member["shape"]
    for error in definition.get("errors") or ():
        yield error["shape"]


def _undocumented(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _undocumented(v) for k, v in value.items() if k not in DROPPED_KEYS}
    if isinstance(value, list):
        return [_undocumented(item) for item in value]
    return value


def trim(model: Mapping[str, Any], operations: Iterable[str]) -> dict[str, Any]:
    """``model`` with only ``operations`` and the shapes they reach, in botocore's order
    (whatever order ``operations`` lists them in)."""
    wanted = set(operations)
    unknown = wanted - model["operations"].keys()
    if unknown:
        raise KeyError(f"{model['metadata'].get('serviceId')} has no operation {sorted(unknown)}")
    kept = {name: shape for name, shape in model["operations"].items() if name in wanted}
    reached: set[str] = set()
    pending = [shape for operation in kept.values() for shape in _references(operation)]
    while pending:
        name = pending.pop()
        if name not in reached:
            reached.add(name)
            pending.extend(_references(model["shapes"][name]))
    trimmed = {
        "version": model.get("version"),
        "metadata": model["metadata"],
        "operations": kept,
        "shapes": {name: shape for name, shape in model["shapes"].items() if name in reached},
    }
    return dict(_undocumented(trimmed))


def _endpoints(data: Mapping[str, Any]) -> dict[str, Any]:
    partitions = [
        {
            **partition,
            "services": {s: v for s, v in partition["services"].items() if s in OPERATIONS},
        }
        for partition in data["partitions"]
    ]
    return {**data, "partitions": partitions}


def _service_files(
    loader: Loader, service: str, operations: tuple[str, ...]
) -> Iterator[tuple[str, Any]]:
    model = loader.load_service_model(service, "service-2")
    folder = f"{service}/{model['metadata']['apiVersion']}"
    yield f"{folder}/service-2", trim(model, operations)
    yield f"{folder}/endpoint-rule-set-1", loader.load_service_model(service, "endpoint-rule-set-1")
    paginators = loader.load_service_model(service, "paginators-1")["pagination"]
    kept = {name: config for name, config in paginators.items() if name in operations}
    if kept:
        yield f"{folder}/paginators-1", {"pagination": kept}


def render(session: Session) -> dict[Path, str]:
    """Every file of ``models/`` as the installed botocore calls for it."""
    loader = session.get_component("data_loader")
    documents: dict[str, Any] = {"botocore-version": {"botocore": botocore.__version__}}
    documents["endpoints"] = _endpoints(loader.load_data("endpoints"))
    documents |= {name: loader.load_data(name) for name in SHARED_FILES}
    for service, operations in OPERATIONS.items():
        documents |= dict(_service_files(loader, service, operations))
    return {
        MODELS / f"{name}.json": json.dumps(document, separators=(",", ":")) + "\n"
        for name, document in documents.items()
    }


def main(argv: list[str]) -> int:
    """Write the data (``--check``: only say whether the committed copy is up to date)."""
    wanted = render(botocore.session.get_session())
    stale = [
        path for path, text in wanted.items() if not path.is_file() or path.read_text() != text
    ]
    extra = sorted({path for path in MODELS.rglob("*") if path.is_file()} - set(wanted))
    if argv[1:] == ["--check"]:
        for path in [*stale, *extra]:
            print(f"{path} is out of date with botocore {botocore.__version__}: run `make lock`")
        return 1 if stale or extra else 0
    for path in extra:
        path.unlink()
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(wanted[path])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
