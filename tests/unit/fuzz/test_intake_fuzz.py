"""Event intake under hostile input: every event is either work or a reasoned skip, never a crash.

A poison event that raised would be retried by Lambda and land in the failure queue; one that
became work with a bad endpoint id would send garbage to EC2. So the only outcomes allowed are
changes (``EndpointChange``) with well-formed ids, or a ``Skip`` with a reason and a short detail.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cvpn_guard.intake import (
    WATCHED_CALLS,
    EndpointChange,
    Skip,
    SkipReason,
    classify_event,
)
from tests.support.events import (
    GUARD,
    REQUEST_SAMPLES,
    TAG_CALL_SAMPLES,
    load_event,
    sample_names,
)
from tests.support.examples import examples
from tests.unit.fuzz.strategies import (
    WRONG_VALUES,
    deleted,
    json_values,
    nasty_text,
    paths,
    replaced,
    truncated,
)

SAMPLES = {name: load_event(name) for name in sample_names()}
# Samples that are work, and where their endpoint id is: the create's in its response, the
# other calls' in their request, wrapped in one <Op>Request key.
PROCESSED = {
    "create_endpoint_noncompliant": ("responseElements", "CreateClientVpnEndpointResponse"),
    **{
        name: ("requestParameters", f"{SAMPLES[name]['detail']['eventName']}Request")
        for name in REQUEST_SAMPLES
    },
}
# Tag calls that are work: their endpoint ids are requestParameters.resourcesSet.items[].resourceId.
PROCESSED_TAG_CALLS = TAG_CALL_SAMPLES
ENDPOINT_ID = re.compile(r"cvpn-endpoint-[0-9a-f]{8,17}")
MAX_DETAIL = 1_000  # a skip's detail goes to the logs: no 100k-character echo of the input
FUZZ = settings(max_examples=examples(150))


def classify_safely(raw: Any) -> tuple[EndpointChange, ...] | Skip:
    """Classify ``raw`` and check that the outcome is one of the two allowed ones."""
    outcome = classify_event(raw, GUARD)
    if isinstance(outcome, tuple):
        assert outcome, "work names at least one endpoint"
        assert len({c.endpoint_id for c in outcome}) == len(outcome), outcome
        for change in outcome:
            assert isinstance(change, EndpointChange), outcome
            assert ENDPOINT_ID.fullmatch(change.endpoint_id), outcome
            assert change.event_name in WATCHED_CALLS, outcome
            for value in (change.event_id, change.account, change.region):
                assert isinstance(value, str), outcome
        return outcome
    assert isinstance(outcome, Skip), outcome
    assert isinstance(outcome.reason, SkipReason), outcome
    assert isinstance(outcome.detail, str), outcome
    assert outcome.detail.strip(), outcome
    assert len(outcome.detail) <= MAX_DETAIL, outcome.detail[:200]
    return outcome


def _endpoint_id(sample: str) -> str:
    section, wrapper = PROCESSED[sample]
    payload = SAMPLES[sample]["detail"][section][wrapper]
    return str(payload.get("ClientVpnEndpointId") or payload.get("clientVpnEndpointId"))


# ---- random input ------------------------------------------------------------------------


@FUZZ
@given(json_values(surrogates=True))
@example([])
@example("not an event")
@example({"detail": None})
def test_any_json_value_is_work_or_a_reasoned_skip(raw: Any) -> None:
    classify_safely(raw)


@FUZZ
@given(st.sampled_from(sorted(SAMPLES)), json_values(surrogates=True))
def test_any_detail_inside_a_valid_envelope(sample: str, detail: Any) -> None:
    event = dict(SAMPLES[sample])
    event["detail"] = detail
    classify_safely(event)


@FUZZ
@given(
    st.sampled_from(sorted(SAMPLES)),
    st.dictionaries(
        st.sampled_from(
            [
                "eventName",
                "eventSource",
                "eventID",
                "errorCode",
                "userIdentity",
                "inScopeOf",
                "requestParameters",
                "responseElements",
                "recipientAccountId",
                "awsRegion",
            ]
        ),
        json_values(surrogates=True, max_leaves=10),
        max_size=4,
    ),
)
def test_known_record_keys_with_any_values(sample: str, overrides: dict[str, Any]) -> None:
    # Values of the right keys get past the envelope and into the record's own checks.
    event = json.loads(json.dumps(SAMPLES[sample]))
    event["detail"].update(overrides)
    classify_safely(event)


# ---- the samples, broken in every way ----------------------------------------------------


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_wrong_type_or_nothing_at_every_path_of_the_samples(sample: str) -> None:
    # Exhaustive rather than random: every path of the sample, every kind of wrong value.
    event = SAMPLES[sample]
    every_path = list(paths(event))
    assert len(every_path) > 30
    for path in every_path:
        classify_safely(deleted(event, path))
        for value in WRONG_VALUES:
            classify_safely(replaced(event, path, value))


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_samples_cut_off_anywhere(sample: str) -> None:
    event = SAMPLES[sample]
    text = json.dumps(event)
    scalars = sum(1 for path in paths(event) if not isinstance(_at(event, path), dict | list))
    for keep in range(scalars + 1):
        classify_safely(truncated(event, keep))
    # What a broken transport would hand over: text, not an object.
    for end in range(0, len(text), max(1, len(text) // 50)):
        assert classify_safely(text[:end]).reason is SkipReason.MALFORMED  # type: ignore[union-attr]


def _at(document: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        document = document[part]
    return document


# Built once: building strategies inside a composite costs more than drawing from them.
_SMALL_JSON = json_values(surrogates=True, max_leaves=6)
_SUFFIX = nasty_text(surrogates=True)
_OPERATIONS = st.sampled_from(["replace", "delete", "list", "tag", "cut", "append"])


@st.composite
def _mutated(draw: st.DrawFn) -> Any:
    event = json.loads(json.dumps(SAMPLES[draw(st.sampled_from(sorted(SAMPLES)))]))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        every_path = list(paths(event))
        if not every_path:
            break
        *parents, last = draw(st.sampled_from(every_path))
        parent = _at(event, tuple(parents))
        current = parent[last]
        operation = draw(_OPERATIONS)
        if operation == "delete":
            del parent[last]
        elif operation == "replace":
            parent[last] = draw(_SMALL_JSON)
        elif operation == "list":
            parent[last] = [current]
        elif operation == "tag":
            parent[last] = {"tag": 1, "content": current}
        elif isinstance(current, str) and operation == "cut":
            parent[last] = current[: draw(st.integers(min_value=0, max_value=len(current)))]
        elif isinstance(current, str):
            parent[last] = current + draw(_SUFFIX)
    return event


@settings(max_examples=examples(150))
@given(_mutated())
def test_mutated_samples_are_work_or_a_reasoned_skip(event: Any) -> None:
    classify_safely(event)


# ---- strings: huge, unicode, control characters ------------------------------------------


@FUZZ
@given(
    st.sampled_from(sorted(SAMPLES)),
    st.data(),
    nasty_text(surrogates=True),
)
def test_any_string_anywhere(sample: str, data: st.DataObject, text: str) -> None:
    event = SAMPLES[sample]
    strings = [p for p in paths(event) if isinstance(_at(event, p), str)]
    path = data.draw(st.sampled_from(strings))
    classify_safely(replaced(event, path, text))


ID_DISGUISES = [
    "{id}\n",
    "{id}\r\n",
    "{id} ",
    " {id}",
    "{id}\x00",
    "{id}\u2028",
    "{id}/../x",
    "{ID}",
    "\u202e{id}",
    "{id}0000000000",
    "cvpn-endpoint-",
    "cvpn-endpoint-0123456",
    "cvpn-endpoint-٠١٢٣٤٥٦٧٨",  # Arabic-Indic digits match \\d, never [0-9]
    "ｃvpn-endpoint-0123456789",  # noqa: RUF001 - a full-width look-alike on purpose
]


@pytest.mark.parametrize("sample", sorted(PROCESSED))
@pytest.mark.parametrize("disguise", ID_DISGUISES)
def test_only_well_formed_endpoint_ids_become_work(sample: str, disguise: str) -> None:
    # Given a processed sample whose endpoint id is disguised
    section, wrapper = PROCESSED[sample]
    event = json.loads(json.dumps(SAMPLES[sample]))
    payload = event["detail"][section][wrapper]
    key = next(k for k in payload if k.lower() == "clientvpnendpointid")
    original = payload[key]
    payload[key] = disguise.format(id=original, ID=original.upper())

    # When it is classified, Then it is a malformed skip that names where the id was
    outcome = classify_safely(event)
    assert isinstance(outcome, Skip), outcome
    assert outcome.reason is SkipReason.MALFORMED
    assert section in outcome.detail


# ---- EC2's wire format: wrapper keys, lists, tag/content items ---------------------------


@FUZZ
@given(st.sampled_from(sorted(PROCESSED)), nasty_text(surrogates=True))
@example("modify_endpoint_by_user", "")
@example("create_endpoint_noncompliant", "ClientVpnEndpointId")
def test_a_single_wrapper_of_any_name_is_unwrapped(sample: str, name: str) -> None:
    section, wrapper = PROCESSED[sample]
    event = json.loads(json.dumps(SAMPLES[sample]))
    event["detail"][section] = {name: event["detail"][section][wrapper]}
    outcome = classify_safely(event)
    assert isinstance(outcome, tuple), outcome
    assert [c.endpoint_id for c in outcome] == [_endpoint_id(sample)]


@pytest.mark.parametrize("sample", sorted(PROCESSED))
def test_no_wrapper_at_all(sample: str) -> None:
    section, wrapper = PROCESSED[sample]
    event = json.loads(json.dumps(SAMPLES[sample]))
    event["detail"][section] = event["detail"][section][wrapper]
    outcome = classify_safely(event)
    assert isinstance(outcome, tuple), outcome
    assert [c.endpoint_id for c in outcome] == [_endpoint_id(sample)]


@pytest.mark.parametrize("sample", sorted(PROCESSED))
@pytest.mark.parametrize("spelling", [str.lower, str.upper, lambda k: k[0].lower() + k[1:]])
def test_the_id_key_is_found_in_any_case(sample: str, spelling: Any) -> None:
    section, wrapper = PROCESSED[sample]
    event = json.loads(json.dumps(SAMPLES[sample]))
    payload = event["detail"][section][wrapper]
    key = next(k for k in payload if k.lower() == "clientvpnendpointid")
    payload[spelling(key)] = payload.pop(key)
    outcome = classify_safely(event)
    assert isinstance(outcome, tuple), outcome


def _variants(payload: dict[str, Any], wrapper: str) -> list[Any]:
    """Shapes a request/response section may arrive in, valid or not."""
    return [
        [payload],  # a list instead of an object
        {wrapper: [payload]},  # a wrapper holding a one-item list
        {wrapper: [payload, payload]},
        {wrapper: payload, "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/"},
        {"tag": 1, "content": payload},
        {wrapper: {"tag": 1, "content": payload}},
        {wrapper: {**payload, **{k: {"tag": 1, "content": v} for k, v in payload.items()}}},
        {wrapper: {k: [{"tag": i, "content": v} for i in (1, 2)] for k, v in payload.items()}},
        {wrapper: {k: {"tag": 1, "content": [v]} for k, v in payload.items()}},
        {wrapper: {wrapper: payload}},  # wrapped twice
        {},
        None,
    ]


@pytest.mark.parametrize("sample", sorted(PROCESSED))
def test_other_shapes_of_the_wrapper_are_work_or_a_reasoned_skip(sample: str) -> None:
    section, wrapper = PROCESSED[sample]
    payload = SAMPLES[sample]["detail"][section][wrapper]
    for variant in _variants(payload, wrapper):
        event = json.loads(json.dumps(SAMPLES[sample]))
        event["detail"][section] = variant
        outcome = classify_safely(event)
        if isinstance(outcome, tuple):
            assert [c.endpoint_id for c in outcome] == [_endpoint_id(sample)], variant


# ---- tag calls: any number of resources, in EC2's older list form ----------------------


def _tagged_ids(event: dict[str, Any]) -> list[Any]:
    return [
        item["resourceId"] for item in event["detail"]["requestParameters"]["resourcesSet"]["items"]
    ]


@pytest.mark.parametrize("sample", PROCESSED_TAG_CALLS)
@pytest.mark.parametrize("disguise", ID_DISGUISES)
def test_only_well_formed_tagged_ids_become_work(sample: str, disguise: str) -> None:
    # Given a tag call whose every endpoint id is disguised
    event = json.loads(json.dumps(SAMPLES[sample]))
    for item in event["detail"]["requestParameters"]["resourcesSet"]["items"]:
        item["resourceId"] = disguise.format(id=item["resourceId"], ID=item["resourceId"].upper())

    # Then none becomes work: malformed when it resembles an endpoint id, else not ours
    outcome = classify_safely(event)
    assert isinstance(outcome, Skip), outcome
    assert outcome.reason in (SkipReason.MALFORMED, SkipReason.NOT_AN_ENDPOINT)


@FUZZ
@given(
    st.sampled_from(PROCESSED_TAG_CALLS),
    st.lists(
        st.one_of(
            st.from_regex(r"cvpn-endpoint-[0-9a-f]{17}", fullmatch=True),
            st.from_regex(r"(i|vol|sg|subnet)-[0-9a-f]{8,17}", fullmatch=True),
            nasty_text(surrogates=True),
            json_values(max_leaves=3),
        ),
        min_size=1,
        max_size=30,
    ),
)
def test_any_resources_in_a_tag_call(sample: str, resource_ids: list[Any]) -> None:
    event = json.loads(json.dumps(SAMPLES[sample]))
    event["detail"]["requestParameters"]["resourcesSet"]["items"] = [
        {"resourceId": resource_id} for resource_id in resource_ids
    ]
    outcome = classify_safely(event)
    # Every well-formed endpoint id, and only those, becomes work, once, in order
    endpoints = list(
        dict.fromkeys(r for r in resource_ids if isinstance(r, str) and ENDPOINT_ID.fullmatch(r))
    )
    if endpoints:
        assert isinstance(outcome, tuple), outcome
        assert [c.endpoint_id for c in outcome] == endpoints
    else:
        assert isinstance(outcome, Skip), outcome


@pytest.mark.parametrize("sample", PROCESSED_TAG_CALLS)
@pytest.mark.parametrize("spelling", [str.lower, str.upper, lambda k: k[0].upper() + k[1:]])
def test_the_tag_call_keys_are_found_in_any_case(sample: str, spelling: Any) -> None:
    event = json.loads(json.dumps(SAMPLES[sample]))
    parameters = event["detail"]["requestParameters"]
    resources = parameters.pop("resourcesSet")
    resources[spelling("items")] = [
        {spelling("resourceId"): item["resourceId"]} for item in resources.pop("items")
    ]
    parameters[spelling("resourcesSet")] = resources
    outcome = classify_safely(event)
    assert isinstance(outcome, tuple), outcome
    assert [c.endpoint_id for c in outcome] == _tagged_ids(SAMPLES[sample])
