"""Server-side checks AWS applies to Client VPN requests.

botocore validates types and required members on the client, but not enums, ranges
beyond ``min`` or cross-field rules: those are AWS's, so they are the emulator's too.
Each function raises the EC2 error AWS returns, or returns nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Container, Iterable, Mapping
from typing import Any

from cryptography import x509

from .exceptions import InvalidParameterCombination, InvalidParameterValue, MissingParameter

SESSION_TIMEOUT_HOURS = (8, 10, 12, 24)
VPN_PORTS = (443, 1194)
TRANSPORT_PROTOCOLS = ("tcp", "udp")
SELF_SERVICE_PORTAL_VALUES = ("enabled", "disabled")
IP_ADDRESS_TYPES = ("ipv4", "ipv6", "dual-stack")
ENDPOINT_STATUSES = ("pending-associate", "available", "deleting", "deleted", "pending")
MAX_BANNER_TEXT_CHARS = 1400
MAX_DNS_SERVERS = 2
MAX_AUTHENTICATION_OPTIONS = 2
CLIENT_CIDR_MIN_PREFIX = 12
CLIENT_CIDR_MAX_PREFIX = 22
# ApplySecurityGroupsToClientVpnTargetNetwork: "Up to 5 security groups can be applied".
MAX_TARGET_NETWORK_SECURITY_GROUPS = 5
SHADOW_MODES = ("enabled", "disabled")
CRL_PEM_HEADER = "-----BEGIN X509 CRL-----"

CERTIFICATE_AUTH = "certificate-authentication"
DIRECTORY_AUTH = "directory-service-authentication"
FEDERATED_AUTH = "federated-authentication"
# Which nested structure and member each authentication type needs.
AUTH_REQUIREMENTS = {
    CERTIFICATE_AUTH: ("MutualAuthentication", "ClientRootCertificateChainArn"),
    DIRECTORY_AUTH: ("ActiveDirectory", "DirectoryId"),
    FEDERATED_AUTH: ("FederatedAuthentication", "SAMLProviderArn"),
}


def check_choice(parameter: str, value: Any, choices: Iterable[Any]) -> None:
    allowed = tuple(choices)
    if value is not None and value not in allowed:
        listed = " | ".join(str(choice) for choice in allowed)
        raise InvalidParameterValue(
            f"Invalid value '{value}' for {parameter}. Valid values: {listed}"
        )


def check_session_timeout_hours(hours: int | None) -> None:
    check_choice("SessionTimeoutHours", hours, SESSION_TIMEOUT_HOURS)


def check_vpn_port(port: int | None) -> None:
    check_choice("VpnPort", port, VPN_PORTS)


def check_client_cidr_block(cidr: str) -> None:
    network = _ipv4_network("ClientCidrBlock", cidr)
    if not CLIENT_CIDR_MIN_PREFIX <= network.prefixlen <= CLIENT_CIDR_MAX_PREFIX:
        raise InvalidParameterValue(
            f"Client CIDR block {cidr} is invalid: its prefix length must be between "
            f"/{CLIENT_CIDR_MIN_PREFIX} and /{CLIENT_CIDR_MAX_PREFIX}."
        )


def check_cidr(parameter: str, cidr: str) -> None:
    _ipv4_network(parameter, cidr)


def _ipv4_network(parameter: str, cidr: str) -> ipaddress.IPv4Network:
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError as error:
        raise InvalidParameterValue(f"{cidr} is not a valid CIDR block for {parameter}.") from error
    if not isinstance(network, ipaddress.IPv4Network) or "/" not in cidr:
        raise InvalidParameterValue(f"{cidr} is not a valid IPv4 CIDR block for {parameter}.")
    return network


def check_dns_servers(servers: list[str]) -> None:
    if len(servers) > MAX_DNS_SERVERS:
        raise InvalidParameterValue(
            f"A Client VPN endpoint can have at most {MAX_DNS_SERVERS} DNS servers; "
            f"{len(servers)} were given."
        )
    for server in servers:
        try:
            ipaddress.ip_address(server)
        except ValueError as error:
            raise InvalidParameterValue(
                f"DNS server {server} is not a valid IP address."
            ) from error


def check_login_banner(options: Mapping[str, Any] | None) -> None:
    if not options:
        return
    text = options.get("BannerText")
    if text is not None and len(text) > MAX_BANNER_TEXT_CHARS:
        raise InvalidParameterValue(
            f"BannerText is {len(text)} characters long; the maximum is {MAX_BANNER_TEXT_CHARS}."
        )
    if options.get("Enabled") and not text:
        raise InvalidParameterValue(
            "BannerText is required when ClientLoginBannerOptions is enabled."
        )


def check_connection_log_options(
    options: Mapping[str, Any], existing_log_groups: Container[str]
) -> None:
    """Logging needs a log group, one that exists in the endpoint's account and Region:
    Client VPN writes into the group, it never creates one (only a missing stream)."""
    if not options.get("Enabled"):
        return
    group = options.get("CloudwatchLogGroup")
    if not group:
        raise InvalidParameterValue(
            "CloudwatchLogGroup is required when connection logging is enabled."
        )
    if group not in existing_log_groups:
        raise InvalidParameterValue(
            f"The CloudwatchLogGroup {group} does not exist: no CloudWatch Logs log group of "
            "that name in this account and Region."
        )


def check_client_connect_options(options: Mapping[str, Any] | None) -> None:
    if options and options.get("Enabled") and not options.get("LambdaFunctionArn"):
        raise InvalidParameterValue(
            "LambdaFunctionArn is required when ClientConnectOptions is enabled."
        )


def check_security_groups_need_vpc(security_group_ids: list[str], vpc_id: str | None) -> None:
    if security_group_ids and not vpc_id:
        # Wording of a real AWS response (InvalidParameterValue, not ...Combination).
        raise InvalidParameterValue("Security Groups cannot be specified without a VPC ID")


def check_authentication_options(options: list[Mapping[str, Any]]) -> None:
    if not options:
        raise MissingParameter("Authentication")
    if len(options) > MAX_AUTHENTICATION_OPTIONS:
        raise InvalidParameterValue(
            f"At most {MAX_AUTHENTICATION_OPTIONS} authentication options can be specified."
        )
    types = [option.get("Type") for option in options]
    for option in options:
        _check_authentication_option(option)
    if len(set(types)) != len(types):
        raise InvalidParameterCombination("Each authentication type can be specified only once.")
    if DIRECTORY_AUTH in types and FEDERATED_AUTH in types:
        raise InvalidParameterCombination(
            "Active Directory and federated authentication cannot be combined; "
            "either can be combined with certificate authentication."
        )


def _check_authentication_option(option: Mapping[str, Any]) -> None:
    auth_type = option.get("Type")
    if auth_type is None:
        raise MissingParameter("Authentication.Type")
    check_choice("Authentication.Type", auth_type, AUTH_REQUIREMENTS)
    structure, member = AUTH_REQUIREMENTS[auth_type]
    if not (option.get(structure) or {}).get(member):
        raise InvalidParameterValue(f"{structure}.{member} is required for {auth_type}.")


def check_ip_address_types(
    endpoint_type: str | None, traffic_type: str | None, client_cidr_block: str | None
) -> None:
    check_choice("EndpointIpAddressType", endpoint_type, IP_ADDRESS_TYPES)
    check_choice("TrafficIpAddressType", traffic_type, IP_ADDRESS_TYPES)
    carries_ipv4 = (traffic_type or "ipv4") != "ipv6"
    if carries_ipv4 and not client_cidr_block:
        raise MissingParameter("ClientCidrBlock")
    if not carries_ipv4 and client_cidr_block:
        raise InvalidParameterCombination(
            "ClientCidrBlock cannot be specified when TrafficIpAddressType is ipv6."
        )


def check_transit_gateway_configuration(
    configuration: Mapping[str, Any] | None, vpc_id: str | None, security_group_ids: list[str]
) -> None:
    if not configuration:
        return
    if vpc_id or security_group_ids:
        raise InvalidParameterCombination(
            "TransitGatewayConfiguration cannot be combined with VpcId or SecurityGroupIds."
        )
    if not configuration.get("TransitGatewayId"):
        raise MissingParameter("TransitGatewayConfiguration.TransitGatewayId")
    if configuration.get("AvailabilityZones") and configuration.get("AvailabilityZoneIds"):
        raise InvalidParameterCombination(
            "Specify either AvailabilityZones or AvailabilityZoneIds, not both."
        )


def check_target_network_security_groups(group_ids: list[str]) -> None:
    if not group_ids:
        raise MissingParameter("SecurityGroupIds")
    if len(group_ids) > MAX_TARGET_NETWORK_SECURITY_GROUPS:
        raise InvalidParameterValue(
            f"Up to {MAX_TARGET_NETWORK_SECURITY_GROUPS} security groups can be applied to a "
            f"target network; {len(group_ids)} were given."
        )


def check_certificate_revocation_list(text: str) -> None:
    """A PEM X.509 CRL that parses; AWS cannot revoke anything with less.

    The signature is not checked against the endpoint's client root CA: ACM certificates
    are only echoed by the emulator.
    """
    if CRL_PEM_HEADER not in text:
        raise InvalidParameterValue(
            f"The certificate revocation list must be PEM encoded and start with {CRL_PEM_HEADER}."
        )
    try:
        x509.load_pem_x509_crl(text.encode())
    except ValueError as error:
        raise InvalidParameterValue(
            "The certificate revocation list could not be parsed as an X.509 CRL."
        ) from error


def check_policy_document(document: str) -> None:
    # The Cedar text itself is not parsed: only a blank document is refused.
    if not document.strip():
        raise InvalidParameterValue("PolicyDocument must not be empty.")
