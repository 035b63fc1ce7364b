"""Security Hub findings as the API Reference documents them, on moto 5.2's Security Hub.

moto 5.2 answers as Security Hub did years ago: GetFindings ignores its filters, an import
overwrites everything of an existing finding (its workflow too), blank strings are taken,
and BatchUpdateFindings is "Not yet implemented". ``install_security_hub`` corrects that on
moto's own classes (see emulator/README.md, "Beyond Client VPN"): ``models`` holds the
backend's behaviour, ``filters`` GetFindings' string filters, ``validation`` ASFF's
NonEmptyString, ``responses`` the BatchUpdateFindings answer.
"""

from __future__ import annotations

from .models import install_models
from .responses import install_responses


def install_security_hub() -> None:
    """Patch moto's Security Hub backend and response classes (once, from ``install``)."""
    install_models()
    install_responses()
