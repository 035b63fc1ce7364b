"""Which rules serve a compliance control: ``--control AC-12`` of ``scan`` and ``check``.

A control is named by its id (``AC-12``, ``10.2.1``, ``EC2.51``) or by its tag
(``nist-800-53/AC-12``), in any case; an id two frameworks share selects the rules of both.
"""

from __future__ import annotations

from typing import Any

from cvpn_guard.exceptions import CvpnGuardError
from cvpn_guard.policy_terms.controls import Control
from cvpn_guard.rules.base import Rule
from cvpn_guard.rules.registry import all_rules


class UnknownControlError(CvpnGuardError, ValueError):
    """No registered rule serves the control asked for."""

    def __init__(self, control: str, known: tuple[str, ...]) -> None:
        self.control = control
        self.known = known
        super().__init__(
            f"no rule serves the control {control!r}; name one of: {', '.join(known)} "
            "(an id such as AC-12, or a tag such as nist-800-53/AC-12)"
        )


_TAGS: dict[type[Rule[Any]], tuple[str, ...]] = {}


def control_tags(rule: type[Rule[Any]]) -> tuple[str, ...]:
    """The tags of the controls ``rule`` serves (``nist-800-53/AC-12``), as findings carry
    them; computed once per rule (every finding of an evaluation asks)."""
    tags = _TAGS.get(rule)
    if tags is None:
        tags = _TAGS[rule] = tuple(control.tag for control in rule.controls)
    return tags


def known_controls() -> tuple[Control, ...]:
    """Every control some registered rule serves, by framework then id, each once."""
    seen = {control for rule in all_rules() for control in rule.controls}
    return tuple(sorted(seen, key=lambda c: (c.framework.tag, c.id)))


def rules_of_control(control: str) -> tuple[str, ...]:
    """The ids of the rules that serve ``control``, in evaluation order.

    Parameters
    ----------
    control
        A control id (``AC-12``) or tag (``nist-800-53/AC-12``); case and surrounding blanks
        do not matter.

    Raises
    ------
    UnknownControlError
        No registered rule serves it; the error lists the tags of the known controls.
    """
    wanted = control.strip().casefold()
    rules = tuple(rule.id for rule in all_rules() if _serves(rule, wanted))
    if not rules:
        raise UnknownControlError(control, tuple(c.tag for c in known_controls()))
    return rules


def _serves(rule: type[Rule[Any]], wanted: str) -> bool:
    return any(wanted in (c.id.casefold(), c.tag.casefold()) for c in rule.controls)
