"""Fault injection and call counting for every moto operation.

moto builds one response object per request and runs ``BaseResponse.call_action`` on
it, in ``mock_aws`` and in server mode alike, for EC2, SNS and nearly every other
service. Wrapping that one method lets a test make the next N calls of any operation
fail with any error code, and count how often each operation was called.

Injected errors are serialized by moto's own serializer for the request's protocol
(EC2 query XML, SNS query XML, JSON, ...), so botocore parses the code exactly as it
would parse AWS's. The HTTP status decides whether botocore retries: AWS sends
``RequestLimitExceeded`` with 503 and ``InternalError`` with 500, so those defaults are
what makes botocore's retry handlers fire.

Two kinds are specific to Client VPN: ``ignore_changes`` (``ModifyClientVpnEndpoint``
succeeds but changes nothing) and ``stale_reads`` (after a modification,
``DescribeClientVpnEndpoints`` still shows the endpoint as it was: EC2's eventual
consistency).

The registry is process-wide (not per account or region) and thread-safe; moto's reset
(``POST /moto-api/reset``, entering or leaving ``mock_aws``) clears it.
"""

from __future__ import annotations

import copy
import threading
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse

from .entities import Json

MODIFY_OPERATION = "ModifyClientVpnEndpoint"
DESCRIBE_OPERATION = "DescribeClientVpnEndpoints"
# What AWS sends for these codes; anything else is a client error (400).
DEFAULT_HTTP_STATUS = {
    "RequestLimitExceeded": 503,
    "EC2ThrottledException": 503,
    "ServiceUnavailable": 503,
    "Unavailable": 503,
    "InternalError": 500,
    "InternalFailure": 500,
    "InternalServerError": 500,
    "TooManyRequestsException": 429,
}
DEFAULT_MESSAGES = {
    "RequestLimitExceeded": "Request limit exceeded.",
    "Throttling": "Rate exceeded",
    "ThrottlingException": "Rate exceeded",
    "InternalError": "An internal error has occurred",
}


class InjectedFault(ServiceException):
    """The error an injected fault raises; serialized like any moto service error."""


@dataclass
class ErrorFault:
    operation: str
    error_code: str
    message: str
    http_status: int
    remaining: int | None
    endpoint_id: str | None = None
    service: str | None = None
    kind: str = "error"

    def applies_to(self, service: str | None, operation: str, endpoint_id: str | None) -> bool:
        return (
            self.operation == operation
            and self.service in (None, service)
            and self.endpoint_id in (None, endpoint_id)
        )


@dataclass
class IgnoreChangesFault:
    operation: str
    endpoint_id: str | None
    remaining: int | None
    kind: str = "ignore_changes"

    def applies_to(self, operation: str, endpoint_id: str) -> bool:
        return self.operation == operation and self.endpoint_id in (None, endpoint_id)


@dataclass(eq=False)  # identity: two equal faults are still two faults
class StaleReadsFault:
    operation: str
    endpoint_id: str | None
    remaining: int | None
    kind: str = "stale_reads"

    def applies_to(self, endpoint_id: str) -> bool:
        return self.endpoint_id in (None, endpoint_id)


def check_operation(kind: str, operation: str, supported: str) -> None:
    if operation != supported:
        raise ValueError(f"{kind} supports only {supported}")


def _use_once(faults: list[Any], fault: Any) -> None:
    """Count one use of a fault; a fault with no uses left disappears."""
    if fault.remaining is None:
        return
    fault.remaining -= 1
    if fault.remaining <= 0:
        faults.remove(fault)


def _check_times(times: int | None) -> None:
    if times is not None and (isinstance(times, bool) or times < 1):
        raise ValueError("times must be a positive integer, or None for 'until cleared'")


class FaultRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._errors: list[ErrorFault] = []
        self._ignores: list[IgnoreChangesFault] = []
        self._stale: list[StaleReadsFault] = []
        # endpoint id -> how Describe showed it just before its last modification
        self._snapshots: dict[str, Json] = {}
        self._calls: Counter[str] = Counter()
        self._endpoint_calls: dict[str, Counter[str]] = {}

    def inject_error(
        self,
        operation: str,
        error_code: str,
        times: int | None = 1,
        message: str | None = None,
        *,
        http_status: int | None = None,
        endpoint_id: str | None = None,
        service: str | None = None,
    ) -> ErrorFault:
        """Make the next ``times`` calls of ``operation`` fail with ``error_code``.

        Parameters
        ----------
        operation
            The API operation name, e.g. ``"ModifyClientVpnEndpoint"`` or ``"Publish"``.
        error_code
            The AWS error code botocore reports, e.g. ``"RequestLimitExceeded"``.
        times
            How many calls fail; ``None`` fails every call until ``clear_faults()``.
        message
            The error message; a default is derived from the code.
        http_status
            Defaults to what AWS sends (503 for RequestLimitExceeded, 500 for InternalError,
            else 400); the status decides whether botocore retries.
        endpoint_id
            Only fail calls whose ``ClientVpnEndpointId`` is this endpoint.
        service
            Only fail calls to this moto service (e.g. ``"sns"``), for ambiguous names.
        """
        if not operation or not error_code:
            raise ValueError("operation and error_code are required")
        _check_times(times)
        fault = ErrorFault(
            operation=operation,
            error_code=error_code,
            message=message or DEFAULT_MESSAGES.get(error_code, f"Injected fault: {error_code}"),
            http_status=http_status or DEFAULT_HTTP_STATUS.get(error_code, 400),
            remaining=times,
            endpoint_id=endpoint_id,
            service=service,
        )
        with self._lock:
            self._errors.append(fault)
        return fault

    def ignore_changes(
        self,
        operation: str = MODIFY_OPERATION,
        endpoint_id: str | None = None,
        times: int | None = None,
    ) -> IgnoreChangesFault:
        """Make ``ModifyClientVpnEndpoint`` succeed without applying anything.

        Parameters
        ----------
        operation
            Only ``"ModifyClientVpnEndpoint"`` is supported.
        endpoint_id
            Only ignore modifications of this endpoint; ``None`` ignores all.
        times
            How many modifications are ignored; ``None`` ignores them until cleared.
        """
        check_operation("ignore_changes", operation, MODIFY_OPERATION)
        _check_times(times)
        fault = IgnoreChangesFault(operation, endpoint_id, times)
        with self._lock:
            self._ignores.append(fault)
        return fault

    def stale_reads(self, endpoint_id: str | None = None, times: int | None = 1) -> StaleReadsFault:
        """After a ``ModifyClientVpnEndpoint``, describe the endpoint as it was before it.

        EC2 is eventually consistent: right after a successful modification, a
        ``DescribeClientVpnEndpoints`` may still show the old values.

        Parameters
        ----------
        endpoint_id
            Only modifications of this endpoint read stale; ``None``: any endpoint's.
        times
            How many Describe calls serve a stale endpoint (a call that returns none does
            not count); ``None`` serves them until ``clear_faults()``.
        """
        _check_times(times)
        fault = StaleReadsFault(DESCRIBE_OPERATION, endpoint_id, times)
        with self._lock:
            self._stale.append(fault)
        return fault

    def record_modification(self, endpoint_id: str, before: Json) -> None:
        """Keep the endpoint as Describe showed it before a modification, if a stale-reads
        fault covers it; its next reads serve that snapshot."""
        with self._lock:
            if self._stale_fault_for(endpoint_id):
                self._snapshots[endpoint_id] = copy.deepcopy(before)

    def serve_stale_reads(self, described: list[Json]) -> list[Json]:
        """Swap described endpoints for their snapshots where a stale-reads fault says so;
        each fault that served one counts one use."""
        with self._lock:
            served: list[StaleReadsFault] = []
            page = [self._stale_or_fresh(item, served) for item in described]
            for fault in dict.fromkeys(served):
                _use_once(self._stale, fault)
            if served:
                self._snapshots = {
                    endpoint_id: snapshot
                    for endpoint_id, snapshot in self._snapshots.items()
                    if self._stale_fault_for(endpoint_id)
                }
            return page

    def _stale_or_fresh(self, item: Json, served: list[StaleReadsFault]) -> Json:
        endpoint_id = item["ClientVpnEndpointId"]
        fault = self._stale_fault_for(endpoint_id)
        if fault is None or endpoint_id not in self._snapshots:
            return item
        served.append(fault)
        return copy.deepcopy(self._snapshots[endpoint_id])

    def _stale_fault_for(self, endpoint_id: str) -> StaleReadsFault | None:
        return next((fault for fault in self._stale if fault.applies_to(endpoint_id)), None)

    def on_call(
        self, service: str | None, operation: str, endpoint_id: str | None
    ) -> ErrorFault | None:
        """Count the call; return the error fault it must fail with, if any."""
        with self._lock:
            self._calls[operation] += 1
            if endpoint_id:
                self._endpoint_calls.setdefault(operation, Counter())[endpoint_id] += 1
            for fault in self._errors:
                if fault.applies_to(service, operation, endpoint_id):
                    _use_once(self._errors, fault)
                    return fault
        return None

    def should_ignore_changes(self, operation: str, endpoint_id: str) -> bool:
        """Whether this modification must be dropped (consumes one use of the fault)."""
        with self._lock:
            for fault in self._ignores:
                if fault.applies_to(operation, endpoint_id):
                    _use_once(self._ignores, fault)
                    return True
        return False

    def active_faults(self) -> list[dict[str, Any]]:
        """The faults still armed, as plain dicts."""
        with self._lock:
            armed: list[ErrorFault | IgnoreChangesFault | StaleReadsFault] = [
                *self._errors,
                *self._ignores,
                *self._stale,
            ]
            return [asdict(fault) for fault in armed]

    def call_counts(self) -> dict[str, int]:
        """Calls received per operation name since the last reset, failed ones included."""
        with self._lock:
            return dict(self._calls)

    def endpoint_call_counts(self) -> dict[str, dict[str, int]]:
        """Calls per operation per ``ClientVpnEndpointId`` (operations that take one)."""
        with self._lock:
            return {operation: dict(counts) for operation, counts in self._endpoint_calls.items()}

    def clear_faults(self) -> int:
        """Disarm every fault; return how many were armed. Call counts are kept."""
        with self._lock:
            cleared = len(self._errors) + len(self._ignores) + len(self._stale)
            self._errors.clear()
            self._ignores.clear()
            self._stale.clear()
            self._snapshots.clear()
            return cleared

    def reset_call_counts(self) -> None:
        """Zero every call counter."""
        with self._lock:
            self._calls.clear()
            self._endpoint_calls.clear()

    def reset(self) -> None:
        self.clear_faults()
        self.reset_call_counts()


REGISTRY = FaultRegistry()


# -- the public Python API (re-exported by cvpn_emulator): the process-wide registry's methods

inject_error = REGISTRY.inject_error
ignore_changes = REGISTRY.ignore_changes
stale_reads = REGISTRY.stale_reads
call_counts = REGISTRY.call_counts
endpoint_call_counts = REGISTRY.endpoint_call_counts
active_faults = REGISTRY.active_faults
clear_faults = REGISTRY.clear_faults
reset_call_counts = REGISTRY.reset_call_counts
should_ignore_changes = REGISTRY.should_ignore_changes
record_modification = REGISTRY.record_modification
serve_stale_reads = REGISTRY.serve_stale_reads


# -- the dispatch hook --------------------------------------------------------------------

_original_call_action: Callable[[BaseResponse], Any] | None = None


def install_dispatch_hook() -> None:
    """Wrap ``BaseResponse.call_action`` once; later calls are no-ops."""
    global _original_call_action  # noqa: PLW0603 - the patch must happen exactly once
    if _original_call_action is not None:
        return
    _original_call_action = BaseResponse.call_action
    BaseResponse.call_action = _call_action_with_faults  # type: ignore[method-assign]


# moto's backends are not thread-safe (a DynamoDB conditional put checks, then writes), while
# AWS makes every call atomic. The threaded server serialises calls so that concurrency tests
# (leases, racing events) see AWS's semantics rather than moto's races.
_DISPATCH_LOCK = threading.RLock()


def _call_action_with_faults(self: BaseResponse) -> Any:
    assert _original_call_action is not None
    with _DISPATCH_LOCK:
        operation = _operation_of(self)
        if not operation:
            return _original_call_action(self)
        fault = REGISTRY.on_call(self.service_name, operation, _endpoint_id_of(self))
        if fault is None:
            return _original_call_action(self)
        return _fault_response(self, fault)


def _operation_of(response: BaseResponse) -> str | None:
    try:
        return response._get_action() or None
    except Exception:
        return None


def _endpoint_id_of(response: BaseResponse) -> str | None:
    # Most operations name one endpoint (ClientVpnEndpointId); Describe names a list
    # (ClientVpnEndpointId.N): a describe of exactly one endpoint counts as about it.
    query = getattr(response, "querystring", {})
    value = query.get("ClientVpnEndpointId")
    if value is None and "ClientVpnEndpointId.1" in query and "ClientVpnEndpointId.2" not in query:
        value = query["ClientVpnEndpointId.1"]
    if isinstance(value, list) and value and isinstance(value[0], str):
        return value[0]
    return None


def _silence_unknown_code_warning() -> None:
    """moto warns when a code is missing from the service model ("Throttling" for SNS);
    for an injected fault that is the point. Filtering at fault time, not import time,
    survives test runners that restore the warning filters around each test."""
    warnings.filterwarnings(
        "ignore", message=r"Exception\(InjectedFault\) with code", category=UserWarning
    )


def _fault_response(response: BaseResponse, fault: ErrorFault) -> Any:
    _silence_unknown_code_warning()
    error = InjectedFault(fault.error_code, fault.message)
    _, headers, body = response.serialized(ActionResult(error))
    headers = dict(headers)
    headers["status"] = str(fault.http_status)
    headers, body = response._enrich_response(headers, body)
    return fault.http_status, headers, body
