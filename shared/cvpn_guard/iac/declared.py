"""A Client VPN endpoint as a file declares it, in the shape the rules judge (Describe's)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.exceptions import CvpnGuardError


class SourceKind(StrEnum):
    """The format an endpoint was read from."""

    CLOUDFORMATION = "cloudformation"
    """A CloudFormation template, YAML or JSON: SAM templates and CDK output included."""
    TERRAFORM_PLAN = "terraform-plan"
    """``terraform show -json`` of a plan."""
    TERRAFORM = "terraform"
    """``.tf`` files."""
    ESTATE = "estate"
    """A saved ``aws ec2 describe-client-vpn-endpoints`` answer (and its rules' and routes')."""


class SourceError(CvpnGuardError):
    """A file that cannot be read as its format: the file and the parser's message."""

    def __init__(self, file: str, message: str, line: int | None = None) -> None:
        self.file = file
        self.line = line
        self.message = message
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class DeclaredEndpoint:
    """One endpoint a file creates, as the live endpoint's Describe answers would show it.

    Attributes
    ----------
    kind : SourceKind
        The format it was read from.
    file : str
        The file, as the user named it (relative paths stay relative: SARIF needs them so).
    name : str
        Where in the file: the CloudFormation logical id, the Terraform address
        (``module.vpn.aws_ec2_client_vpn_endpoint.main``), or the live endpoint id of an estate.
    line : int | None
        The line the resource starts on (1-based), None where the format has no lines.
    describe : Mapping[str, Any]
        The ``DescribeClientVpnEndpoints`` item in botocore's output spelling, with the
        documented defaults of what creates the endpoint filled in for what the file leaves
        out, and without the fields in ``unresolved``. ``ClientVpnEndpointId`` is the live id
        where the file has one, else ``name``.
    authorization_rules : tuple[Mapping[str, Any], ...]
        ``DescribeClientVpnAuthorizationRules`` items of the rules declared for it.
    routes : tuple[Mapping[str, Any], ...] | None
        ``DescribeClientVpnRoutes`` items: the declared routes, and those its target network
        associations add (Origin ``associate``) where the VPC's CIDR is known. None when the
        routes cannot be known (``unknown`` then says why).
    property_lines : Mapping[str, int]
        Describe field -> the line of the property (or attribute) that sets it.
    defaulted : Mapping[str, str]
        Describe field -> where its value came from, for each field the file leaves out
        ("CloudFormation's default", "the Terraform provider's default
        (self_service_portal = \"disabled\")", "the EC2 API's default"), so a finding can say
        to set it explicitly.
    unresolved : Mapping[str, str]
        Describe field (or ``Needs`` member) -> why it cannot be told from the file: the
        expression (``!Ref TimeoutHours``, ``known after apply``). Rules that read it are not
        evaluated, with this reason.
    unknown : Mapping[str, str]
        ``Needs`` member (or Describe field) -> why no file can tell it (live data only: the
        imported revocation list, the authorization policy). Rules that need it are not
        evaluated; the endpoint may still be clean.
    default_security_group_ids : frozenset[str] | None
        The id of the default security group of the endpoint's VPC, where the file knows it
        (``!GetAtt Vpc.DefaultSecurityGroup`` resolves to a marker the security-groups rule
        recognizes); None when unknown.
    authorization_policy : Mapping[str, Any] | None
        The ``GetClientVpnEndpointAuthorizationPolicy`` answer the file declares (device
        posture's Cedar policy; only the endpoint id when it declares none), None where the
        format cannot say.
    """

    kind: SourceKind
    file: str
    name: str
    describe: Mapping[str, Any]
    line: int | None = None
    authorization_rules: tuple[Mapping[str, Any], ...] = ()
    routes: tuple[Mapping[str, Any], ...] | None = None
    property_lines: Mapping[str, int] = field(default_factory=dict)
    defaulted: Mapping[str, str] = field(default_factory=dict)
    unresolved: Mapping[str, str] = field(default_factory=dict)
    unknown: Mapping[str, str] = field(default_factory=dict)
    default_security_group_ids: frozenset[str] | None = None
    authorization_policy: Mapping[str, Any] | None = None

    def line_of(self, fields: tuple[str, ...]) -> int | None:
        """The line of the first of ``fields`` the file writes, else the resource's."""
        return next(
            (self.property_lines[name] for name in fields if name in self.property_lines),
            self.line,
        )

    def state(self) -> EndpointState:
        """What the rules judge: the Describe item and the declared rules and routes, with the
        unresolved inputs as unread and the live-only ones as unknown."""
        return EndpointState.from_describe(
            self.describe,
            self.authorization_rules,
            self.default_security_group_ids,
            routes=self.routes,
            authorization_policy=self.authorization_policy,
            unread=self.unresolved,
            unknown=self.unknown,
        )
