"""Intrinsic functions in a Client VPN endpoint's properties: resolved where the template
allows it, else reported unresolved with the expression, and never guessed."""

from __future__ import annotations

from datetime import UTC, datetime
from textwrap import dedent, indent

import pytest
from pydantic import TypeAdapter

from cvpn_guard.evaluation import evaluate
from cvpn_guard.iac.cfn_intrinsics import default_security_group_id, placeholder_id
from cvpn_guard.iac.cloudformation import read_template
from cvpn_guard.iac.declared import DeclaredEndpoint
from cvpn_guard.policy.loader import default_policy
from cvpn_guard.policy_terms.values import SecurityGroupId

REQUIRED = """\
AuthenticationOptions:
  - Type: certificate-authentication
    MutualAuthentication:
      ClientRootCertificateChainArn: arn:aws:acm:us-east-1:111122223333:certificate/root
ClientCidrBlock: 10.100.0.0/22
ServerCertificateArn: arn:aws:acm:us-east-1:111122223333:certificate/server
ConnectionLogOptions:
  Enabled: false
"""


def _template(properties: str, *, sections: str = "", resources: str = "") -> str:
    return (
        dedent(sections)
        + "Resources:\n"
        + indent(dedent(resources), "  ")
        + "  Vpn:\n    Type: AWS::EC2::ClientVpnEndpoint\n    Properties:\n"
        + indent(REQUIRED + dedent(properties), "      ")
    )


def _endpoint(
    properties: str, *, sections: str = "", resources: str = "", **known: str
) -> DeclaredEndpoint:
    (declared,) = read_template(
        "t.yaml",
        _template(properties, sections=sections, resources=resources),
        pseudo_parameters=known or None,
    )
    return declared


def test_a_number_parameters_default_is_an_integer() -> None:
    # Given a Number parameter with a default, and a String one that looks like a number
    sections = """\
        Parameters:
          Hours: {Type: Number, Default: "12"}
          Port: {Type: String, Default: 443}
    """

    # When the endpoint takes both
    declared = _endpoint("SessionTimeoutHours: !Ref Hours\nVpnPort: !Ref Port\n", sections=sections)

    # Then the Number is an int, and an Integer property takes the string as CloudFormation does
    assert declared.describe["SessionTimeoutHours"] == 12
    assert declared.describe["VpnPort"] == 443


def test_a_parameter_without_a_default_is_unresolved_with_its_expression() -> None:
    # Given a parameter without a default
    sections = "Parameters:\n  TimeoutHours: {Type: Number}\n"

    # When the endpoint's timeout is that parameter
    declared = _endpoint("SessionTimeoutHours: !Ref TimeoutHours\n", sections=sections)

    # Then the field is not in the Describe item, not defaulted, and says why
    assert "SessionTimeoutHours" not in declared.describe
    assert "SessionTimeoutHours" not in declared.defaulted
    assert declared.unresolved["SessionTimeoutHours"] == (
        "!Ref TimeoutHours (a parameter without a default)"
    )
    # and the rule that reads it is not evaluated, with that reason, the endpoint not clean
    evaluation = evaluate(declared.state(), default_policy(), datetime(2026, 12, 4, tzinfo=UTC))
    (unevaluated,) = [u for u in evaluation.unevaluated if u.rule == "session-timeout"]
    assert "!Ref TimeoutHours" in unevaluated.reason
    assert "session-timeout" not in evaluation.violated_rules


@pytest.mark.parametrize(
    ("expression", "known", "expected"),
    [
        pytest.param(
            '!Sub "VPN in ${AWS::Region}"',
            {"AWS::Region": "eu-west-1"},
            "VPN in eu-west-1",
            id="sub-known",
        ),
        pytest.param('!Sub ["${Name} VPN", {Name: !Ref Team}]', {}, "ops VPN", id="sub-variables"),
        pytest.param('!Sub "${Team}-${!Literal}"', {}, "ops-${Literal}", id="sub-escaped"),
        pytest.param('!Join ["-", [!Ref Team, vpn]]', {}, "ops-vpn", id="join"),
        pytest.param("!Select [1, !Ref Teams]", {}, "dev", id="select-list-parameter"),
        pytest.param('!Select [0, !Split [",", "a,b"]]', {}, "a", id="select-split"),
        pytest.param("!FindInMap [Names, !Ref Team, Long]", {}, "Operations", id="find-in-map"),
        pytest.param("!If [IsOps, ops, other]", {}, "ops", id="if-from-defaults"),
    ],
)
def test_functions_of_known_values_resolve(
    expression: str, known: dict[str, str], expected: str
) -> None:
    # Given parameters with defaults, a mapping and a condition on a parameter
    sections = """\
        Parameters:
          Team: {Type: String, Default: ops}
          Teams: {Type: CommaDelimitedList, Default: "ops,dev"}
        Mappings:
          Names:
            ops: {Long: Operations}
        Conditions:
          IsOps: !Equals [!Ref Team, ops]
    """

    # When the description is written with the function
    declared = _endpoint(f"Description: {expression}\n", sections=sections, **known)

    # Then it resolves to what CloudFormation would make of it
    assert declared.describe["Description"] == expected
    assert declared.unresolved == {}


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        pytest.param(
            '!Sub "VPN in ${AWS::Region}"', "the pseudo parameter AWS::Region", id="pseudo"
        ),
        pytest.param("!ImportValue SharedName", "a value another stack exports", id="import"),
        pytest.param("!If [Unknowable, a, b]", "a parameter without a default", id="if-unknown"),
        pytest.param("!Ref Bootstrap", "the value of SSM parameter /cdk/version", id="ssm"),
        pytest.param("!GetAtt Bucket.Arn", "the attribute Arn of Bucket", id="attribute"),
        pytest.param("!Ref Bucket", "the AWS::S3::Bucket Bucket's id", id="other-resource"),
    ],
)
def test_what_only_a_deployment_knows_stays_unresolved(expression: str, reason: str) -> None:
    # Given a parameter without a default, an SSM parameter and a resource of another kind
    sections = """\
        Parameters:
          Free: {Type: String}
          Bootstrap: {Type: "AWS::SSM::Parameter::Value<String>", Default: /cdk/version}
        Conditions:
          Unknowable: !Equals [!Ref Free, x]
    """
    resources = "Bucket:\n  Type: AWS::S3::Bucket\n"

    # When the description is written with the expression
    declared = _endpoint(f"Description: {expression}\n", sections=sections, resources=resources)

    # Then it is written back in short form, with why it cannot be told
    assert "Description" not in declared.describe
    assert declared.unresolved["Description"].startswith(expression.replace('"', "").split(" ")[0])
    assert reason in declared.unresolved["Description"]


def test_no_value_leaves_the_property_to_its_default() -> None:
    # Given a condition that is false with the defaults
    sections = """\
        Parameters:
          Long: {Type: String, Default: "no"}
        Conditions:
          WantsLong: !Equals [!Ref Long, "yes"]
    """

    # When the timeout is AWS::NoValue unless the condition holds
    declared = _endpoint(
        "SessionTimeoutHours: !If [WantsLong, 24, !Ref AWS::NoValue]\n", sections=sections
    )

    # Then the property is as if left out: the documented default, recorded as such
    assert declared.describe["SessionTimeoutHours"] == 24
    assert "SessionTimeoutHours" in declared.defaulted


def test_refs_of_the_templates_network_resources_are_stable_placeholder_ids() -> None:
    # Given a VPC and a security group of the template
    resources = """\
        Network:
          Type: AWS::EC2::VPC
          Properties: {CidrBlock: 10.0.0.0/16}
        Group:
          Type: AWS::EC2::SecurityGroup
          Properties: {GroupDescription: vpn, VpcId: !Ref Network}
    """

    # When the endpoint names them, once by Ref and once by id attribute
    declared = _endpoint(
        "VpcId: !Ref Network\nSecurityGroupIds: [!GetAtt Group.GroupId, !GetAtt Network.DefaultSecurityGroup]\n",
        resources=resources,
    )

    # Then they are ids derived from the logical ids, valid for the policy's id patterns
    group = placeholder_id("sg-", "Group")
    assert declared.describe["VpcId"] == placeholder_id("vpc-", "Network")
    assert declared.describe["SecurityGroupIds"] == [group, default_security_group_id("Network")]
    assert declared.default_security_group_ids == frozenset({default_security_group_id("Network")})
    assert TypeAdapter(SecurityGroupId).validate_python(group) == group


def test_a_vpc_outside_the_template_leaves_its_default_group_unknown() -> None:
    # When the endpoint names a VPC by id, and no security groups
    declared = _endpoint("VpcId: vpc-0123456789abcdef0\n")

    # Then the groups AWS applies (the VPC's default one) cannot be told from the file
    assert declared.default_security_group_ids is None
    assert "SecurityGroupIds" not in declared.describe
    assert "vpc-0123456789abcdef0" in declared.unresolved["SecurityGroupIds"]


def test_the_routes_of_an_association_outside_the_template_are_unresolved() -> None:
    # Given an association of a subnet the template takes as a parameter
    sections = "Parameters:\n  SubnetId: {Type: 'AWS::EC2::Subnet::Id', Default: subnet-0123456789abcdef0}\n"
    resources = """\
        Association:
          Type: AWS::EC2::ClientVpnTargetNetworkAssociation
          Properties:
            ClientVpnEndpointId: !Ref Vpn
            SubnetId: !Ref SubnetId
    """

    # When the endpoint is read
    declared = _endpoint("", sections=sections, resources=resources)

    # Then the route AWS adds for it cannot be known: the routes are unresolved, not empty
    assert declared.routes is None
    assert declared.unresolved["routes"].startswith("Association: ")
    assert "subnet-0123456789abcdef0" in declared.unresolved["routes"]


def test_an_unresolved_authorization_rule_makes_the_rules_unresolved() -> None:
    # Given an authorization rule whose grant depends on a parameter without a default
    sections = "Parameters:\n  Everyone: {Type: String, AllowedValues: ['true', 'false']}\n"
    resources = """\
        Grant:
          Type: AWS::EC2::ClientVpnAuthorizationRule
          Properties:
            ClientVpnEndpointId: !Ref Vpn
            TargetNetworkCidr: 10.0.0.0/16
            AuthorizeAllGroups: !Ref Everyone
    """

    # When the endpoint is read
    declared = _endpoint("", sections=sections, resources=resources)

    # Then the authorization rules are not guessed
    assert declared.authorization_rules == ()
    assert declared.unresolved["authorization_rules"] == (
        "Grant: !Ref Everyone (a parameter without a default)"
    )


def test_a_string_parameter_sets_a_boolean_grant() -> None:
    # Given an authorization rule granting everyone through a String parameter's default
    sections = "Parameters:\n  Everyone: {Type: String, Default: 'true'}\n"
    resources = """\
        Grant:
          Type: AWS::EC2::ClientVpnAuthorizationRule
          Properties:
            ClientVpnEndpointId: !GetAtt Vpn.Id
            TargetNetworkCidr: 10.0.0.0/16
            AuthorizeAllGroups: !Ref Everyone
    """

    # When the endpoint is read
    declared = _endpoint("", sections=sections, resources=resources)

    # Then the rule is joined by its GetAtt and grants everyone, as CloudFormation reads "true"
    assert [rule["AccessAll"] for rule in declared.authorization_rules] == [True]


def test_a_resource_whose_condition_is_false_is_not_created() -> None:
    # Given an endpoint created only in production, and a default of dev
    text = _template(
        "",
        sections="""\
            Parameters:
              Stage: {Type: String, Default: dev}
            Conditions:
              IsProd: !Equals [!Ref Stage, prod]
        """,
    ).replace(
        "    Type: AWS::EC2::ClientVpnEndpoint\n",
        "    Type: AWS::EC2::ClientVpnEndpoint\n    Condition: IsProd\n",
    )

    # When the template is read
    endpoints = read_template("t.yaml", text)

    # Then the stack deployed with its defaults has no endpoint
    assert endpoints == []


def test_a_declared_authorization_policy_is_the_endpoints_policy() -> None:
    # When the endpoint declares a Cedar policy in shadow mode
    declared = _endpoint(
        "AuthorizationPolicy:\n  PolicyDocument: permit(principal, action, resource);\n  ShadowMode: enabled\n"
    )

    # Then the state carries it as GetClientVpnEndpointAuthorizationPolicy would answer
    policy = declared.state().authorization_policy
    assert policy is not None
    assert policy.policy_document == "permit(principal, action, resource);"
    assert policy.shadow_mode == "enabled"


def test_tags_come_from_the_endpoints_tag_specification_only() -> None:
    # When the endpoint has tag specifications for itself and another resource type
    declared = _endpoint(
        """\
        TagSpecifications:
          - ResourceType: client-vpn-endpoint
            Tags: [{Key: Owner, Value: netops}]
          - ResourceType: network-interface
            Tags: [{Key: Other, Value: x}]
        """
    )

    # Then Describe's Tags are the endpoint's
    assert declared.describe["Tags"] == [{"Key": "Owner", "Value": "netops"}]
