"""Organization accounts and their roles, as AWS has them.

moto lets anyone assume any role ARN, existing or not: that is how tests switch accounts.
AWS refuses ``AssumeRole`` when the role does not exist (``AccessDenied``), which is exactly
what an organization member looks like before the cvpn-guard StackSet reached it. With
``require_existing_roles()`` the emulator behaves like AWS; it is off by default (moto's
way stays available) and moto's reset turns it off again.

moto's Organizations ``CreateAccount`` already creates the new account's
``OrganizationAccountAccessRole`` trusting the management account, as AWS does, so an
administrator can still enter a new account with the check on.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from typing import Any

from moto.iam.exceptions import NotFoundException
from moto.iam.models import iam_backends
from moto.sts.exceptions import STSClientError
from moto.sts.models import STSBackend

_lock = threading.Lock()
_required = False


class RoleNotAssumable(STSClientError):
    """AWS's answer to AssumeRole on a role that does not exist (or does not trust the caller)."""

    code = "AccessDenied"


def require_existing_roles(required: bool = True) -> None:
    """Turn AWS's check on (``AssumeRole`` on a missing role is ``AccessDenied``) or off."""
    global _required  # noqa: PLW0603 - one process-wide switch, like the fault registry
    with _lock:
        _required = required


def existing_roles_required() -> bool:
    """Whether ``AssumeRole`` checks that the role exists."""
    return _required


def install_roles() -> None:
    """Patch moto's STS backend (once, from ``patches.install``)."""
    original: Callable[..., Any] = STSBackend.assume_role

    def assume_role(self: STSBackend, region_name: str, **kwargs: Any) -> Any:
        role_arn = str(kwargs.get("role_arn", ""))
        if _required and not _role_exists(role_arn):
            # AWS's code is not among STS's modelled errors; moto would warn on every refusal.
            warnings.filterwarnings(
                "ignore", message=r"Exception\(RoleNotAssumable\)", category=UserWarning
            )
            raise RoleNotAssumable(
                f"Not authorized to perform sts:AssumeRole on resource: {role_arn} "
                "(the role does not exist)"
            )
        return original(self, region_name, **kwargs)

    STSBackend.assume_role = assume_role  # type: ignore[method-assign, assignment]


def _role_exists(role_arn: str) -> bool:
    # arn:aws:iam::ACCOUNT:role/optional/path/NAME
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
        return False
    account, name = parts[4], parts[5].rsplit("/", 1)[-1]
    try:
        iam_backends[account][parts[1]].get_role(name)
    except NotFoundException:
        return False
    return True
