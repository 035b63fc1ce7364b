"""Where the policy document comes from: SSM, a file, or the bundled default.

The SSM value is cached for ``POLICY_CACHE_SECONDS``, so a warm Lambda does not call SSM on every
event, yet a policy change reaches it within minutes. (One GetParameter and a timestamp: Powertools'
parameter provider would do the same but import boto3 and every other provider at cold start.)
The document is parsed again only when its text changed: validation costs about 2 ms, the
policy (and its mode override) is the same object for every warm invocation in between.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from cvpn_guard.aws.clients import cached_client, session_client
from cvpn_guard.aws.errors import aws_call
from cvpn_guard.exceptions import AwsCallError, ConfigurationError
from cvpn_guard.policy import Policy, default_policy, load_policy, load_policy_file
from cvpn_guard.policy_terms.enums import Mode

if TYPE_CHECKING:
    from boto3.session import Session
    from mypy_boto3_ssm import SSMClient


class PolicySource(Protocol):
    """Where the policy is configured: the part of ``cvpn_guard.settings.Settings`` the store
    reads. A protocol, because the settings sit above the adapters in the dependency order."""

    @property
    def policy_parameter(self) -> str | None: ...
    @property
    def policy_file(self) -> str | None: ...
    @property
    def policy_cache_seconds(self) -> int: ...
    @property
    def enforcement_mode(self) -> Mode | None: ...
    @property
    def region(self) -> str | None: ...
    @property
    def aws_max_attempts(self) -> int: ...


class PolicyStore:
    """Loads the configured policy; ENFORCEMENT_MODE, when set, overrides the policy's mode."""

    def __init__(
        self,
        settings: PolicySource,
        ssm: SSMClient | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._ssm = ssm
        self._clock = clock
        self._read: tuple[str, float] | None = None  # (parameter text, when it was read)
        self._last: tuple[str, Policy] | None = None  # (parameter text, policy in force)

    def load(self) -> Policy:
        """The policy in force now. Raises PolicyError (invalid document) or ConfigurationError."""
        settings = self._settings
        if not settings.policy_parameter:
            policy = (
                load_policy_file(settings.policy_file) if settings.policy_file else default_policy()
            )
            return self._with_mode(policy)
        text = self._parameter(settings.policy_parameter)
        if self._last is None or self._last[0] != text:
            policy = load_policy(text, source=f"ssm:{settings.policy_parameter}")
            self._last = (text, self._with_mode(policy))
        return self._last[1]

    def _with_mode(self, policy: Policy) -> Policy:
        mode = self._settings.enforcement_mode
        return policy.with_mode(mode) if mode is not None else policy

    def _parameter(self, name: str) -> str:
        now = self._clock()
        if self._read is not None and now - self._read[1] < self._settings.policy_cache_seconds:
            return self._read[0]
        try:
            text = parameter_text(self._client(), name)
        except AwsCallError as error:
            raise ConfigurationError(
                f"cannot read the policy from SSM parameter {name!r}: {error}. "
                "Check POLICY_PARAMETER and the function's ssm:GetParameter permission."
            ) from error
        self._read = (text, now)
        return text

    def _client(self) -> SSMClient:
        if self._ssm is None:
            settings = self._settings
            self._ssm = cached_client("ssm", settings.region, settings.aws_max_attempts)
        return self._ssm


def parameter_text(ssm: SSMClient, name: str) -> str:
    """The policy document stored in SSM parameter ``name`` (the one call every reader makes)."""
    with aws_call("GetParameter"):
        response = ssm.get_parameter(Name=name)
    return str(response["Parameter"]["Value"])


def read_parameter(
    session: Session, name: str, region: str, endpoint_url: str | None, max_attempts: int
) -> str:
    """The policy document in SSM parameter ``name`` of ``region``, with the caller's
    credentials (``cvpn-guard scan --policy-parameter``): the text the Lambdas read.

    Raises ``ConfigurationError`` saying what to check.
    """
    ssm = session_client(session, "ssm", region, max_attempts, endpoint_url)
    try:
        return parameter_text(ssm, name)
    except AwsCallError as error:
        hint = (
            "check the name (the stack's PolicyParameter output) and the region "
            "(--policy-region: the stack's region)"
            if error.code == "ParameterNotFound"
            else "check that your credentials may call ssm:GetParameter on it"
        )
        raise ConfigurationError(
            f"cannot read the policy from SSM parameter {name!r} in {region}: "
            f"{error.code}: {error.message}; {hint}"
        ) from error
