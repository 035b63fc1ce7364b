"""``cvpn-guard demo``: the whole product end to end on a local emulator, in seconds.

The package has one module per job: ``environment`` (process env and logs), ``estate``
(what gets created), ``replay`` (the sample events), ``lambdas`` (calling the handlers),
``inbox`` (what the subscriber receives) and ``render`` (how it reads); ``story`` runs them
in order (``org_story`` for the organization) and ``run`` starts one of them.
"""

from __future__ import annotations

from cvpn_devkit.demo.run import run_demo

__all__ = ["run_demo"]
