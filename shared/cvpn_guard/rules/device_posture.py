"""device-posture: trust providers judge devices, and the Cedar authorization policy is enforced."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
    model_validator,
)

from cvpn_guard.endpoint import AuthorizationPolicy, EndpointState, TrustProvider
from cvpn_guard.endpoint_calls import LeaveShadowMode
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.policy_terms.key_errors import key_error
from cvpn_guard.policy_terms.values import NonBlankText, unique
from cvpn_guard.rules.base import PASSED, Fix, Needs, Rule, RuleConfig, RuleResult

SHADOW_MODE_ENABLED = "enabled"
# A policy being deleted, or whose creation failed, does not decide anything (botocore
# ClientVpnAuthorizationPolicyStatus: creating | updating | active | failed | deleting).
_NOT_IN_FORCE = frozenset({"deleting", "failed"})


class RequiredTrustProvider(BaseModel):
    """A device trust provider the endpoint must have (botocore ``ClientVpnTrustProvider``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    trust_provider_type: Literal["crowdstrike", "jamf", "jumpcloud"] = Field(
        description="the provider's TrustProviderType"
    )
    tenant_id: NonBlankText | None = Field(
        default=None, description="its TenantId (omit: any tenant)"
    )

    def met_by(self, provider: TrustProvider) -> bool:
        return provider.trust_provider_type == self.trust_provider_type and (
            self.tenant_id is None or provider.tenant_id == self.tenant_id
        )

    def describe(self) -> str:
        tenant = f" (tenant {self.tenant_id})" if self.tenant_id else ""
        return f"{self.trust_provider_type}{tenant}"


class DevicePostureConfig(RuleConfig):
    # Leaving shadow mode starts refusing devices: it is never a default.
    fix_switches: ClassVar[tuple[str, ...]] = ("leave_shadow_mode",)
    severity: Severity = Severity.HIGH
    required_trust_providers: Annotated[
        tuple[RequiredTrustProvider, ...], AfterValidator(unique)
    ] = Field(
        default=(),
        description=(
            "trust providers the endpoint must have, a list of {trust_provider_type, tenant_id?}: "
            "trust_provider_type is crowdstrike, jamf or jumpcloud (botocore's TrustProviderType),"
            " tenant_id the provider's TenantId (omit: any tenant); the default requires none"
        ),
    )
    require_authorization_policy: StrictBool = Field(
        default=True,
        description="true (an authorization policy must be in force) or false (not checked)",
    )
    forbid_shadow_mode: StrictBool = Field(
        default=True,
        description=(
            "true (the policy must be enforced, not in shadow mode) or false (shadow mode allowed)"
        ),
    )
    leave_shadow_mode: StrictBool = Field(
        default=False,
        description=(
            "true: take the policy out of shadow mode in enforce mode (disruptive; needs "
            "forbid_shadow_mode: true); false: only report"
        ),
    )

    @property
    def active(self) -> bool:
        return bool(
            self.required_trust_providers
            or self.require_authorization_policy
            or self.forbid_shadow_mode
        )

    def remediation_blocker(self) -> str | None:
        if not self.leave_shadow_mode:
            return (
                "cvpn-guard takes an authorization policy out of shadow mode only when told "
                "to; add leave_shadow_mode: true, or remove remediate"
            )
        return None

    @model_validator(mode="after")
    def _leaving_needs_forbidding(self) -> Self:
        if self.leave_shadow_mode and not self.forbid_shadow_mode:
            raise key_error(
                "leave_shadow_mode",
                "leave_shadow_mode: true needs forbid_shadow_mode: true (shadow mode is "
                "otherwise allowed, so there is nothing to leave)",
            )
        return self


class DevicePosture(Rule[DevicePostureConfig]):
    """Device trust providers must be set and the Cedar authorization policy enforced.

    Device posture (EC2 API, botocore 1.43): trust providers (CrowdStrike, Jamf, JumpCloud) vouch
    for the connecting device, and a Cedar authorization policy decides on connect and at each
    re-evaluation during the session; in shadow mode its decisions are only logged (Client VPN
    Administrator Guide, "Device posture: concepts"). The providers are in Describe's
    `DevicePostureOptions.TrustProviders`; the policy is read with
    `GetClientVpnEndpointAuthorizationPolicy` (one more call per endpoint; its answer has
    `PolicyDocument`, `Description`, `ShadowMode`, `Status`, and only the endpoint id when there is
    no policy).

    - Compliant when every required provider has a match (same type, and same tenant when
      given), a policy is in force (it has a `PolicyDocument` and its `Status` is neither
      `deleting` nor `failed`), and it is not in shadow mode. A missing `DevicePostureOptions`
      means no providers (AWS's default); a missing `ShadowMode` reads as `disabled`, the API
      reference's default. Without a read of the policy the rule is **not evaluated**.
    - Fix (only with `leave_shadow_mode: true`, which makes `remediate` default to true), and only
      when shadow mode is the one problem: `ModifyClientVpnEndpointAuthorizationPolicy` with
      `ShadowMode: disabled` and the `PolicyDocument` that was judged (Modify keeps what a request
      leaves out, so the document is sent to make sure what starts denying is what was checked),
      after the Modify (if any); the policy is read again to verify. **Disruptive**: devices the
      policy rejects cannot connect any more, and open sessions it rejects end at its next
      evaluation. Missing providers and a missing policy are report only: cvpn-guard cannot
      write your trust provider settings or your Cedar policy, and never enforces a policy on an
      endpoint that lacks a required provider.

    Controls: NIST SP 800-53 Rev. 5: IA-3 (Device Identification and Authentication: "Uniquely
    identify and authenticate [devices] before establishing a [remote] connection"; the trust
    providers vouch for the device), AC-3 (Access Enforcement: "Enforce approved authorizations
    for logical access"; the Cedar policy, enforced, not in shadow mode) and AC-17 (Remote
    Access: "Establish and document usage restrictions, configuration/connection requirements,
    and implementation guidance for each type of remote access allowed", 17a).
    """

    id = "device-posture"
    reads = ("DevicePostureOptions",)
    options = DevicePostureConfig
    order = 75
    controls = (
        Control(Framework.NIST_800_53, "IA-3", "Device Identification and Authentication"),
        Control(Framework.NIST_800_53, "AC-3", "Access Enforcement"),
        Control(Framework.NIST_800_53, "AC-17", "Remote Access"),
    )
    fixable = True
    disruptive = True
    needs = frozenset({Needs.AUTHORIZATION_POLICY})
    example = {
        "required_trust_providers": [{"trust_provider_type": "crowdstrike"}],
        "leave_shadow_mode": True,
    }

    @classmethod
    def check(cls, state: EndpointState, options: DevicePostureConfig) -> RuleResult:
        policy = state.authorization_policy
        wants_policy = options.require_authorization_policy or options.forbid_shadow_mode
        if policy is None and wants_policy:
            return RuleResult.not_evaluable("the endpoint's authorization policy was not read")
        posture = state.endpoint.device_posture_options
        providers = (posture.trust_providers if posture else None) or ()
        missing = [
            required
            for required in options.required_trust_providers
            if not any(required.met_by(provider) for provider in providers)
        ]
        policy = policy or AuthorizationPolicy()
        in_force = bool(policy.policy_document) and policy.status not in _NOT_IN_FORCE
        shadowed = in_force and policy.shadow_mode == SHADOW_MODE_ENABLED
        problems = _problems(missing, options, in_force=in_force, shadowed=shadowed, policy=policy)
        if not problems:
            return PASSED
        # Only shadow mode is ever fixed, and only when it is the one problem: enforcing a
        # policy on an endpoint that lacks its trust providers would refuse every device.
        alone = options.forbid_shadow_mode and shadowed and len(problems) == 1
        return RuleResult.violated(
            expected=_expected(options),
            actual={
                "TrustProviders": [
                    {"TrustProviderType": p.trust_provider_type, "TenantId": p.tenant_id}
                    for p in providers
                ],
                "AuthorizationPolicy": policy.status if policy.policy_document else None,
                "ShadowMode": policy.shadow_mode,
            },
            message="; ".join(problems) + ".",
            fix=_fix(str(policy.policy_document)) if alone else None,  # in force: has one
        )


def _problems(
    missing: list[RequiredTrustProvider],
    options: DevicePostureConfig,
    *,
    in_force: bool,
    shadowed: bool,
    policy: AuthorizationPolicy,
) -> list[str]:
    problems = []
    if missing:
        listed = ", ".join(required.describe() for required in missing)
        problems.append(f"The endpoint lacks the required device trust provider(s) {listed}")
    if options.require_authorization_policy and not in_force:
        problems.append(
            "The endpoint has no authorization policy in force"
            + (f" (status {policy.status})" if policy.policy_document else "")
        )
    if options.forbid_shadow_mode and shadowed:
        problems.append(
            "The authorization policy runs in shadow mode: its decisions are logged, not enforced"
        )
    return problems


def _expected(options: DevicePostureConfig) -> JsonValue:
    expected: dict[str, JsonValue] = {}
    if options.required_trust_providers:
        expected["TrustProviders"] = [
            {"TrustProviderType": r.trust_provider_type, "TenantId": r.tenant_id}
            for r in options.required_trust_providers
        ]
    if options.require_authorization_policy:
        expected["AuthorizationPolicy"] = "in force"
    if options.forbid_shadow_mode:
        expected["ShadowMode"] = "disabled"
    return expected


def _fix(policy_document: str) -> Fix:
    return Fix(
        {},
        disruption=(
            "the authorization policy starts denying: devices it rejects cannot connect, and "
            "open sessions it rejects end when it is evaluated again"
        ),
        calls=(LeaveShadowMode(policy_document=policy_document),),
    )
