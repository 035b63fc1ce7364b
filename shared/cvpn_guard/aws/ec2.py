"""Client VPN endpoint operations over boto3's EC2 client (implements ``ClientVpnPort``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cvpn_guard.aws.errors import aws_call
from cvpn_guard.exceptions import AwsCallError

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

NOT_FOUND = "InvalidClientVpnEndpointId.NotFound"
DEFAULT_PAGE_SIZE = 200  # DescribeClientVpnEndpoints accepts 5-1000


class ClientVpnApi:
    """Client VPN calls for one region; the EC2 client is injected (and carries the region)."""

    def __init__(self, ec2: EC2Client) -> None:
        self._ec2 = ec2

    @property
    def region(self) -> str:
        """The region this adapter talks to."""
        return str(self._ec2.meta.region_name)

    def describe_endpoint(self, endpoint_id: str) -> Mapping[str, Any] | None:
        """The endpoint's current state, or None when it no longer exists."""
        try:
            with aws_call("DescribeClientVpnEndpoints"):
                response = self._ec2.describe_client_vpn_endpoints(
                    ClientVpnEndpointIds=[endpoint_id]
                )
        except AwsCallError as error:
            if error.code == NOT_FOUND:
                return None
            raise
        items = response.get("ClientVpnEndpoints", [])
        return items[0] if items else None

    def endpoint_pages(
        self, page_size: int = DEFAULT_PAGE_SIZE
    ) -> Iterator[Sequence[Mapping[str, Any]]]:
        """Every endpoint of the region, one page at a time (never the whole list in memory)."""
        paginator = self._ec2.get_paginator("describe_client_vpn_endpoints")
        pages = paginator.paginate(PaginationConfig={"PageSize": page_size})
        with aws_call("DescribeClientVpnEndpoints"):
            for page in pages:
                yield page.get("ClientVpnEndpoints", [])

    def authorization_rules(self, endpoint_id: str) -> list[Mapping[str, Any]]:
        """Every authorization rule of the endpoint."""
        paginator = self._ec2.get_paginator("describe_client_vpn_authorization_rules")
        rules: list[Mapping[str, Any]] = []
        with aws_call("DescribeClientVpnAuthorizationRules"):
            for page in paginator.paginate(ClientVpnEndpointId=endpoint_id):
                rules.extend(page.get("AuthorizationRules", []))
        return rules

    def default_security_group_ids(self, vpc_id: str) -> frozenset[str]:
        """The VPC's ``default`` security group: what AWS applies when none is chosen."""
        with aws_call("DescribeSecurityGroups"):
            response = self._ec2.describe_security_groups(
                Filters=[
                    {"Name": "vpc-id", "Values": [vpc_id]},
                    {"Name": "group-name", "Values": ["default"]},
                ]
            )
        return frozenset(group["GroupId"] for group in response.get("SecurityGroups", []))

    def routes(self, endpoint_id: str) -> list[Mapping[str, Any]]:
        """Every route of the endpoint."""
        paginator = self._ec2.get_paginator("describe_client_vpn_routes")
        routes: list[Mapping[str, Any]] = []
        with aws_call("DescribeClientVpnRoutes"):
            for page in paginator.paginate(ClientVpnEndpointId=endpoint_id):
                routes.extend(page.get("Routes", []))
        return routes

    def authorization_policy(self, endpoint_id: str) -> Mapping[str, Any]:
        """The endpoint's device posture authorization policy (only its id when it has none)."""
        with aws_call("GetClientVpnEndpointAuthorizationPolicy"):
            response = self._ec2.get_client_vpn_endpoint_authorization_policy(
                ClientVpnEndpointId=endpoint_id
            )
        return _without_metadata(response)

    def revocation_list(self, endpoint_id: str) -> Mapping[str, Any]:
        """The endpoint's client certificate revocation list (empty when none was imported)."""
        with aws_call("ExportClientVpnClientCertificateRevocationList"):
            response = self._ec2.export_client_vpn_client_certificate_revocation_list(
                ClientVpnEndpointId=endpoint_id
            )
        return _without_metadata(response)

    def active_connection_count(self, endpoint_id: str) -> int:
        """Connections in state ``active``: the users a disruptive change would touch."""
        paginator = self._ec2.get_paginator("describe_client_vpn_connections")
        count = 0
        with aws_call("DescribeClientVpnConnections"):
            for page in paginator.paginate(ClientVpnEndpointId=endpoint_id):
                count += sum(
                    1
                    for connection in page.get("Connections", [])
                    if connection.get("Status", {}).get("Code") == "active"
                )
        return count

    def modify_endpoint(self, endpoint_id: str, parameters: Mapping[str, Any]) -> None:
        """Apply one ModifyClientVpnEndpoint call."""
        with aws_call("ModifyClientVpnEndpoint"):
            self._ec2.modify_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id, **parameters)

    def revoke_access_all(self, endpoint_id: str, target_network_cidr: str) -> None:
        """Revoke the rule that authorized every client (AuthorizeAllGroups) for the CIDR.

        RevokeAllGroups touches only that rule: rules granting the same CIDR to a specific
        AccessGroupId stay (EC2 API Reference, RevokeClientVpnIngress).
        """
        with aws_call("RevokeClientVpnIngress"):
            self._ec2.revoke_client_vpn_ingress(
                ClientVpnEndpointId=endpoint_id,
                TargetNetworkCidr=target_network_cidr,
                RevokeAllGroups=True,
            )

    def delete_route(
        self, endpoint_id: str, destination_cidr: str, target_subnet: str | None
    ) -> None:
        """Delete one route; the subnet names it when a destination goes through several."""
        with aws_call("DeleteClientVpnRoute"):
            if target_subnet is None:
                self._ec2.delete_client_vpn_route(
                    ClientVpnEndpointId=endpoint_id, DestinationCidrBlock=destination_cidr
                )
            else:
                self._ec2.delete_client_vpn_route(
                    ClientVpnEndpointId=endpoint_id,
                    DestinationCidrBlock=destination_cidr,
                    TargetVpcSubnetId=target_subnet,
                )

    def leave_shadow_mode(self, endpoint_id: str, policy_document: str) -> None:
        """Enforce the authorization policy (ShadowMode disabled), naming its document.

        Modify keeps the members a request leaves out (EC2 API Reference); the document is
        sent all the same, so that what starts being enforced is the document that was judged.
        """
        with aws_call("ModifyClientVpnEndpointAuthorizationPolicy"):
            self._ec2.modify_client_vpn_endpoint_authorization_policy(
                ClientVpnEndpointId=endpoint_id,
                PolicyDocument=policy_document,
                ShadowMode="disabled",
            )


def _without_metadata(response: Mapping[str, Any]) -> dict[str, Any]:
    # boto3 adds ResponseMetadata to every answer: it is about the call, not the endpoint.
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}
