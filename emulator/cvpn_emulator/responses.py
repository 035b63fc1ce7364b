"""EC2 Client VPN actions, in moto's ``responses`` style.

``install()`` attaches these methods to moto's ``EC2Response``: moto dispatches an EC2
request to the snake_case method named after its ``Action``, looked up on that class at
every request, so attached methods serve ``mock_aws`` and server mode alike. Each method
returns ``ActionResult`` with a dict in the botocore *output* shape's member names;
moto's serializer silently drops any key the shape does not know.
"""

from __future__ import annotations

from typing import Any, cast

from moto.core.responses import ActionResult
from moto.ec2.responses._base_response import EC2BaseResponse

from . import faults
from .backend_core import Filters, PageRequest
from .models import ClientVpnBackend, client_vpn_backend

# Members handled by the response layer itself rather than stored on the endpoint.
_REQUEST_ENVELOPE = ("DryRun", "ClientToken", "TagSpecifications")


class ClientVpnResponses(EC2BaseResponse):
    @property
    def _cvpn_backend(self) -> ClientVpnBackend:
        return client_vpn_backend(self.ec2_backend)

    @property
    def _cvpn_dry_run(self) -> bool:
        return bool(self._get_param("DryRun", False))

    def _cvpn_request(self, *exclude: str) -> dict[str, Any]:
        """The parsed request in its input shape's member names, minus the envelope."""
        skipped = set(_REQUEST_ENVELOPE) | set(exclude)
        return {key: value for key, value in self._get_params().items() if key not in skipped}

    def _cvpn_page_request(self) -> PageRequest:
        return PageRequest(
            # moto annotates the values as str; they are the lists of filter values.
            filters=cast(Filters, self._filters_from_querystring()),
            max_results=self._get_param("MaxResults"),
            next_token=self._get_param("NextToken"),
            dry_run=self._cvpn_dry_run,
        )

    def _cvpn_page(self, result_key: str, items: list[Any], token: str | None) -> ActionResult:
        result: dict[str, Any] = {result_key: items}
        if token:
            result["NextToken"] = token
        return ActionResult(result)

    # -- endpoints ---------------------------------------------------------------------

    def create_client_vpn_endpoint(self) -> ActionResult:
        tags = self._parse_tag_specification("client-vpn-endpoint").get("client-vpn-endpoint", {})
        result = self._cvpn_backend.create_client_vpn_endpoint(
            self._cvpn_request(),
            tags,
            self._get_param("ClientToken"),
            self._cvpn_dry_run,
        )
        return ActionResult(result)

    def describe_client_vpn_endpoints(self) -> ActionResult:
        endpoints, token = self._cvpn_backend.describe_client_vpn_endpoints(
            self._get_param("ClientVpnEndpointIds", []), self._cvpn_page_request()
        )
        # A fault may serve endpoints as they were before their last modification.
        return self._cvpn_page("ClientVpnEndpoints", faults.serve_stale_reads(endpoints), token)

    def modify_client_vpn_endpoint(self) -> ActionResult:
        endpoint_id = self._get_param("ClientVpnEndpointId")
        changes = self._cvpn_backend.prepare_modification(
            endpoint_id, self._cvpn_request("ClientVpnEndpointId")
        )
        self.error_on_dryrun()
        # A fault may ask for "success, but nothing changes" to test drift verification.
        if not faults.should_ignore_changes(faults.MODIFY_OPERATION, endpoint_id):
            before = self._cvpn_backend.apply_modification(endpoint_id, changes)
            faults.record_modification(endpoint_id, before)
        return ActionResult({"Return": True})

    def delete_client_vpn_endpoint(self) -> ActionResult:
        result = self._cvpn_backend.delete_client_vpn_endpoint(
            self._get_param("ClientVpnEndpointId"), self._cvpn_dry_run
        )
        return ActionResult(result)

    # -- target networks ---------------------------------------------------------------

    def associate_client_vpn_target_network(self) -> ActionResult:
        result = self._cvpn_backend.associate_client_vpn_target_network(
            self._get_param("ClientVpnEndpointId"),
            self._cvpn_request("ClientVpnEndpointId"),
            self._get_param("ClientToken"),
            self._cvpn_dry_run,
        )
        return ActionResult(result)

    def disassociate_client_vpn_target_network(self) -> ActionResult:
        result = self._cvpn_backend.disassociate_client_vpn_target_network(
            self._get_param("ClientVpnEndpointId"),
            self._get_param("AssociationId"),
            self._cvpn_dry_run,
        )
        return ActionResult(result)

    def describe_client_vpn_target_networks(self) -> ActionResult:
        networks, token = self._cvpn_backend.describe_client_vpn_target_networks(
            self._get_param("ClientVpnEndpointId"),
            self._get_param("AssociationIds", []),
            self._cvpn_page_request(),
        )
        return self._cvpn_page("ClientVpnTargetNetworks", networks, token)

    def apply_security_groups_to_client_vpn_target_network(self) -> ActionResult:
        result = self._cvpn_backend.apply_security_groups_to_client_vpn_target_network(
            self._get_param("ClientVpnEndpointId"),
            self._get_param("VpcId"),
            self._get_param("SecurityGroupIds", []),
            self._cvpn_dry_run,
        )
        return ActionResult(result)

    # -- routes ------------------------------------------------------------------------

    def create_client_vpn_route(self) -> ActionResult:
        result = self._cvpn_backend.create_client_vpn_route(
            self._get_param("ClientVpnEndpointId"),
            self._cvpn_request("ClientVpnEndpointId"),
            self._get_param("ClientToken"),
            self._cvpn_dry_run,
        )
        return ActionResult(result)

    def delete_client_vpn_route(self) -> ActionResult:
        result = self._cvpn_backend.delete_client_vpn_route(
            self._get_param("ClientVpnEndpointId"),
            self._get_param("DestinationCidrBlock"),
            self._get_param("TargetVpcSubnetId"),
            self._cvpn_dry_run,
        )
        return ActionResult(result)

    def describe_client_vpn_routes(self) -> ActionResult:
        routes, token = self._cvpn_backend.describe_client_vpn_routes(
            self._get_param("ClientVpnEndpointId"), self._cvpn_page_request()
        )
        return self._cvpn_page("Routes", routes, token)

    # -- authorization rules -----------------------------------------------------------

    def authorize_client_vpn_ingress(self) -> ActionResult:
        result = self._cvpn_backend.authorize_client_vpn_ingress(
            self._get_param("ClientVpnEndpointId"),
            self._cvpn_request("ClientVpnEndpointId"),
            self._get_param("ClientToken"),
            self._cvpn_dry_run,
        )
        return ActionResult(result)

    def revoke_client_vpn_ingress(self) -> ActionResult:
        result = self._cvpn_backend.revoke_client_vpn_ingress(
            self._get_param("ClientVpnEndpointId"),
            self._get_param("TargetNetworkCidr"),
            self._get_param("AccessGroupId"),
            self._get_param("RevokeAllGroups"),
            self._cvpn_dry_run,
        )
        return ActionResult(result)

    def describe_client_vpn_authorization_rules(self) -> ActionResult:
        rules, token = self._cvpn_backend.describe_client_vpn_authorization_rules(
            self._get_param("ClientVpnEndpointId"), self._cvpn_page_request()
        )
        return self._cvpn_page("AuthorizationRules", rules, token)

    # -- connections -------------------------------------------------------------------

    def describe_client_vpn_connections(self) -> ActionResult:
        connections, token = self._cvpn_backend.describe_client_vpn_connections(
            self._get_param("ClientVpnEndpointId"), self._cvpn_page_request()
        )
        return self._cvpn_page("Connections", connections, token)

    def terminate_client_vpn_connections(self) -> ActionResult:
        result = self._cvpn_backend.terminate_client_vpn_connections(
            self._get_param("ClientVpnEndpointId"),
            self._get_param("ConnectionId"),
            self._get_param("Username"),
            self._cvpn_dry_run,
        )
        return ActionResult(result)

    # -- client certificate revocation lists -------------------------------------------

    def import_client_vpn_client_certificate_revocation_list(self) -> ActionResult:
        result = self._cvpn_backend.import_client_vpn_client_certificate_revocation_list(
            self._get_param("ClientVpnEndpointId"),
            self._get_param("CertificateRevocationList", ""),
            self._cvpn_dry_run,
        )
        return ActionResult(result)

    def export_client_vpn_client_certificate_revocation_list(self) -> ActionResult:
        result = self._cvpn_backend.export_client_vpn_client_certificate_revocation_list(
            self._get_param("ClientVpnEndpointId"), self._cvpn_dry_run
        )
        return ActionResult(result)

    # -- authorization policy ----------------------------------------------------------

    def get_client_vpn_endpoint_authorization_policy(self) -> ActionResult:
        result = self._cvpn_backend.get_client_vpn_endpoint_authorization_policy(
            self._get_param("ClientVpnEndpointId"), self._cvpn_dry_run
        )
        return ActionResult(result)

    def modify_client_vpn_endpoint_authorization_policy(self) -> ActionResult:
        result = self._cvpn_backend.modify_client_vpn_endpoint_authorization_policy(
            self._get_param("ClientVpnEndpointId"),
            self._cvpn_request("ClientVpnEndpointId"),
            self._get_param("ClientToken"),
            self._cvpn_dry_run,
        )
        return ActionResult(result)

    def delete_client_vpn_endpoint_authorization_policy(self) -> ActionResult:
        result = self._cvpn_backend.delete_client_vpn_endpoint_authorization_policy(
            self._get_param("ClientVpnEndpointId"), self._cvpn_dry_run
        )
        return ActionResult(result)
