"""The policy document: which rules an endpoint must follow, in which mode, with which exemptions.

The models mirror the YAML/JSON document key for key (rule ids keep their hyphens through
aliases) and refuse unknown keys, so that a typo is an error rather than a silently ignored
rule. Use :mod:`cvpn_guard.policy.loader` to read a document: it turns validation errors
into a :class:`~cvpn_guard.exceptions.PolicyError` that speaks the user's language.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializeAsAny,
    SerializerFunctionWrapHandler,
    StrictBool,
    create_model,
    field_validator,
    model_serializer,
    model_validator,
)

from cvpn_guard.policy.exemptions import Exemption
from cvpn_guard.policy.windows import DisruptiveFixes
from cvpn_guard.policy_terms.enums import Mode, Severity
from cvpn_guard.policy_terms.values import TagKey, unique
from cvpn_guard.rules.base import RuleConfig
from cvpn_guard.rules.registry import all_rules

__all__ = ["Mode", "Policy", "PolicyIdentity", "RuleSet", "Severity", "rule_set_model"]


class RuleSet(BaseModel):
    """One optional entry per rule id; a rule that is absent is not checked.

    The fields are not written here: :func:`rule_set_model` builds this model's subclass with
    one field per registered rule (the rule id as alias, its options model as type), so a new
    rule module is in the policy schema without touching this file. A rule written with no
    options (``login-banner:`` in YAML) is checked with its defaults.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_serializer(mode="wrap")
    def _absent_rules_are_left_out(self, handler: SerializerFunctionWrapHandler) -> Any:
        # A rule written as null means "check it with its defaults", so a dump must not
        # write absent rules as null: it would not load back as the same policy.
        dumped = handler(self)
        return {key: value for key, value in dumped.items() if value is not None}

    @model_validator(mode="before")
    @classmethod
    def _bare_rule_means_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: {} if value is None else value for key, value in data.items()}
        return data

    def configured(self) -> Iterator[RuleConfig]:
        """The configured rules (active or switched off), in evaluation order."""
        for config in self.__dict__.values():
            if config is not None:
                yield config

    def active(self) -> tuple[RuleConfig, ...]:
        """The rules to check: configured and not switched off by their options."""
        # Not cached on the instance: model_copy(update=...) would carry a stale value. The
        # fields are read from __dict__ (in evaluation order): evaluate() runs this per endpoint.
        return tuple(
            config for config in self.__dict__.values() if config is not None and config.active
        )

    def get(self, rule_id: str) -> RuleConfig | None:
        """The options of ``rule_id``, or None when the policy does not configure it."""
        return next((c for c in self.configured() if c.rule_id == rule_id), None)

    def only(self, rule_ids: Iterable[str]) -> RuleSet:
        """The same rule set with every rule but ``rule_ids`` left out (``scan --rule``)."""
        keep = set(rule_ids)
        return self.model_copy(
            update={
                name: None
                for name, config in self.__dict__.items()
                if config is not None and config.rule_id not in keep
            }
        )


_models: dict[tuple[type[Any], ...], type[RuleSet]] = {}


def rule_set_model() -> type[RuleSet]:
    """The :class:`RuleSet` model of the rules registered now.

    Built once per set of rules: when a rule is registered and removed again (a test's own
    rule), policies loaded before and after share one model and still compare equal.
    """
    rules = all_rules()
    model = _models.get(rules)
    if model is None:
        fields: dict[str, Any] = {
            rule.id.replace("-", "_"): (rule.options | None, Field(default=None, alias=rule.id))
            for rule in rules
        }
        model = create_model("RuleSet", __base__=RuleSet, **fields)
        _models[rules] = model
    return model


class PolicyIdentity(BaseModel):
    """Which policy produced a result: its version and a hash of its normalized content."""

    model_config = ConfigDict(frozen=True)

    version: int
    content_hash: str


_DEFAULT_DISRUPTIVE_FIXES = DisruptiveFixes()


class Policy(BaseModel):
    """An org policy for Client VPN endpoints.

    Attributes
    ----------
    version : Literal[1]
        The schema version of the document.
    mode : Mode
        ``enforce`` remediates; ``report`` (the default) never modifies anything.
    rules : RuleSet
        The rules to check, keyed by rule id.
    exemptions : tuple[Exemption, ...]
        Endpoints spared some or all rules.
    allow_tag_exemptions : bool
        Whether exemptions that select endpoints by tag are honored (off by default: anyone
        who can tag an endpoint could exempt it).
    disruptive_fixes : DisruptiveFixes
        When fixes that disrupt users are applied: always (the default), only in the
        endpoint's maintenance window, or never.
    iac_owner_tags : tuple[str, ...]
        Tag keys that mark an endpoint as deployed by infrastructure as code other than
        CloudFormation (Terraform's ``ManagedBy``, a workspace tag): reports and notices name
        the tag and its value and say to fix the code too. CloudFormation's own
        ``aws:cloudformation:stack-name`` is always recognised.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = Field(description="the schema version, 1")
    # Safe by default: a document that does not say enforce never modifies anything.
    mode: Mode = Field(default=Mode.REPORT, description="enforce or report")
    # The registered rules' model validates the mapping; SerializeAsAny dumps its own fields.
    rules: SerializeAsAny[RuleSet] = Field(description="a mapping of rule id to the rule's options")
    exemptions: tuple[Exemption, ...] = Field(default=(), description="a list of exemptions")
    allow_tag_exemptions: StrictBool = Field(
        default=False, description="true or false (tag exemptions are honored only when true)"
    )
    disruptive_fixes: DisruptiveFixes = Field(
        default=_DEFAULT_DISRUPTIVE_FIXES,
        description="a mapping {when, max_connected_users, windows}: when fixes that disrupt "
        "users are applied",
    )
    iac_owner_tags: Annotated[tuple[TagKey, ...], AfterValidator(unique)] = Field(
        default=(),
        description="a list of tag keys (1-128 characters, case-sensitive, not aws:) that "
        "mark an endpoint as deployed by code, e.g. [ManagedBy, terraform-workspace]: reports "
        "and notices name the tag's value and say to fix the code too",
    )
    # The mode the document itself says, when ``with_mode`` overrode it (None: not overridden).
    _document_mode: Mode | None = PrivateAttr(default=None)
    _document_identity: PolicyIdentity | None = PrivateAttr(default=None)

    @model_serializer(mode="wrap")
    def _default_disruptive_fixes_are_left_out(self, handler: SerializerFunctionWrapHandler) -> Any:
        # Policies written before maintenance windows (and owner tags) existed keep their
        # identity hash.
        dumped = handler(self)
        if isinstance(dumped, dict) and self.disruptive_fixes == _DEFAULT_DISRUPTIVE_FIXES:
            dumped.pop("disruptive_fixes", None)
        if isinstance(dumped, dict) and not self.iac_owner_tags:
            dumped.pop("iac_owner_tags", None)
        return dumped

    @field_validator("iac_owner_tags")
    @classmethod
    def _not_reserved(cls, keys: tuple[str, ...]) -> tuple[str, ...]:
        # aws: is AWS's prefix (case-insensitive); CloudFormation's tags are recognised anyway.
        reserved = [key for key in keys if key.lower().startswith("aws:")]
        if reserved:
            raise ValueError(
                f"{', '.join(reserved)}: aws: tags are AWS's own; CloudFormation's "
                "aws:cloudformation:stack-name is always recognised, so leave it out"
            )
        return keys

    @field_validator("rules", mode="before")
    @classmethod
    def _registered_rules(cls, value: Any) -> Any:
        # Nested errors keep their key paths (rules.<rule id>.<option>).
        if isinstance(value, RuleSet):
            return value
        return rule_set_model().model_validate(value)

    @field_validator("version", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        # Literal[1] alone would take true and 1.0 (they hash like 1).
        if type(value) is not int:
            raise ValueError(f"{value!r} is not a supported version; allowed: 1")
        return value

    def with_mode(self, mode: Mode | str) -> Policy:
        """The same policy in another mode (e.g. a dry run of an enforce policy).

        The copy remembers the mode its document says (``document_mode``), and keeps the
        document's ``identity``: a report of the override still names the document it came
        from.

        Parameters
        ----------
        mode : Mode | str
            ``enforce`` or ``report``.

        Returns
        -------
        Policy
            A new policy; this one is unchanged.
        """
        copy = self.model_copy(update={"mode": Mode(mode)})
        copy._document_mode = self.document_mode
        copy._document_identity = self._document_identity
        return copy

    def only_rules(self, rule_ids: Iterable[str]) -> Policy:
        """The same policy checking only ``rule_ids`` (``scan --rule``); it keeps the
        document's ``identity`` (and mode), so its report names the document it came from."""
        copy = self.model_copy(update={"rules": self.rules.only(rule_ids)})
        copy._document_mode = self._document_mode
        copy._document_identity = self.identity
        return copy

    @property
    def document_mode(self) -> Mode:
        """The mode the document says; ``mode`` differs from it after ``with_mode``."""
        return self.mode if self._document_mode is None else self._document_mode

    @property
    def identity(self) -> PolicyIdentity:
        """Version and content hash, equal for every spelling (YAML, JSON) of the same policy.

        The hash covers the normalized document (defaults filled in, keys sorted; an all-default
        ``disruptive_fixes`` left out), so two documents that differ only in layout, comments or
        explicitly written defaults share it. It is the document's: a mode set by ``with_mode``
        (the CLI's report-only scan, the Lambdas' ``ENFORCEMENT_MODE``) does not change it, so
        ``cvpn-guard policy validate`` prints the hash every report of the document carries.
        ``only_rules`` copies keep the whole document's. Not cached otherwise: ``with_mode``
        copies would carry a stale value.
        """
        if self._document_identity is not None:
            return self._document_identity
        normalized = self.model_dump(mode="json", by_alias=True)
        normalized["mode"] = str(self.document_mode)
        canonical = json.dumps(
            normalized, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        return PolicyIdentity(version=self.version, content_hash=f"sha256:{digest}")
