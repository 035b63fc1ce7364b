"""Value types of the policy document that AWS constrains (ids, ARNs, names, addresses).

Each validator raises a ``ValueError`` whose text is the whole user-facing message: it names
the bad value and says what a good one looks like.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Hashable, Sequence
from typing import Annotated, TypeVar

from pydantic import AfterValidator, StrictStr

from cvpn_guard.endpoint import ENDPOINT_ID

_T = TypeVar("_T", bound=Hashable)

MAX_BANNER_CHARACTERS = 1400
"""AWS's limit on ``ClientLoginBannerOptions.BannerText``."""

_SECURITY_GROUP_ID = re.compile(r"sg-[0-9a-f]{8,17}")
# arn:<partition>:lambda:<region>:<account>:function:<name>[:<version or alias>]
_LAMBDA_FUNCTION_ARN = re.compile(
    r"arn:aws[a-z-]*:lambda:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:function:"
    r"(?P<name>[A-Za-z0-9_-]{1,64})(?::(?:\$LATEST|[A-Za-z0-9_-]{1,128}))?"
)
# Client VPN refuses a client connect handler whose function name lacks this prefix.
CLIENT_CONNECT_FUNCTION_PREFIX = "AWSClientVPN-"
_LOG_GROUP_NAME = re.compile(r"[.\-_/#A-Za-z0-9]{1,512}")
_LOG_STREAM_NAME = re.compile(r"[^:*]{1,512}")


def _matching(pattern: re.Pattern[str], what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return check


def _lambda_function_arn(value: str) -> str:
    match = _LAMBDA_FUNCTION_ARN.fullmatch(value)
    if match is None:
        raise ValueError(
            f"{value!r} is not a Lambda function ARN; expected "
            "arn:<partition>:lambda:<region>:<12-digit account>:function:<name>[:<qualifier>]"
        )
    if not match["name"].startswith(CLIENT_CONNECT_FUNCTION_PREFIX):
        raise ValueError(
            f"{value!r} cannot be a client connect handler: Client VPN requires the function "
            f"name to start with {CLIENT_CONNECT_FUNCTION_PREFIX!r}"
        )
    return value


def _ip_address(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv4 or IPv6 address") from None


def _cidr(value: str) -> str:
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise ValueError(
            f"{value!r} is not an IPv4 or IPv6 network in CIDR notation with its host bits zero "
            "(e.g. 0.0.0.0/0, 10.0.0.0/8, ::/0)"
        ) from None
    return str(network)


def _banner_text(value: str) -> str:
    if not value.strip():
        raise ValueError("the banner text must not be empty or only blanks")
    if len(value) > MAX_BANNER_CHARACTERS:
        raise ValueError(
            f"the banner text has {len(value)} characters; AWS allows at most "
            f"{MAX_BANNER_CHARACTERS}"
        )
    return value


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or only blanks")
    return value


def unique(values: Sequence[_T]) -> Sequence[_T]:
    """Reject a list that names the same value twice (a likely typo, never intended)."""
    seen: set[_T] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"lists {value!r} more than once; list each value once")
        seen.add(value)
    return values


EndpointId = Annotated[
    StrictStr,
    AfterValidator(
        _matching(ENDPOINT_ID, "a Client VPN endpoint id (cvpn-endpoint-<8 to 17 hex digits>)")
    ),
]
SecurityGroupId = Annotated[
    StrictStr,
    AfterValidator(_matching(_SECURITY_GROUP_ID, "a security group id (sg-<8 to 17 hex digits>)")),
]
LambdaFunctionArn = Annotated[StrictStr, AfterValidator(_lambda_function_arn)]
IpAddress = Annotated[StrictStr, AfterValidator(_ip_address)]
Cidr = Annotated[StrictStr, AfterValidator(_cidr)]
"""A network in CIDR notation, written in canonical form (``2001:DB8::/32`` -> ``2001:db8::/32``)."""
RouteTargetId = Annotated[
    StrictStr,
    AfterValidator(
        _matching(
            re.compile(r"(?:subnet|tgw-attach)-[0-9a-f]{8,17}"),
            "a route target: a subnet id (subnet-<8 to 17 hex digits>) or a transit gateway "
            "attachment id (tgw-attach-<8 to 17 hex digits>)",
        )
    ),
]
BannerText = Annotated[StrictStr, AfterValidator(_banner_text)]
LogGroupName = Annotated[
    StrictStr,
    AfterValidator(
        _matching(
            _LOG_GROUP_NAME, "a CloudWatch Logs group name (1-512 of: letters, digits, . - _ / #)"
        )
    ),
]
LogStreamName = Annotated[
    StrictStr,
    AfterValidator(
        _matching(
            _LOG_STREAM_NAME, "a CloudWatch Logs stream name (1-512 characters, no ':' or '*')"
        )
    ),
]
NonBlankText = Annotated[StrictStr, AfterValidator(_non_blank)]
TagKey = Annotated[
    StrictStr,
    AfterValidator(_matching(re.compile(r".{1,128}", re.DOTALL), "a tag key (1-128 characters)")),
]
TransitGatewayId = Annotated[
    StrictStr,
    AfterValidator(
        _matching(
            re.compile(r"tgw-[0-9a-f]{8,17}"), "a transit gateway id (tgw-<8 to 17 hex digits>)"
        )
    ),
]
