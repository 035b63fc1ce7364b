"""What template.yaml becomes once deployed with given parameter values.

Every test evaluates the template's intrinsic functions (tests/support/template.py: Deployed)
for the parameter values it names, on the template as written and as the SAM translator
expands it: the values IAM, SNS, SQS and KMS will enforce.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.template import (
    PSEUDO_PARAMETERS,
    Deployed,
    source_template,
    transformed_template,
)

ACCOUNT = PSEUDO_PARAMETERS["AWS::AccountId"]
REGION = PSEUDO_PARAMETERS["AWS::Region"]
STACK = PSEUDO_PARAMETERS["AWS::StackName"]

TEMPLATES: dict[str, Callable[[], dict[str, Any]]] = {
    "source": source_template,
    "transformed": transformed_template,
}


@pytest.fixture(params=sorted(TEMPLATES))
def template(request: pytest.FixtureRequest) -> dict[str, Any]:
    return TEMPLATES[request.param]()


# ---- the policy parameter's ARN ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "arn"),
    [
        ("", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/{STACK}/policy"),
        ("/org/cvpn/policy", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/org/cvpn/policy"),
        ("/cvpn-policy", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/cvpn-policy"),
        ("cvpn-policy", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/cvpn-policy"),
    ],
)
def test_policy_can_be_read_whether_or_not_its_name_starts_with_a_slash(
    template: dict[str, Any], name: str, arn: str
) -> None:
    # Given the stack deployed with this PolicyParameterName (empty: the stack's own parameter)
    deployed = Deployed(template, PolicyParameterName=name)

    # When the functions' read grant is evaluated
    statement = deployed.statement("RemediatorPolicy", "ReadPolicy")

    # Then it names exactly the parameter's ARN: "parameter" + "/org/..." for a hierarchical
    # name, "parameter/" + name for a plain one; never "parameter//org/..." (GetParameter denied)
    assert statement["Action"] == "ssm:GetParameter"
    assert statement["Resource"] == arn
    assert "parameter//" not in statement["Resource"]
