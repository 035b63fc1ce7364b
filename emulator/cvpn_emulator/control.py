"""A typed client for the emulator's HTTP control API (standard library only).

>>> control = EmulatorControl("http://127.0.0.1:5000")
>>> control.inject_error("ModifyClientVpnEndpoint", "RequestLimitExceeded", times=3)
>>> control.call_counts()["ModifyClientVpnEndpoint"]
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any

from .server import CONTROL_PREFIX


class EmulatorControlError(RuntimeError):
    """The control API refused a request; ``status`` is its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


class EmulatorControl:
    def __init__(self, endpoint_url: str, timeout: float = 10.0) -> None:
        if not endpoint_url.startswith(("http://", "https://")):
            raise ValueError(f"endpoint_url must be an http(s) URL, got {endpoint_url!r}")
        self.endpoint_url = endpoint_url.rstrip("/")
        self.timeout = timeout

    # -- faults ------------------------------------------------------------------------

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
    ) -> dict[str, Any]:
        """Make the next ``times`` calls of ``operation`` fail (``None``: until cleared)."""
        body = {
            "operation": operation,
            "error_code": error_code,
            "times": times,
            "message": message,
            "http_status": http_status,
            "endpoint_id": endpoint_id,
            "service": service,
        }
        return self._fault(body)

    def ignore_changes(
        self,
        operation: str = "ModifyClientVpnEndpoint",
        endpoint_id: str | None = None,
        times: int | None = None,
    ) -> dict[str, Any]:
        """Make modifications succeed without applying anything."""
        body = {
            "operation": operation,
            "ignore_changes": True,
            "endpoint_id": endpoint_id,
            "times": times,
        }
        return self._fault(body)

    def stale_reads(self, endpoint_id: str | None = None, times: int | None = 1) -> dict[str, Any]:
        """After a modification, describe the endpoint as it was before it, ``times`` times."""
        body = {
            "operation": "DescribeClientVpnEndpoints",
            "stale_reads": True,
            "endpoint_id": endpoint_id,
            "times": times,
        }
        return self._fault(body)

    def faults(self) -> list[dict[str, Any]]:
        return list(self._request("GET", "/faults")["faults"])

    def clear_faults(self) -> int:
        return int(self._request("DELETE", "/faults")["cleared"])

    def _fault(self, body: dict[str, Any]) -> dict[str, Any]:
        payload = {key: value for key, value in body.items() if value is not None}
        if body.get("times", 1) is None:
            payload["times"] = None
        return dict(self._request("POST", "/faults", payload)["fault"])

    # -- state controls ----------------------------------------------------------------

    def seed_connections(
        self,
        endpoint_id: str,
        count: int,
        username: str | None = None,
        established_at: datetime | None = None,
    ) -> list[str]:
        """Add active connections to an endpoint in whatever account/region holds it."""
        body: dict[str, Any] = {"endpoint_id": endpoint_id, "count": count}
        if username is not None:
            body["username"] = username
        if established_at is not None:
            body["established_at"] = established_at.isoformat()
        return list(self._request("POST", "/connections", body)["connection_ids"])

    def set_endpoint_status(self, endpoint_id: str, status: str) -> None:
        self._request("POST", "/endpoint-status", {"endpoint_id": endpoint_id, "status": status})

    def require_existing_roles(self, required: bool = True) -> None:
        """AssumeRole on a role that does not exist fails with ``AccessDenied``, as in AWS
        (moto's default lets any role be assumed); moto's reset turns it off."""
        self._request("POST", "/roles", {"require_existing": required})

    # -- counters ----------------------------------------------------------------------

    def call_counts(self) -> dict[str, int]:
        return dict(self._request("GET", "/calls")["operations"])

    def endpoint_call_counts(self) -> dict[str, dict[str, int]]:
        return dict(self._request("GET", "/calls")["endpoints"])

    def reset_call_counts(self) -> None:
        self._request("DELETE", "/calls")

    def reset(self) -> None:
        """moto's reset: all state, faults and counters."""
        self._send("POST", f"{self.endpoint_url}/moto-api/reset", None)

    # -- transport ---------------------------------------------------------------------

    def _request(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        raw = self._send(method, f"{self.endpoint_url}{CONTROL_PREFIX}{path}", body)
        return dict(json.loads(raw or "{}"))

    def _send(self, method: str, url: str, body: Any) -> str:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            url, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return str(response.read().decode())
        except urllib.error.HTTPError as error:
            raise EmulatorControlError(error.code, _error_message(error)) from error


def _error_message(error: urllib.error.HTTPError) -> str:
    raw = error.read().decode(errors="replace")
    try:
        return str(json.loads(raw).get("error", raw))
    except (json.JSONDecodeError, AttributeError):
        return raw or str(error.reason)
