"""Every call that changes what an endpoint lets in: where its endpoint ids are, and its skips."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cvpn_guard.intake import (
    WATCHED_CALLS,
    ChangeKind,
    EndpointChange,
    Skip,
    SkipReason,
    classify_event,
)
from tests.support.events import GUARD, load_event

CONTRACTORS = "cvpn-endpoint-0d2c4e6f8a0b1c3d5"
SALES = "cvpn-endpoint-0a1b2c3d4e5f60718"

# The sample of each call added in issue 12: the endpoint ids it names, and its kind.
NEW_SAMPLES: dict[str, tuple[tuple[str, ...], ChangeKind]] = {
    "authorize_ingress_for_all_groups": ((CONTRACTORS,), ChangeKind.AUTHORIZATION_RULES),
    "revoke_ingress": ((CONTRACTORS,), ChangeKind.AUTHORIZATION_RULES),
    "associate_target_network": ((CONTRACTORS,), ChangeKind.TARGET_NETWORKS),
    "disassociate_target_network": ((CONTRACTORS,), ChangeKind.TARGET_NETWORKS),
    "apply_security_groups": ((CONTRACTORS,), ChangeKind.SECURITY_GROUPS),
    "create_route": ((CONTRACTORS,), ChangeKind.ROUTES),
    "delete_route": ((CONTRACTORS,), ChangeKind.ROUTES),
    "import_revocation_list": ((SALES,), ChangeKind.REVOCATION_LIST),
    "modify_authorization_policy": ((SALES,), ChangeKind.AUTHORIZATION_POLICY),
    "delete_authorization_policy": ((SALES,), ChangeKind.AUTHORIZATION_POLICY),
    "create_tags_on_two_endpoints": ((CONTRACTORS, SALES), ChangeKind.TAGS),
    "delete_tags": ((CONTRACTORS,), ChangeKind.TAGS),
}
ENFORCER_IDENTITY = load_event("modify_endpoint_by_enforcer")["detail"]


def _changes(event: dict[str, Any]) -> tuple[EndpointChange, ...]:
    outcome = classify_event(event, GUARD, own_account="123456789012")
    assert isinstance(outcome, tuple), outcome
    return outcome


def _skip(event: dict[str, Any]) -> Skip:
    outcome = classify_event(event, GUARD)
    assert isinstance(outcome, Skip), outcome
    return outcome


def test_every_watched_call_has_a_sample() -> None:
    sampled = {load_event(name)["detail"]["eventName"] for name in NEW_SAMPLES}
    assert sampled | {"CreateClientVpnEndpoint", "ModifyClientVpnEndpoint"} == set(WATCHED_CALLS)


@pytest.mark.parametrize("sample", sorted(NEW_SAMPLES))
def test_each_new_call_yields_the_endpoints_it_names(sample: str) -> None:
    # Given the CloudTrail record of a successful call by a person
    event = load_event(sample)
    ids, kind = NEW_SAMPLES[sample]

    # When it is classified
    changes = _changes(event)

    # Then there is one change per endpoint named, with the call's kind and the event's facts
    assert tuple(c.endpoint_id for c in changes) == ids
    for change in changes:
        assert change.kind is kind
        assert change.event_name == event["detail"]["eventName"]
        assert change.event_id == event["detail"]["eventID"]
        assert change.actor == event["detail"]["userIdentity"]["arn"]
        assert change.described_as == WATCHED_CALLS[change.event_name].change
    # And each has its own key, so that each is handled and recorded on its own
    assert len({c.key for c in changes}) == len(changes)


@pytest.mark.parametrize("sample", sorted(NEW_SAMPLES))
@pytest.mark.parametrize(
    ("error_code", "reason"),
    [
        ("Client.InvalidClientVpnEndpointId.NotFound", SkipReason.FAILED_CALL),
        ("Client.UnauthorizedOperation", SkipReason.FAILED_CALL),
        ("Client.DryRunOperation", SkipReason.DRY_RUN),
    ],
)
def test_failed_calls_and_dry_runs_are_skipped(
    sample: str, error_code: str, reason: SkipReason
) -> None:
    # Given the same call refused by EC2, or a dry run (CloudTrail keeps no response then)
    event = load_event(sample)
    event["detail"].update(errorCode=error_code, errorMessage="...", responseElements=None)

    # Then nothing changed: it is skipped with the reason
    assert _skip(event).reason is reason


@pytest.mark.parametrize("sample", sorted(NEW_SAMPLES))
def test_the_loop_guard_covers_every_call(sample: str) -> None:
    # Given the call made by cvpn-guard's own enforcer (its role, its session, inScopeOf)
    event = load_event(sample)
    event["detail"]["userIdentity"] = copy.deepcopy(ENFORCER_IDENTITY["userIdentity"])
    event["detail"]["inScopeOf"] = copy.deepcopy(ENFORCER_IDENTITY["inScopeOf"])

    # Then it is our own change, whatever the call
    assert _skip(event).reason is SkipReason.OWN_CHANGE


def _tag_call(*resource_ids: Any, name: str = "create_tags_on_two_endpoints") -> dict[str, Any]:
    event = load_event(name)
    items = [{"resourceId": resource_id} for resource_id in resource_ids]
    event["detail"]["requestParameters"]["resourcesSet"]["items"] = items
    return event


def test_a_tag_call_on_other_resources_only_is_skipped() -> None:
    # Given tags added to an instance and a volume (the rule pattern keeps these out; a
    # hand-made rule or a replay might not)
    event = _tag_call("i-0123456789abcdef0", "vol-0123456789abcdef0")

    # Then it is skipped as not about an endpoint, naming what it was about
    skip = _skip(event)
    assert skip.reason is SkipReason.NOT_AN_ENDPOINT
    assert "'i-0123456789abcdef0'" in skip.detail
    assert skip.event_name == "CreateTags"


def test_a_tag_call_on_many_other_resources_names_a_few_of_them() -> None:
    skip = _skip(_tag_call(*(f"i-{n:017x}" for n in range(1000))))
    assert skip.reason is SkipReason.NOT_AN_ENDPOINT
    assert skip.detail.endswith("and 997 more")
    assert len(skip.detail) < 300


def test_only_the_endpoints_of_a_mixed_tag_call_are_enforced() -> None:
    # Given one tag call on an instance, an endpoint, the same endpoint again and another
    event = _tag_call("i-0123456789abcdef0", CONTRACTORS, CONTRACTORS, SALES)

    # Then each endpoint is one change, in the order named; the instance is not ours
    assert [c.endpoint_id for c in _changes(event)] == [CONTRACTORS, SALES]


def test_one_tagged_resource_may_arrive_as_an_object() -> None:
    # Given EC2's one-item-list quirk applied to resourcesSet.items
    event = load_event("delete_tags")
    event["detail"]["requestParameters"]["resourcesSet"]["items"] = {"resourceId": CONTRACTORS}

    assert [c.endpoint_id for c in _changes(event)] == [CONTRACTORS]


def test_delete_tags_without_a_tag_set_still_names_its_endpoint() -> None:
    # Given a DeleteTags that names no tag (it deletes every tag): resourcesSet is then the only
    # key of requestParameters, which a generic unwrap would mistake for a wrapper
    event = load_event("delete_tags")
    del event["detail"]["requestParameters"]["tagSet"]

    assert [c.endpoint_id for c in _changes(event)] == [CONTRACTORS]


@pytest.mark.parametrize(
    "resource_id",
    ["cvpn-endpoint-XYZ", f"{CONTRACTORS}\n", f" {CONTRACTORS}", CONTRACTORS.upper()],
)
def test_a_tagged_id_that_only_resembles_an_endpoint_is_malformed(resource_id: str) -> None:
    skip = _skip(_tag_call(resource_id))
    assert skip.reason is SkipReason.MALFORMED
    assert "is not a Client VPN endpoint id" in skip.detail


@pytest.mark.parametrize(
    "request_parameters",
    [None, {}, {"tagSet": {"items": []}}, {"resourcesSet": {}}, {"resourcesSet": {"items": []}}],
)
def test_a_tag_call_without_resources_is_malformed(request_parameters: Any) -> None:
    event = load_event("delete_tags")
    event["detail"]["requestParameters"] = request_parameters
    skip = _skip(event)
    assert skip.reason is SkipReason.MALFORMED
    assert "resourcesSet" in skip.detail


def test_other_tagging_calls_are_unsupported() -> None:
    # Given the Resource Groups Tagging API's call (another source, other shape)
    event = load_event("delete_tags")
    event["detail"]["eventName"] = "TagResources"
    assert _skip(event).reason is SkipReason.UNSUPPORTED_EVENT
