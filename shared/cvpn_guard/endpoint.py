"""The state of one Client VPN endpoint, typed from what boto3's Describe calls return.

Field aliases are the PascalCase keys of botocore's output shapes, so a Describe item
validates as it is. Every field is optional (older endpoints and older SDKs omit what they
do not know) and unknown keys are kept (``extra="allow"``): a field AWS adds later neither
breaks validation nor gets lost when :func:`cvpn_guard.remediation.apply_plan` rebuilds
the item.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_pascal

ENDPOINT_ID = re.compile(r"cvpn-endpoint-[0-9a-f]{8,17}")
"""A Client VPN endpoint id, as AWS writes it (use ``fullmatch``)."""
CERTIFICATE_AUTHENTICATION = "certificate-authentication"
"""The AuthenticationOptions type of mutual (client certificate) authentication."""

_AWS_SHAPE = ConfigDict(
    alias_generator=to_pascal,
    populate_by_name=True,
    extra="allow",
    frozen=True,
)


class _AwsShape(BaseModel):
    model_config = _AWS_SHAPE


class AttributeStatus(_AwsShape):
    """``Status`` of an endpoint, an authorization rule or an endpoint attribute."""

    code: str | None = None
    message: str | None = None


def code_of(status: AttributeStatus | None) -> str | None:
    """A ``Status``'s ``Code``, None when the item has no status."""
    return status.code if status is not None else None


class ActiveDirectory(_AwsShape):
    directory_id: str | None = None


class MutualAuthentication(_AwsShape):
    # Describe says ClientRootCertificateChain; the Create request says ...ChainArn.
    client_root_certificate_chain: str | None = None


class FederatedAuthentication(_AwsShape):
    # Describe says SamlProviderArn; the Create request says SAMLProviderArn.
    saml_provider_arn: str | None = None
    self_service_saml_provider_arn: str | None = None


class AuthenticationOption(_AwsShape):
    """One item of ``AuthenticationOptions``."""

    # A plain str, not an enum: a type AWS adds later must not break validation.
    type: str | None = None
    active_directory: ActiveDirectory | None = None
    mutual_authentication: MutualAuthentication | None = None
    federated_authentication: FederatedAuthentication | None = None


class ConnectionLogOptions(_AwsShape):
    enabled: bool | None = None
    cloudwatch_log_group: str | None = None
    cloudwatch_log_stream: str | None = None
    include_authorization_policy_context: bool | None = None


class Tag(_AwsShape):
    key: str
    value: str | None = None


class ClientConnectOptions(_AwsShape):
    enabled: bool | None = None
    lambda_function_arn: str | None = None
    status: AttributeStatus | None = None


class ClientLoginBannerOptions(_AwsShape):
    enabled: bool | None = None
    banner_text: str | None = None


class ClientRouteEnforcementOptions(_AwsShape):
    enforced: bool | None = None


class TrustProvider(_AwsShape):
    """One device trust provider (botocore ``ClientVpnTrustProvider``)."""

    # A plain str, not an enum: a provider type AWS adds later must not break validation.
    trust_provider_type: str | None = None
    tenant_id: str | None = None
    public_signing_key_url: str | None = None


class DevicePostureOptions(_AwsShape):
    """Describe's ``DevicePostureOptions``: only the providers (Modify's ``Enabled`` is not shown)."""

    trust_providers: tuple[TrustProvider, ...] | None = None


class TransitGatewayConfiguration(_AwsShape):
    transit_gateway_id: str | None = None
    transit_gateway_attachment_id: str | None = None
    availability_zones: tuple[str, ...] | None = None
    availability_zone_ids: tuple[str, ...] | None = None


class ClientVpnEndpoint(_AwsShape):
    """One item of ``DescribeClientVpnEndpoints``' ``ClientVpnEndpoints``.

    There is no ``SelfServicePortal`` field in Describe: the portal is on exactly when
    ``SelfServicePortalUrl`` is present.
    """

    client_vpn_endpoint_id: str
    description: str | None = None
    status: AttributeStatus | None = None
    creation_time: str | None = None
    deletion_time: str | None = None
    dns_name: str | None = None
    client_cidr_block: str | None = None
    dns_servers: tuple[str, ...] | None = None
    split_tunnel: bool | None = None
    vpn_protocol: str | None = None
    transport_protocol: str | None = None
    vpn_port: int | None = None
    server_certificate_arn: str | None = None
    authentication_options: tuple[AuthenticationOption, ...] | None = None
    connection_log_options: ConnectionLogOptions | None = None
    # Named tag_list so that ``tags`` can be the convenient {key: value} view.
    tag_list: tuple[Tag, ...] | None = Field(default=None, alias="Tags")
    security_group_ids: tuple[str, ...] | None = None
    vpc_id: str | None = None
    self_service_portal_url: str | None = None
    client_connect_options: ClientConnectOptions | None = None
    session_timeout_hours: int | None = None
    client_login_banner_options: ClientLoginBannerOptions | None = None
    client_route_enforcement_options: ClientRouteEnforcementOptions | None = None
    disconnect_on_session_timeout: bool | None = None
    endpoint_ip_address_type: str | None = None
    traffic_ip_address_type: str | None = None
    transit_gateway_configuration: TransitGatewayConfiguration | None = None
    device_posture_options: DevicePostureOptions | None = None

    @classmethod
    def from_describe(cls, item: Mapping[str, Any]) -> ClientVpnEndpoint:
        """Type one ``DescribeClientVpnEndpoints`` item, exactly as boto3 returns it.

        Parameters
        ----------
        item : Mapping[str, Any]
            One element of the response's ``ClientVpnEndpoints`` list.

        Returns
        -------
        ClientVpnEndpoint
            The frozen model; keys it does not know are kept as extra fields.
        """
        return cls.model_validate(item)

    @property
    def endpoint_id(self) -> str:
        """The endpoint id, ``cvpn-endpoint-...``."""
        return self.client_vpn_endpoint_id

    @property
    def tags(self) -> dict[str, str]:
        """The tags as a ``{key: value}`` dict (a missing value reads as ``""``)."""
        return {tag.key: tag.value or "" for tag in self.tag_list or ()}

    def to_describe(self) -> dict[str, Any]:
        """The Describe item again, in boto3's spelling, with only the keys it came with."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class AuthorizationRule(_AwsShape):
    """One item of ``DescribeClientVpnAuthorizationRules``' ``AuthorizationRules``."""

    client_vpn_endpoint_id: str | None = None
    description: str | None = None
    group_id: str | None = None
    access_all: bool | None = None
    destination_cidr: str | None = None
    status: AttributeStatus | None = None

    @classmethod
    def from_describe(cls, item: Mapping[str, Any]) -> AuthorizationRule:
        """Type one authorization rule item, exactly as boto3 returns it."""
        return cls.model_validate(item)


class ClientVpnRoute(_AwsShape):
    """One item of ``DescribeClientVpnRoutes``' ``Routes``."""

    client_vpn_endpoint_id: str | None = None
    destination_cidr: str | None = None
    target_subnet: str | None = None
    type: str | None = None
    origin: str | None = None
    status: AttributeStatus | None = None
    description: str | None = None
    transit_gateway_attachment_id: str | None = None

    @property
    def target(self) -> str | None:
        """Where the route sends traffic: its subnet, or its transit gateway attachment."""
        return self.target_subnet or self.transit_gateway_attachment_id


class AuthorizationPolicy(_AwsShape):
    """``GetClientVpnEndpointAuthorizationPolicy``'s answer (device posture's Cedar policy).

    An endpoint without a policy answers with its id only. ``Status`` is a plain string here
    (botocore ``ClientVpnAuthorizationPolicyStatus``), not a structure as elsewhere.
    """

    client_vpn_endpoint_id: str | None = None
    policy_document: str | None = None
    description: str | None = None
    shadow_mode: str | None = None
    status: str | None = None


class RevocationList(BaseModel):
    """``ExportClientVpnClientCertificateRevocationList``'s answer, without the list itself.

    The PEM text is not kept: rules only ask whether a list is imported, and the text (up to
    thousands of entries) must never travel into reports or logs.
    """

    model_config = ConfigDict(frozen=True)

    imported: bool = False
    status: AttributeStatus | None = None

    @classmethod
    def from_export(cls, response: Mapping[str, Any]) -> RevocationList:
        """Type an Export response; no ``CertificateRevocationList`` means none was imported."""
        return cls(
            imported=bool(response.get("CertificateRevocationList")),
            status=response.get("Status"),
        )


class EndpointState(BaseModel):
    """Everything the rules look at for one endpoint.

    Attributes
    ----------
    endpoint : ClientVpnEndpoint
        The Describe item.
    authorization_rules : tuple[AuthorizationRule, ...]
        The endpoint's authorization rules.
    default_security_group_ids : frozenset[str] | None
        The id(s) of the default security group of the endpoint's VPC, gathered by the AWS
        adapter; ``None`` when unknown (then the ``security-groups`` rule is not evaluated).
    routes : tuple[ClientVpnRoute, ...] | None
        DescribeClientVpnRoutes of the endpoint; ``None`` when not read (no active rule needs
        them), and then rules that need them are not evaluated.
    authorization_policy : AuthorizationPolicy | None
        GetClientVpnEndpointAuthorizationPolicy of the endpoint; ``None`` when not read.
    revocation_list : RevocationList | None
        ExportClientVpnClientCertificateRevocationList of the endpoint; ``None`` when not read.
    account, region : str | None
        Where the endpoint lives (Describe does not say): fixes that name other resources
        must name ones in the same account and region. ``None`` when unknown.
    unread : dict[str, str]
        The reads that failed: ``Needs`` member (its value) -> why (the call, AWS's code and
        message), or a Describe field a source could not resolve (a template's ``!Ref`` to a
        parameter without a default) -> the expression. Every rule whose inputs
        (``Rule.inputs()``) include one of them is not evaluated, with that reason, and the
        endpoint is not reported clean.
    unknown : dict[str, str]
        Inputs the source cannot have at all (a template declares no revocation list and no
        connected users): ``Needs`` member or Describe field -> why. Rules that need one are
        not evaluated, with that reason, and the endpoint may still be clean.
    """

    model_config = ConfigDict(frozen=True)

    endpoint: ClientVpnEndpoint
    authorization_rules: tuple[AuthorizationRule, ...] = ()
    default_security_group_ids: frozenset[str] | None = None
    routes: tuple[ClientVpnRoute, ...] | None = None
    authorization_policy: AuthorizationPolicy | None = None
    revocation_list: RevocationList | None = None
    account: str | None = None
    region: str | None = None
    unread: dict[str, str] = Field(default_factory=dict)
    unknown: dict[str, str] = Field(default_factory=dict)

    def unread_reason(self, needs: Iterable[str]) -> str | None:
        """Why a rule that reads ``needs`` cannot be checked: the failed reads among them."""
        return _reasons(self.unread, needs)

    def unknown_reason(self, needs: Iterable[str]) -> str | None:
        """Why a rule that reads ``needs`` cannot be checked from this source at all."""
        return _reasons(self.unknown, needs)

    @classmethod
    def from_describe(
        cls,
        item: Mapping[str, Any],
        authorization_rules: Iterable[Mapping[str, Any]] = (),
        default_security_group_ids: Iterable[str] | None = None,
        *,
        routes: Iterable[Mapping[str, Any]] | None = None,
        authorization_policy: Mapping[str, Any] | None = None,
        revocation_list: Mapping[str, Any] | None = None,
        account: str | None = None,
        region: str | None = None,
        unread: Mapping[str, str] | None = None,
        unknown: Mapping[str, str] | None = None,
    ) -> EndpointState:
        """Build the state from raw AWS answers (endpoint, then what else was read of it, and
        why the reads that failed did)."""
        return cls(
            endpoint=ClientVpnEndpoint.from_describe(item),
            authorization_rules=tuple(
                AuthorizationRule.from_describe(r) for r in authorization_rules
            ),
            default_security_group_ids=(
                None
                if default_security_group_ids is None
                else frozenset(default_security_group_ids)
            ),
            routes=None if routes is None else tuple(map(ClientVpnRoute.model_validate, routes)),
            authorization_policy=(
                None
                if authorization_policy is None
                else AuthorizationPolicy.model_validate(authorization_policy)
            ),
            revocation_list=(
                None if revocation_list is None else RevocationList.from_export(revocation_list)
            ),
            account=account,
            region=region,
            unread=dict(unread or {}),
            unknown=dict(unknown or {}),
        )


def _reasons(why: Mapping[str, str], needs: Iterable[str]) -> str | None:
    reasons = [why[need] for need in needs if need in why]
    return "; ".join(sorted(reasons)) if reasons else None
