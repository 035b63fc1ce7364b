"""EC2 errors raised by the Client VPN emulation.

Every class subclasses moto's ``EC2ClientError`` so moto serializes it as an EC2 query
error (``<Response><Errors><Error><Code>…``) that botocore turns into a ``ClientError``
with the same code AWS would send. Codes come from the EC2 API error reference; the
message wording is modelled on AWS messages seen in the wild (see emulator/README.md for
which messages are guesses).
"""

from __future__ import annotations

from moto.ec2.exceptions import EC2ClientError


class InvalidParameterValue(EC2ClientError):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidParameterValue", message)


class InvalidParameterCombination(EC2ClientError):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidParameterCombination", message)


class MissingParameter(EC2ClientError):
    def __init__(self, parameter: str) -> None:
        super().__init__("MissingParameter", f"The request must contain the parameter {parameter}")


class IdempotentParameterMismatch(EC2ClientError):
    def __init__(self) -> None:
        super().__init__(
            "IdempotentParameterMismatch",
            "The request uses the same client token as a previous, but non-identical request. "
            "Do not reuse a client token with different requests, unless the requests are "
            "identical.",
        )


class InvalidPaginationToken(EC2ClientError):
    def __init__(self, token: str) -> None:
        super().__init__(
            "InvalidPaginationToken",
            f"The pagination token '{token}' is not valid or is expired.",
        )


class InvalidClientVpnEndpointIdNotFound(EC2ClientError):
    def __init__(self, endpoint_id: str) -> None:
        super().__init__(
            "InvalidClientVpnEndpointId.NotFound", f"Endpoint {endpoint_id} does not exist"
        )


class IncorrectEndpointState(EC2ClientError):
    def __init__(self, endpoint_id: str, status: str, action: str) -> None:
        super().__init__(
            "IncorrectState",
            f"Cannot {action} Client VPN endpoint {endpoint_id} while it is in the {status} state.",
        )


class EndpointHasTargetNetworks(EC2ClientError):
    def __init__(self, endpoint_id: str) -> None:
        super().__init__(
            "IncorrectState",
            f"Client VPN endpoint {endpoint_id} still has associated target networks. "
            "Disassociate all target networks before you delete the endpoint.",
        )


class DuplicateAssociation(EC2ClientError):
    def __init__(self, target: str, endpoint_id: str) -> None:
        super().__init__(
            "InvalidClientVpnDuplicateAssociationException",
            f"Target network {target} is already associated with Client VPN endpoint "
            f"{endpoint_id}.",
        )


class DuplicateAvailabilityZone(EC2ClientError):
    def __init__(self, zone: str, endpoint_id: str) -> None:
        super().__init__(
            "InvalidClientVpnSubnetId.DuplicateAz",
            f"Client VPN endpoint {endpoint_id} already has a target network in Availability "
            f"Zone {zone}.",
        )


class SubnetNotInEndpointVpc(EC2ClientError):
    def __init__(self, subnet_id: str, vpc_id: str) -> None:
        super().__init__(
            "InvalidClientVpnSubnetId.NotFound",
            f"Subnet {subnet_id} is not in VPC {vpc_id}, the VPC of the Client VPN endpoint. "
            "Modify the endpoint's VpcId first to use a subnet of another VPC.",
        )


class OverlappingClientCidr(EC2ClientError):
    def __init__(self, client_cidr: str, vpc_cidr: str) -> None:
        super().__init__(
            "InvalidClientVpnSubnetId.OverlappingCidr",
            f"The client CIDR block {client_cidr} overlaps with the VPC CIDR block {vpc_cidr}.",
        )


class AssociationNotFound(EC2ClientError):
    def __init__(self, association_id: str) -> None:
        super().__init__(
            "InvalidClientVpnAssociationIdNotFound",
            f"Association {association_id} does not exist",
        )


class DuplicateAuthorizationRule(EC2ClientError):
    def __init__(self, cidr: str, group: str) -> None:
        super().__init__(
            "InvalidClientVpnDuplicateAuthorizationRule",
            f"An authorization rule for {cidr} and {group} already exists",
        )


class AuthorizationRuleNotFound(EC2ClientError):
    def __init__(self, cidr: str, group: str) -> None:
        super().__init__(
            "InvalidClientVpnEndpointAuthorizationRuleNotFound",
            f"No authorization rule for {cidr} and {group} exists",
        )


class ConnectionNotFound(EC2ClientError):
    def __init__(self, connection_id: str) -> None:
        super().__init__(
            "InvalidClientVpnConnection.IdNotFound",
            f"Connection {connection_id} does not exist",
        )


class ConnectionUserNotFound(EC2ClientError):
    def __init__(self, username: str) -> None:
        super().__init__(
            "InvalidClientVpnConnection.UserNotFound",
            f"User {username} does not have an active connection",
        )


class TerminateConnectionsLimitExceeded(EC2ClientError):
    def __init__(self, username: str, count: int) -> None:
        super().__init__(
            "ClientVpnTerminateConnectionsLimitExceeded",
            f"User {username} has {count} active connections; terminating by user name works "
            "for up to 5. Terminate them one by one with ConnectionId.",
        )


class NoActiveAssociation(EC2ClientError):
    """AWS's code both for an endpoint with no target network and for a route through a
    subnet that is not one of its target networks."""

    def __init__(self, endpoint_id: str, subnet_id: str | None = None) -> None:
        if subnet_id is None:
            message = (
                f"Client VPN endpoint {endpoint_id} has no associated target network. "
                "Associate a target network before you add a route."
            )
        else:
            message = (
                f"Subnet {subnet_id} is not an associated target network of Client VPN "
                f"endpoint {endpoint_id}. Associate it first, or route through one that is."
            )
        super().__init__("InvalidClientVpnActiveAssociationNotFound", message)


class DuplicateRoute(EC2ClientError):
    def __init__(self, cidr: str, target: str) -> None:
        super().__init__(
            "InvalidClientVpnDuplicateRoute",
            f"A route to {cidr} through {target} already exists",
        )


class RouteNotFound(EC2ClientError):
    def __init__(self, cidr: str, target: str | None) -> None:
        through = f" through {target}" if target else ""
        super().__init__("InvalidClientVpnRouteNotFound", f"No route to {cidr}{through} exists")


class AuthorizationPolicyNotFound(EC2ClientError):
    def __init__(self, endpoint_id: str) -> None:
        # No code for this is documented; InvalidParameterValue is the emulator's guess.
        super().__init__(
            "InvalidParameterValue",
            f"Client VPN endpoint {endpoint_id} has no authorization policy to delete.",
        )
