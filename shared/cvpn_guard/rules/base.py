"""What a rule is: its options model, its check, its metadata. One subclass of :class:`Rule` per rule.

A rule module (``cvpn_guard/rules/<rule_id with underscores>.py``) defines the rule's options
(a :class:`RuleConfig` subclass) and one :class:`Rule` subclass; defining the subclass registers
it (:mod:`cvpn_guard.rules.registry`), and from then on the policy schema, ``show-default``, the
evaluation, the enforcement loop, the docs check and the test tables know it. The class
docstring is the rule's documentation summary. See CONTRIBUTING.md, "Add a rule".
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar, Generic, NamedTuple, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StrictBool, model_validator

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.endpoint_calls import EndpointCall
from cvpn_guard.policy_terms.controls import Control
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.policy_terms.key_errors import key_error
from cvpn_guard.rules.registry import register_rule


class RuleConfig(BaseModel):
    """Options every rule takes; each rule's options model adds its own and sets the defaults.

    ``remediate`` defaults per rule: true where a fix exists with the options given (and the
    rule's ``remediate_by_default`` allows it), false otherwise. A rule that cannot fix anything
    with its options rejects ``remediate: true``: the user would otherwise believe cvpn-guard
    fixes something it only reports.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule_id: ClassVar[str]
    """Set when the rule registers (the options model belongs to exactly one rule)."""
    rule: ClassVar[type[Rule[Any]]]
    """The rule these options configure (set when it registers)."""
    remediate_by_default: ClassVar[bool] = True
    """``remediate``'s default when the options allow a fix (see ``fix_options``)."""
    fix_options: ClassVar[tuple[str, ...]] = ()
    """Options a fix needs, any one of them: without one ``remediate`` defaults to false."""
    fix_switches: ClassVar[tuple[str, ...]] = ()
    """Boolean options that opt into a fix (``revoke_access_all: true``): without one set to
    true ``remediate`` defaults to false. For fixes that must never happen by default."""

    severity: Severity
    remediate: StrictBool = Field(
        description="true (fix in enforce mode) or false (only report); "
        "the default depends on the rule"
    )

    @property
    def active(self) -> bool:
        """False when the options switch the check off (``required: false`` and the like)."""
        return True

    def remediation_blocker(self) -> str | None:
        """Why this rule cannot fix anything with these options, or None when it can."""
        return None

    @model_validator(mode="before")
    @classmethod
    def _default_remediate(cls, data: Any) -> Any:
        # The default is decided here, from the options given, rather than by a field
        # default: a rule that cannot fix anything with its options defaults to false, so
        # a dumped policy (every default written out) loads again unchanged.
        if isinstance(data, dict) and "remediate" not in data:
            return {**data, "remediate": cls.remediate_by_default and cls._fix_possible(data)}
        return data

    @classmethod
    def _fix_possible(cls, data: dict[str, Any]) -> bool:
        given = not cls.fix_options or any(data.get(name) is not None for name in cls.fix_options)
        switched = not cls.fix_switches or any(data.get(name) is True for name in cls.fix_switches)
        return given and switched

    @model_validator(mode="after")
    def _remediation_possible(self) -> Self:
        if self.remediate:
            blocker = self.remediation_blocker()
            if blocker is not None:
                raise key_error("remediate", f"remediate: true is not possible: {blocker}")
        return self


class ReportOnly(RuleConfig):
    """Options of a rule AWS cannot fix (or cvpn-guard will not): ``remediate`` stays false."""

    remediate_by_default: ClassVar[bool] = False
    report_only_because: ClassVar[str] = "AWS cannot change this setting of an endpoint"

    def remediation_blocker(self) -> str | None:
        return (
            f"{self.report_only_because}, so this rule only reports; remove remediate or set it "
            "to false"
        )


ConfigT = TypeVar("ConfigT", bound=RuleConfig)


class Needs(StrEnum):
    """AWS data beyond the endpoint's Describe item that a rule reads (each is one more call)."""

    AUTHORIZATION_RULES = "authorization_rules"
    """DescribeClientVpnAuthorizationRules of the endpoint."""
    DEFAULT_SECURITY_GROUPS = "default_security_groups"
    """The id of the ``default`` security group of the endpoint's VPC (DescribeSecurityGroups)."""
    ROUTES = "routes"
    """DescribeClientVpnRoutes of the endpoint."""
    AUTHORIZATION_POLICY = "authorization_policy"
    """GetClientVpnEndpointAuthorizationPolicy of the endpoint (device posture's Cedar policy)."""
    REVOCATION_LIST = "revocation_list"
    """ExportClientVpnClientCertificateRevocationList, read only for endpoints that authenticate
    clients by certificate (no other endpoint can have a list)."""


# Fix and RuleResult are NamedTuples: immutable like a frozen dataclass, but several times
# cheaper to build, and every check builds some (see benchmarks/evaluate.py).
class Fix(NamedTuple):
    """What brings a rule into compliance: part of the one ModifyClientVpnEndpoint call, and
    the other calls (:mod:`cvpn_guard.endpoint_calls`) for what Modify cannot change.

    ``parameters`` are in Modify's own shape (without ``ClientVpnEndpointId``); nested
    structures are complete as the API needs them. ``calls`` run after the Modify, in order.
    ``disruption`` says what the change does to users when it drops or resets sessions or
    cuts their access, None when it does not.
    """

    parameters: Mapping[str, Any]
    disruption: str | None = None
    calls: tuple[EndpointCall, ...] = ()


class RuleResult(NamedTuple):
    """What one rule concluded about one endpoint."""

    compliant: bool
    expected: JsonValue = None
    actual: JsonValue = None
    message: str = ""
    fix: Fix | None = None
    unevaluated_reason: str | None = None
    """Set when the rule could not be checked; then ``compliant`` is True (nothing found)."""

    @classmethod
    def violated(
        cls, *, expected: JsonValue, actual: JsonValue, message: str, fix: Fix | None = None
    ) -> RuleResult:
        """The endpoint breaks the rule; ``fix`` when the rule can repair it."""
        return cls(False, expected, actual, message, fix)  # positional: the cheapest call

    @classmethod
    def not_evaluable(cls, reason: str) -> RuleResult:
        """The rule lacks an input to decide; it reports no violation."""
        return cls(True, unevaluated_reason=reason)


PASSED = RuleResult(compliant=True)
"""The result of every rule the endpoint follows (nothing more to say)."""


class Rule(Generic[ConfigT]):
    """One policy rule. Subclass it once per rule; the subclass is the rule (never instantiated).

    Class attributes a rule sets:

    ``id``
        The rule id as written in the policy document (``transport-protocol``).
    ``options``
        Its options model, a :class:`RuleConfig` subclass.
    ``order``
        Where it stands in evaluation, reports and docs (ascending).
    ``fixable``
        Whether a ModifyClientVpnEndpoint call can ever bring it into compliance.
    ``disruptive``
        Whether that fix drops or resets user sessions.
    ``reads``
        The fields of the Describe item its check reads, in Describe's spelling (``Tags`` for
        ``state.endpoint.tags``). A source that cannot tell one of them (a template's
        unresolved ``!Ref``) leaves the rule unevaluated rather than judged on a guess;
        tests/unit/rules/test_reads.py records what each check really reads.
    ``needs``
        The AWS data it reads besides the Describe item (:class:`Needs`).
    ``modifies``
        The Modify parameters its fix sends.
    ``described_as``
        Modify parameter -> the Describe field that shows it, where they are spelled apart.
    ``controls``
        The compliance controls it supports (:class:`~cvpn_guard.policy_terms.controls.Control`),
        each cited in the docstring.
    ``example``
        Valid options that a compliant test endpoint meets (property and fuzz tests use them).
    """

    id: ClassVar[str]
    options: ClassVar[type[RuleConfig]]
    order: ClassVar[int] = 1000
    fixable: ClassVar[bool]
    disruptive: ClassVar[bool] = False
    reads: ClassVar[tuple[str, ...]]
    needs: ClassVar[frozenset[Needs]] = frozenset()
    modifies: ClassVar[tuple[str, ...]] = ()
    described_as: ClassVar[Mapping[str, str]] = {}
    controls: ClassVar[tuple[Control, ...]] = ()
    example: ClassVar[Mapping[str, Any]]

    def __init_subclass__(cls, *, register: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if register:
            register_rule(cls)

    @classmethod
    @abstractmethod
    def check(cls, state: EndpointState, options: ConfigT) -> RuleResult:
        """Judge one endpoint; return :data:`PASSED` or a violation (with a fix when possible).

        Every rule defines it: the registry refuses a rule class without its own check, so the
        mistake shows when the module is imported, not at the first evaluation.
        """

    @classmethod
    def inputs(cls) -> frozenset[str]:
        """Everything the check reads: its Describe fields and its ``Needs`` members (values),
        the keys :attr:`EndpointState.unread` and :attr:`EndpointState.unknown` use."""
        return frozenset(cls.reads) | {str(need) for need in cls.needs}

    @classmethod
    def summary(cls) -> str:
        """The first line of the rule's docstring: what it requires."""
        return (cls.__doc__ or cls.id).strip().splitlines()[0]
