"""A saved estate: the AWS CLI's Describe answers, joined by endpoint id, judged as they are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cvpn_guard.iac.declared import SourceError, SourceKind
from cvpn_guard.iac.documents import load_documents
from cvpn_guard.iac.estate import is_estate, read_estate

ESTATE = Path(__file__).resolve().parents[2] / "fixtures" / "iac" / "estate"
COMPLIANT = "cvpn-endpoint-0123456789abcdef0"
DRIFTED = "cvpn-endpoint-0fedcba9876543210"


def _documents(*names: str) -> list[tuple[str, Any]]:
    files = []
    for name in names:
        path = ESTATE / name
        files += [(name, doc) for doc in load_documents(name, path.read_text(encoding="utf-8"))]
    return files


def _endpoint(endpoint_id: str, **extra: Any) -> dict[str, Any]:
    return {"ClientVpnEndpointId": endpoint_id, "SessionTimeoutHours": 12, **extra}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"ClientVpnEndpoints": []}, True),
        ({"ClientVpnEndpoints": [{"ClientVpnEndpointId": COMPLIANT}], "NextToken": "t"}, True),
        ({"AuthorizationRules": [{"ClientVpnEndpointId": COMPLIANT}]}, True),
        ({"Routes": []}, True),
        ({"Routes": [], "AuthorizationRules": []}, False),  # two answers in one: not the CLI's
        ({"ClientVpnEndpoints": [], "Other": 1}, False),
        ({"ClientVpnEndpoints": ["cvpn-endpoint-0123456789abcdef0"]}, False),  # --query output
        ({"Resources": {}}, False),
        ([{"ClientVpnEndpointId": COMPLIANT}], False),
    ],
)
def test_is_estate_knows_the_three_answers_and_nothing_else(data: object, expected: bool) -> None:
    assert is_estate(data) is expected


def test_the_fixture_estate_joins_rules_and_routes_to_their_endpoints() -> None:
    # Given the saved endpoints, authorization rules and routes of two endpoints
    files = _documents("endpoints.json", "rules.json", "routes.json")

    # When the estate is read
    endpoints = {e.name: e for e in read_estate(files)}

    # Then each endpoint is its Describe item as saved, named by its id, with its own rules
    # and routes, nothing defaulted and nothing unresolved
    assert list(endpoints) == [COMPLIANT, DRIFTED]
    drifted = endpoints[DRIFTED]
    saved = json.loads((ESTATE / "endpoints.json").read_text())["ClientVpnEndpoints"][1]
    assert drifted.kind is SourceKind.ESTATE
    assert drifted.file == "endpoints.json"
    assert dict(drifted.describe) == saved
    assert [r["DestinationCidr"] for r in drifted.authorization_rules] == ["0.0.0.0/0"]
    assert drifted.routes is not None
    assert [r["DestinationCidr"] for r in drifted.routes] == ["10.0.0.0/16", "0.0.0.0/0"]
    assert drifted.defaulted == {}
    assert drifted.unresolved == {}
    assert "routes" not in drifted.unknown
    assert "authorization_rules" not in drifted.unknown


def test_each_endpoint_knows_the_line_its_object_starts_on() -> None:
    # Given the endpoints file as the AWS CLI indents it
    text = (ESTATE / "endpoints.json").read_text().splitlines()
    files = _documents("endpoints.json")

    # When it is read
    endpoints = read_estate(files)

    # Then each endpoint's line is the "{" that opens it, just before its id, and its
    # object-valued properties know their own lines
    for endpoint in endpoints:
        assert endpoint.line is not None
        assert text[endpoint.line - 1].strip() == "{"
        assert endpoint.name in text[endpoint.line]
        banner_line = endpoint.property_lines["ClientLoginBannerOptions"]
        assert '"ClientLoginBannerOptions"' in text[banner_line - 1]


def test_routes_not_saved_are_unknown_and_say_what_to_save() -> None:
    # Given only the endpoints answer
    endpoints = read_estate(_documents("endpoints.json"))

    # Then the routes and the rules are unknown, each reason naming the command to save
    for endpoint in endpoints:
        assert endpoint.routes is None
        assert endpoint.unknown["routes"] == (
            "not in the saved estate: save describe-client-vpn-routes beside it"
        )
        assert "describe-client-vpn-authorization-rules" in endpoint.unknown["authorization_rules"]


def test_live_only_data_is_unknown_for_every_endpoint() -> None:
    # Given the whole saved estate
    endpoints = read_estate(_documents("endpoints.json", "rules.json", "routes.json"))

    # Then what only a live read tells is unknown, with that reason
    for endpoint in endpoints:
        for need in ("revocation_list", "authorization_policy", "default_security_groups"):
            assert endpoint.unknown[need].startswith("live data only")


def test_pages_of_a_paginated_answer_are_read_together() -> None:
    # Given two pages of describe-client-vpn-endpoints appended to one file
    text = (
        json.dumps({"ClientVpnEndpoints": [_endpoint(COMPLIANT)], "NextToken": "page-2"}, indent=4)
        + "\n"
        + json.dumps({"ClientVpnEndpoints": [_endpoint(DRIFTED)]}, indent=4)
        + "\n"
    )
    documents = load_documents("pages.json", text)

    # When they are read
    endpoints = read_estate([("pages.json", doc) for doc in documents])

    # Then both pages' endpoints are there, the second with the line of its own page
    assert [e.name for e in endpoints] == [COMPLIANT, DRIFTED]
    second = endpoints[1].line
    assert second is not None
    assert DRIFTED in text.splitlines()[second]


def test_an_empty_answer_counts_for_the_only_endpoint() -> None:
    # Given one endpoint and empty rules and routes answers (it has none)
    files = [
        ("e.json", {"ClientVpnEndpoints": [_endpoint(COMPLIANT)]}),
        ("r.json", {"AuthorizationRules": []}),
        ("t.json", {"Routes": []}),
    ]

    # When read
    [endpoint] = read_estate(files)

    # Then it has no rules and no routes, and both are known
    assert endpoint.authorization_rules == ()
    assert endpoint.routes == ()
    assert "routes" not in endpoint.unknown
    assert "authorization_rules" not in endpoint.unknown


def test_the_same_endpoint_twice_is_one_when_equal_and_an_error_when_not() -> None:
    # Given the same page saved twice
    page = {"ClientVpnEndpoints": [_endpoint(COMPLIANT)]}
    assert [e.name for e in read_estate([("a.json", page), ("b.json", page)])] == [COMPLIANT]

    # When two saved estates disagree about it
    other = {"ClientVpnEndpoints": [_endpoint(COMPLIANT, SessionTimeoutHours=24)]}
    with pytest.raises(SourceError) as raised:
        read_estate([("a.json", page), ("b.json", other)])

    # Then the error names both files
    assert raised.value.file == "b.json"
    assert "also in a.json" in raised.value.message


def test_routes_of_an_endpoint_no_answer_lists_are_an_error() -> None:
    # Given routes of an endpoint whose Describe answer was not given
    files = [
        ("e.json", {"ClientVpnEndpoints": [_endpoint(COMPLIANT)]}),
        ("t.json", {"Routes": [{"ClientVpnEndpointId": DRIFTED, "DestinationCidr": "0.0.0.0/0"}]}),
    ]

    # Then reading says which file, which endpoint and what to add
    with pytest.raises(
        SourceError, match=rf"t.json: rules or routes of {DRIFTED}.*endpoints' file"
    ):
        read_estate(files)


def test_an_item_without_its_endpoint_id_is_an_error_with_its_line() -> None:
    # Given routes saved with a --query that dropped the endpoint id
    text = '{\n    "Routes": [\n        {\n            "DestinationCidr": "0.0.0.0/0"\n        }\n    ]\n}\n'
    [document] = load_documents("t.json", text)

    # Then the error points at the item
    with pytest.raises(SourceError) as raised:
        read_estate([("t.json", document)])
    assert raised.value.line == 3
    assert "no ClientVpnEndpointId" in raised.value.message
