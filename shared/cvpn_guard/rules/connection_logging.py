"""connection-logging: client connections are logged to CloudWatch Logs."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import Field, JsonValue, StrictBool, model_validator

from cvpn_guard.endpoint import ConnectionLogOptions, EndpointState
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.policy_terms.key_errors import key_error
from cvpn_guard.policy_terms.values import LogGroupName, LogStreamName
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleConfig, RuleResult


class ConnectionLoggingConfig(RuleConfig):
    # The context flag alone is fixable on an endpoint that already logs (its group is kept).
    fix_options: ClassVar[tuple[str, ...]] = ("log_group", "include_authorization_policy_context")
    severity: Severity = Severity.HIGH
    required: StrictBool = Field(
        default=True, description="true (connection logging must be on) or false (not checked)"
    )
    log_group: LogGroupName | None = Field(
        default=None,
        description=(
            "the CloudWatch Logs group to log to, 1 to 512 of letters, digits and . - _ / # (omit:"
            " any group)"
        ),
    )
    log_stream: LogStreamName | None = Field(
        default=None,
        description=(
            "the CloudWatch Logs stream to log to, 1 to 512 characters without : or * (omit: any "
            "stream); needs log_group"
        ),
    )
    include_authorization_policy_context: StrictBool | None = Field(
        default=None,
        description=(
            "true or false: whether the logs carry the device posture authorization policy's "
            "evaluation context (ConnectionLogOptions.IncludeAuthorizationPolicyContext, botocore "
            "1.43; omit: not checked)"
        ),
    )

    @property
    def active(self) -> bool:
        return self.required

    def remediation_blocker(self) -> str | None:
        if self.log_group is None and self.include_authorization_policy_context is None:
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


class ConnectionLogging(Rule[ConnectionLoggingConfig]):
    """Connection logging must be on, into the policy's log group (and stream) when it names one.

    - Compliant when `ConnectionLogOptions.Enabled` is true, the group and stream match those
      given, and `IncludeAuthorizationPolicyContext` equals the option when it is given (a
      missing value reads as `false`: the context is not logged).
    - Fix: `ConnectionLogOptions: {Enabled: true, CloudwatchLogGroup, CloudwatchLogStream?,
      IncludeAuthorizationPolicyContext?}` with the policy's `log_group`, or, when the policy
      names none, the group the endpoint already logs to (so a fix of the context flag alone
      never moves the logs). Modify replaces the whole structure, so the fix carries over what
      the policy does not govern: the current stream when it is already in the right group (and
      the policy names none), and `IncludeAuthorizationPolicyContext`. An endpoint that does not
      log, under a policy without `log_group`, is report only (AWS needs a group to turn logging
      on). Not disruptive.

    Controls: NIST SP 800-53 Rev. 5: AU-2 (Event Logging: connection attempts, connects and
    disconnects are the event types to log), AU-12 (Audit Record Generation: "Generate audit
    records for the event types defined in AU-2c") and AC-17(1) (Remote Access | Monitoring and
    Control: "Employ automated mechanisms to monitor and control remote access methods"). AWS
    Security Hub control EC2.51, "EC2 Client VPN endpoints should have client connection
    logging enabled" (AWS Security Hub User Guide, "Security Hub controls for Amazon EC2",
    EC2.51: AWS Config rule `ec2-client-vpn-connection-log-enabled`), which lists among its
    related requirements NIST.800-53.r5 AU-2 and AU-12 and PCI DSS v4.0.1/10.2.1; hence PCI DSS
    v4.0 requirement 10.2.1 ("Audit logs are enabled and active for all system components and
    cardholder data"). AWS Config's PCI DSS 4.0 conformance pack does not deploy that Config
    rule (Operational-Best-Practices-for-PCI-DSS-v4.0-including-global-resourcetypes.yaml in
    awslabs/aws-config-rules): the PCI mapping is Security Hub's.
    """

    id = "connection-logging"
    reads = ("ConnectionLogOptions",)
    options = ConnectionLoggingConfig
    order = 40
    controls = (
        Control(Framework.NIST_800_53, "AU-2", "Event Logging"),
        Control(Framework.NIST_800_53, "AU-12", "Audit Record Generation"),
        Control(Framework.NIST_800_53, "AC-17(1)", "Monitoring and Control"),
        Control(
            Framework.PCI_DSS,
            "10.2.1",
            "Audit logs are enabled and active for all system components and cardholder data",
        ),
        Control(
            Framework.SECURITY_HUB,
            "EC2.51",
            "EC2 Client VPN endpoints should have client connection logging enabled",
        ),
    )
    fixable = True
    modifies = ("ConnectionLogOptions",)
    example = {
        "required": True,
        "log_group": "/aws/clientvpn",
        "include_authorization_policy_context": True,
    }

    @classmethod
    def check(cls, state: EndpointState, options: ConnectionLoggingConfig) -> RuleResult:
        current = state.endpoint.connection_log_options or ConnectionLogOptions()
        enabled = current.enabled is True
        group_ok = options.log_group is None or current.cloudwatch_log_group == options.log_group
        stream_ok = (
            options.log_stream is None or current.cloudwatch_log_stream == options.log_stream
        )
        context_ok = (
            options.include_authorization_policy_context is None
            or _includes_context(current) == options.include_authorization_policy_context
        )
        if enabled and group_ok and stream_ok and context_ok:
            return PASSED
        expected: dict[str, JsonValue] = {"Enabled": True}
        if options.log_group is not None:
            expected["CloudwatchLogGroup"] = options.log_group
        if options.log_stream is not None:
            expected["CloudwatchLogStream"] = options.log_stream
        if options.include_authorization_policy_context is not None:
            expected["IncludeAuthorizationPolicyContext"] = (
                options.include_authorization_policy_context
            )
        if not enabled:
            message = "Connection logging is off; the policy requires it."
        elif not (group_ok and stream_ok):
            message = (
                f"Connection logging goes to {current.cloudwatch_log_group}/"
                f"{current.cloudwatch_log_stream}; the policy requires "
                f"{options.log_group}/{options.log_stream or '<any stream>'}."
            )
        else:
            message = (
                "Connection logs "
                f"{'include' if _includes_context(current) else 'leave out'} the authorization "
                "policy's evaluation context; the policy requires them to "
                f"{'include' if options.include_authorization_policy_context else 'leave'} it"
                f"{'' if options.include_authorization_policy_context else ' out'}."
            )
        return RuleResult.violated(
            expected=expected,
            actual={
                "Enabled": current.enabled,
                "CloudwatchLogGroup": current.cloudwatch_log_group,
                "CloudwatchLogStream": current.cloudwatch_log_stream,
                "IncludeAuthorizationPolicyContext": current.include_authorization_policy_context,
            },
            message=message,
            fix=_fix(current, options),
        )


def _includes_context(current: ConnectionLogOptions) -> bool:
    # Absent (endpoints and SDKs older than the field): the context is not logged.
    return current.include_authorization_policy_context is True


def _fix(current: ConnectionLogOptions, options: ConnectionLoggingConfig) -> Fix | None:
    # The policy's group, else the group the endpoint already logs to (a fix of the context
    # flag alone must not move the logs); AWS turns logging on only with a group.
    group = options.log_group or (current.cloudwatch_log_group if current.enabled else None)
    if group is None:
        return None  # report only
    wanted: dict[str, Any] = {"Enabled": True, "CloudwatchLogGroup": group}
    if options.log_stream is not None:
        wanted["CloudwatchLogStream"] = options.log_stream
    elif current.cloudwatch_log_group == group and current.cloudwatch_log_stream:
        # Modify replaces the whole structure: keep the stream already in the right group.
        wanted["CloudwatchLogStream"] = current.cloudwatch_log_stream
    if options.include_authorization_policy_context is not None:
        wanted["IncludeAuthorizationPolicyContext"] = options.include_authorization_policy_context
    elif current.include_authorization_policy_context is not None:
        # Same reason: a setting the policy does not govern must survive the fix.
        wanted["IncludeAuthorizationPolicyContext"] = current.include_authorization_policy_context
    return Fix({"ConnectionLogOptions": wanted})
