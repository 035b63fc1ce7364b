"""The compliance controls a rule serves: what auditors ask about, by framework."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Framework(StrEnum):
    """A control catalogue, by the name its publisher gives it."""

    NIST_800_53 = "NIST SP 800-53 Rev. 5"
    PCI_DSS = "PCI DSS v4.0"
    SECURITY_HUB = "AWS Security Hub"

    @property
    def tag(self) -> str:
        """A short, stable prefix for tags and filters (``nist-800-53``, ``pci-dss``, ...)."""
        return _TAGS[self]


_TAGS = {
    Framework.NIST_800_53: "nist-800-53",
    Framework.PCI_DSS: "pci-dss",
    Framework.SECURITY_HUB: "security-hub",
}


class Control(NamedTuple):
    """One control of a framework a rule supports (``AC-12``, ``10.2.1``, ``EC2.51``)."""

    framework: Framework
    id: str
    title: str

    @property
    def tag(self) -> str:
        """``nist-800-53/AC-12``: the control as SARIF tags and report filters write it."""
        return f"{self.framework.tag}/{self.id}"
