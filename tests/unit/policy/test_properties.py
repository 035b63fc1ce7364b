"""Properties of evaluate() and its plan, over generated endpoints and generated policies.

Endpoints are realistic Describe items in which any field may be missing (older endpoints,
older SDKs) and unknown fields may appear; policies combine any subset of the rules with
any valid options, modes and exemptions.
"""

from __future__ import annotations

import json
from datetime import timedelta
from functools import cache
from typing import Any

import botocore.session
import yaml
from botocore.model import StructureShape
from botocore.validate import validate_parameters
from cvpn_devkit.modify_simulator import apply_to_state
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.evaluation import Evaluation, evaluate
from cvpn_guard.findings import EndpointStatus
from cvpn_guard.policy import Mode, Policy, load_policy
from cvpn_guard.rules import all_rules, get_rule, rule_ids
from cvpn_guard.rules.session_timeout import SESSION_TIMEOUT_HOURS
from cvpn_guard.rules.vpn_port import VPN_PORTS
from tests.support.examples import examples
from tests.unit.policy.builders import (
    BANNER,
    DEFAULT_SG,
    ENDPOINT_ID,
    GOOD_SG,
    HANDLER,
    NOW,
    OTHER_HANDLER,
    VPC_ID,
)

PROPERTY = settings(
    max_examples=examples(200),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def _modify_input() -> StructureShape:
    """botocore's ModifyClientVpnEndpoint request shape: the contract plans are checked against."""
    ec2 = botocore.session.get_session().get_service_model("ec2")
    shape = ec2.operation_model("ModifyClientVpnEndpoint").input_shape
    assert shape is not None
    return shape


MODIFY_INPUT = _modify_input()
OTHER_SG = "sg-0aaaaaaaaaaaaaaaa"
AUTH_TYPES = [
    "certificate-authentication",
    "directory-service-authentication",
    "federated-authentication",
]
TAG_KEYS = ["owner", "cost-center", "Name", "environment"]
DNS = ["10.0.0.2", "10.0.0.3", "8.8.8.8"]

# Which rule owns each Modify parameter: a plan may only carry parameters of broken rules.
OWNER = {
    "DisconnectOnSessionTimeout": "disconnect-on-session-timeout",
    "SessionTimeoutHours": "session-timeout",
    "ClientLoginBannerOptions": "login-banner",
    "ConnectionLogOptions": "connection-logging",
    "SplitTunnel": "split-tunnel",
    "SelfServicePortal": "self-service-portal",
    "ClientConnectOptions": "client-connect-handler",
    "ClientRouteEnforcementOptions": "client-route-enforcement",
    "VpnPort": "vpn-port",
    "DnsServers": "dns-servers",
    "SecurityGroupIds": "security-groups",
    "VpcId": "security-groups",
}
# And which rule owns each other call.
CALL_OWNER = {
    "delete-route": "routes",
    "revoke-access-all": "authorization",
    "leave-shadow-mode": "device-posture",
}


# --- endpoints -------------------------------------------------------------------------------
def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A value, or the marker that the key is missing from the item."""
    return st.one_of(st.just(MISSING), strategy)


MISSING = object()


def structs(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A structure whose keys may each be missing."""
    # Each field's "maybe" strategy is built once, not on every draw (see common below).
    optional = {key: maybe(strategy) for key, strategy in fields.items()}

    @st.composite
    def drawn(draw: st.DrawFn) -> dict[str, Any]:
        values = {key: draw(strategy) for key, strategy in optional.items()}
        return {key: value for key, value in values.items() if value is not MISSING}

    return drawn()


def unique_lists(
    values: list[Any], min_size: int = 0, max_size: int | None = None
) -> st.SearchStrategy[list[Any]]:
    return st.lists(st.sampled_from(values), min_size=min_size, max_size=max_size, unique=True)


ENDPOINT_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "Description": st.text(max_size=20),
    "Status": st.fixed_dictionaries({"Code": st.sampled_from(["available", "pending-associate"])}),
    "CreationTime": st.just("2024-05-01T10:00:00"),
    "ClientCidrBlock": st.just("10.100.0.0/22"),
    "DnsServers": unique_lists(DNS, max_size=2),
    "SplitTunnel": st.booleans(),
    "VpnProtocol": st.just("openvpn"),
    "TransportProtocol": st.sampled_from(["udp", "tcp"]),
    "VpnPort": st.sampled_from(VPN_PORTS),
    "AuthenticationOptions": st.lists(
        st.builds(lambda kind: {"Type": kind}, st.sampled_from(AUTH_TYPES)), max_size=2
    ),
    "ConnectionLogOptions": structs(
        {
            "Enabled": st.booleans(),
            "CloudwatchLogGroup": st.sampled_from(["/aws/clientvpn", "/other"]),
            "CloudwatchLogStream": st.sampled_from(["eng", "all"]),
            "IncludeAuthorizationPolicyContext": st.booleans(),
        }
    ),
    "Tags": unique_lists(TAG_KEYS).map(lambda keys: [{"Key": k, "Value": "v"} for k in keys]),
    "SecurityGroupIds": unique_lists([DEFAULT_SG, GOOD_SG, OTHER_SG], min_size=1, max_size=3),
    "VpcId": st.just(VPC_ID),
    "SelfServicePortalUrl": st.just(
        f"https://self-service.clientvpn.amazonaws.com/endpoints/{ENDPOINT_ID}"
    ),
    "ClientConnectOptions": structs(
        {
            "Enabled": st.booleans(),
            "LambdaFunctionArn": st.sampled_from([HANDLER, OTHER_HANDLER]),
            "Status": st.just({"Code": "applied"}),
        }
    ),
    "SessionTimeoutHours": st.sampled_from(SESSION_TIMEOUT_HOURS),
    "ClientLoginBannerOptions": structs(
        {"Enabled": st.booleans(), "BannerText": st.sampled_from([BANNER, "Welcome"])}
    ),
    "ClientRouteEnforcementOptions": structs({"Enforced": st.booleans()}),
    "DisconnectOnSessionTimeout": st.booleans(),
    "EndpointIpAddressType": st.sampled_from(["ipv4", "ipv6", "dual-stack"]),
    "TrafficIpAddressType": st.sampled_from(["ipv4", "ipv6", "dual-stack"]),
    "TransitGatewayConfiguration": structs(
        {"TransitGatewayId": st.sampled_from(["tgw-0123456789abcdef0", "tgw-0aaaaaaaaaaaaaaaa"])}
    ),
    "DevicePostureOptions": structs(
        {
            "TrustProviders": st.lists(
                structs(
                    {
                        "TrustProviderType": st.sampled_from(["crowdstrike", "jamf"]),
                        "TenantId": st.sampled_from(["tenant-1", "tenant-2"]),
                    }
                ),
                max_size=2,
            )
        }
    ),
    "SomeFieldAwsAddsLater": st.dictionaries(st.sampled_from(["A", "B"]), st.integers(0, 3)),
}

describe_items = structs(ENDPOINT_FIELDS).map(
    lambda item: {"ClientVpnEndpointId": ENDPOINT_ID, **item}
)

authorization_rules = st.lists(
    structs(
        {
            "AccessAll": st.booleans(),
            "GroupId": st.just("engineers"),
            "DestinationCidr": st.sampled_from(["0.0.0.0/0", "10.0.0.0/16"]),
            "Status": st.builds(
                lambda code: {"Code": code},
                st.sampled_from(["authorizing", "active", "failed", "revoking"]),
            ),
        }
    ),
    max_size=3,
)

ROUTE_TARGETS = ["subnet-0123456789abcdef0", "subnet-0aaaaaaaaaaaaaaaa"]
routes = st.one_of(
    st.none(),  # not read
    st.lists(
        structs(
            {
                "DestinationCidr": st.sampled_from(
                    ["0.0.0.0/0", "10.0.0.0/16", "0.0.0.0/1", "::/0", "10.9.0.0/16"]
                ),
                "TargetSubnet": st.sampled_from(ROUTE_TARGETS),
                "Origin": st.sampled_from(["add-route", "associate"]),
                "Status": st.builds(
                    lambda code: {"Code": code},
                    st.sampled_from(["creating", "active", "failed", "deleting"]),
                ),
            }
        ),
        max_size=3,
    ),
)

authorization_policies = st.one_of(
    st.none(),  # not read
    st.just({"ClientVpnEndpointId": ENDPOINT_ID}),  # no policy
    structs(
        {
            "ShadowMode": st.sampled_from(["enabled", "disabled"]),
            "Status": st.sampled_from(["creating", "updating", "active", "failed", "deleting"]),
        }
    ).map(lambda policy: {"PolicyDocument": "permit (principal, action, resource);", **policy}),
)

revocation_lists = st.sampled_from(
    [
        None,
        {},
        {"CertificateRevocationList": "-----BEGIN X509 CRL-----", "Status": {"Code": "active"}},
    ]
)

states = st.builds(
    lambda item, rules, groups, route_list, policy, crl: EndpointState.from_describe(
        item, rules, groups, routes=route_list, authorization_policy=policy, revocation_list=crl
    ),
    describe_items,
    authorization_rules,
    st.one_of(st.none(), st.just([DEFAULT_SG])),
    routes,
    authorization_policies,
    revocation_lists,
)


# --- policies --------------------------------------------------------------------------------
# The strategies drawn inside composites are made once (cached), not on every draw: Hypothesis
# validates and analyses each new strategy object before its first draw, which cost more than
# the draws themselves.
@cache
def common(fixable: bool) -> st.SearchStrategy[dict[str, Any]]:
    """severity and remediate, each maybe absent; remediate: true only where a fix exists."""
    remediate = st.booleans() if fixable else st.just(False)
    return structs(
        {"severity": st.sampled_from(["low", "medium", "high", "critical"]), "remediate": remediate}
    )


@st.composite
def logging_options(draw: st.DrawFn) -> dict[str, Any]:
    options = draw(
        structs(
            {"required": st.booleans(), "log_group": st.sampled_from(["/aws/clientvpn", "/other"])}
        )
    )
    if "log_group" in options and draw(st.booleans()):
        options["log_stream"] = draw(st.sampled_from(["eng", "all"]))  # a stream needs a group
    context = draw(maybe(st.booleans()))
    if context is not MISSING:
        options["include_authorization_policy_context"] = context
    return options


# Richer options than a rule's example, for the built-in rules; any other rule (a new one)
# is drawn from its own example. Whether remediate may be true follows from the options model.
RULE_OPTIONS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "disconnect-on-session-timeout": structs({"required": st.booleans()}),
    "session-timeout": st.fixed_dictionaries({"max_hours": st.integers(8, 30)}),
    "login-banner": structs(
        {"required": st.booleans(), "text": st.sampled_from([BANNER, "Approved"])}
    ),
    "connection-logging": logging_options(),
    "split-tunnel": st.fixed_dictionaries({"required": st.booleans()}),
    "self-service-portal": structs({"allowed": st.booleans()}),
    "client-connect-handler": structs(
        {"required": st.booleans(), "allowed_functions": unique_lists([HANDLER, OTHER_HANDLER], 1)}
    ),
    "client-route-enforcement": structs({"required": st.booleans()}),
    "vpn-port": st.fixed_dictionaries({"allowed": unique_lists(list(VPN_PORTS), 1)}),
    "transport-protocol": st.fixed_dictionaries({"allowed": unique_lists(["udp", "tcp"], 1)}),
    "authentication": st.fixed_dictionaries({"allowed_types": unique_lists(AUTH_TYPES, 1)}),
    "dns-servers": st.fixed_dictionaries({"allowed": unique_lists(DNS[:2], 1, 2)}),
    "authorization": structs(
        {"forbid_access_all": st.booleans(), "revoke_access_all": st.booleans()}
    ),
    "security-groups": structs(
        {
            "forbid_default": st.booleans(),
            "replacement_group_ids": st.sampled_from(
                [[GOOD_SG], [GOOD_SG, OTHER_SG], [DEFAULT_SG]]
            ),
        }
    ),
    "required-tags": st.fixed_dictionaries({"keys": unique_lists(TAG_KEYS[:2], 1)}),
    "device-posture": structs(
        {
            "required_trust_providers": st.sampled_from(
                [
                    [],
                    [{"trust_provider_type": "crowdstrike"}],
                    [{"trust_provider_type": "jamf", "tenant_id": "tenant-2"}],
                ]
            ),
            "require_authorization_policy": st.booleans(),
            "leave_shadow_mode": st.booleans(),
        }
    ),
    "routes": structs(
        {
            "forbidden_destinations": unique_lists(["0.0.0.0/0", "::/0", "10.9.0.0/16"], 1),
            "allowed_exceptions": st.lists(
                st.fixed_dictionaries(
                    {
                        "destination": st.sampled_from(["0.0.0.0/0", "10.9.0.0/16"]),
                        "target": st.sampled_from(ROUTE_TARGETS),
                    }
                ),
                max_size=2,
            ),
            "remove_forbidden": st.booleans(),
        }
    ),
}


def options_of(rule_id: str) -> st.SearchStrategy[dict[str, Any]]:
    """The rule's options strategy: the table's, else its example without ``remediate``."""
    example = {k: v for k, v in get_rule(rule_id).example.items() if k != "remediate"}
    return RULE_OPTIONS.get(rule_id, st.just(example))


def fixable(rule_id: str, options: dict[str, Any]) -> bool:
    """Whether the rule has a fix with these options (only then may remediate be true)."""
    model = get_rule(rule_id).options
    return model.model_validate({**options, "remediate": False}).remediation_blocker() is None


@st.composite
def rule_options(draw: st.DrawFn, rule: str) -> dict[str, Any]:
    options = draw(options_of(rule))
    return {**options, **draw(common(fixable(rule, options)))}


@cache
def _rule_options(rule: str) -> st.SearchStrategy[dict[str, Any]]:
    return rule_options(rule)


@st.composite
def exemptions(draw: st.DrawFn) -> dict[str, Any]:
    entry: dict[str, Any] = dict(
        draw(
            st.sampled_from(
                [
                    {"endpoint_id": ENDPOINT_ID, "reason": "SEC-1"},
                    {"endpoint_id": ENDPOINT_ID, "reason": "SEC-2"},
                    {"endpoint_id": "cvpn-endpoint-0aaaaaaaaaaaaaaaa", "reason": "other"},
                    {"tag": {"key": "environment"}},
                ]
            )
        )
    )
    if draw(st.booleans()):
        entry["rules"] = draw(unique_lists(list(rule_ids()), 1, 3))
    offset = draw(st.sampled_from([None, -30, -1, 0, 30]))
    if offset is not None:
        entry["expires"] = (NOW.date() + timedelta(days=offset)).isoformat()
    return entry


@st.composite
def policy_documents(draw: st.DrawFn) -> dict[str, Any]:
    # A coin per rule (not a list of rules: hypothesis keeps lists short), so that policies
    # with many rules, and plans that merge many fixes, are common.
    chosen = [rule.id for rule in all_rules() if draw(st.booleans())]
    return {
        "version": 1,
        "mode": draw(st.sampled_from(["enforce", "report"])),
        "rules": {rule: draw(_rule_options(rule)) for rule in chosen},
        "exemptions": draw(st.lists(exemptions(), max_size=3)),
        "allow_tag_exemptions": draw(st.booleans()),
    }


policies = policy_documents().map(lambda document: load_policy(json.dumps(document)))
enforce_policies = policies.map(lambda policy: policy.with_mode(Mode.ENFORCE))


# --- helpers ---------------------------------------------------------------------------------
def after_plan(state: EndpointState, evaluation: Evaluation) -> EndpointState:
    return apply_to_state(state, evaluation.plan)


def assert_valid_modify_values(parameters: dict[str, Any]) -> None:
    validate_parameters({"ClientVpnEndpointId": ENDPOINT_ID, **parameters}, MODIFY_INPUT)
    if "SessionTimeoutHours" in parameters:
        assert parameters["SessionTimeoutHours"] in SESSION_TIMEOUT_HOURS
    if "VpnPort" in parameters:
        assert parameters["VpnPort"] in VPN_PORTS
    banner = parameters.get("ClientLoginBannerOptions")
    if banner is not None and banner["Enabled"]:
        assert 0 < len(banner["BannerText"]) <= 1400
    logging = parameters.get("ConnectionLogOptions")
    if logging is not None and logging["Enabled"]:
        assert logging["CloudwatchLogGroup"]
    dns = parameters.get("DnsServers")
    if dns is not None:
        assert set(dns) == {"CustomDnsServers", "Enabled"}
        assert len(dns["CustomDnsServers"]) <= 2
    if "SelfServicePortal" in parameters:
        assert parameters["SelfServicePortal"] in ("enabled", "disabled")
    if "SecurityGroupIds" in parameters:
        assert parameters["VpcId"]
    handler = parameters.get("ClientConnectOptions")
    if handler is not None and handler["Enabled"]:
        assert handler["LambdaFunctionArn"].split(":function:")[1].startswith("AWSClientVPN-")


# --- properties ------------------------------------------------------------------------------
@PROPERTY
@given(state=states, policy=enforce_policies)
def test_applying_the_plan_leaves_no_remediable_finding(
    state: EndpointState, policy: Policy
) -> None:
    # Given any endpoint and any enforce policy
    before = evaluate(state, policy, NOW)
    # When the plan is applied
    after = evaluate(after_plan(state, before), policy, NOW)
    # Then nothing remediable is left, and nothing that was fine got broken
    assert not [f.rule for f in after.findings if f.remediable]
    assert set(after.violated_rules) <= set(before.violated_rules)


@PROPERTY
@given(state=states, policy=enforce_policies)
def test_planning_again_after_applying_gives_an_empty_plan(
    state: EndpointState, policy: Policy
) -> None:
    first = evaluate(state, policy, NOW)
    second = evaluate(after_plan(state, first), policy, NOW)
    assert second.plan.is_empty


@PROPERTY
@given(state=states, policy=policies)
def test_a_plan_only_touches_what_a_counted_violation_owns(
    state: EndpointState, policy: Policy
) -> None:
    # Given any endpoint and policy
    evaluation = evaluate(state, policy, NOW)
    # Then a compliant (or fully exempted) endpoint gets an empty plan
    if evaluation.status is not EndpointStatus.NON_COMPLIANT:
        assert evaluation.plan.is_empty
    # And every parameter belongs to a rule that is broken, counted, and remediable
    remediable = {f.rule for f in evaluation.findings if f.remediable}
    assert set(evaluation.plan.rules) <= remediable
    for key in evaluation.plan.parameters:
        assert OWNER[key] in evaluation.plan.rules
    for call in evaluation.plan.calls:
        assert CALL_OWNER[call.kind] in evaluation.plan.rules
    # And a scalar it sets really changes (it never rewrites a value already in place)
    described = state.endpoint.to_describe()
    for key in ("DisconnectOnSessionTimeout", "SessionTimeoutHours", "SplitTunnel", "VpnPort"):
        if key in evaluation.plan.parameters:
            assert described.get(key) != evaluation.plan.parameters[key]


@PROPERTY
@given(state=states, policy=policies)
def test_plan_parameters_are_valid_modify_values(state: EndpointState, policy: Policy) -> None:
    assert_valid_modify_values(evaluate(state, policy, NOW).plan.parameters)


@PROPERTY
@given(state=states, policy=policies)
def test_report_mode_and_remediate_false_never_plan(state: EndpointState, policy: Policy) -> None:
    # Given any policy in report mode
    assert evaluate(state, policy.with_mode(Mode.REPORT), NOW).plan.is_empty
    # And the same policy in enforce mode with remediate: false on every rule
    document = policy.model_dump(mode="json", by_alias=True)
    for options in document["rules"].values():
        if options is not None:
            options["remediate"] = False
    quiet = load_policy(json.dumps({**document, "mode": "enforce"}))
    evaluation = evaluate(state, quiet, NOW)
    # Then nothing is planned, and no finding claims to be remediable
    assert evaluation.plan.is_empty
    assert not any(f.remediable for f in evaluation.findings)


@PROPERTY
@given(state=states, policy=policies)
def test_status_follows_findings_and_exemptions(state: EndpointState, policy: Policy) -> None:
    evaluation = evaluate(state, policy, NOW)
    if evaluation.findings:
        assert evaluation.status is EndpointStatus.NON_COMPLIANT
    elif evaluation.exempted:
        assert evaluation.status is EndpointStatus.EXEMPT
    else:
        assert evaluation.status is EndpointStatus.COMPLIANT
    # And exempted and counted findings never name the same rule
    assert not {e.finding.rule for e in evaluation.exempted} & set(evaluation.violated_rules)


@PROPERTY
@given(state=states, policy=policies)
def test_evaluations_are_json_round_trippable(state: EndpointState, policy: Policy) -> None:
    evaluation = evaluate(state, policy, NOW)
    assert Evaluation.model_validate_json(evaluation.model_dump_json()) == evaluation


@PROPERTY
@given(document=policy_documents())
def test_a_policy_reloads_from_its_own_dump_in_json_and_yaml(document: dict[str, Any]) -> None:
    # Given any valid policy
    policy = load_policy(json.dumps(document))
    # When it is dumped with every default written out, as JSON and as YAML
    dumped = policy.model_dump(mode="json", by_alias=True)
    from_json = load_policy(json.dumps(dumped))
    from_yaml = load_policy(yaml.safe_dump(dumped))
    # Then both load back to the same policy with the same identity
    assert from_json == policy == from_yaml
    assert from_json.identity == policy.identity == from_yaml.identity


@PROPERTY
@given(item=describe_items)
def test_describe_items_round_trip_through_the_model(item: dict[str, Any]) -> None:
    assert EndpointState.from_describe(item).endpoint.to_describe() == item
