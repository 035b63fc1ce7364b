"""Whether a policy document fits in an SSM parameter, and in which tier.

The stack reads its policy from an SSM String parameter. The SSM API Reference (PutParameter,
``Value`` and ``Tier``) gives Standard parameters a limit of 4 KB and Advanced ones 8 KB, and
says Advanced parameters incur a charge. A document is measured in UTF-8 bytes as stored (the
file's bytes, comments and line ends included): a character is at least one byte, so a
document this module says fits does fit, however SSM counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

STANDARD_TIER_BYTES = 4 * 1024
ADVANCED_TIER_BYTES = 8 * 1024


class SsmTier(StrEnum):
    """SSM Parameter Store's tiers of a String parameter (PutParameter's ``Tier``)."""

    STANDARD = "Standard"
    ADVANCED = "Advanced"


@dataclass(frozen=True, slots=True)
class SsmFit:
    """How large a document is and the smallest tier that holds it (None: no tier does)."""

    size: int
    tier: SsmTier | None


def ssm_fit(document: bytes) -> SsmFit:
    """The smallest SSM tier that holds ``document`` (its bytes as stored)."""
    size = len(document)
    if size <= STANDARD_TIER_BYTES:
        return SsmFit(size, SsmTier.STANDARD)
    if size <= ADVANCED_TIER_BYTES:
        return SsmFit(size, SsmTier.ADVANCED)
    return SsmFit(size, None)
