"""EventBridge delivery as AWS does it, where moto 5.2 differs in ways cvpn-guard depends on.

- A target receives the whole event: moto's default input template leaves out ``account``.
- An event a rule sends to an event bus of another account keeps its envelope (``account``,
  ``region``, ``id``, ``time``, ``resources``): moto re-puts it as a new event of the receiving
  account. AWS's cross-account guide has the receiver "set up one or more rules that match
  events that come from the sender account", i.e. on the sender's ``account`` field, and
  cvpn-guard's organization bus relies on it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from moto.events.models import Rule, events_backends
from moto.events.utils import EventTemplateParser
from moto.utilities.arns import parse_arn

_WHOLE_EVENT_TEMPLATE = (
    '{"version": "0", "id": "<id>", "detail-type": "<detail-type>", "source": "<source>", '
    '"account": "<account>", "time": <time>, "region": "<region>", "resources": <resources>, '
    '"detail": <detail>}'
)


def install_eventbridge() -> None:
    """Patch moto's EventBridge delivery (once, from ``patches.install``)."""
    EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE = _WHOLE_EVENT_TEMPLATE
    original: Callable[..., None] = Rule.send_to_targets

    def send_to_targets(self: Rule, event: Any, transform_input: bool = True) -> None:
        buses = [target for target in self.targets if _is_event_bus(target["Arn"])]
        if not buses or not self.event_pattern.matches_event(event):
            original(self, event, transform_input)
            return
        every = self.targets
        self.targets = [target for target in every if target not in buses]
        try:
            original(self, event, transform_input)
        finally:
            self.targets = every
        for target in buses:
            _forward(target["Arn"], event)

    Rule.send_to_targets = send_to_targets  # type: ignore[method-assign, assignment]


def _is_event_bus(arn: str) -> bool:
    parsed = parse_arn(arn)
    return bool(parsed.service == "events" and parsed.resource_type == "event-bus")


def _forward(bus_arn: str, event: Any) -> None:
    """Deliver ``event``, envelope and all, to every rule of the bus at ``bus_arn``."""
    arn = parse_arn(bus_arn)
    backend = events_backends[arn.account][arn.region]
    bus = backend.describe_event_bus(arn.resource_id)
    for rule in list(bus.rules.values()):
        rule.send_to_targets(copy.deepcopy(event))
