"""The policy a scan applies: read from a file, the stack's SSM parameter or the bundled
default; limited to ``--rule`` and ``--control``; in the mode the document says, which the command line may
narrow to reporting but widen to enforcing only with ``--override-mode``.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cvpn_guard.cli.errors import CliError

if TYPE_CHECKING:
    from cvpn_guard.aws.session import Session
    from cvpn_guard.policy import Mode, Policy


@dataclass(frozen=True, slots=True)
class ScanPolicy:
    """The policy a scan applies, and what its document said."""

    policy: Policy
    """In the mode the scan applies (``enforce`` only for ``--remediate`` and ``--plan``)."""
    document_mode: Mode
    """The ``mode`` the document itself says."""
    source: str
    """Where it was read: a file name, ``ssm:NAME`` or ``the bundled default policy``."""
    rules: tuple[str, ...] = ()
    """The rules the scan is limited to (``--rule`` and ``--control``); empty: all of them."""


def read_policy(
    *, policy_file: str | None, policy_text: tuple[str, str] | None = None
) -> tuple[Policy, str]:
    """The document of ``--policy FILE``, of ``(text, source)`` (SSM) or the bundled default.

    Raises ``CliError`` listing every problem of an invalid document.
    """
    from cvpn_guard.exceptions import PolicyError
    from cvpn_guard.policy import default_policy, load_policy, load_policy_file

    try:
        if policy_text is not None:
            text, source = policy_text
            return load_policy(text, source=source), source
        if policy_file:
            return load_policy_file(policy_file), policy_file
        return default_policy(), "the bundled default policy"
    except PolicyError as error:
        count = len(error.problems)
        lines = "\n".join(f"  {error.source}: {problem}" for problem in error.problems)
        raise CliError(
            f"the policy cannot be used ({count} problem{'s' if count != 1 else ''}):\n{lines}"
        ) from error


def read_policy_parameter(
    session: Session, name: str, region: str | None, endpoint_url: str | None
) -> tuple[str, str]:
    """The text of the stack's policy parameter, read as the Lambdas read it."""
    from cvpn_guard.aws.policy_store import read_parameter
    from cvpn_guard.exceptions import ConfigurationError
    from cvpn_guard.settings import DEFAULT_MAX_ATTEMPTS

    if not region:
        raise CliError(
            f"--policy-parameter {name}: no region to read it in: pass --policy-region "
            "REGION (the stack's region), or set AWS_REGION"
        )
    try:
        text = read_parameter(session, name, region, endpoint_url, DEFAULT_MAX_ATTEMPTS)
        return text, f"ssm:{name}"
    except ConfigurationError as error:
        raise CliError(str(error)) from error


def applied(
    document: Policy,
    source: str,
    *,
    changes: bool,
    remediate: bool,
    override_mode: bool,
    rules: Sequence[str] = (),
    controls: Sequence[str] = (),
) -> ScanPolicy:
    """The policy the scan applies.

    ``changes``: the scan remediates or plans a remediation, so it judges as enforce mode
    would; otherwise it only reports, whatever the document says. A remediation
    (``remediate``) under a document that says ``mode: report`` is refused unless
    ``override_mode``. ``rules`` and ``controls`` limit it to those rules and to the
    document's rules that serve those controls (together: both sets).
    """
    from cvpn_guard.policy import Mode

    selected = tuple(dict.fromkeys([*rules, *control_rules(document, controls, source)]))
    policy = _only(document, selected, source) if selected else document
    if remediate and document.mode is not Mode.ENFORCE and not override_mode:
        raise CliError(
            f"{source} says mode: {document.mode}: cvpn-guard changes nothing under it, so "
            "--remediate does not either (nothing was scanned or changed). To apply its "
            "fixes from here all the same, add --override-mode; to enforce it everywhere, "
            "set mode: enforce in the policy"
        )
    mode = Mode.ENFORCE if changes else Mode.REPORT
    return ScanPolicy(
        policy=policy.with_mode(mode), document_mode=document.mode, source=source, rules=selected
    )


def control_rules(policy: Policy, controls: Sequence[str], source: str) -> tuple[str, ...]:
    """The rules of ``policy`` that serve any of ``controls`` (``--control``), in order.

    Raises ``CliError`` (usage) for a control no rule serves, listing the known ones, and
    when the policy checks none of a control's rules (the scan would check nothing of it).
    """
    from cvpn_guard.rules.controls import UnknownControlError, rules_of_control

    active = [config.rule_id for config in policy.rules.active()]
    chosen: list[str] = []
    for control in controls:
        try:
            serving = rules_of_control(control)
        except UnknownControlError as error:
            raise CliError(
                f"--control {control}: no rule serves it; known controls: "
                f"{', '.join(error.known)} (give an id such as AC-12 or a tag such as "
                "nist-800-53/AC-12)"
            ) from error
        checked = [rule for rule in serving if rule in active]
        if not checked:
            raise CliError(
                f"--control {control}: {source} checks none of its rules "
                f"({', '.join(serving)}): add one to the policy, or choose another control"
            )
        chosen += checked
    return tuple(dict.fromkeys(chosen))


def _only(policy: Policy, rules: Sequence[str], source: str) -> Policy:
    """``policy`` checking only ``rules``; each must be one of its active rules."""
    from cvpn_guard.rules import rule_ids

    known = rule_ids()
    active = [config.rule_id for config in policy.rules.active()]
    for rule in rules:
        if rule not in known:
            close = difflib.get_close_matches(rule, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise CliError(f"--rule {rule}: no such rule; {hint}known rules: {', '.join(known)}")
        if rule not in active:
            raise CliError(
                f"--rule {rule}: {source} does not check it (absent or switched off); "
                f"--rule limits the run to the policy's own rules: {', '.join(active)}"
            )
    return policy.only_rules(rules)
