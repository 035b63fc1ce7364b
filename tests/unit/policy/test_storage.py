"""Which SSM parameter tier holds a policy document (4 KB Standard, 8 KB Advanced)."""

from __future__ import annotations

import pytest

from cvpn_guard.policy.storage import SsmFit, SsmTier, ssm_fit


@pytest.mark.parametrize(
    ("size", "tier"),
    [
        (0, SsmTier.STANDARD),
        (4096, SsmTier.STANDARD),
        (4097, SsmTier.ADVANCED),
        (8192, SsmTier.ADVANCED),
        (8193, None),
    ],
)
def test_the_smallest_tier_that_holds_the_document(size: int, tier: SsmTier | None) -> None:
    # Given a document of this many bytes, Then the smallest tier that holds it (None: none)
    assert ssm_fit(b"#" * size) == SsmFit(size, tier)


def test_a_document_is_measured_in_utf8_bytes_not_characters() -> None:
    # Given a text of 2,100 characters that take two bytes each in UTF-8
    document = ("rules:\n  login-banner:\n    text: " + "é" * 2100 + "\n").encode()
    assert len(document.decode()) < 4096 < len(document)

    # Then it needs the Advanced tier
    assert ssm_fit(document).tier is SsmTier.ADVANCED
