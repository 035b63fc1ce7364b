"""Organizations answers as today's AWS gives them, where moto 5.2 still answers as before.

- botocore's model documents that ``Account.Status`` "will be retired on September 9, 2026" and
  that ``State`` replaces it (``DescribeAccount``, ``ListAccounts``, ``ListAccountsForParent``).
  moto still fills both, so code that keeps reading ``Status`` passes against moto and lists no
  account at all in a real organization. The emulator answers without the retired members;
  ``tests/integration/emulator/test_organizations.py`` derives the retired members from
  botocore's model and fails when the model retires another one that this list misses.
- ``ListAccounts`` "can be called only from the organization's management account or by a
  member account that is a delegated administrator" (Organizations API Reference). moto
  answers a delegated administrator with an empty list and any other member likewise; the
  emulator answers the administrator with the organization's accounts and refuses the others
  (``AccessDeniedException``), as AWS does. cvpn-guard's central stack may run in either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.organizations.exceptions import OrganizationsClientError
from moto.organizations.models import FakeAccount, OrganizationsBackend, organizations_backends

RETIRED_ACCOUNT_MEMBERS = frozenset({"Status"})
"""Members of Organizations' ``Account`` shape whose documented retirement date has passed."""


class NotAdministrator(OrganizationsClientError):
    """AWS's answer to a member account that is not a delegated administrator."""

    def __init__(self) -> None:
        super().__init__(
            "AccessDeniedException", "You don't have permissions to access this resource."
        )


def install_organizations() -> None:
    """Patch moto's Organizations backend (once, from ``patches.install``)."""
    original_describe: Callable[[FakeAccount], dict[str, Any]] = FakeAccount.describe

    def describe(self: FakeAccount) -> dict[str, Any]:
        # Every operation that answers an Account (Describe, List, ListForParent) builds it here.
        return {
            key: value
            for key, value in original_describe(self).items()
            if key not in RETIRED_ACCOUNT_MEMBERS
        }

    original_list: Callable[..., Any] = OrganizationsBackend.list_accounts

    def list_accounts(self: OrganizationsBackend, **kwargs: Any) -> Any:
        management = _management_backend_of_member(self)
        if management is None:
            return original_list(self, **kwargs)
        if not any(admin.account.id == self.account_id for admin in management.admins):
            raise NotAdministrator()
        return original_list(management, **kwargs)

    FakeAccount.describe = describe  # type: ignore[method-assign]
    OrganizationsBackend.list_accounts = list_accounts  # type: ignore[method-assign, assignment]


def _management_backend_of_member(backend: OrganizationsBackend) -> OrganizationsBackend | None:
    """The management account's backend when ``backend`` is a member's (None otherwise)."""
    if backend.org is not None or backend.account_id not in organizations_backends.master_accounts:
        return None
    management, partition = organizations_backends.master_accounts[backend.account_id]
    found: OrganizationsBackend = organizations_backends[management][partition]
    return found
