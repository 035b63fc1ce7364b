"""Where the policy document comes from: SSM, a file, or the bundled default.

The SSM value is cached for ``POLICY_CACHE_SECONDS`` by Powertools' parameter provider, so a
warm Lambda does not call SSM on every event, yet a policy change reaches it within minutes.
The document is parsed again only when its text changed: validation costs about 2 ms, the
policy (and its mode override) is the same object for every warm invocation in between.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_lambda_powertools.utilities.parameters import SSMProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from cvpn_guard.exceptions import ConfigurationError
from cvpn_guard.policy import Policy, default_policy, load_policy, load_policy_file

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient

    from cvpn_guard.settings import Settings


class PolicyStore:
    """Loads the configured policy; ENFORCEMENT_MODE, when set, overrides the policy's mode."""

    def __init__(self, settings: Settings, ssm: SSMClient | None = None) -> None:
        self._settings = settings
        self._ssm = ssm
        self._provider: SSMProvider | None = None
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
        if self._provider is None:
            self._provider = SSMProvider(boto3_client=self._ssm)
        try:
            value = self._provider.get(name, max_age=self._settings.policy_cache_seconds)
        except GetParameterError as error:
            raise ConfigurationError(
                f"cannot read the policy from SSM parameter {name!r}: {error}. "
                "Check POLICY_PARAMETER and the function's ssm:GetParameter permission."
            ) from error
        return str(value)
