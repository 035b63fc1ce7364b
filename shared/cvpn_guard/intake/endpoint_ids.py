"""Read the endpoint id(s) of a watched call from its CloudTrail record.

Every id is checked with :data:`cvpn_guard.endpoint.ENDPOINT_ID`, the one pattern of the
product: an id that only resembles one never reaches EC2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cvpn_guard.endpoint import ENDPOINT_ID
from cvpn_guard.intake.calls import IdSource, WatchedCall
from cvpn_guard.intake.cloudtrail import CloudTrailRecord
from cvpn_guard.intake.outcomes import Skip, SkipReason
from cvpn_guard.intake.wire import find_key, unwrap

_SHOWN_IDS = 3  # other resources named in a skip's detail (it goes to the logs)

EndpointIds = tuple[str, ...] | Skip
"""The ids found (at least one), or why there are none (a skip without the event's id)."""


def endpoint_ids(record: CloudTrailRecord, call: WatchedCall) -> EndpointIds:
    """The endpoint ids ``record`` names, in order, without repeats; or a reason and detail."""
    if call.ids is IdSource.TAGGED_RESOURCES:
        return _tagged_endpoint_ids(record)
    section = record.responseElements if call.ids is IdSource.RESPONSE else record.requestParameters
    where = str(call.ids)
    value = find_key(unwrap(section), "ClientVpnEndpointId")
    if not isinstance(value, str):
        return Skip(SkipReason.MALFORMED, f"no ClientVpnEndpointId in {where}")
    if not ENDPOINT_ID.fullmatch(value):
        return Skip(
            SkipReason.MALFORMED,
            f"{where} ClientVpnEndpointId {value[:64]!r} is not a Client VPN endpoint id",
        )
    return (value,)


def _tagged_resource_ids(parameters: Mapping[str, Any] | None) -> list[Any] | None:
    # EC2's older APIs are not wrapped in one <Op>Request key, but a DeleteTags without
    # tagSet has resourcesSet as its only key: look at the top level before unwrapping.
    if not parameters:
        return None
    resources = find_key(parameters, "resourcesSet")
    if resources is None:
        resources = find_key(unwrap(parameters), "resourcesSet")
    items = find_key(resources, "items") if isinstance(resources, Mapping) else None
    if items is None:
        return None
    # One resource may arrive as an object instead of a one-item list.
    listed = items if isinstance(items, list) else [items]
    return [find_key(item, "resourceId") for item in listed if isinstance(item, Mapping)]


def _tagged_endpoint_ids(record: CloudTrailRecord) -> EndpointIds:
    where = str(IdSource.TAGGED_RESOURCES)
    values = _tagged_resource_ids(record.requestParameters)
    if not values:
        return Skip(SkipReason.MALFORMED, f"no {where}")
    found = tuple(
        dict.fromkeys(v for v in values if isinstance(v, str) and ENDPOINT_ID.fullmatch(v))
    )
    if found:
        # Other resources of the same call (instances, volumes, ...) are not ours to check.
        return found
    for value in values:
        if isinstance(value, str) and "cvpn-endpoint" in value.lower():
            return Skip(
                SkipReason.MALFORMED, f"{where} {value[:64]!r} is not a Client VPN endpoint id"
            )
    others = ", ".join(repr(str(v)[:64]) for v in values[:_SHOWN_IDS])
    more = f" and {len(values) - _SHOWN_IDS} more" if len(values) > _SHOWN_IDS else ""
    return Skip(
        SkipReason.NOT_AN_ENDPOINT,
        f"the tag call names no Client VPN endpoint, only {others}{more}",
    )
