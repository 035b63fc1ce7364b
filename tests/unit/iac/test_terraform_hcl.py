"""Reading a Terraform module's .tf files: values, joins, lines, and what cannot be told."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cvpn_guard.evaluation import Evaluation, evaluate
from cvpn_guard.iac.declared import DeclaredEndpoint, SourceError, SourceKind
from cvpn_guard.iac.terraform_fields import placeholder_id
from cvpn_guard.iac.terraform_hcl import INSTALL_HINT, HclParserMissing, read_module
from cvpn_guard.policy.loader import default_policy
from tests.support.iac_fixtures import BASELINE_DRIFT

MODULE = Path(__file__).parents[2] / "fixtures/iac/terraform/module"
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
DRIFTED_RULES = set(BASELINE_DRIFT)
ENDPOINT_HEAD = 'resource "aws_ec2_client_vpn_endpoint" "solo" {\n'
REQUIRED = """  server_certificate_arn = "arn:aws:acm:eu-west-1:111122223333:certificate/abc"
  client_cidr_block      = "10.100.0.0/22"
  authentication_options {
    type                       = "certificate-authentication"
    root_certificate_chain_arn = "arn:aws:acm:eu-west-1:111122223333:certificate/root"
  }
  connection_log_options {
    enabled = false
  }
"""


def _fixture() -> dict[str, DeclaredEndpoint]:
    files = [(str(path), path.read_text()) for path in sorted(MODULE.glob("*.tf"))]
    return {endpoint.name: endpoint for endpoint in read_module(files)}


def _evaluated(endpoint: DeclaredEndpoint) -> Evaluation:
    return evaluate(endpoint.state(), default_policy(), NOW)


def _solo(body: str, extra: str = "") -> DeclaredEndpoint:
    (endpoint,) = read_module([("main.tf", ENDPOINT_HEAD + REQUIRED + body + "}\n" + extra)])
    return endpoint


def _line_of(path: Path, text: str, after: int = 0) -> int:
    lines = path.read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if n > after and text in line)


def test_the_compliant_endpoint_of_the_module_meets_the_baseline() -> None:
    # Given the module's compliant endpoint
    endpoint = _fixture()["aws_ec2_client_vpn_endpoint.compliant"]
    # When it is evaluated against the bundled policy
    evaluation = _evaluated(endpoint)
    # Then nothing is found and every rule could be checked
    assert endpoint.kind is SourceKind.TERRAFORM
    assert evaluation.findings == ()
    assert evaluation.unevaluated == ()
    assert endpoint.describe["SessionTimeoutHours"] == 12  # var.session_timeout_hours's default


def test_the_drifted_endpoint_breaks_each_rule_of_the_baseline() -> None:
    # Given the module's drifted endpoint, its grant to everyone and its full tunnel
    endpoint = _fixture()["aws_ec2_client_vpn_endpoint.drifted"]
    # When it is evaluated
    evaluation = _evaluated(endpoint)
    # Then every rule of the baseline is violated, the left-out timeout by the provider's 24
    assert set(evaluation.violated_rules) == DRIFTED_RULES
    assert endpoint.defaulted["SessionTimeoutHours"] == (
        "the Terraform provider's default (session_timeout_hours = 24)"
    )


def test_related_resources_join_their_endpoint_by_reference() -> None:
    # Given the module's rules, routes and associations
    endpoints = _fixture()
    compliant = endpoints["aws_ec2_client_vpn_endpoint.compliant"]
    drifted = endpoints["aws_ec2_client_vpn_endpoint.drifted"]
    subnet = placeholder_id("aws_subnet.vpn")
    # Then each endpoint has its own, the association adding the route to the VPC's CIDR
    assert [r["GroupId"] for r in compliant.authorization_rules] == ["engineering"]
    assert [r["DestinationCidr"] for r in compliant.authorization_rules] == ["10.0.0.0/16"]
    assert [r["AccessAll"] for r in drifted.authorization_rules] == [True]
    assert compliant.routes is not None
    assert drifted.routes is not None
    assert {(r["DestinationCidr"], r["TargetSubnet"], r["Origin"]) for r in drifted.routes} == {
        ("0.0.0.0/0", subnet, "add-route"),
        ("10.0.0.0/16", subnet, "associate"),
    }
    assert {r["DestinationCidr"] for r in compliant.routes} == {"10.1.0.0/16", "10.0.0.0/16"}


def test_lines_point_at_the_resource_and_at_each_argument() -> None:
    # Given the module
    endpoint = _fixture()["aws_ec2_client_vpn_endpoint.drifted"]
    main = MODULE / "main.tf"
    start = _line_of(main, '"aws_ec2_client_vpn_endpoint" "drifted"')
    # Then the resource's line, and the line of each argument it writes, by Describe field
    assert endpoint.file.endswith("main.tf")
    assert endpoint.line == start
    assert endpoint.property_lines["DisconnectOnSessionTimeout"] == _line_of(
        main, "disconnect_on_session_timeout", start
    )
    assert endpoint.property_lines["ConnectionLogOptions"] == _line_of(
        main, "connection_log_options {", start
    )
    assert "SessionTimeoutHours" not in endpoint.property_lines  # left out: the resource's line
    assert endpoint.line_of(("SessionTimeoutHours",)) == start


def test_a_variable_without_default_leaves_its_rules_unevaluated() -> None:
    # Given a timeout from a variable that has no default
    endpoint = _solo(
        "  session_timeout_hours = var.timeout\n", 'variable "timeout" {\n  type = number\n}\n'
    )
    # When it is evaluated
    evaluation = _evaluated(endpoint)
    # Then the timeout is unresolved with the expression, and its rule not evaluated
    assert endpoint.unresolved == {"SessionTimeoutHours": "var.timeout (no default)"}
    assert "SessionTimeoutHours" not in endpoint.describe
    assert [(u.rule, u.reason) for u in evaluation.unevaluated] == [
        ("session-timeout", "var.timeout (no default)")
    ]


def test_templates_and_locals_of_known_values_resolve() -> None:
    # Given a banner written as a template of a local and a variable
    endpoint = _solo(
        "  client_login_banner_options {\n"
        "    enabled     = true\n"
        '    banner_text = "${local.org} systems: authorized use \\"only\\" (${var.n})"\n'
        "  }\n",
        'locals {\n  org = "Corp"\n}\nvariable "n" {\n  default = 7\n}\n',
    )
    # Then the text is the template's value
    assert endpoint.describe["ClientLoginBannerOptions"] == {
        "Enabled": True,
        "BannerText": 'Corp systems: authorized use "only" (7)',
    }


def test_a_function_call_is_unresolved_with_its_expression() -> None:
    # Given a description the files compute with a function
    endpoint = _solo('  description = format("%s-vpn", var.x)\n')
    # Then it is unresolved, the expression as the reason
    assert endpoint.unresolved == {"Description": 'format("%s-vpn", var.x)'}


def test_the_vpcs_default_security_group_is_known_as_a_placeholder() -> None:
    # Given an endpoint in a VPC of the module that uses the VPC's default group
    endpoint = _solo(
        "  vpc_id             = aws_vpc.main.id\n"
        "  security_group_ids = [aws_vpc.main.default_security_group_id]\n",
        'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n',
    )
    default = placeholder_id("aws_vpc.main", "default_security_group_id")
    # Then the group is the VPC's default one, so the security-groups rule can tell
    assert endpoint.default_security_group_ids == frozenset({default})
    assert endpoint.describe["SecurityGroupIds"] == [default]
    assert endpoint.describe["VpcId"] == placeholder_id("aws_vpc.main")


def test_a_literal_count_makes_one_endpoint_per_instance() -> None:
    # Given two instances by count
    files = [("main.tf", ENDPOINT_HEAD + "  count = 2\n" + REQUIRED + "}\n")]
    # When read
    names = [endpoint.name for endpoint in read_module(files)]
    # Then both, by instance address
    assert names == [
        "aws_ec2_client_vpn_endpoint.solo[0]",
        "aws_ec2_client_vpn_endpoint.solo[1]",
    ]


def test_an_unknown_count_reads_as_one_endpoint_with_a_note() -> None:
    # Given a count the files cannot tell
    files = [("main.tf", ENDPOINT_HEAD + "  count = var.n\n" + REQUIRED + '}\nvariable "n" {}\n')]
    # When read
    (endpoint,) = read_module(files)
    # Then one endpoint, saying why
    assert endpoint.name == "aws_ec2_client_vpn_endpoint.solo"
    assert endpoint.unknown["instances"] == (
        "count = var.n (no default) cannot be counted from the files: read as one endpoint"
    )


def test_live_only_inputs_are_unknown_not_unresolved() -> None:
    # Given any endpoint
    endpoint = _solo("")
    # Then the revocation list and the authorization policy are beyond the files
    assert {"revocation_list", "authorization_policy"} <= set(endpoint.unknown)
    assert not {"revocation_list", "authorization_policy"} & set(endpoint.unresolved)


def test_a_syntax_error_is_a_source_error_with_the_parsers_message_and_line() -> None:
    # Given a file whose attribute has no value
    text = ENDPOINT_HEAD + "  description =\n}\n"
    # When it is read
    with pytest.raises(SourceError) as raised:
        read_module([("broken.tf", text)])
    # Then the file, the line and python-hcl2's message
    assert raised.value.file == "broken.tf"
    assert raised.value.line == 2
    assert "Unexpected token" in raised.value.message


def test_without_python_hcl2_the_error_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given an environment without the parser
    monkeypatch.setitem(sys.modules, "hcl2", None)
    # When .tf files are read
    with pytest.raises(HclParserMissing) as raised:
        read_module([("main.tf", "")])
    # Then the error names the extra to install
    assert INSTALL_HINT in str(raised.value)
    assert INSTALL_HINT == "pip install 'cvpn-guard[iac]'"


def test_importing_the_reader_does_not_load_the_parser() -> None:
    # Given a fresh interpreter
    code = "import sys, cvpn_guard.iac.terraform_hcl; print('hcl2' in sys.modules)"
    # When the reader's module is imported (as the CLI's check command would)
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    # Then python-hcl2 is loaded only when .tf files are read
    assert loaded == "False"


def test_the_lambda_layer_does_not_ship_the_parser() -> None:
    # Given the layer's requirements, exported from the main dependencies only
    requirements = (Path(__file__).parents[3] / "shared/requirements.txt").read_text()
    # Then neither python-hcl2 nor its parser generator is in it
    names = {line.split("==")[0] for line in requirements.splitlines() if "==" in line}
    assert "boto3" in names
    assert not names & {"python-hcl2", "lark"}


def test_a_heredoc_keeps_its_final_newline_and_strips_the_common_indent() -> None:
    # Given a banner written as an indented heredoc
    endpoint = _solo(
        "  client_login_banner_options {\n"
        "    enabled     = true\n"
        "    banner_text = <<-EOT\n"
        "      Authorized use only.\n"
        "        Monitored.\n"
        "    EOT\n"
        "  }\n"
    )
    # Then the text is Terraform's: indent stripped, each line ending in a newline
    assert endpoint.describe["ClientLoginBannerOptions"]["BannerText"] == (
        "Authorized use only.\n  Monitored.\n"
    )


def test_a_dynamic_block_is_unresolved() -> None:
    # Given the banner written as a dynamic block
    endpoint = _solo(
        '  dynamic "client_login_banner_options" {\n'
        "    for_each = var.banners\n"
        "    content {\n"
        "      enabled = true\n"
        "    }\n"
        "  }\n"
    )
    # Then the files do not tell it
    assert endpoint.unresolved == {
        "ClientLoginBannerOptions": 'dynamic "client_login_banner_options" block'
    }


def _tags(endpoint: DeclaredEndpoint) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in endpoint.describe["Tags"]}


def test_the_providers_default_tags_are_under_the_resources_own() -> None:
    # Given the module's provider with default_tags (Purpose = "Production"), the compliant
    # endpoint without tags of its own and the drifted one with its own Purpose
    endpoints = _fixture()
    compliant = endpoints["aws_ec2_client_vpn_endpoint.compliant"]
    drifted = endpoints["aws_ec2_client_vpn_endpoint.drifted"]
    # Then the compliant endpoint has the provider's, and the drifted one's own value wins
    assert _tags(compliant) == {"Purpose": "Production"}
    assert _tags(drifted) == {"Purpose": "Contractors"}


def test_the_providers_default_tags_and_the_resources_own_are_merged() -> None:
    # Given default_tags and resource tags with a key each of their own and one in common
    endpoint = _solo(
        '  tags = {\n    Name    = "vpn"\n    Purpose = "Contractors"\n  }\n',
        'provider "aws" {\n  default_tags {\n    tags = {\n'
        '      ManagedBy = "terraform"\n      Purpose   = "Production"\n    }\n  }\n}\n',
    )
    # Then the endpoint has both, the resource's value for the common key, as AWS will
    assert _tags(endpoint) == {"ManagedBy": "terraform", "Name": "vpn", "Purpose": "Contractors"}


def test_for_each_instances_join_their_rules_by_instance_key() -> None:
    # Given two endpoints by for_each, each with its own grant written with each.key
    text = (
        'resource "aws_ec2_client_vpn_endpoint" "team" {\n'
        "  for_each = { red = 8, blue = 24 }\n"
        "  session_timeout_hours = each.value\n" + REQUIRED + "}\n"
        'resource "aws_ec2_client_vpn_authorization_rule" "team" {\n'
        '  for_each = toset(["red", "blue"])\n'
        "  client_vpn_endpoint_id = aws_ec2_client_vpn_endpoint.team[each.key].id\n"
        '  target_network_cidr    = "10.0.0.0/16"\n'
        "  access_group_id        = each.key\n"
        "}\n"
    )
    # When read
    endpoints = {e.name: e for e in read_module([("main.tf", text)])}
    # Then one endpoint per key, with its value and its own grant
    red = endpoints['aws_ec2_client_vpn_endpoint.team["red"]']
    blue = endpoints['aws_ec2_client_vpn_endpoint.team["blue"]']
    assert red.describe["SessionTimeoutHours"] == 8
    assert (
        endpoints['aws_ec2_client_vpn_endpoint.team["blue"]'].describe["SessionTimeoutHours"] == 24
    )
    assert [r["GroupId"] for r in red.authorization_rules] == ["red"]
    assert [r["GroupId"] for r in blue.authorization_rules] == ["blue"]


def test_count_instances_join_their_rules_by_count_index() -> None:
    # Given two endpoints by count, and a grant for each through count.index
    text = (
        ENDPOINT_HEAD + "  count = 2\n" + REQUIRED + "}\n"
        'resource "aws_ec2_client_vpn_authorization_rule" "each" {\n'
        "  count                  = 2\n"
        "  client_vpn_endpoint_id = aws_ec2_client_vpn_endpoint.solo[count.index].id\n"
        '  target_network_cidr    = "10.${count.index}.0.0/16"\n'
        "  authorize_all_groups   = true\n"
        "}\n"
    )
    # When read
    endpoints = read_module([("main.tf", text)])
    # Then each instance has the grant written for its index
    assert [[r["DestinationCidr"] for r in e.authorization_rules] for e in endpoints] == [
        ["10.0.0.0/16"],
        ["10.1.0.0/16"],
    ]
