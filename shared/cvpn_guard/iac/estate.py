"""A saved estate: what the AWS CLI printed for ``aws ec2 describe-client-vpn-endpoints``, and
beside it for ``describe-client-vpn-authorization-rules`` and ``describe-client-vpn-routes``.

These are live Describe answers, so nothing is defaulted: each item is judged as the enforcer
would judge the endpoint it describes, offline (a policy change tried on last week's estate
before it is rolled out). The three answers are joined by ``ClientVpnEndpointId`` across every
file given; a paginated answer may come as several documents (one per page, each with its
``NextToken``), in one file or several. What no saved answer holds is ``unknown`` (the rules
that need it are not evaluated, and the endpoint may still be clean): the routes and
authorization rules of an endpoint whose answers were not saved, and what only a live read
tells (the revocation list, the authorization policy, the VPC's default security group).

The answers' shapes are botocore's ``DescribeClientVpnEndpointsResult``,
``DescribeClientVpnAuthorizationRulesResult`` and ``DescribeClientVpnRoutesResult``: a list
under ``ClientVpnEndpoints``, ``AuthorizationRules`` or ``Routes``, and ``NextToken``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cvpn_guard.iac.declared import DeclaredEndpoint, SourceError, SourceKind
from cvpn_guard.iac.documents import line_of
from cvpn_guard.rules.base import Needs

ENDPOINTS = "ClientVpnEndpoints"
AUTHORIZATION_RULES = "AuthorizationRules"
ROUTES = "Routes"
NEXT_TOKEN = "NextToken"  # noqa: S105 (the pagination key, no secret)
_LISTS = (ENDPOINTS, AUTHORIZATION_RULES, ROUTES)
_ENDPOINT_ID = "ClientVpnEndpointId"

NOT_SAVED = "not in the saved estate: save {command} beside it"
LIVE_ONLY = {
    str(Needs.REVOCATION_LIST): (
        "live data only: a saved estate holds no revocation list "
        "(export-client-vpn-client-certificate-revocation-list)"
    ),
    str(Needs.AUTHORIZATION_POLICY): (
        "live data only: a saved estate holds no authorization policy "
        "(get-client-vpn-endpoint-authorization-policy)"
    ),
    str(Needs.DEFAULT_SECURITY_GROUPS): (
        "live data only: a saved estate does not say which security group is its VPC's "
        "default (describe-security-groups)"
    ),
}


def is_estate(data: object) -> bool:
    """Whether ``data`` is one of the three saved answers (one page of it).

    It is a mapping with exactly one of ``ClientVpnEndpoints``, ``AuthorizationRules`` and
    ``Routes``, a list of objects, and besides it at most ``NextToken``.
    """
    if not isinstance(data, Mapping):
        return False
    lists = [key for key in _LISTS if key in data]
    if len(lists) != 1 or set(data) - {lists[0], NEXT_TOKEN}:
        return False
    items = data[lists[0]]
    return isinstance(items, list) and all(isinstance(item, Mapping) for item in items)


@dataclass
class _Saved:
    """Every item of the three answers, by endpoint, and where each endpoint was read."""

    endpoints: dict[str, tuple[str, Mapping[str, Any]]] = field(default_factory=dict)
    rules: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)
    routes: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)
    # An answer with no item cannot say whose it is: it counts for the only endpoint there is.
    empty_rules: bool = False
    empty_routes: bool = False
    named_by: dict[str, str] = field(default_factory=dict)


def read_estate(files: Sequence[tuple[str, Mapping[str, Any]]]) -> list[DeclaredEndpoint]:
    """The endpoints of the saved answers, each with its saved rules and routes.

    Parameters
    ----------
    files : Sequence[tuple[str, Mapping[str, Any]]]
        (file name, one parsed document) for each document of the estate; a file of several
        pages appears once per page. Mappings parsed by :mod:`cvpn_guard.iac.documents` carry
        their line, which becomes each endpoint's ``line``.

    Returns
    -------
    list[DeclaredEndpoint]
        One per endpoint (``name`` its id), in the order the answers list them.

    Raises
    ------
    SourceError
        A document that is none of the three answers, an item without its
        ``ClientVpnEndpointId``, one endpoint saved twice with different contents, or rules
        or routes of an endpoint that no endpoints answer given lists.
    """
    saved = _Saved()
    for file, data in files:
        if not is_estate(data):
            raise SourceError(
                file,
                "not a saved estate: expected the JSON of aws ec2 describe-client-vpn-endpoints, "
                "describe-client-vpn-authorization-rules or describe-client-vpn-routes",
                line_of(data),
            )
        _collect(saved, file, data)
    _check_joined(saved)
    only = next(iter(saved.endpoints)) if len(saved.endpoints) == 1 else None
    declared = []
    for endpoint_id, (file, item) in saved.endpoints.items():
        rules = saved.rules.get(endpoint_id)
        routes = saved.routes.get(endpoint_id)
        if rules is None and saved.empty_rules and endpoint_id == only:
            rules = []
        if routes is None and saved.empty_routes and endpoint_id == only:
            routes = []
        unknown = dict(LIVE_ONLY)
        if rules is None:
            unknown[str(Needs.AUTHORIZATION_RULES)] = NOT_SAVED.format(
                command="describe-client-vpn-authorization-rules"
            )
        if routes is None:
            unknown[str(Needs.ROUTES)] = NOT_SAVED.format(command="describe-client-vpn-routes")
        declared.append(
            DeclaredEndpoint(
                kind=SourceKind.ESTATE,
                file=file,
                name=endpoint_id,
                describe=item,
                line=line_of(item),
                authorization_rules=tuple(rules or ()),
                routes=None if routes is None else tuple(routes),
                property_lines=_property_lines(item),
                unknown=unknown,
            )
        )
    return declared


def _collect(saved: _Saved, file: str, data: Mapping[str, Any]) -> None:
    key = next(key for key in _LISTS if key in data)
    items: list[Mapping[str, Any]] = data[key]
    for item in items:
        endpoint_id = item.get(_ENDPOINT_ID)
        if not isinstance(endpoint_id, str) or not endpoint_id:
            raise SourceError(
                file,
                f"an item of {key} has no {_ENDPOINT_ID}: save the AWS CLI's JSON as it "
                "prints it (--output json, no --query)",
                line_of(item),
            )
        if key == ENDPOINTS:
            _add_endpoint(saved, file, endpoint_id, item)
        else:
            into = saved.rules if key == AUTHORIZATION_RULES else saved.routes
            found = into.setdefault(endpoint_id, [])
            if item not in found:  # pages saved twice, or overlapping
                found.append(item)
            saved.named_by.setdefault(endpoint_id, file)
    if not items and key == AUTHORIZATION_RULES:
        saved.empty_rules = True
    if not items and key == ROUTES:
        saved.empty_routes = True


def _add_endpoint(saved: _Saved, file: str, endpoint_id: str, item: Mapping[str, Any]) -> None:
    earlier = saved.endpoints.get(endpoint_id)
    if earlier is None:
        saved.endpoints[endpoint_id] = (file, item)
    elif dict(earlier[1]) != dict(item):
        raise SourceError(
            file,
            f"{endpoint_id} is also in {earlier[0]}, with other settings: give one saved "
            "estate at a time",
            line_of(item),
        )


def _check_joined(saved: _Saved) -> None:
    for endpoint_id, file in saved.named_by.items():
        if endpoint_id not in saved.endpoints:
            raise SourceError(
                file,
                f"rules or routes of {endpoint_id}, which no describe-client-vpn-endpoints "
                "answer given lists: give the endpoints' file too",
            )


def _property_lines(item: Mapping[str, Any]) -> dict[str, int]:
    # Objects and arrays know their line (the property's, as the AWS CLI indents); scalars
    # do not, and findings on them point at the endpoint.
    lines = {}
    for name, value in item.items():
        line = line_of(value)
        if line is not None:
            lines[name] = line
    return lines
