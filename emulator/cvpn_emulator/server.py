"""The emulator as an HTTP server: all of moto, plus the ``/cvpn-emulator/`` control API.

The control API is a thin WSGI layer in front of moto's own ``DomainDispatcherApplication``;
every other path (AWS APIs, ``/moto-api/…``) goes to moto untouched. The server is
multi-threaded, like ``moto_server``.

Control API (JSON in, JSON out; errors are ``{"error": "..."}`` with 400/404/405):

- ``POST /cvpn-emulator/faults`` ``{"operation", "error_code", "times"?, "message"?,
  "http_status"?, "endpoint_id"?, "service"?}``, ``{"operation": "ModifyClientVpnEndpoint",
  "ignore_changes": true, "endpoint_id"?, "times"?}`` or ``{"operation":
  "DescribeClientVpnEndpoints", "stale_reads": true, "endpoint_id"?, "times"?}``
- ``GET /cvpn-emulator/faults`` (armed faults), ``DELETE /cvpn-emulator/faults``
- ``POST /cvpn-emulator/connections`` ``{"endpoint_id", "count", "username"?,
  "established_at"? (ISO 8601)}``
- ``POST /cvpn-emulator/endpoint-status`` ``{"endpoint_id", "status"}``
- ``GET /cvpn-emulator/calls`` (counts), ``DELETE /cvpn-emulator/calls``
- ``POST /cvpn-emulator/roles`` ``{"require_existing": bool}`` (AssumeRole on a missing role
  is ``AccessDenied``, as in AWS), ``GET /cvpn-emulator/roles``
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server, run_simple
from werkzeug.wrappers import Request, Response

from . import faults
from .models import EndpointNotFoundError, seed_connections, set_endpoint_status
from .patches import install
from .roles import existing_roles_required, require_existing_roles

CONTROL_PREFIX = "/cvpn-emulator"
MAX_SEEDED_CONNECTIONS = 100_000

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Json = dict[str, Any]


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _json_body(request: Request) -> Json:
    try:
        body = json.loads(request.get_data(as_text=True) or "{}")
    except json.JSONDecodeError as error:
        raise ControlError(400, f"Request body is not valid JSON: {error.msg}") from error
    if not isinstance(body, dict):
        raise ControlError(400, "Request body must be a JSON object")
    return body


def _field(body: Json, name: str, kind: type, *, required: bool = False) -> Any:
    value = body.get(name)
    if value is None:
        if required:
            raise ControlError(400, f"Field '{name}' is required")
        return None
    # bool is an int subclass; a count of `true` is a client bug worth reporting.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ControlError(400, f"Field '{name}' must be of type {kind.__name__}")
    return value


# Flags that arm a fault of another kind than an error; at most one per request.
_FAULT_KIND_FLAGS = ("ignore_changes", "stale_reads")


def _fault_kind(body: Json) -> str | None:
    kinds = [flag for flag in _FAULT_KIND_FLAGS if _field(body, flag, bool)]
    if len(kinds) > 1:
        raise ControlError(400, f"Set at most one of {', '.join(map(repr, _FAULT_KIND_FLAGS))}")
    return kinds[0] if kinds else None


def _post_fault(body: Json) -> tuple[int, Json]:
    operation = _field(body, "operation", str, required=True)
    endpoint_id = _field(body, "endpoint_id", str)
    kind = _fault_kind(body)
    times = _field(body, "times", int)
    # As in the Python API: only ignore_changes defaults to "until cleared".
    times_or_once = times if "times" in body else 1
    try:
        if kind == "ignore_changes":
            fault: Any = faults.ignore_changes(operation, endpoint_id, times)
        elif kind == "stale_reads":
            faults.check_operation(kind, operation, faults.DESCRIBE_OPERATION)
            fault = faults.stale_reads(endpoint_id, times_or_once)
        else:
            fault = faults.inject_error(
                operation,
                _field(body, "error_code", str, required=True),
                times_or_once,
                _field(body, "message", str),
                http_status=_field(body, "http_status", int),
                endpoint_id=endpoint_id,
                service=_field(body, "service", str),
            )
    except ValueError as error:
        raise ControlError(400, str(error)) from error
    return 201, {"fault": vars(fault)}


def _timestamp(body: Json, name: str) -> datetime | None:
    raw = _field(body, name, str)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as error:
        raise ControlError(400, f"Field '{name}' must be an ISO 8601 timestamp") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _post_connections(body: Json) -> tuple[int, Json]:
    endpoint_id = _field(body, "endpoint_id", str, required=True)
    count = _field(body, "count", int, required=True)
    if not 0 <= count <= MAX_SEEDED_CONNECTIONS:
        raise ControlError(400, f"Field 'count' must be between 0 and {MAX_SEEDED_CONNECTIONS}")
    try:
        ids = seed_connections(
            endpoint_id,
            count,
            username=_field(body, "username", str),
            established_at=_timestamp(body, "established_at"),
        )
    except EndpointNotFoundError as error:
        raise ControlError(404, str(error)) from error
    return 201, {"endpoint_id": endpoint_id, "connection_ids": ids}


def _post_endpoint_status(body: Json) -> tuple[int, Json]:
    endpoint_id = _field(body, "endpoint_id", str, required=True)
    status = _field(body, "status", str, required=True)
    try:
        set_endpoint_status(endpoint_id, status)
    except EndpointNotFoundError as error:
        raise ControlError(404, str(error)) from error
    except ValueError as error:
        raise ControlError(400, str(error)) from error
    return 200, {"endpoint_id": endpoint_id, "status": status}


def _calls() -> Json:
    return {"operations": faults.call_counts(), "endpoints": faults.endpoint_call_counts()}


def _reset_calls() -> Json:
    faults.reset_call_counts()
    return {"operations": {}, "endpoints": {}}


def _post_roles(body: Json) -> tuple[int, Json]:
    required = _field(body, "require_existing", bool, required=True)
    require_existing_roles(required)
    return 200, _roles()


def _roles() -> Json:
    return {"require_existing": existing_roles_required()}


# (method, path) -> handler taking the JSON body (GET/DELETE handlers ignore it).
_ROUTES: dict[tuple[str, str], Callable[[Json], tuple[int, Json]]] = {
    ("POST", "/faults"): _post_fault,
    ("GET", "/faults"): lambda _: (200, {"faults": faults.active_faults()}),
    ("DELETE", "/faults"): lambda _: (200, {"cleared": faults.clear_faults()}),
    ("POST", "/connections"): _post_connections,
    ("POST", "/endpoint-status"): _post_endpoint_status,
    ("GET", "/calls"): lambda _: (200, _calls()),
    ("DELETE", "/calls"): lambda _: (200, _reset_calls()),
    ("POST", "/roles"): _post_roles,
    ("GET", "/roles"): lambda _: (200, _roles()),
}


def _dispatch_control(request: Request) -> tuple[int, Json]:
    path = request.path[len(CONTROL_PREFIX) :].rstrip("/")
    handler = _ROUTES.get((request.method, path))
    if handler is None:
        allowed = sorted(method for method, route in _ROUTES if route == path)
        if allowed:
            raise ControlError(405, f"{request.method} {request.path}: use {', '.join(allowed)}")
        raise ControlError(404, f"No control endpoint at {request.path}")
    body = _json_body(request) if request.method == "POST" else {}
    return handler(body)


class EmulatorApp:
    """WSGI app: the control API under ``/cvpn-emulator``, moto for everything else."""

    def __init__(self, moto_app: WsgiApp | None = None) -> None:
        self.moto_app = moto_app or DomainDispatcherApplication(create_backend_app)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == CONTROL_PREFIX or path.startswith(f"{CONTROL_PREFIX}/"):
            return self._control(environ, start_response)
        return self.moto_app(environ, start_response)

    @staticmethod
    def _control(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        try:
            status, payload = _dispatch_control(request)
        except ControlError as error:
            status, payload = error.status, {"error": error.message}
        response = Response(json.dumps(payload), status=status, mimetype="application/json")
        return response(environ, start_response)


class QuietRequestHandler(MotoRequestHandler):
    """In-process servers back test suites, where an access log line per call is noise."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


def create_app() -> EmulatorApp:
    install()
    return EmulatorApp()


@dataclass
class RunningEmulator:
    """A server running in a background thread of this process."""

    url: str
    server: BaseWSGIServer
    thread: threading.Thread

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join()
        self.server.server_close()


def _client_host(host: str) -> str:
    """A host a client can connect to, even when the server binds every interface."""
    if host in ("", "0.0.0.0"):  # noqa: S104 - translating, not binding
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def start_emulator(
    host: str = "127.0.0.1", port: int = 0, *, quiet: bool = True
) -> RunningEmulator:
    """Start the emulator on ``host:port`` (0 picks a free port) in a daemon thread."""
    handler = QuietRequestHandler if quiet else MotoRequestHandler
    server = make_server(host, port, create_app(), threaded=True, request_handler=handler)
    thread = threading.Thread(target=server.serve_forever, name="cvpn-emulator", daemon=True)
    thread.start()
    return RunningEmulator(f"http://{_client_host(host)}:{server.server_port}", server, thread)


@contextmanager
def running_emulator(
    host: str = "127.0.0.1", port: int = 0, *, quiet: bool = True
) -> Iterator[str]:
    """Run the emulator in-process for the duration of a ``with`` block; yield its URL."""
    emulator = start_emulator(host, port, quiet=quiet)
    try:
        yield emulator.url
    finally:
        emulator.stop()


def serve(host: str = "127.0.0.1", port: int = 5000) -> None:
    """Serve in the foreground until interrupted (what ``python -m cvpn_emulator`` runs)."""
    run_simple(host, port, create_app(), threaded=True, request_handler=MotoRequestHandler)
