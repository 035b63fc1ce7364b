"""Exemptions: endpoints (by id, or by tag when the policy allows it) spared some rules."""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictStr,
    model_validator,
)

from cvpn_guard.endpoint import ClientVpnEndpoint
from cvpn_guard.policy_terms.key_errors import key_error
from cvpn_guard.policy_terms.values import EndpointId, NonBlankText, TagKey, unique
from cvpn_guard.rules.registry import rule_ids

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _known_rule_id(value: str) -> str:
    known = rule_ids()
    if value not in known:
        close = difflib.get_close_matches(value, known, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ValueError(f"unknown rule {value!r}; {hint}known rules: {', '.join(known)}")
    return value


def _calendar_date(value: Any) -> Any:
    # YAML gives a date; JSON gives text. Refuse what pydantic would otherwise read as a
    # date (timestamps, datetimes with a time of day): an expiry is a day.
    if isinstance(value, datetime):
        raise ValueError(f"{value.isoformat()} has a time of day; write only the date, YYYY-MM-DD")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a calendar date; write YYYY-MM-DD") from None
    raise ValueError(f"{value!r} is not a date; write YYYY-MM-DD, e.g. 2027-01-31")


NEEDS_ONE_SELECTOR = (
    "an exemption needs exactly one of endpoint_id or tag to say which endpoints it spares"
)
NEEDS_A_REASON = "an endpoint exemption needs a reason (a ticket, an owner)"


def selector_problem(*, endpoint_id: bool, tag: bool, reason: bool) -> tuple[str, str] | None:
    """What an exemption written with these keys lacks: ``(key, message)``, or None.

    ``key`` is ``""`` for the exemption as a whole. The loader also asks this of the raw
    document when the exemption's own values are wrong: pydantic then skips the model's
    checks, and the author would see a missing reason only after fixing everything else.
    """
    if endpoint_id == tag:
        return "", NEEDS_ONE_SELECTOR
    if endpoint_id and not reason:
        return "reason", NEEDS_A_REASON
    return None


KnownRuleId = Annotated[StrictStr, AfterValidator(_known_rule_id)]
CalendarDate = Annotated[date, BeforeValidator(_calendar_date)]


class TagSelector(BaseModel):
    """Endpoints carrying tag ``key`` (with exactly ``value``, when given)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: TagKey = Field(description="the tag key (case-sensitive)")
    value: StrictStr | None = Field(default=None, description="the tag value (omit: any value)")

    def matches(self, tags: dict[str, str]) -> bool:
        """Whether an endpoint with these tags is selected."""
        if self.key not in tags:
            return False
        return self.value is None or tags[self.key] == self.value


class Exemption(BaseModel):
    """Spares one endpoint (or the endpoints with a tag) some or all rules, maybe until a day.

    Exactly one of ``endpoint_id`` and ``tag`` selects the endpoints. An exemption is valid
    through its ``expires`` day (UTC) and no longer applies the day after.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoint_id: EndpointId | None = Field(
        default=None, description="a Client VPN endpoint id, cvpn-endpoint-<8 to 17 hex digits>"
    )
    tag: TagSelector | None = Field(
        default=None,
        description="a mapping {key, value?}; honored only when allow_tag_exemptions is true",
    )
    rules: (
        Annotated[tuple[KnownRuleId, ...], Field(min_length=1), AfterValidator(unique)] | None
    ) = Field(default=None, description="a non-empty list of rule ids (omit: all rules)")
    reason: NonBlankText | None = Field(
        default=None, description="why the exemption exists (a ticket, an owner)"
    )
    expires: CalendarDate | None = Field(
        default=None, description="the last day the exemption applies, YYYY-MM-DD (UTC)"
    )

    @model_validator(mode="after")
    def _one_selector_and_a_reason(self) -> Self:
        problem = selector_problem(
            endpoint_id=self.endpoint_id is not None,
            tag=self.tag is not None,
            reason=self.reason is not None,
        )
        if problem is not None:
            key, message = problem
            raise key_error(key, message) if key else ValueError(message)
        return self

    @property
    def is_tag_exemption(self) -> bool:
        """Whether endpoints are selected by tag (honored only when the policy allows it)."""
        return self.tag is not None

    def selects(self, endpoint: ClientVpnEndpoint) -> bool:
        """Whether this exemption is about ``endpoint`` (expired or not)."""
        if self.endpoint_id is not None:
            return endpoint.endpoint_id == self.endpoint_id
        return self.tag is not None and self.tag.matches(endpoint.tags)

    def covers(self, rule_id: str) -> bool:
        """Whether this exemption spares ``rule_id``."""
        return self.rules is None or rule_id in self.rules

    def is_expired(self, today: date) -> bool:
        """Whether ``today`` (UTC) is past the last day of the exemption."""
        return self.expires is not None and today > self.expires

    def describe(self) -> str:
        """A short human name for the exemption, used in findings."""
        if self.endpoint_id is not None:
            who = f"endpoint {self.endpoint_id}"
        else:
            assert self.tag is not None  # guaranteed by the validator
            who = f"tag {self.tag.key}" + (
                f"={self.tag.value}" if self.tag.value is not None else ""
            )
        what = "all rules" if self.rules is None else ", ".join(self.rules)
        return f"exemption of {who} from {what}"
