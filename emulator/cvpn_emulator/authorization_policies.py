"""Endpoint authorization policies: Get/Modify/DeleteClientVpnEndpointAuthorizationPolicy.

An endpoint has at most one policy, a Cedar document the emulator stores but does not
evaluate (there are no real VPN clients to authorize).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.ec2.exceptions import DryRunClientError

from . import validation as check
from .backend_core import BackendCore
from .entities import DEFAULT_SHADOW_MODE, AuthorizationPolicy, ClientVpnEndpoint, Json
from .exceptions import AuthorizationPolicyNotFound, MissingParameter

MODIFY_OPERATION = "ModifyClientVpnEndpointAuthorizationPolicy"


class AuthorizationPoliciesMixin(BackendCore):
    def get_client_vpn_endpoint_authorization_policy(self, endpoint_id: str, dry_run: bool) -> Json:
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            if dry_run:
                raise DryRunClientError()
            policy = endpoint.authorization_policy
            # Without a policy only the endpoint id is known (a guess; the docs are silent).
            return policy.describe(endpoint.id) if policy else {"ClientVpnEndpointId": endpoint.id}

    def modify_client_vpn_endpoint_authorization_policy(
        self,
        endpoint_id: str,
        policy_request: Mapping[str, Any],
        client_token: str | None,
        dry_run: bool,
    ) -> Json:
        document = policy_request.get("PolicyDocument")
        if document is not None:
            check.check_policy_document(document)
        check.check_choice("ShadowMode", policy_request.get("ShadowMode"), check.SHADOW_MODES)
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            endpoint.ensure_modifiable("change the authorization policy of")
            replay = self._replayed(MODIFY_OPERATION, client_token, policy_request)
            if replay is not None:
                return replay
            if endpoint.authorization_policy is None and document is None:
                # API reference: required "when you create the authorization policy".
                raise MissingParameter("PolicyDocument")
            if dry_run:
                raise DryRunClientError()
            return self._idempotent(
                MODIFY_OPERATION,
                client_token,
                policy_request,
                lambda: _create_or_update(endpoint, policy_request),
            )

    def delete_client_vpn_endpoint_authorization_policy(
        self, endpoint_id: str, dry_run: bool
    ) -> Json:
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            if endpoint.authorization_policy is None:
                raise AuthorizationPolicyNotFound(endpoint_id)
            if dry_run:
                raise DryRunClientError()
            endpoint.authorization_policy = None
            return {"Status": "deleting"}


def _create_or_update(endpoint: ClientVpnEndpoint, policy_request: Mapping[str, Any]) -> Json:
    policy = endpoint.authorization_policy
    if policy is None:
        endpoint.authorization_policy = AuthorizationPolicy(
            policy_request["PolicyDocument"],
            policy_request.get("Description"),
            policy_request.get("ShadowMode") or DEFAULT_SHADOW_MODE,
        )
        return {"Status": "creating"}
    policy.update(
        policy_request.get("PolicyDocument"),
        policy_request.get("Description"),
        policy_request.get("ShadowMode"),
    )
    return {"Status": "updating"}
