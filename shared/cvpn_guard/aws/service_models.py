"""Trimmed botocore service models: only the operations cvpn-guard calls, found first by botocore.

botocore's EC2 model describes 830 operations (3.7 MB of JSON, about 30 MB once loaded): reading
it is most of what creating an EC2 client costs a cold Lambda, and most of the sweeper's memory.
cvpn-guard calls five of them. ``python -m cvpn_guard.aws.service_models`` (run by ``make lock``)
writes into ``models/`` a copy of each model that holds the operations below, every shape they
reach, copied from the installed botocore as they are, and no documentation. ``enable`` puts that
folder first on a botocore session's data path, so botocore loads it instead of its own.

The copies are used only with the botocore release they were cut from (``models/botocore-version.json``);
with any other release, botocore's own models load as before. A test proves that each operation
serializes requests and parses responses exactly as the full model does.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import botocore
import botocore.session

if TYPE_CHECKING:
    from botocore.session import Session

MODELS = Path(__file__).resolve().with_name("models")
VERSION_FILE = MODELS / "botocore-version.json"  # JSON: package data ships *.json

# What ``cvpn_guard.aws`` calls, per service (the enforcer, the sweeper, their state and policy).
OPERATIONS: Mapping[str, tuple[str, ...]] = {
    "ec2": (
        "DescribeClientVpnEndpoints",
        "DescribeClientVpnAuthorizationRules",
        "DescribeClientVpnConnections",
        "DescribeSecurityGroups",
        "ModifyClientVpnEndpoint",
    ),
    "sns": ("Publish",),
    "dynamodb": ("PutItem", "GetItem", "DeleteItem"),
    "ssm": ("GetParameter",),
}
DROPPED_KEYS = frozenset({"documentation", "documentationUrl"})


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
    """``model`` with only ``operations`` and the shapes they reach, in botocore's order."""
    kept = {name: model["operations"][name] for name in operations}
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


def model_path(service: str, api_version: str) -> Path:
    """Where botocore's loader looks for the trimmed model (its data path layout)."""
    return MODELS / service / api_version / "service-2.json"


def render(session: Session) -> dict[Path, str]:
    """Every file of ``models/`` as the installed botocore calls for it."""
    loader = session.get_component("data_loader")
    files = {VERSION_FILE: json.dumps({"botocore": botocore.__version__}) + "\n"}
    for service, operations in OPERATIONS.items():
        model = trim(loader.load_service_model(service, "service-2"), operations)
        path = model_path(service, model["metadata"]["apiVersion"])
        files[path] = json.dumps(model, separators=(",", ":")) + "\n"
    return files


def enable(session: Session) -> bool:
    """Make ``session`` load the trimmed models (call it before its first client).

    Returns False, leaving the session alone, when they were cut from another botocore.
    """
    try:
        cut_from = json.loads(VERSION_FILE.read_text())["botocore"]
    except (OSError, ValueError, KeyError):
        return False
    if cut_from != botocore.__version__:
        return False
    existing = session.get_config_variable("data_path")
    paths = [str(MODELS), *([existing] if existing else [])]
    session.set_config_variable("data_path", os.pathsep.join(paths))
    return True


def main(argv: list[str]) -> int:
    """Write the models (``--check``: only say whether the committed ones are up to date)."""
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
