"""The ``cvpn-guard`` command line: ``scan``, ``policy validate|show-default`` and ``demo``.

Importing this package costs only argparse: every command imports boto3, the policy engine
and the emulator inside itself, so ``cvpn-guard --help`` answers at once.
"""

from __future__ import annotations

from cvpn_guard.cli.main import main

__all__ = ["main"]
