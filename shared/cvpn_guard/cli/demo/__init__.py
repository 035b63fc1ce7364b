"""``cvpn-guard demo`` (being written)."""

from __future__ import annotations

from typing import TextIO


def run_demo(*, stdout: TextIO, stderr: TextIO) -> int:
    """Run the demo."""
    return 0
