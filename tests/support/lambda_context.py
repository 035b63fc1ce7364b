"""A stand-in for the Lambda context object (what Powertools reads from it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from tests.support.events import ENFORCER_FUNCTION_ARN, ENFORCER_FUNCTION_NAME


@dataclass
class FakeLambdaContext:
    function_name: str = ENFORCER_FUNCTION_NAME
    invoked_function_arn: str = ENFORCER_FUNCTION_ARN
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/cvpn-guard-enforcer"
    log_stream_name: str = "2026/11/27/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 120_000
