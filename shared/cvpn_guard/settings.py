"""Deployment settings, read from the environment once per process.

Read lazily (``get_settings()``), never at import time, so importing a handler costs nothing
and tests can change the environment then call ``get_settings.cache_clear()``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from cvpn_guard.exceptions import ConfigurationError
from cvpn_guard.policy import Mode

_ENVIRONMENT_NAMES = {
    "policy_parameter": "POLICY_PARAMETER",
    "policy_file": "POLICY_FILE",
    "enforcement_mode": "ENFORCEMENT_MODE",
    "notification_topic_arn": "NOTIFICATION_TOPIC_ARN",
    "state_table_name": "STATE_TABLE_NAME",
    "loop_guard_role_arns": "LOOP_GUARD_ROLE_ARNS",
    "function_name": "AWS_LAMBDA_FUNCTION_NAME",
    "policy_cache_seconds": "POLICY_CACHE_SECONDS",
    "sweep_regions": "SWEEP_REGIONS",
    "region": "AWS_REGION",
    "aws_max_attempts": "AWS_MAX_ATTEMPTS",
    "member_role_name": "MEMBER_ROLE_NAME",
    "sweep_queue_url": "SWEEP_QUEUE_URL",
    "sweep_accounts": "SWEEP_ACCOUNTS",
    "security_hub": "SECURITY_HUB",
    "sweep_deadline_minutes": "SWEEP_DEADLINE_MINUTES",
}


# botocore's retry budget per call when AWS_MAX_ATTEMPTS is not set, template.yaml's value:
# with it one call's worst case (aws.clients.worst_case_call_seconds) fits inside the
# enforcer's timeout and the endpoint lease (tests/unit/aws/test_call_budget.py).
DEFAULT_MAX_ATTEMPTS = 5


def _split(value: object) -> object:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


class Settings(BaseModel):
    """What a deployment can configure. Field docs name the environment variable."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy_parameter: str | None = None
    """POLICY_PARAMETER: SSM parameter holding the policy document (wins over POLICY_FILE)."""
    policy_file: str | None = None
    """POLICY_FILE: path of a YAML/JSON policy document."""
    enforcement_mode: Mode | None = None
    """ENFORCEMENT_MODE: enforce|report overrides the policy's own mode; empty or ``document``
    (the stack's default) defers to the document."""
    notification_topic_arn: str | None = None
    """NOTIFICATION_TOPIC_ARN: SNS topic for notices and reports."""
    state_table_name: str | None = None
    """STATE_TABLE_NAME: DynamoDB table for per-endpoint leases and the notification outbox."""
    loop_guard_role_arns: tuple[str, ...] = ()
    """LOOP_GUARD_ROLE_ARNS: comma-separated roles whose calls are cvpn-guard's own."""
    function_name: str | None = None
    """AWS_LAMBDA_FUNCTION_NAME: set by Lambda; the session name of our own calls."""
    policy_cache_seconds: int = Field(default=300, ge=0, le=86_400)
    """POLICY_CACHE_SECONDS: how long a policy read from SSM is reused."""
    sweep_regions: tuple[str, ...] = ()
    """SWEEP_REGIONS: comma-separated regions the sweeper covers (default: its own)."""
    region: str | None = None
    """AWS_REGION: set by Lambda."""
    aws_max_attempts: int = Field(default=DEFAULT_MAX_ATTEMPTS, ge=1, le=20)
    """AWS_MAX_ATTEMPTS: botocore's retry budget per call (standard mode)."""
    member_role_name: str | None = None
    """MEMBER_ROLE_NAME: organization mode: the role (org/member.yaml) assumed in the account
    of each change or sweep; unset, cvpn-guard acts in its own account only."""
    sweep_queue_url: str | None = None
    """SWEEP_QUEUE_URL: organization mode: the sweeper enqueues one item per account and region
    here for the sweep workers, instead of sweeping itself."""
    sweep_accounts: tuple[str, ...] = ()
    """SWEEP_ACCOUNTS: comma-separated accounts the org sweep covers (default: every ACTIVE
    account Organizations lists)."""
    sweep_deadline_minutes: int | None = Field(default=None, ge=5, le=9999)
    """SWEEP_DEADLINE_MINUTES: organization mode: a run not merged this many minutes after it
    started is merged by the finisher (its missing targets as ``not_swept``); empty: by the
    next sweep."""
    security_hub: bool = False
    """SECURITY_HUB: "true" imports each verdict into Security Hub as ASFF findings, in the
    endpoint's own account (through its member role in organization mode)."""

    _split_lists = field_validator(
        "loop_guard_role_arns", "sweep_regions", "sweep_accounts", mode="before"
    )(_split)

    @field_validator(
        "enforcement_mode",
        "policy_parameter",
        "policy_file",
        "notification_topic_arn",
        "member_role_name",
        "sweep_queue_url",
        "sweep_deadline_minutes",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object, info: ValidationInfo) -> object:
        # CloudFormation parameters often pass "" for "not set"; the stack's EnforcementMode
        # says "document" when the policy document's own mode decides.
        if value == "" or (info.field_name == "enforcement_mode" and value == "document"):
            return None
        return value

    @property
    def organization_mode(self) -> bool:
        """True when changes and sweeps reach member accounts through MEMBER_ROLE_NAME."""
        return bool(self.member_role_name)

    @property
    def regions_to_sweep(self) -> tuple[str, ...]:
        """The sweep's regions: SWEEP_REGIONS, else the function's own region."""
        if self.sweep_regions:
            return self.sweep_regions
        return (self.region,) if self.region else ()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from environment variables, with errors naming the variable."""
        environ = os.environ if environ is None else environ
        raw = {
            field: environ[name] for field, name in _ENVIRONMENT_NAMES.items() if name in environ
        }
        if "region" not in raw and "AWS_DEFAULT_REGION" in environ:
            raw["region"] = environ["AWS_DEFAULT_REGION"]
        try:
            return cls.model_validate(raw)
        except ValidationError as error:
            problems = [
                f"{_ENVIRONMENT_NAMES.get(str(item['loc'][0]), item['loc'][0])}: {item['msg']}"
                for item in error.errors()
            ]
            raise ConfigurationError("invalid environment: " + "; ".join(problems)) from error


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once (Lambda reuses them across warm invocations)."""
    return Settings.from_environment()
