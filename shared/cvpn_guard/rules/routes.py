"""routes: destinations the endpoint must not route clients to (0.0.0.0/0 unless allowed)."""

from __future__ import annotations

import ipaddress
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue, StrictBool

from cvpn_guard.endpoint import ClientVpnRoute, EndpointState, code_of
from cvpn_guard.endpoint_calls import DeleteRoute
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.policy_terms.values import Cidr, RouteTargetId, unique
from cvpn_guard.rules.base import PASSED, Fix, Needs, Rule, RuleConfig, RuleResult

_DELETING = "deleting"
# Routes an association added cannot be deleted, only disassociated (EC2 API Reference,
# DeleteClientVpnRoute); DescribeClientVpnRoutes says so with Origin "associate".
_ASSOCIATE = "associate"
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class RouteException(BaseModel):
    """A route the policy allows although its destination is forbidden."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    destination: Cidr = Field(description="the route's DestinationCidr")
    target: RouteTargetId = Field(
        description="its TargetSubnet, or TransitGatewayAttachmentId on a transit gateway endpoint"
    )


class RoutesConfig(RuleConfig):
    fix_switches: ClassVar[tuple[str, ...]] = ("remove_forbidden",)
    severity: Severity = Severity.HIGH
    forbidden_destinations: Annotated[
        tuple[Cidr, ...], Field(min_length=1), AfterValidator(unique)
    ] = Field(
        default=("0.0.0.0/0", "::/0"),
        description=(
            "IPv4 or IPv6 networks in CIDR notation, host bits zero, that no route may cover (a "
            "route to the network or a wider one); the default forbids a full-tunnel route to the "
            "internet"
        ),
    )
    allowed_exceptions: tuple[RouteException, ...] = Field(
        default=(),
        description=(
            "routes allowed all the same, a list of {destination, target}: a route's "
            "DestinationCidr and its TargetSubnet (subnet-...) or, on a transit gateway endpoint, "
            "its TransitGatewayAttachmentId (tgw-attach-...)"
        ),
    )
    remove_forbidden: StrictBool = Field(
        default=False,
        description=(
            "true: delete forbidden routes in enforce mode (disruptive); false: only report"
        ),
    )

    def remediation_blocker(self) -> str | None:
        if not self.remove_forbidden:
            return (
                "cvpn-guard deletes routes only when told to; add remove_forbidden: true, or "
                "remove remediate"
            )
        return None

    def forbidden_networks(self) -> tuple[_Network, ...]:
        return tuple(ipaddress.ip_network(cidr) for cidr in self.forbidden_destinations)


class Routes(Rule[RoutesConfig]):
    """No route may send clients to a forbidden destination (0.0.0.0/0 by default) unless allowed.

    What the endpoint routes clients to (`DescribeClientVpnRoutes`, one more call per endpoint).

    - A violation when a route that is not being deleted (`Status.Code` other than `deleting`)
      **covers** a forbidden destination: its `DestinationCidr` is that network or a wider one
      (a route to `0.0.0.0/0` covers `0.0.0.0/0`; a route to `0.0.0.0/1` covers neither
      `0.0.0.0/0` nor `10.0.0.0/8`'s neighbours: list each network you mean). Routes through
      every target network count, unless an exception names the route's destination and target
      exactly. The finding lists the offending routes with their `Origin`.
    - Fix (only with `remove_forbidden: true`, which makes `remediate` default to true):
      `DeleteClientVpnRoute` of each offending route, after the Modify (if any), then the routes
      are read again to verify. **Disruptive**: connected clients lose the route. Routes an
      association added (`Origin: associate`) cannot be deleted, only disassociated (EC2 API
      Reference, DeleteClientVpnRoute): then nothing is deleted and the finding is report only.
    - Without a read of the routes the rule is **not evaluated** (listed in `unevaluated`).

    Controls: NIST SP 800-53 Rev. 5: AC-4 (Information Flow Enforcement: "Enforce approved
    authorizations for controlling the flow of information within the system and between
    connected systems"); a route decides where client traffic may flow) and SC-7 (Boundary
    Protection: "Monitor and control communications at the external managed interfaces to the
    system", 7a); a route to `0.0.0.0/0` sends clients to external networks through the VPC).
    """

    id = "routes"
    reads = ()
    options = RoutesConfig
    order = 135
    controls = (
        Control(Framework.NIST_800_53, "AC-4", "Information Flow Enforcement"),
        Control(Framework.NIST_800_53, "SC-7", "Boundary Protection"),
    )
    fixable = True
    disruptive = True
    needs = frozenset({Needs.ROUTES})
    example = {"forbidden_destinations": ["0.0.0.0/0"], "remove_forbidden": True}

    @classmethod
    def check(cls, state: EndpointState, options: RoutesConfig) -> RuleResult:
        if state.routes is None:
            return RuleResult.not_evaluable("the endpoint's routes were not read")
        forbidden = options.forbidden_networks()
        allowed = {(allowed.destination, allowed.target) for allowed in options.allowed_exceptions}
        offending = [
            route
            for route in state.routes
            if _routes_to(route, forbidden)
            and (_canonical(route.destination_cidr), route.target) not in allowed
            and code_of(route.status) != _DELETING
        ]
        if not offending:
            return PASSED
        actual: list[JsonValue] = [
            {
                "DestinationCidr": route.destination_cidr,
                "Target": route.target,
                "Origin": route.origin,
                "Status": code_of(route.status),
            }
            for route in offending
        ]
        described = ", ".join(f"{route.destination_cidr} via {route.target}" for route in offending)
        return RuleResult.violated(
            expected=[],
            actual=actual,
            message=(
                f"{len(offending)} route(s) send clients to a forbidden destination "
                f"({described}); the policy forbids {', '.join(options.forbidden_destinations)}."
            ),
            fix=_fix(offending),  # planned only when remediate (needs remove_forbidden)
        )


def _canonical(cidr: str | None) -> str | None:
    try:
        return str(ipaddress.ip_network(cidr or "", strict=False))
    except ValueError:
        return cidr


def _routes_to(route: ClientVpnRoute, forbidden: tuple[_Network, ...]) -> bool:
    # A route covers a forbidden network when it is that network or a wider one: all of the
    # network's traffic then goes through the VPN.
    try:
        destination = ipaddress.ip_network(route.destination_cidr or "", strict=False)
    except ValueError:
        return False  # not a network (AWS documents none): nothing to judge
    return any(_covers(destination, network) for network in forbidden)


def _covers(destination: _Network, network: _Network) -> bool:
    if isinstance(destination, ipaddress.IPv4Network) and isinstance(
        network, ipaddress.IPv4Network
    ):
        return destination.supernet_of(network)
    if isinstance(destination, ipaddress.IPv6Network) and isinstance(
        network, ipaddress.IPv6Network
    ):
        return destination.supernet_of(network)
    return False  # an IPv4 route never covers an IPv6 network, nor the other way round


def _fix(offending: list[ClientVpnRoute]) -> Fix | None:
    if any(route.origin == _ASSOCIATE for route in offending):
        return None  # only disassociating the subnet removes it: report, never half-fix
    calls = tuple(
        DeleteRoute(destination_cidr=str(route.destination_cidr), target_subnet=route.target_subnet)
        for route in offending
    )
    destinations = ", ".join(dict.fromkeys(str(route.destination_cidr) for route in offending))
    return Fix(
        {},
        disruption=f"connected clients can no longer reach {destinations} through the VPN",
        calls=calls,
    )
