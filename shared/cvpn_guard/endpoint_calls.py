"""Calls besides ModifyClientVpnEndpoint that a fix may make: revoke, delete route, enforce.

Some settings are not ModifyClientVpnEndpoint parameters: authorization rules, routes and the
device posture authorization policy each have their own API. A rule's fix lists such calls
(``Fix.calls``); the remediation plan keeps them in rule order after its Modify parameters;
:class:`~cvpn_guard.endpoint_guard.EndpointGuard` runs them after the one Modify, reads again
what the fixed rules need, and reports what each call changed.

Each call is a frozen pydantic model tagged by ``kind``: plans compare, merge, serialize and
load them again like Modify parameters. A new kind of call joins the :data:`EndpointCall` union.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from cvpn_guard.endpoint import (
    AuthorizationPolicy,
    AuthorizationRule,
    ClientVpnRoute,
    EndpointState,
    code_of,
)

if TYPE_CHECKING:
    from cvpn_guard.ports import ClientVpnPort

SHADOW_MODE_DISABLED = "disabled"


class Call(BaseModel):
    """One AWS call a fix makes after the Modify (pydantic's model class is an ABCMeta).

    ``operation`` is the EC2 API operation (and so the IAM action ``ec2:<operation>``);
    ``field`` names, in reports, what the call changes.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    operation: ClassVar[str]
    field: ClassVar[str]

    @abstractmethod
    def run(self, api: ClientVpnPort, endpoint_id: str) -> None:
        """Make the call; raises ``AwsCallError`` when AWS refuses."""

    @abstractmethod
    def request(self, endpoint_id: str) -> dict[str, JsonValue]:
        """The call's parameters exactly as ``run`` sends them (what ``scan --plan`` shows)."""

    @abstractmethod
    def shown(self, state: EndpointState) -> JsonValue:
        """What ``state`` shows of the thing this call changes (before and after, in reports)."""

    @abstractmethod
    def show_in_state(self, state: EndpointState) -> EndpointState:
        """``state`` as AWS shows it once the call succeeded (the dev-only simulator uses it)."""


class RevokeAccessAll(Call):
    """RevokeClientVpnIngress of the rule that lets every client reach ``target_network_cidr``."""

    operation: ClassVar[str] = "RevokeClientVpnIngress"
    field: ClassVar[str] = "AuthorizationRules"

    kind: Literal["revoke-access-all"] = "revoke-access-all"
    target_network_cidr: str

    def run(self, api: ClientVpnPort, endpoint_id: str) -> None:
        api.revoke_access_all(endpoint_id, self.target_network_cidr)

    def request(self, endpoint_id: str) -> dict[str, JsonValue]:
        return {
            "ClientVpnEndpointId": endpoint_id,
            "TargetNetworkCidr": self.target_network_cidr,
            "RevokeAllGroups": True,
        }

    def _mine(self, rule: AuthorizationRule) -> bool:
        return rule.access_all is True and rule.destination_cidr == self.target_network_cidr

    def shown(self, state: EndpointState) -> JsonValue:
        return [
            {
                "DestinationCidr": rule.destination_cidr,
                "AccessAll": True,
                "Status": code_of(rule.status),
            }
            for rule in state.authorization_rules
            if self._mine(rule)
        ]

    def show_in_state(self, state: EndpointState) -> EndpointState:
        kept = tuple(rule for rule in state.authorization_rules if not self._mine(rule))
        return state.model_copy(update={"authorization_rules": kept})


class DeleteRoute(Call):
    """DeleteClientVpnRoute of one route (``target_subnet`` None: a transit gateway route)."""

    operation: ClassVar[str] = "DeleteClientVpnRoute"
    field: ClassVar[str] = "Routes"

    kind: Literal["delete-route"] = "delete-route"
    destination_cidr: str
    target_subnet: str | None

    def run(self, api: ClientVpnPort, endpoint_id: str) -> None:
        api.delete_route(endpoint_id, self.destination_cidr, self.target_subnet)

    def request(self, endpoint_id: str) -> dict[str, JsonValue]:
        subnet: dict[str, JsonValue] = (
            {} if self.target_subnet is None else {"TargetVpcSubnetId": self.target_subnet}
        )
        return {
            "ClientVpnEndpointId": endpoint_id,
            "DestinationCidrBlock": self.destination_cidr,
            **subnet,
        }

    def _mine(self, route: ClientVpnRoute) -> bool:
        return route.destination_cidr == self.destination_cidr and (
            self.target_subnet is None or route.target_subnet == self.target_subnet
        )

    def shown(self, state: EndpointState) -> JsonValue:
        return [
            {
                "DestinationCidr": route.destination_cidr,
                "Target": route.target,
                "Status": code_of(route.status),
            }
            for route in state.routes or ()
            if self._mine(route)
        ]

    def show_in_state(self, state: EndpointState) -> EndpointState:
        if state.routes is None:
            return state
        kept = tuple(route for route in state.routes if not self._mine(route))
        return state.model_copy(update={"routes": kept})


class LeaveShadowMode(Call):
    """ModifyClientVpnEndpointAuthorizationPolicy: enforce ``policy_document`` (ShadowMode off).

    The document is the one the rule judged: sending it means that what starts denying
    connections is exactly what was checked, not a document changed in between.
    """

    operation: ClassVar[str] = "ModifyClientVpnEndpointAuthorizationPolicy"
    field: ClassVar[str] = "AuthorizationPolicy.ShadowMode"

    kind: Literal["leave-shadow-mode"] = "leave-shadow-mode"
    policy_document: str

    def run(self, api: ClientVpnPort, endpoint_id: str) -> None:
        api.leave_shadow_mode(endpoint_id, self.policy_document)

    def request(self, endpoint_id: str) -> dict[str, JsonValue]:
        return {
            "ClientVpnEndpointId": endpoint_id,
            "PolicyDocument": self.policy_document,
            "ShadowMode": SHADOW_MODE_DISABLED,
        }

    def shown(self, state: EndpointState) -> JsonValue:
        policy = state.authorization_policy
        return None if policy is None else policy.shadow_mode

    def show_in_state(self, state: EndpointState) -> EndpointState:
        before = state.authorization_policy or AuthorizationPolicy()
        after = before.model_copy(
            update={"policy_document": self.policy_document, "shadow_mode": SHADOW_MODE_DISABLED}
        )
        return state.model_copy(update={"authorization_policy": after})


EndpointCall = Annotated[
    RevokeAccessAll | DeleteRoute | LeaveShadowMode, Field(discriminator="kind")
]
"""Every kind of call a fix can make besides ModifyClientVpnEndpoint."""
