"""Teach an unmodified moto 5.2 about Client VPN (emulator/README.md lists what it adds).

Everything here patches moto *classes and module globals*, never instances, because
moto creates a fresh ``EC2Response`` per request and rebuilds backends on reset; a
patched class is seen by ``mock_aws``, ``ThreadedMotoServer`` and ``moto.server`` alike.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any

from moto.core.base_backend import BackendDict
from moto.ec2 import models as ec2_models
from moto.ec2 import utils as ec2_utils
from moto.ec2.models import EC2Backend
from moto.ec2.models import tags as ec2_tags
from moto.ec2.responses import EC2Response

from . import faults
from .entities import ENDPOINT_ID_PREFIX
from .eventbridge import install_eventbridge
from .models import client_vpn_backend
from .organizations import install_organizations
from .responses import ClientVpnResponses
from .roles import install_roles, require_existing_roles
from .security_hub import install_security_hub

RESOURCE_TYPE = "client-vpn-endpoint"

_install_lock = threading.Lock()
_installed = False


def install() -> None:
    """Register the Client VPN emulation with moto; safe to call any number of times."""
    global _installed  # noqa: PLW0603 - patching twice would wrap the wrappers
    with _install_lock:
        if _installed:
            return
        _attach_responses()
        install_security_hub()
        install_roles()
        install_organizations()
        install_eventbridge()
        _teach_resource_id_prefix()
        _teach_resource_existence()
        _reset_faults_with_moto()
        faults.install_dispatch_hook()
        EC2Backend.client_vpn_backend = property(client_vpn_backend)  # type: ignore[attr-defined]
        _installed = True


def _attach_responses() -> None:
    for name, member in vars(ClientVpnResponses).items():
        if name.startswith("__"):
            continue
        if inspect.isfunction(member) or isinstance(member, property):
            setattr(EC2Response, name, member)


def _teach_resource_id_prefix() -> None:
    """Make CreateTags/DeleteTags/DescribeTags accept ``cvpn-endpoint-…`` ids.

    moto derives a resource's type from the id's text before the first dash ("cvpn"),
    so the prefix table alone is not enough: ``get_prefix`` must learn the two-word
    prefix, in every module that imported it by name.
    """
    ec2_utils.EC2_RESOURCE_TO_PREFIX[RESOURCE_TYPE] = ENDPOINT_ID_PREFIX
    ec2_utils.EC2_PREFIX_TO_RESOURCE[ENDPOINT_ID_PREFIX] = RESOURCE_TYPE
    # moto's get_prefix returns None for unknown prefixes despite its annotation.
    original: Callable[[str], str | None] = ec2_utils.get_prefix

    def get_prefix(resource_id: str) -> str | None:
        if resource_id.startswith(f"{ENDPOINT_ID_PREFIX}-"):
            return ENDPOINT_ID_PREFIX
        return original(resource_id)

    for module in (ec2_utils, ec2_models, ec2_tags):
        module.get_prefix = get_prefix  # type: ignore[attr-defined]


def _teach_resource_existence() -> None:
    """CreateTags on an unknown endpoint fails with its NotFound error, as in AWS."""
    original: Callable[[EC2Backend, list[str]], bool] = EC2Backend.do_resources_exist

    def do_resources_exist(self: EC2Backend, resource_ids: list[str]) -> bool:
        others = []
        for resource_id in resource_ids:
            if resource_id.startswith(f"{ENDPOINT_ID_PREFIX}-"):
                client_vpn_backend(self).get_endpoint(resource_id)
            else:
                others.append(resource_id)
        return original(self, others)

    EC2Backend.do_resources_exist = do_resources_exist  # type: ignore[method-assign]


def _reset_faults_with_moto() -> None:
    """``BackendDict.reset`` runs on /moto-api/reset and around every mock_aws context: it
    clears the faults and turns the role check off too."""
    original: Callable[[], Any] = BackendDict.reset

    def reset(cls: type[BackendDict[Any]]) -> None:
        original()
        faults.REGISTRY.reset()
        require_existing_roles(False)

    BackendDict.reset = classmethod(reset)  # type: ignore[method-assign, assignment]
