"""How many examples a property or fuzz test draws: all of them in CI, a quarter locally.

``HYPOTHESIS_PROFILE=ci`` (set by ``.ci/run``) runs every test at the count it names; any other
run (``make test`` on a laptop, a single test file) draws a quarter, at least 10, so that the
local gate stays fast while CI keeps the full search. Both profiles are derandomized
(tests/conftest.py): a failure found once is found again on every machine.
"""

from __future__ import annotations

import os

CI_PROFILE = "ci"
LOCAL_SHARE = 0.25
LEAST = 10


def in_ci() -> bool:
    """Whether this run uses the CI profile."""
    return os.environ.get("HYPOTHESIS_PROFILE") == CI_PROFILE


def examples(count: int) -> int:
    """``count`` examples in CI; locally a quarter of them, at least 10."""
    return count if in_ci() else max(LEAST, round(count * LOCAL_SHARE))
