"""Commands the shipped CLI does not contain: found through entry points, never imported by name.

``cvpn-guard demo`` runs the development kit's demo (``cvpn_devkit``), which is installed in a
clone's environment only, never in the Lambda layer. The product may not import the kit
(CONTRIBUTING.md, "The dependency order"), so the kit offers the demo as an entry point of
``ENTRY_POINT_GROUP`` (pyproject.toml) and the CLI loads whatever is installed under that name.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any, cast

from cvpn_guard.cli.errors import CliError

ENTRY_POINT_GROUP = "cvpn_guard.cli_plugins"

_NOT_INSTALLED = (
    "the demo is part of the development install, not of the deployed product: "
    "run it from a clone with `make demo`"
)


def load_command(name: str) -> Callable[..., int]:
    """The command installed as ``name`` in ``ENTRY_POINT_GROUP``; a ``CliError`` saying how to
    get it when it is not installed (no such entry point, or its module is missing)."""
    found = entry_points(group=ENTRY_POINT_GROUP, name=name)
    if not found:
        raise CliError(_NOT_INSTALLED)
    # Two distributions offering the same command would be an install mistake: take the first
    # in the order importlib.metadata finds them, as Python's own console scripts do.
    entry_point = next(iter(found))
    try:
        command: Any = entry_point.load()
    except ImportError as error:
        # Declared by an install whose development kit is absent (a copy of shared/ only).
        raise CliError(_NOT_INSTALLED) from error
    return cast(Callable[..., int], command)
