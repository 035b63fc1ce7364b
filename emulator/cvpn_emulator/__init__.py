"""AWS Client VPN endpoint APIs for moto 5.2, plus fault injection (dev/test only).

Call ``install()`` once, then use ``moto.mock_aws`` as usual, or run the server with
``python -m cvpn_emulator``. See emulator/README.md.
"""

from __future__ import annotations

from .faults import (
    active_faults,
    call_counts,
    clear_faults,
    endpoint_call_counts,
    ignore_changes,
    inject_error,
    reset_call_counts,
    stale_reads,
)
from .models import EndpointNotFoundError, seed_connections, set_endpoint_status
from .patches import install
from .roles import existing_roles_required, require_existing_roles

__all__ = [
    "EndpointNotFoundError",
    "active_faults",
    "call_counts",
    "clear_faults",
    "endpoint_call_counts",
    "existing_roles_required",
    "ignore_changes",
    "inject_error",
    "install",
    "require_existing_roles",
    "reset_call_counts",
    "seed_connections",
    "set_endpoint_status",
    "stale_reads",
]
