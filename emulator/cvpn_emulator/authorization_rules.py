"""Authorization rules: AuthorizeClientVpnIngress and friends (a backend mixin)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.ec2.exceptions import DryRunClientError

from . import validation as check
from .backend_core import BackendCore, FilterFields, PageRequest
from .entities import AuthorizationRule, ClientVpnEndpoint, Json
from .exceptions import (
    AuthorizationRuleNotFound,
    DuplicateAuthorizationRule,
    InvalidParameterCombination,
    InvalidParameterValue,
)


class AuthorizationRulesMixin(BackendCore):
    def authorize_client_vpn_ingress(
        self,
        endpoint_id: str,
        rule_request: Mapping[str, Any],
        client_token: str | None,
        dry_run: bool,
    ) -> Json:
        cidr = rule_request.get("TargetNetworkCidr") or ""
        group_id = _rule_group(
            rule_request.get("AccessGroupId"), rule_request.get("AuthorizeAllGroups"), "Authorize"
        )
        check.check_cidr("TargetNetworkCidr", cidr)
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            endpoint.ensure_modifiable("authorize ingress for")
            replay = self._replayed("AuthorizeClientVpnIngress", client_token, rule_request)
            if replay is not None:
                return replay
            if AuthorizationRule.key_for(cidr, group_id) in endpoint.rules:
                raise DuplicateAuthorizationRule(cidr, group_id or "all groups")
            if dry_run:
                raise DryRunClientError()
            rule = AuthorizationRule(endpoint_id, cidr, group_id, rule_request.get("Description"))
            return self._idempotent(
                "AuthorizeClientVpnIngress",
                client_token,
                rule_request,
                lambda: self._add_rule(endpoint, rule),
            )

    @staticmethod
    def _add_rule(endpoint: ClientVpnEndpoint, rule: AuthorizationRule) -> Json:
        endpoint.rules.add(rule.key, rule)
        return {"Status": {"Code": "authorizing"}}

    def revoke_client_vpn_ingress(
        self,
        endpoint_id: str,
        cidr: str,
        access_group_id: str | None,
        revoke_all_groups: bool | None,
        dry_run: bool,
    ) -> Json:
        group_id = _rule_group(access_group_id, revoke_all_groups, "Revoke")
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            key = AuthorizationRule.key_for(cidr, group_id)
            if key not in endpoint.rules:
                raise AuthorizationRuleNotFound(cidr, group_id or "all groups")
            if dry_run:
                raise DryRunClientError()
            endpoint.rules.remove(key)
            return {"Status": {"Code": "revoking"}}

    def describe_client_vpn_authorization_rules(
        self, endpoint_id: str, page: PageRequest
    ) -> tuple[list[Json], str | None]:
        fields: FilterFields[AuthorizationRule] = {
            "description": lambda rule: rule.description,
            "destination-cidr": lambda rule: rule.destination_cidr,
            "group-id": lambda rule: rule.group_id,
        }
        endpoint = self.get_endpoint(endpoint_id)
        return self._describe_page(
            page, fields, endpoint.rules.iter_from, AuthorizationRule.describe
        )


def _rule_group(access_group_id: str | None, all_groups: bool | None, verb: str) -> str | None:
    """The rule's group id, or None for a rule that applies to every client."""
    if access_group_id and all_groups:
        raise InvalidParameterCombination(
            f"Specify either AccessGroupId or {verb}AllGroups=true, not both."
        )
    if not access_group_id and not all_groups:
        raise InvalidParameterValue(f"AccessGroupId is required unless {verb}AllGroups is true.")
    return access_group_id or None
