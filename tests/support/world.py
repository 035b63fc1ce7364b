"""An enforcer deployment on the emulator: clients, notice queue, state table, the handler.

Two flavours run the same tests: ``in_process`` (moto's ``mock_aws`` with the emulator
installed; faults through ``cvpn_emulator``'s Python API) and ``server`` (the emulator served
over HTTP on a local port, reached by boto3 through AWS_ENDPOINT_URL; faults through the
emulator's HTTP control API).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from cvpn_devkit.lambda_harness import FakeLambdaContext, load_handler

from cvpn_guard.runtime import reset_runtime
from tests.support.estate import create_state_table, received_notices, subscribe_queue
from tests.support.events import ENFORCER_FUNCTION_NAME, ENFORCER_ROLE_ARN
from tests.support.sessions import shared_session

REPO = Path(__file__).resolve().parents[2]
REGION = "eu-west-1"


class Faults(Protocol):
    """What both the Python fault API and the HTTP control client offer."""

    def inject_error(
        self,
        operation: str,
        error_code: str,
        times: int | None = 1,
        message: str | None = None,
        **kw: Any,
    ) -> Any: ...
    def ignore_changes(
        self, operation: str = ..., endpoint_id: str | None = None, times: int | None = None
    ) -> Any: ...
    def stale_reads(self, endpoint_id: str | None = None, times: int | None = 1) -> Any: ...
    def seed_connections(self, endpoint_id: str, count: int) -> Any: ...
    def set_endpoint_status(self, endpoint_id: str, status: str) -> None: ...
    def endpoint_call_counts(self) -> dict[str, dict[str, int]]: ...
    def call_counts(self) -> dict[str, int]: ...
    def clear_faults(self) -> int: ...


def load_handler_module(function: str) -> ModuleType:
    """Import ``functions/<function>/app.py`` the way Lambda does: by file, not as a package."""
    return load_handler(REPO, function)


ENFORCER_ENVIRONMENT = {
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_LAMBDA_FUNCTION_NAME": ENFORCER_FUNCTION_NAME,
    "LOOP_GUARD_ROLE_ARNS": ENFORCER_ROLE_ARN,
    "AWS_MAX_ATTEMPTS": "3",
    # The bundled baseline only reports; these tests deploy it as an operator who opted in
    # would: the same rules, mode enforce (a test's own POLICY_FILE or POLICY_PARAMETER wins).
    "POLICY_FILE": str(REPO / "policies" / "baseline.yaml"),
}


@dataclass
class EnforcerWorld:
    """Everything a test needs: clients, faults, the notice queue and the handler."""

    mode: str
    ec2: Any
    sqs: Any
    queue_url: str
    faults: Faults
    invoke: Callable[[dict[str, Any]], dict[str, Any]]

    def notices(self) -> list[dict[str, Any]]:
        return received_notices(self.sqs, self.queue_url)

    def describe(self, endpoint_id: str) -> dict[str, Any]:
        items = self.ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])[
            "ClientVpnEndpoints"
        ]
        return dict(items[0])

    def modify_calls(self, endpoint_id: str) -> int:
        return (
            self.faults.endpoint_call_counts()
            .get("ModifyClientVpnEndpoint", {})
            .get(endpoint_id, 0)
        )


def build_world(
    mode: str, faults: Faults, handler_module: ModuleType, set_env: Callable[[str, str], None]
) -> EnforcerWorld:
    """Create the topic, queue and table, point the enforcer at them, return the world."""
    session = shared_session()
    ec2 = session.client("ec2", region_name=REGION)
    sns = session.client("sns", region_name=REGION)
    sqs = session.client("sqs", region_name=REGION)
    topic_arn, queue_url = subscribe_queue(sns, sqs)
    set_env("NOTIFICATION_TOPIC_ARN", topic_arn)
    set_env("STATE_TABLE_NAME", create_state_table(session.client("dynamodb", region_name=REGION)))
    reset_runtime()

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = handler_module.lambda_handler(
            event, FakeLambdaContext.for_function(ENFORCER_FUNCTION_NAME)
        )
        return result

    return EnforcerWorld(
        mode=mode, ec2=ec2, sqs=sqs, queue_url=queue_url, faults=faults, invoke=invoke
    )
