"""The options of each rule of the policy document, one model per rule id.

Every rule takes ``severity`` and ``remediate`` besides its own options. The defaults of
both are per rule (see docs/policy.md): ``remediate`` defaults to true where a fix exists
(except ``dns-servers``), false otherwise. A rule that AWS cannot fix, or that cannot be
fixed with the options given, rejects ``remediate: true``: the user would otherwise believe
cvpn-guard fixes something it only reports.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    model_validator,
)
from pydantic_core import PydanticCustomError

from cvpn_guard.policy.enums import Severity
from cvpn_guard.policy.values import (
    BannerText,
    IpAddress,
    LambdaFunctionArn,
    LogGroupName,
    LogStreamName,
    SecurityGroupId,
    TagKey,
    unique,
)

SESSION_TIMEOUT_HOURS = (8, 10, 12, 24)
"""The values AWS accepts for ``SessionTimeoutHours``."""
VPN_PORTS = (443, 1194)
"""The values AWS accepts for ``VpnPort``."""
MAX_DNS_SERVERS = 2
MAX_SECURITY_GROUPS = 5

KEY_ERROR = "policy_key"
"""Type of the errors raised for one key of an options model: ``ctx["key"]`` names it."""


def key_error(key: str, message: str) -> PydanticCustomError:
    """An error about ``key`` of the model being validated, with a complete message."""
    return PydanticCustomError(KEY_ERROR, "{message}", {"key": key, "message": message})


def _one_of(*allowed: int) -> AfterValidator:
    def check(value: int) -> int:
        if value not in allowed:
            raise ValueError(f"{value} is not allowed; allowed: {', '.join(map(str, allowed))}")
        return value

    return AfterValidator(check)


VpnPort = Annotated[StrictInt, _one_of(*VPN_PORTS)]
TransportProtocol = Literal["udp", "tcp"]
AuthenticationType = Literal[
    "certificate-authentication", "directory-service-authentication", "federated-authentication"
]


class RuleConfig(BaseModel):
    """Options every rule takes; subclasses add their own and set the defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule_id: ClassVar[str]
    remediate_by_default: ClassVar[bool] = True
    """``remediate``'s default when the options allow a fix (see ``fix_options``)."""
    fix_options: ClassVar[tuple[str, ...]] = ()
    """Options the fix needs: without them ``remediate`` defaults to false."""

    severity: Severity
    remediate: StrictBool = Field(
        description="true (fix in enforce mode) or false (only report); "
        "the default depends on the rule"
    )

    @property
    def active(self) -> bool:
        """False when the options switch the check off (``required: false`` and the like)."""
        return True

    def remediation_blocker(self) -> str | None:
        """Why this rule cannot fix anything with these options, or None when it can."""
        return None

    @model_validator(mode="before")
    @classmethod
    def _default_remediate(cls, data: Any) -> Any:
        # The default is decided here, from the options given, rather than by a field
        # default: a rule that cannot fix anything with its options defaults to false, so
        # a dumped policy (every default written out) loads again unchanged.
        if isinstance(data, dict) and "remediate" not in data:
            possible = all(data.get(option) is not None for option in cls.fix_options)
            return {**data, "remediate": cls.remediate_by_default and possible}
        return data

    @model_validator(mode="after")
    def _remediation_possible(self) -> Self:
        if self.remediate:
            blocker = self.remediation_blocker()
            if blocker is not None:
                raise key_error("remediate", f"remediate: true is not possible: {blocker}")
        return self


class DisconnectOnSessionTimeoutConfig(RuleConfig):
    rule_id: ClassVar[str] = "disconnect-on-session-timeout"
    severity: Severity = Severity.HIGH
    required: StrictBool = Field(
        default=True, description="true (sessions must end at the timeout) or false (not checked)"
    )

    @property
    def active(self) -> bool:
        return self.required


class SessionTimeoutConfig(RuleConfig):
    rule_id: ClassVar[str] = "session-timeout"
    severity: Severity = Severity.MEDIUM
    max_hours: StrictInt = Field(
        ge=SESSION_TIMEOUT_HOURS[0],
        description="a whole number of hours, 8 or more (AWS's session timeouts are 8, 10, 12, 24)",
    )

    @property
    def target_hours(self) -> int:
        """The largest session timeout AWS accepts that the policy allows."""
        for hours in reversed(SESSION_TIMEOUT_HOURS):  # max_hours >= 8: always found
            if hours <= self.max_hours:
                return hours
        raise AssertionError("max_hours is validated to be at least 8")


class LoginBannerConfig(RuleConfig):
    rule_id: ClassVar[str] = "login-banner"
    fix_options: ClassVar[tuple[str, ...]] = ("text",)
    severity: Severity = Severity.MEDIUM
    required: StrictBool = Field(
        default=True, description="true (a banner must be shown) or false (not checked)"
    )
    text: BannerText | None = Field(
        default=None,
        description="the exact approved banner text, 1 to 1400 characters (omit: any text)",
    )

    @property
    def active(self) -> bool:
        return self.required

    def remediation_blocker(self) -> str | None:
        if self.text is None:
            return "AWS turns a banner on only with its text; add text, or remove remediate"
        return None


class ConnectionLoggingConfig(RuleConfig):
    rule_id: ClassVar[str] = "connection-logging"
    fix_options: ClassVar[tuple[str, ...]] = ("log_group",)
    severity: Severity = Severity.HIGH
    required: StrictBool = Field(
        default=True, description="true (connection logging must be on) or false (not checked)"
    )
    log_group: LogGroupName | None = Field(
        default=None, description="the CloudWatch Logs group to log to (omit: any group)"
    )
    log_stream: LogStreamName | None = Field(
        default=None,
        description="the CloudWatch Logs stream to log to (omit: any stream); needs log_group",
    )

    @property
    def active(self) -> bool:
        return self.required

    def remediation_blocker(self) -> str | None:
        if self.log_group is None:
            return (
                "AWS turns connection logging on only with a log group; add log_group, or remove "
                "remediate"
            )
        return None

    @model_validator(mode="after")
    def _stream_needs_group(self) -> Self:
        if self.log_stream is not None and self.log_group is None:
            raise key_error("log_stream", "log_stream needs log_group: add the stream's log group")
        return self


class SplitTunnelConfig(RuleConfig):
    rule_id: ClassVar[str] = "split-tunnel"
    severity: Severity = Severity.MEDIUM
    # No default: which way is right depends on the org, the policy must say it.
    required: StrictBool = Field(
        description="true (split-tunnel must be on) or false (it must be off: full tunnel)"
    )


class SelfServicePortalConfig(RuleConfig):
    rule_id: ClassVar[str] = "self-service-portal"
    severity: Severity = Severity.MEDIUM
    allowed: StrictBool = Field(
        default=False, description="false (the portal must be off) or true (not checked)"
    )

    @property
    def active(self) -> bool:
        return not self.allowed


class ClientConnectHandlerConfig(RuleConfig):
    rule_id: ClassVar[str] = "client-connect-handler"
    fix_options: ClassVar[tuple[str, ...]] = ("allowed_functions",)
    severity: Severity = Severity.HIGH
    required: StrictBool = Field(
        default=True,
        description="true (a client connect handler must be on) or false (not checked)",
    )
    allowed_functions: (
        Annotated[tuple[LambdaFunctionArn, ...], Field(min_length=1), AfterValidator(unique)] | None
    ) = Field(
        default=None,
        description="a non-empty list of Lambda function ARNs whose name starts with "
        "AWSClientVPN- (omit: any function); the first one is the fix",
    )

    @property
    def active(self) -> bool:
        return self.required

    def remediation_blocker(self) -> str | None:
        if self.allowed_functions is None:
            return "there is no function to turn on; add allowed_functions, or remove remediate"
        return None


class ClientRouteEnforcementConfig(RuleConfig):
    rule_id: ClassVar[str] = "client-route-enforcement"
    severity: Severity = Severity.MEDIUM
    required: StrictBool = Field(
        default=True, description="true (client routes must be enforced) or false (not checked)"
    )

    @property
    def active(self) -> bool:
        return self.required


class VpnPortConfig(RuleConfig):
    rule_id: ClassVar[str] = "vpn-port"
    severity: Severity = Severity.LOW
    allowed: Annotated[tuple[VpnPort, ...], Field(min_length=1), AfterValidator(unique)] = Field(
        description="a non-empty list of 443 and/or 1194; the first one is the fix"
    )


class TransportProtocolConfig(RuleConfig):
    rule_id: ClassVar[str] = "transport-protocol"
    severity: Severity = Severity.LOW
    remediate_by_default: ClassVar[bool] = False
    allowed: Annotated[
        tuple[TransportProtocol, ...], Field(min_length=1), AfterValidator(unique)
    ] = Field(description="a non-empty list of udp and/or tcp")

    def remediation_blocker(self) -> str | None:
        return (
            "AWS cannot change the transport protocol of an endpoint, so this rule only "
            "reports; remove remediate or set it to false"
        )


class AuthenticationConfig(RuleConfig):
    rule_id: ClassVar[str] = "authentication"
    severity: Severity = Severity.HIGH
    remediate_by_default: ClassVar[bool] = False
    allowed_types: Annotated[
        tuple[AuthenticationType, ...], Field(min_length=1), AfterValidator(unique)
    ] = Field(
        description="a non-empty list of certificate-authentication, "
        "directory-service-authentication, federated-authentication"
    )

    def remediation_blocker(self) -> str | None:
        return (
            "AWS cannot change the authentication options of an endpoint, so this rule only "
            "reports; remove remediate or set it to false"
        )


class DnsServersConfig(RuleConfig):
    rule_id: ClassVar[str] = "dns-servers"
    severity: Severity = Severity.MEDIUM
    # Off by default: changing DNS servers resets every client connection.
    remediate_by_default: ClassVar[bool] = False
    allowed: Annotated[
        tuple[IpAddress, ...],
        Field(min_length=1, max_length=MAX_DNS_SERVERS),
        AfterValidator(unique),
    ] = Field(description="one or two IP addresses (AWS allows at most two DNS servers)")


class AuthorizationConfig(RuleConfig):
    rule_id: ClassVar[str] = "authorization"
    severity: Severity = Severity.HIGH
    remediate_by_default: ClassVar[bool] = False
    forbid_access_all: StrictBool = Field(
        default=True,
        description="true (no authorization rule may allow all clients) or false (not checked)",
    )

    @property
    def active(self) -> bool:
        return self.forbid_access_all

    def remediation_blocker(self) -> str | None:
        return (
            "cvpn-guard never revokes authorization rules, so this rule only reports; remove "
            "remediate or set it to false"
        )


class SecurityGroupsConfig(RuleConfig):
    rule_id: ClassVar[str] = "security-groups"
    fix_options: ClassVar[tuple[str, ...]] = ("replacement_group_ids",)
    severity: Severity = Severity.MEDIUM
    forbid_default: StrictBool = Field(
        default=True,
        description="true (the VPC's default security group is forbidden) or false (not checked)",
    )
    replacement_group_ids: (
        Annotated[
            tuple[SecurityGroupId, ...],
            Field(min_length=1, max_length=MAX_SECURITY_GROUPS),
            AfterValidator(unique),
        ]
        | None
    ) = Field(
        default=None,
        description="1 to 5 security group ids to put in place of the default one "
        "(omit: report only)",
    )

    @property
    def active(self) -> bool:
        return self.forbid_default

    def remediation_blocker(self) -> str | None:
        if self.replacement_group_ids is None:
            return (
                "there are no security groups to put in place of the default one; add "
                "replacement_group_ids, or remove remediate"
            )
        return None


class RequiredTagsConfig(RuleConfig):
    rule_id: ClassVar[str] = "required-tags"
    severity: Severity = Severity.LOW
    remediate_by_default: ClassVar[bool] = False
    keys: Annotated[tuple[TagKey, ...], Field(min_length=1), AfterValidator(unique)] = Field(
        description="a non-empty list of tag keys (case-sensitive)"
    )

    def remediation_blocker(self) -> str | None:
        return (
            "cvpn-guard cannot know the values of missing tags, so this rule only reports; "
            "remove remediate or set it to false"
        )


RULE_CONFIGS: tuple[type[RuleConfig], ...] = (
    DisconnectOnSessionTimeoutConfig,
    SessionTimeoutConfig,
    LoginBannerConfig,
    ConnectionLoggingConfig,
    SplitTunnelConfig,
    SelfServicePortalConfig,
    ClientConnectHandlerConfig,
    ClientRouteEnforcementConfig,
    VpnPortConfig,
    TransportProtocolConfig,
    AuthenticationConfig,
    DnsServersConfig,
    AuthorizationConfig,
    SecurityGroupsConfig,
    RequiredTagsConfig,
)
"""Every rule's options, in the order rules are evaluated and documented."""

RULE_IDS: tuple[str, ...] = tuple(config.rule_id for config in RULE_CONFIGS)
"""Every rule id, exactly as written in a policy document."""
