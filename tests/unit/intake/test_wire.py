"""EC2's CloudTrail wire format, read back as plain JSON."""

from __future__ import annotations

from cvpn_guard.intake.wire import plain, unwrap
from tests.support.events import load_event


def test_tagged_list_members_become_plain_values() -> None:
    # Given the wire form of DnsServers and TagSpecification from the IAM-user and create samples
    modify = unwrap(load_event("modify_endpoint_by_iam_user")["detail"]["requestParameters"])
    create = unwrap(load_event("create_endpoint_noncompliant")["detail"]["requestParameters"])

    # Then tag/content items are their content and "tag" ordinals are gone
    assert plain(modify["DnsServers"]) == {
        "CustomDnsServers": ["8.8.8.8", "8.8.4.4"],
        "Enabled": True,
    }
    assert plain(create["SecurityGroupId"]) == "sg-0a1b2c3d4e5f60718"
    assert plain(create["TagSpecification"]) == {
        "ResourceType": "client-vpn-endpoint",
        "Tag": [{"Key": "Name", "Value": "contractors"}, {"Key": "owner", "Value": "platform"}],
    }


def test_unwrap_takes_the_single_wrapper_or_the_top_level() -> None:
    assert unwrap({"AnyNameRequest": {"a": 1}}) == {"a": 1}
    assert unwrap({"a": 1, "b": 2}) == {"a": 1, "b": 2}
    assert unwrap(None) == {}
