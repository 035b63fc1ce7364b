"""DescribeClientVpnEndpoints filters and paging, and EC2 tags on Client VPN endpoints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.ec2.models import ec2_backends

from cvpn_emulator.paging import OrderedIndex
from tests.integration.emulator.conftest import (
    ACCOUNT,
    REGION,
    Emulator,
    create_endpoint,
    describe_endpoint,
    endpoint_request,
    error_of,
)


def ids_of(response: dict[str, Any]) -> list[str]:
    return [endpoint["ClientVpnEndpointId"] for endpoint in response["ClientVpnEndpoints"]]


def tagged(team: str) -> list[dict[str, Any]]:
    return [{"ResourceType": "client-vpn-endpoint", "Tags": [{"Key": "Team", "Value": team}]}]


@pytest.mark.server_smoke
def test_filters_by_id_protocol_and_tags(ec2: Any) -> None:
    # Given endpoints that differ in protocol and tags
    udp_net = create_endpoint(ec2, TagSpecifications=tagged("net"))
    tcp_net = create_endpoint(ec2, TransportProtocol="tcp", TagSpecifications=tagged("net"))
    tcp_sec = create_endpoint(ec2, TransportProtocol="tcp", TagSpecifications=tagged("sec"))
    untagged = create_endpoint(ec2)

    def describe(*filters: tuple[str, list[str]]) -> list[str]:
        named = [{"Name": name, "Values": values} for name, values in filters]
        return ids_of(ec2.describe_client_vpn_endpoints(Filters=named))

    # Then each filter selects what AWS's would, values OR-ed, filters AND-ed
    assert describe(("endpoint-id", [udp_net, untagged])) == [udp_net, untagged]
    assert describe(("transport-protocol", ["tcp"])) == [tcp_net, tcp_sec]
    assert describe(("tag:Team", ["net"])) == [udp_net, tcp_net]
    assert describe(("tag-key", ["Team"])) == [udp_net, tcp_net, tcp_sec]
    assert describe(("transport-protocol", ["tcp"]), ("tag:Team", ["sec"])) == [tcp_sec]
    assert describe(("tag:Team", ["nobody"])) == []


def test_unknown_filter_is_invalid(ec2: Any) -> None:
    with pytest.raises(ClientError) as error:
        ec2.describe_client_vpn_endpoints(Filters=[{"Name": "vpc-id", "Values": ["vpc-1"]}])
    assert error_of(error) == ("InvalidParameterValue", "The filter 'vpc-id' is invalid")


@pytest.mark.parametrize("max_results", [4, 1001])
def test_max_results_outside_5_to_1000_is_invalid(emulator: Emulator, max_results: int) -> None:
    # Given a client that lets the value through (botocore itself rejects values below 5)
    ec2 = emulator.ec2(parameter_validation=False)

    # When MaxResults is out of range, Then AWS's code comes back
    with pytest.raises(ClientError) as error:
        ec2.describe_client_vpn_endpoints(MaxResults=max_results)
    assert error_of(error)[0] == "InvalidParameterValue"


def test_pages_follow_next_token_in_creation_order(ec2: Any) -> None:
    # Given twelve endpoints
    created = [create_endpoint(ec2) for _ in range(12)]

    # When they are read five at a time
    pages = []
    token: dict[str, str] = {}
    while True:
        response = ec2.describe_client_vpn_endpoints(MaxResults=5, **token)
        pages.append(ids_of(response))
        if "NextToken" not in response:
            break
        token = {"NextToken": response["NextToken"]}

    # Then every endpoint comes once, in order, and the last page is not empty
    assert [len(page) for page in pages] == [5, 5, 2]
    assert [endpoint for page in pages for endpoint in page] == created


def test_paging_survives_deletes_between_pages(ec2: Any) -> None:
    # Given ten endpoints and a first page of five
    created = [create_endpoint(ec2) for _ in range(10)]
    first = ec2.describe_client_vpn_endpoints(MaxResults=5)

    # When the next one to be listed and an earlier one are deleted
    ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=created[5])
    ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=created[0])
    second = ec2.describe_client_vpn_endpoints(MaxResults=5, NextToken=first["NextToken"])

    # Then the second page continues where the first stopped
    assert ids_of(second) == created[6:]
    assert "NextToken" not in second


def test_invalid_next_token_is_rejected(ec2: Any) -> None:
    with pytest.raises(ClientError) as error:
        ec2.describe_client_vpn_endpoints(NextToken="not-a-token")
    assert error_of(error)[0] == "InvalidPaginationToken"


def test_ids_filters_and_paging_combine(ec2: Any) -> None:
    # Given six endpoints, two of them tcp
    created = [
        create_endpoint(ec2, TransportProtocol="tcp" if i % 3 == 0 else "udp") for i in range(6)
    ]

    # When ids and a filter are both given
    response = ec2.describe_client_vpn_endpoints(
        ClientVpnEndpointIds=created,
        Filters=[{"Name": "transport-protocol", "Values": ["udp"]}],
        MaxResults=5,
    )

    # Then both apply
    assert ids_of(response) == [created[i] for i in (1, 2, 4, 5)]


def bulk_create(count: int) -> None:
    """Create endpoints through the backend: moto's request overhead would make 2,500
    API calls cost 10+ s, and the create path is covered call by call elsewhere."""
    from cvpn_emulator.models import client_vpn_backend

    backend = client_vpn_backend(ec2_backends[ACCOUNT][REGION])
    for _ in range(count):
        backend.create_client_vpn_endpoint(endpoint_request(), {}, None, False)


@pytest.mark.slow
def test_paginator_walks_2500_endpoints(ec2: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given 2,500 endpoints, and a count of the stored items each page request reads: the
    # work of a walk, counted rather than timed (a page that resumed by scanning from the
    # start would read 1 + 2 + ... + 25 pages' worth, 32,500 items, instead of 2,500)
    bulk_create(2500)
    read = Counter[str]()
    iter_from = OrderedIndex.iter_from

    def counted(index: OrderedIndex[Any], start_seq: int) -> Iterator[tuple[int, Any]]:
        for entry in iter_from(index, start_seq):
            read["items"] += 1
            yield entry

    monkeypatch.setattr(OrderedIndex, "iter_from", counted)

    # When botocore's paginator walks them 100 per page
    paginator = ec2.get_paginator("describe_client_vpn_endpoints")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 100}))

    # Then it sees each exactly once, in 25 pages
    seen = [endpoint for page in pages for endpoint in ids_of(page)]
    assert len(seen) == len(set(seen)) == 2500
    assert len(pages) == 25
    # And the walk is linear: each item is read once, plus one look-ahead per page but the last
    assert read["items"] == 2500 + 24


def test_tags_on_endpoints(ec2: Any) -> None:
    # Given an endpoint created with a tag
    endpoint_id = create_endpoint(ec2, TagSpecifications=tagged("net"))

    # When tags are added and one removed with the EC2 tag APIs
    ec2.create_tags(
        Resources=[endpoint_id],
        Tags=[{"Key": "Owner", "Value": "alice"}, {"Key": "Env", "Value": "prod"}],
    )
    ec2.delete_tags(Resources=[endpoint_id], Tags=[{"Key": "Env"}])

    # Then Describe shows the endpoint's tags
    tags = {tag["Key"]: tag["Value"] for tag in describe_endpoint(ec2, endpoint_id)["Tags"]}
    assert tags == {"Team": "net", "Owner": "alice"}
    # And DescribeTags knows the resource type
    described = ec2.describe_tags(
        Filters=[{"Name": "resource-type", "Values": ["client-vpn-endpoint"]}]
    )["Tags"]
    assert {(tag["ResourceId"], tag["ResourceType"], tag["Key"]) for tag in described} == {
        (endpoint_id, "client-vpn-endpoint", "Team"),
        (endpoint_id, "client-vpn-endpoint", "Owner"),
    }


def test_tagging_an_unknown_endpoint_is_not_found(ec2: Any) -> None:
    with pytest.raises(ClientError) as error:
        ec2.create_tags(
            Resources=["cvpn-endpoint-0123456789abcdef0"], Tags=[{"Key": "k", "Value": "v"}]
        )
    assert error_of(error)[0] == "InvalidClientVpnEndpointId.NotFound"


def test_tags_go_with_the_deleted_endpoint(ec2: Any) -> None:
    # Given a tagged endpoint
    endpoint_id = create_endpoint(ec2, TagSpecifications=tagged("net"))

    # When it is deleted
    ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id)

    # Then its tags are gone too
    described = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [endpoint_id]}])
    assert described["Tags"] == []


def test_tag_specification_for_another_resource_type_is_refused(ec2: Any) -> None:
    with pytest.raises(ClientError) as error:
        ec2.create_client_vpn_endpoint(
            **endpoint_request(
                TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "k", "Value": "v"}]}]
            )
        )
    assert error_of(error)[0] == "InvalidParameter"
