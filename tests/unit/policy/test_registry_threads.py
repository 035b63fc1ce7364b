"""The rule registry loads its built-in rules once, completely, whichever thread asks first."""

from __future__ import annotations

import subprocess
import sys

# Run in a fresh interpreter: in this one the built-in rules are loaded already.
RACE = """
import threading
from cvpn_guard.rules import all_rules

barrier = threading.Barrier(8)
seen = []

def ask():
    barrier.wait()  # all eight threads ask at the same moment
    seen.append(len(all_rules()))

threads = [threading.Thread(target=ask) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(sorted(set(seen)))
"""


def test_threads_asking_at_once_all_see_every_built_in_rule() -> None:
    # Given a process that has not loaded the rules yet, When eight threads ask at once
    done = subprocess.run(
        [sys.executable, "-c", RACE], capture_output=True, text=True, timeout=120, check=True
    )

    # Then each saw the same, complete set
    (count,) = eval(done.stdout)
    assert count >= 15


def test_a_rule_without_its_own_check_is_refused_when_defined() -> None:
    from typing import Any

    import pytest

    from cvpn_guard.rules import Rule
    from cvpn_guard.rules.registry import RuleDefinitionError, rule_ids
    from cvpn_guard.rules.split_tunnel import SplitTunnelConfig

    # Given a rule class that forgets its check, When it is defined, Then the registry refuses it
    with pytest.raises(RuleDefinitionError, match="does not define check"):

        class Forgetful(Rule[Any]):
            id = "forgetful"
            options = SplitTunnelConfig
            fixable = False
            reads = ("SplitTunnel",)
            example: dict[str, Any] = {}

    assert "forgetful" not in rule_ids()
