"""One cold path in a fresh interpreter, timed from its first import to its first AWS call.

Run by :mod:`benchmarks.cold_start` as ``python -I -S cold_probe.py SUBJECT SETTINGS_JSON``,
with ``sys.path`` given in the settings (a Lambda layout: the function, its layer, or a peer's
packages), never the bench's own environment. Standard library only: whatever this script
imported would be counted against the subject.

The end mark is the first network access (the audit events ``socket.getaddrinfo`` and
``socket.connect``), so every subject is measured to the same point whatever library it uses,
and nothing is patched. The probe then writes one JSON line and leaves at once with
``os._exit``: the operation that was about to be sent, the milliseconds since the first import,
the peak RSS and how many modules were loaded.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

NETWORK_EVENTS = frozenset({"socket.getaddrinfo", "socket.connect"})
START: dict[str, float] = {}  # perf_counter() when the subject's first import began
MODEL_CLASSES: dict[str, float] = {"built": 0, "ms": 0.0}  # enforcer_counting_models's count


def peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM). Not ``ru_maxrss``: Linux carries that over
    from the parent through fork and exec, so a child of a large process reports the parent's."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status: the probes need Linux")


def _operation() -> str | None:
    """The AWS operation on the call stack (botocore's ``_make_api_call``), if any."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name == "_make_api_call" and "operation_name" in frame.f_locals:
            return str(frame.f_locals["operation_name"])
        frame = frame.f_back
    return None


def _on_audit(event: str, args: tuple[Any, ...]) -> None:
    if event not in NETWORK_EVENTS:
        return
    elapsed = time.perf_counter() - START["subject"]
    record = {
        "ms": elapsed * 1000,
        "operation": _operation(),
        "peak_rss_mib": peak_rss_mib(),
        "modules": len(sys.modules),
    }
    if MODEL_CLASSES["built"]:
        record["model_classes"] = MODEL_CLASSES["built"]
        record["model_classes_ms"] = MODEL_CLASSES["ms"]
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()
    os._exit(0)


class _Context:
    """The attributes of Lambda's context object that the handlers read."""

    def __init__(self, function_arn: str) -> None:
        self.function_name = function_arn.rsplit(":", 1)[-1]
        self.invoked_function_arn = function_arn
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 256
        self.aws_request_id = "00000000-0000-4000-8000-000000000000"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def _event(settings: dict[str, Any]) -> dict[str, Any]:
    with open(settings["event"]) as file:
        event: dict[str, Any] = json.load(file)
    return event


def enforcer(settings: dict[str, Any]) -> None:
    """Lambda's INIT then the first invocation: import app.py by name, call the handler."""
    handler = importlib.import_module("app").lambda_handler
    handler(_event(settings), _Context(settings["function_arn"]))


def enforcer_counting_models(settings: dict[str, Any]) -> None:
    """The enforcer, counting the pydantic model classes built on the way and the time spent
    building them (not a timed subject: the counting itself costs)."""
    from pydantic._internal import _model_construction

    metaclass = _model_construction.ModelMetaclass
    build = metaclass.__new__

    def counted(mcs: type, *arguments: Any, **keywords: Any) -> Any:
        began = time.perf_counter()
        try:
            return build(mcs, *arguments, **keywords)
        finally:
            MODEL_CLASSES["built"] += 1
            MODEL_CLASSES["ms"] += (time.perf_counter() - began) * 1000

    metaclass.__new__ = counted  # type: ignore[method-assign, assignment]
    enforcer(settings)


def boto3_yardstick(settings: dict[str, Any]) -> None:
    """The least any Python function that reads EC2 and writes SNS can do."""
    import boto3

    session = boto3.session.Session()
    ec2 = session.client("ec2")
    session.client("sns")
    ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[settings["endpoint_id"]])


def stack_floor(settings: dict[str, Any]) -> None:
    """What any function on cvpn-guard's stack pays before its first call, and no more:
    Powertools' Logger and Metrics, pydantic with one model, and the layer's botocore session
    (the trimmed service models) with an EC2 and an SNS client. The enforcer's cold path is
    this plus its own code: the event intake, the policy engine and the policy."""
    from aws_lambda_powertools import Logger, Metrics
    from pydantic import BaseModel

    from cvpn_guard.aws.clients import cached_client

    Logger(service="stack-floor")
    Metrics(namespace="CvpnGuard", service="stack-floor")

    class Endpoint(BaseModel):
        ClientVpnEndpointId: str

    endpoint = Endpoint(ClientVpnEndpointId=settings["endpoint_id"])
    ec2 = cached_client("ec2", None, 5)
    cached_client("sns", None, 5)
    ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint.ClientVpnEndpointId])


def custodian(settings: dict[str, Any]) -> None:
    """Cloud Custodian's Lambda entry point on its policy (config.json in the working folder).

    Custodian creates its SNS client only when its notify action runs, after the describe; it
    is created first here so that both products have built the same two clients.
    """
    import boto3
    from c7n import handler  # type: ignore[import-not-found]
    from c7n.utils import local_session  # type: ignore[import-not-found]

    local_session(boto3.Session).client("sns")
    handler.dispatch_event(_event(settings), _Context(settings["function_arn"]))


SUBJECTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "enforcer": enforcer,
    "enforcer_counting_models": enforcer_counting_models,
    "boto3": boto3_yardstick,
    "floor": stack_floor,
    "custodian": custodian,
}


def main(subject: str, settings_json: str) -> int:
    settings: dict[str, Any] = json.loads(settings_json)
    sys.path[:0] = settings["sys_path"]
    run = SUBJECTS[subject]
    sys.addaudithook(_on_audit)
    START["subject"] = time.perf_counter()
    run(settings)
    sys.stdout.write(json.dumps({"error": f"{subject} finished without calling AWS"}) + "\n")
    return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
