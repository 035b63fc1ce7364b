"""The argument parser: every command, flag and help text (argparse only, nothing heavy)."""

from __future__ import annotations

import argparse

from cvpn_guard import __version__

FORMATS = ("table", "json", "csv")

_SCAN_EPILOG = """\
exit status:
  0  every endpoint is compliant or exempt (or was fully remediated) and nothing failed
  1  violations remain, or a region, account or endpoint could not be checked; also after
     --plan, and after a declined confirmation (both change nothing: like a report-only scan)
  2  usage or configuration error: bad flags, invalid policy, no credentials or no region;
     --remediate under a policy that says mode: report (without --override-mode); --remediate
     without a terminal to confirm on (without --yes); a --rule or --control the policy
     does not check, or a control no rule serves (the message lists the known ones).
     Nothing was changed.

--remediate applies the policy's fixes only when the policy says mode: enforce (or with
--override-mode). On a terminal it first shows the plan and asks; declining changes nothing.
In CI, review the plan with --plan, then apply it with --remediate --yes.

examples:
  cvpn-guard scan --region eu-west-1 --region us-east-1
  cvpn-guard scan --profile audit --format json --output report.json
  cvpn-guard scan --policy-parameter /cvpn-guard/policy --policy-region eu-west-1
  cvpn-guard scan --policy org-policy.yaml --plan
  cvpn-guard scan --policy org-policy.yaml --remediate --endpoint-id cvpn-endpoint-0123456789abcdef0
  cvpn-guard scan --policy org-policy.yaml --remediate --yes --rule login-banner
  cvpn-guard scan --control AC-12 --control security-hub/EC2.51 --format csv
  cvpn-guard scan --endpoint-url http://127.0.0.1:5000 --region eu-west-1   # the emulator
"""


VALIDATE_FORMATS = ("text", "json")
CHECK_FORMATS = ("table", "json", "sarif", "junit")

_CHECK_EPILOG = """\
what it reads (files by content, folders recursively; .git, node_modules, .terraform and
cdk.out's assets, manifest.json and tree.json are passed over):
  CloudFormation, SAM and CDK output (YAML or JSON), Terraform plans (terraform show -json),
  .tf files (one module per folder), saved estates (the JSON of aws ec2
  describe-client-vpn-endpoints, and of describe-client-vpn-authorization-rules and
  describe-client-vpn-routes beside it). In a folder, other files are passed over; a file
  named here must be one of these.

exit status:
  0  every endpoint complies (rules that need live data are noted, not counted)
  1  findings, or a rule not evaluated because the file does not resolve a value it needs
  2  usage error: bad flags, an invalid policy, a path that does not exist, a file that
     cannot be parsed (the file and the parser's message), --rule or --control selecting
     nothing the policy checks

examples:
  cvpn-guard check infra/
  cvpn-guard check template.yaml cdk.out/ --policy org-policy.yaml
  terraform show -json plan.out > plan.json && cvpn-guard check plan.json
  cvpn-guard check --format sarif --output cvpn-guard.sarif infra/
  cvpn-guard check --format junit --output cvpn-guard.xml infra/ --control AC-12
  aws ec2 describe-client-vpn-endpoints > estate/endpoints.json
  cvpn-guard check estate/ --policy next-policy.yaml --rule session-timeout
"""

_VALIDATE_EPILOG = """\
warnings (the document is valid, but):
  an exemption's expires day is past (it no longer applies); a tag exemption while
  allow_tag_exemptions is false (never honoured); no rule configured, or every rule switched
  off (nothing would be checked); a document over 8,192 bytes (no SSM parameter, so not the
  stack's policy parameter, can hold it; --policy and POLICY_FILE still read it)

exit status (with several files, the worst):
  0  every document is valid, without warnings
  1  valid, with warnings
  2  a document has errors (or cannot be read), or bad flags

output:
  text  FILE: valid (version 1, N rules, mode M, sha256:...)        on stdout
        FILE: valid with N warnings (...)                          on stdout
        FILE: PATH: MESSAGE  and  FILE: warning: PATH: MESSAGE     on stderr
        FILE: invalid (N problems)                                 on stderr
  json  a list on stdout, one object per FILE in argument order:
        {"file": "org.yaml", "valid": false,
         "errors": [{"path": "exemptions[0].reason", "message": "..."}],
         "warnings": [{"path": "", "message": "..."}],
         "content_hash": null}
        path "" is the whole document; content_hash is the sha256 the text prints,
        null when the document could not be loaded as a policy

examples:
  cvpn-guard policy validate policies/*.yaml
  aws ssm get-parameter --name /cvpn-guard/policy --query Parameter.Value --output text \\
    | cvpn-guard policy validate --format json -
"""


def _common_options() -> argparse.ArgumentParser:
    # SUPPRESS as default lets --debug go before or after the command without the
    # subcommand's default overwriting what the main parser already read.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show tracebacks instead of one-line errors",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    """The ``cvpn-guard`` parser; ``args.command`` names the command to run."""
    common = _common_options()
    parser = argparse.ArgumentParser(
        prog="cvpn-guard",
        description=(
            "Keep AWS Client VPN endpoints inside the org security policy: scan them, "
            "fix drift, check policy documents."
        ),
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_scan(commands, common)
    _add_check(commands, common)
    _add_policy(commands, common)
    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="run the whole product end to end on a local emulator (no AWS account needed)",
        description=(
            "Start the local AWS emulator, seed a small estate of Client VPN endpoints, replay "
            "the sample CloudTrail events through the enforcer, run the sweeper and show what "
            "happened. Takes a few seconds; touches nothing outside this process."
        ),
    )
    demo.add_argument(
        "--org",
        action="store_true",
        help=(
            "the organization deployment instead: three accounts, a member's change fixed "
            "from the central account, an organization sweep and its report"
        ),
    )
    return parser


def _add_scan(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    scan = commands.add_parser(
        "scan",
        parents=[common],
        help="evaluate every Client VPN endpoint of one or more regions against the policy",
        description=(
            "Evaluate every Client VPN endpoint of the given regions against the policy and "
            "print a compliance report. Nothing is modified unless --remediate is given and "
            "the policy says mode: enforce (or --override-mode)."
        ),
        epilog=_SCAN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    scan.add_argument(
        "--region",
        action="append",
        dest="regions",
        metavar="REGION",
        help="a region to scan; repeat for several (default: AWS_REGION, else "
        "AWS_DEFAULT_REGION, else the profile's region)",
    )
    scan.add_argument("--profile", help="the AWS profile to use (default: the usual chain)")
    scan.add_argument(
        "--endpoint-url",
        metavar="URL",
        help="send every AWS call to this URL, e.g. the local emulator",
    )
    policy = scan.add_mutually_exclusive_group()
    policy.add_argument(
        "--policy",
        metavar="FILE",
        help="the policy document, YAML or JSON (default: the bundled baseline)",
    )
    policy.add_argument(
        "--policy-parameter",
        metavar="NAME",
        help="read the policy from this SSM parameter, as the deployed stack does "
        "(its PolicyParameter output), so the scan and the enforcer apply the same document",
    )
    scan.add_argument(
        "--policy-region",
        metavar="REGION",
        help="with --policy-parameter: the region the parameter is in (default: the "
        "profile's region)",
    )
    scan.add_argument(
        "--endpoint-id",
        action="append",
        dest="endpoint_ids",
        metavar="ID",
        help="only this endpoint; repeat for several (default: every endpoint)",
    )
    _add_rule_selection(scan, rule_help="only this rule of the policy (checks and fixes)")
    scan.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        dest="output_format",
        help="report format (default: table); --plan prints table (text) or json",
    )
    scan.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write the report to FILE instead of stdout, - for stdout (a summary still "
        "goes to stderr)",
    )
    scan.add_argument(
        "--plan",
        action="store_true",
        help="print, per endpoint, the exact calls a remediation would make (operation and "
        "parameters, before -> after, users affected) and change nothing",
    )
    scan.add_argument(
        "--remediate",
        action="store_true",
        help="fix what can be fixed (one ModifyClientVpnEndpoint per endpoint, and the "
        "calls Modify cannot replace), when the policy says mode: enforce; on a terminal, "
        "after showing the plan and asking. Without it the scan only reports",
    )
    scan.add_argument(
        "--override-mode",
        action="store_true",
        help="with --remediate: apply the fixes although the policy says mode: report",
    )
    scan.add_argument(
        "--yes",
        "-y",
        action="store_true",
        help="with --remediate: apply without asking (needed without a terminal, e.g. in CI)",
    )
    scan.add_argument(
        "--ignore-windows",
        action="store_true",
        help="with --remediate or --plan: apply fixes that disconnect users now, even "
        "outside the policy's maintenance windows (disruptive_fixes.when: never still holds)",
    )
    scan.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar on stderr (default: only when stderr is a terminal)",
    )


def _add_check(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    check = commands.add_parser(
        "check",
        parents=[common],
        help="check the Client VPN endpoints that templates, Terraform or a saved estate "
        "declare, before deploy",
        description=(
            "Find every Client VPN endpoint that CloudFormation, SAM or CDK templates, "
            "Terraform plans or .tf files, or a saved describe-client-vpn-endpoints answer "
            "declare, and judge it by the same rules and policy as the enforcer. Nothing is "
            "changed; no AWS call is made."
        ),
        epilog=_CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "paths", nargs="+", metavar="PATH", help="a file, or a folder to search recursively"
    )
    check.add_argument(
        "--policy",
        metavar="FILE",
        help="the policy document, YAML or JSON (default: the bundled baseline)",
    )
    _add_rule_selection(check, rule_help="only this rule of the policy")
    check.add_argument(
        "--format",
        choices=CHECK_FORMATS,
        default="table",
        dest="output_format",
        help="table, json (a versioned document), sarif (SARIF 2.1.0, for GitHub code "
        "scanning) or junit (JUnit XML) (default: table)",
    )
    check.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write to FILE instead of stdout, - for stdout (a summary goes to stderr)",
    )


def _add_rule_selection(command: argparse.ArgumentParser, *, rule_help: str) -> None:
    """``--rule`` and ``--control``, read alike by ``scan`` and ``check``
    (``cli.scan_policy.applied``)."""
    command.add_argument(
        "--rule",
        action="append",
        dest="rules",
        metavar="RULE_ID",
        help=f"{rule_help}; repeat for several",
    )
    command.add_argument(
        "--control",
        action="append",
        dest="controls",
        metavar="ID",
        help="only the policy's rules that serve this compliance control: an id (AC-12, "
        "10.2.1, EC2.51) or a tag (nist-800-53/AC-12), any case; repeat for several; with "
        "--rule, those rules and these (docs/policy.md lists each rule's controls)",
    )


def _add_policy(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    policy = commands.add_parser(
        "policy",
        parents=[common],
        help="check a policy document or print the bundled default",
        description="Work with policy documents.",
    )
    actions = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    validate = actions.add_parser(
        "validate",
        parents=[common],
        help="check policy documents; print every problem and warning with its key path",
        description=(
            "Check policy documents (YAML or JSON): every error (the document cannot be used) "
            "and every warning (it can, but part of it will never take effect) of each, in one "
            "pass, each with its key path."
        ),
        epilog=_VALIDATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="a policy document; several are checked one after the other; - reads standard "
        "input (named <stdin> in the output; write ./- for a file named -)",
    )
    validate.add_argument(
        "--format",
        choices=VALIDATE_FORMATS,
        default="text",
        dest="output_format",
        help="text: verdicts on stdout, problems and warnings on stderr; json: one array on "
        "stdout (default: text)",
    )
    actions.add_parser(
        "show-default",
        parents=[common],
        help="print the bundled default policy (a starting point for your own)",
        description="Print the bundled default policy document, exactly as shipped.",
    )
