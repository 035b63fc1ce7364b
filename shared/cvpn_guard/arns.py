"""Read the parts of an ARN (``arn:partition:service:region:account:resource``)."""

from __future__ import annotations

_REGION, _ACCOUNT = 3, 4


def _part(arn: str | None, index: int) -> str | None:
    parts = (arn or "").split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    return parts[index] or None


def account_of(arn: str | None) -> str | None:
    """The account id of ``arn``; None when it is not an ARN or has no account."""
    return _part(arn, _ACCOUNT)


def region_of(arn: str | None) -> str | None:
    """The region of ``arn``; None when it is not an ARN or is global."""
    return _part(arn, _REGION)


def partition_of(region: str | None) -> str:
    """The partition a region belongs to (ARNs built for it must name it)."""
    if region and region.startswith("cn-"):
        return "aws-cn"
    if region and region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"
