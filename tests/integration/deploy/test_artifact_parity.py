"""Deploy parity: the artifact Lambda runs, run as Lambda runs it, end to end over HTTP.

The layer and both functions are built in SAM's layout from the locked runtime requirements only
(``cvpn_devkit/artifact.py``), then each handler is imported and invoked in a fresh isolated
interpreter (``-I -S``: the function folder, the layer's ``python/`` and the standard library;
Python 3.12 where the machine has it, as the template declares) with the environment template.yaml
gives it, against the emulator served over HTTP. Nothing of the dev environment is reachable, so
a runtime dependency missing from the layer fails here with the module named.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import boto3
import pytest
import yaml

from cvpn_emulator.control import EmulatorControl
from cvpn_guard.aws.sweep_runs import DynamoSweepRuns
from cvpn_guard.org_sweep.work import plan
from tests.support.artifact import (
    LAYER_REQUIREMENTS,
    Artifact,
    build_artifact,
    isolated_process,
    runtime_interpreter,
)
from tests.support.estate import (
    create_endpoint,
    create_state_table,
    received_notices,
    subscribe_queue,
)
from tests.support.events import (
    ENFORCER_ROLE_ARN,
    SWEEPER_ROLE_ARN,
    load_event,
    load_scheduled_event,
)
from tests.support.template import source_template, transformed_template

pytestmark = pytest.mark.server

ACCOUNT = "123456789012"
REGION = "eu-west-1"
STACK = "cvpn-guard"
FUNCTIONS = {
    "enforcer": ("EnforcerFunction", f"{STACK}-enforcer"),
    "sweeper": ("SweeperFunction", f"{STACK}-sweeper"),
    "sweep_worker": ("SweepWorkerFunction", f"{STACK}-sweep-worker"),
}


@pytest.fixture(scope="module")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Artifact:
    python, _ = runtime_interpreter()
    return build_artifact(tmp_path_factory.mktemp("artifact"), python)


@pytest.fixture
def xray_daemon() -> Iterator[socket.socket]:
    """A UDP socket on loopback standing in for the X-Ray daemon Lambda runs beside functions."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as daemon:
        daemon.bind(("127.0.0.1", 0))
        daemon.settimeout(0.5)
        yield daemon


@pytest.fixture
def stack(emulator_url: str) -> dict[str, Any]:
    """What `sam deploy` would have created around the functions, on the emulator."""
    EmulatorControl(emulator_url).reset()
    clients = {
        name: boto3.client(name, region_name=REGION, endpoint_url=emulator_url)
        for name in ("ec2", "sns", "sqs", "ssm", "dynamodb")
    }
    topic_arn, queue_url = subscribe_queue(clients["sns"], clients["sqs"])
    policy = source_template()["Resources"]["PolicyParameter"]["Properties"]["Value"]
    parameter = f"/{STACK}/policy"
    clients["ssm"].put_parameter(Name=parameter, Value=policy, Type="String")
    return {
        "clients": clients,
        "queue_url": queue_url,
        "policy": (parameter, policy),
        "resolved": {
            "POLICY_PARAMETER": parameter,
            "NOTIFICATION_TOPIC_ARN": topic_arn,
            "STATE_TABLE_NAME": create_state_table(clients["dynamodb"]),
            "LOOP_GUARD_ROLE_ARNS": f"{ENFORCER_ROLE_ARN},{SWEEPER_ROLE_ARN}",
            # The default parameters deploy single-account mode (OrganizationId empty).
            "MEMBER_ROLE_NAME": "",
            "SWEEP_QUEUE_URL": "",
        },
    }


def _parameter_values(overrides: dict[str, str]) -> dict[str, str]:
    """Each template parameter's default, or the value a test deploys it with."""
    parameters = source_template()["Parameters"]
    unknown = set(overrides) - set(parameters)
    assert not unknown, f"template.yaml has no parameter {unknown}"
    return {name: str(p.get("Default", "")) for name, p in parameters.items()} | overrides


def _condition(name: str, values: dict[str, str]) -> bool:
    # The conditions an environment variable depends on compare a parameter with a literal.
    (operands,) = source_template()["Conditions"][name].values()
    reference, literal = operands
    return values[reference["Ref"]] == literal


def lambda_environment(
    function: str,
    stack: dict[str, Any],
    emulator_url: str,
    workdir: Path,
    xray_port: int,
    *,
    parameters: dict[str, str] | None = None,
) -> dict[str, str]:
    """The function's variables from template.yaml, plus what the Lambda runtime sets.

    A literal is taken as written, a parameter reference as the parameter's default (or its
    value in ``parameters``), an ``Fn::If`` on a parameter's condition as that value selects,
    and a reference to a resource as the one ``stack`` created; anything else fails the test,
    so a variable added to the template cannot go untested here.
    """
    logical_id, name = FUNCTIONS[function]
    template = transformed_template()
    values = _parameter_values(parameters or {})
    variables = template["Resources"][logical_id]["Properties"]["Environment"]["Variables"]
    environment: dict[str, str] = {}
    for variable, written in variables.items():
        value = written
        if isinstance(value, dict) and "Fn::If" in value and variable not in stack["resolved"]:
            condition, when_true, when_false = value["Fn::If"]
            value = when_true if _condition(condition, values) else when_false
        if isinstance(value, str):
            environment[variable] = value
        elif isinstance(value, dict) and value.get("Ref") in values:
            environment[variable] = values[value["Ref"]]
        elif variable in stack["resolved"]:
            environment[variable] = stack["resolved"][variable]
        else:
            pytest.fail(f"template.yaml sets {variable} to {value}: teach this test its value")
    return {
        **environment,
        # The Lambda runtime's own variables (what Powertools and the X-Ray SDK look at).
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "LAMBDA_TASK_ROOT": str(workdir),
        "_HANDLER": "app.lambda_handler",
        "_X_AMZN_TRACE_ID": "Root=1-674a1b2c-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1",
        "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{xray_port}",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        # Test-only: AWS is the emulator; no developer configuration; the runner's context.
        "AWS_ENDPOINT_URL": emulator_url,
        "HOME": str(workdir),
        "AWS_CONFIG_FILE": str(workdir / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(workdir / "no-aws-credentials"),
        "FUNCTION_ARN": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}",
    }


def invoke(
    artifact: Artifact,
    function: str,
    event: dict[str, Any],
    environment: dict[str, str],
    workdir: Path,
) -> dict[str, Any]:
    outcome = isolated_process(artifact).outcome(
        artifact.function(function), event, environment, workdir
    )
    assert "error" not in outcome, (
        f"the built {function} failed on {outcome['python']} ({outcome['executable']}): "
        f"{outcome['error']}\n{outcome['traceback']}\nstderr:\n{outcome['stderr'][-4000:]}"
    )
    assert outcome["foreign_modules"] == [], "imported from outside the artifact"
    return outcome


class RunBuilt(Protocol):
    """(function, event, template parameters) -> the built function's outcome, run as Lambda
    would run it."""

    def __call__(
        self, function: str, event: dict[str, Any], parameters: dict[str, str] | None = None
    ) -> dict[str, Any]: ...


@pytest.fixture
def run_built(
    artifact: Artifact,
    stack: dict[str, Any],
    emulator_url: str,
    tmp_path: Path,
    xray_daemon: socket.socket,
) -> RunBuilt:
    """Invoke a built function with the environment template.yaml gives it (its parameters'
    defaults, or the values a test deploys with), with an X-Ray daemon beside it."""

    def run(
        function: str, event: dict[str, Any], parameters: dict[str, str] | None = None
    ) -> dict[str, Any]:
        port = xray_daemon.getsockname()[1]
        environment = lambda_environment(
            function, stack, emulator_url, tmp_path, port, parameters=parameters
        )
        return invoke(artifact, function, event, environment, tmp_path)

    return run


def enforce_the_stacks_policy(stack: dict[str, Any]) -> None:
    """The operator's opt-in (docs/deploy.md, Roll out safely): the stack's document, mode enforce."""
    parameter, policy = stack["policy"]
    enforcing = policy.replace("\nmode: report", "\nmode: enforce", 1)
    assert enforcing != policy, "the stack's policy no longer says mode: report"
    stack["clients"]["ssm"].put_parameter(
        Name=parameter, Value=enforcing, Type="String", Overwrite=True
    )


def test_built_enforcer_only_reports_under_the_stacks_day_one_policy(
    run_built: RunBuilt, stack: dict[str, Any], xray_daemon: socket.socket
) -> None:
    # Given a drifted endpoint and the policy a plain `sam deploy` creates
    ec2 = stack["clients"]["ec2"]
    endpoint_id = create_endpoint(ec2, DisconnectOnSessionTimeout=False)
    event = load_event("create_endpoint_noncompliant", endpoint_id)

    # When the built enforcer handles the event of its creation
    outcome = run_built("enforcer", event)

    # Then it reports the drift and changes nothing
    assert outcome["result"]["status"] == "non_compliant", outcome["result"]
    described = ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])
    assert described["ClientVpnEndpoints"][0]["DisconnectOnSessionTimeout"] is False
    # And, with the template's default Tracing (PassThrough), no X-Ray segment was sent
    with pytest.raises(TimeoutError):
        xray_daemon.recv(65536)


def test_built_enforcer_remediates_a_created_endpoint_and_notifies(
    run_built: RunBuilt, stack: dict[str, Any], xray_daemon: socket.socket
) -> None:
    # Given a drifted endpoint, created with AWS defaults and DisconnectOnSessionTimeout=false,
    # and the stack's policy switched to enforce
    enforce_the_stacks_policy(stack)
    ec2 = stack["clients"]["ec2"]
    endpoint_id = create_endpoint(ec2, DisconnectOnSessionTimeout=False)
    event = load_event("create_endpoint_noncompliant", endpoint_id)

    # When the built enforcer, deployed with Tracing: Active, handles the real CloudTrail
    # event of its creation
    outcome = run_built("enforcer", event, {"Tracing": "Active"})

    # Then it ended remediated, the endpoint complies, and one SNS notice says so
    assert outcome["result"]["status"] == "remediated", outcome["result"]
    described = ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])
    assert described["ClientVpnEndpoints"][0]["DisconnectOnSessionTimeout"] is True
    notices = received_notices(stack["clients"]["sqs"], stack["queue_url"])
    assert len(notices) == 1, notices
    attributes = {k: v["Value"] for k, v in notices[0]["MessageAttributes"].items()}
    assert attributes["status"] == "remediated"
    assert attributes["endpoint_id"] == endpoint_id
    assert json.loads(notices[0]["Message"])["endpoints"][0]["endpoint_id"] == endpoint_id
    # And tracing ran for real: the X-Ray SDK sent segments to the daemon address
    assert xray_daemon.recv(65536)


def test_built_enforcer_reads_window_time_zones_from_the_layers_tzdata(
    artifact: Artifact,
    stack: dict[str, Any],
    emulator_url: str,
    tmp_path: Path,
    xray_daemon: socket.socket,
) -> None:
    # Given the stack's policy in enforce mode with maintenance windows in Berlin and London
    # (when: always: the windows are validated, the fix is not held back)
    policy = yaml.safe_load(
        source_template()["Resources"]["PolicyParameter"]["Properties"]["Value"]
    )
    policy["mode"] = "enforce"
    policy["disruptive_fixes"] = {
        "when": "always",
        "windows": {
            "default": {
                "days": ["sat", "sun"],
                "start": "02:00",
                "end": "05:00",
                "timezone": "Europe/Berlin",
            },
            "emea-weeknights": {
                "days": ["mon", "fri"],
                "start": "22:00",
                "end": "23:30",
                "timezone": "Europe/London",
            },
        },
    }
    ssm = stack["clients"]["ssm"]
    parameter = stack["resolved"]["POLICY_PARAMETER"]
    ssm.put_parameter(Name=parameter, Value=yaml.safe_dump(policy), Type="String", Overwrite=True)
    # And a runtime whose time zone path leads nowhere: only the layer's tzdata can answer
    nowhere = tmp_path / "no-zoneinfo"
    nowhere.mkdir()
    ec2 = stack["clients"]["ec2"]
    endpoint_id = create_endpoint(ec2, DisconnectOnSessionTimeout=False)
    port = xray_daemon.getsockname()[1]
    environment = lambda_environment("enforcer", stack, emulator_url, tmp_path, port)
    environment["PYTHONTZPATH"] = str(nowhere)

    # When the built enforcer handles the endpoint's creation
    outcome = invoke(
        artifact,
        "enforcer",
        load_event("create_endpoint_noncompliant", endpoint_id),
        environment,
        tmp_path,
    )

    # Then the policy loaded (its zones found) and the endpoint was remediated
    assert outcome["result"]["status"] == "remediated", outcome["result"]
    # And in that interpreter zoneinfo saw no system database, yet the layer gives Berlin's
    # offsets: 02:00 on the first Saturday of December is UTC+1
    probe = (
        "import json, sys, zoneinfo\n"
        f"sys.path.insert(0, {str(artifact.layer)!r})\n"
        "from datetime import UTC, datetime\n"
        "from cvpn_guard.policy import MaintenanceWindow\n"
        "window = MaintenanceWindow(days=['sat'], start='02:00', end='05:00',"
        " timezone='Europe/Berlin')\n"
        "opening = window.next_opening(datetime(2026, 12, 1, tzinfo=UTC))\n"
        "print(json.dumps({'tzpath': list(zoneinfo.TZPATH), 'start': opening.start.isoformat(),"
        " 'tzdata': sys.modules['tzdata'].__file__}))\n"
    )
    answered = subprocess.run(
        [artifact.python, "-I", "-S", "-c", probe],
        env={"PATH": "/usr/bin:/bin", "PYTHONTZPATH": str(nowhere)},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    seen = json.loads(answered.stdout)
    assert seen["tzpath"] == [str(nowhere)]
    assert seen["start"] == "2026-12-05T02:00:00+01:00"
    assert Path(seen["tzdata"]).is_relative_to(artifact.layer)


def test_built_sweeper_reports_every_endpoint(run_built: RunBuilt, stack: dict[str, Any]) -> None:
    # Given two endpoints, one drifted
    ec2 = stack["clients"]["ec2"]
    create_endpoint(ec2, DisconnectOnSessionTimeout=False)
    create_endpoint(ec2, cidr="10.104.0.0/22")

    # When the built sweeper runs on its schedule
    outcome = run_built("sweeper", load_scheduled_event())

    # Then it evaluated both and published one report that lists both
    assert outcome["result"]["summary"]["endpoints"] == 2, outcome["result"]
    assert outcome["result"]["errors"] == []
    notices = received_notices(stack["clients"]["sqs"], stack["queue_url"])
    assert len(notices) == 1, notices
    assert len(json.loads(notices[0]["Message"])["endpoints"]) == 2


def test_built_sweep_worker_sweeps_its_target_and_merges_the_run(
    run_built: RunBuilt, stack: dict[str, Any]
) -> None:
    # Given an organization sweep run of one target (this account, this region)
    create_endpoint(stack["clients"]["ec2"], DisconnectOnSessionTimeout=False)
    table = stack["resolved"]["STATE_TABLE_NAME"]
    run = plan("run-1", [ACCOUNT], [REGION], started_at=int(time.time()))
    DynamoSweepRuns(stack["clients"]["dynamodb"], table).start(run)
    (item,) = run.items
    body = json.dumps(item.as_message())

    # When the built worker takes the run's only item from the queue
    outcome = run_built("sweep_worker", {"Records": [{"body": body}]})

    # Then it swept the target, merged the run and published its report, with the target's
    # CloudTrail state
    assert outcome["result"] == {"work_items": 1, "merged_runs": ["run-1"]}, outcome["result"]
    notices = received_notices(stack["clients"]["sqs"], stack["queue_url"])
    assert len(notices) == 1, notices
    report = json.loads(notices[0]["Message"])
    assert len(report["endpoints"]) == 1
    assert [(t["account"], t["region"]) for t in report["cloudtrail"]] == [(ACCOUNT, REGION)]


def test_a_runtime_dependency_missing_from_the_layer_fails_with_its_name(
    artifact: Artifact, tmp_path: Path
) -> None:
    # Given the built layer without aws-xray-sdk (the Tracer needs it): a copy of the module's
    # artifact with the package and its metadata removed, what a build from the locked
    # requirements less that line installs (no other locked package requires it, or the
    # installer would have put it back), without a second install and bytecode compile
    assert any(
        line.startswith("aws-xray-sdk==") for line in LAYER_REQUIREMENTS.read_text().splitlines()
    )
    broken = Artifact(tmp_path / "artifact", artifact.python)
    shutil.copytree(artifact.root, broken.root, symlinks=True)
    removed = sorted(broken.layer.glob("aws_xray_sdk*"))
    assert {path.name.partition("-")[0] for path in removed} == {"aws_xray_sdk"}
    assert any(path.name.endswith(".dist-info") for path in removed)
    for path in removed:
        shutil.rmtree(path)

    # When the enforcer is imported from it
    outcome = isolated_process(broken).outcome(
        broken.function("enforcer"), {}, {"PATH": "/usr/bin:/bin"}, tmp_path
    )

    # Then the invocation fails, naming the missing module
    assert outcome["missing_module"] == "aws_xray_sdk", outcome.get("traceback")


def test_the_layer_holds_the_product_only(artifact: Artifact) -> None:
    # Given the layer built from shared/ / Then no demo, emulator, dev tool or test code is in it
    packages = {path.name for path in artifact.layer.iterdir()}
    assert "cvpn_guard" in packages
    assert not {"cvpn_devkit", "cvpn_emulator", "tests", "moto", "pytest"} & packages
    assert not (artifact.layer / "cvpn_guard" / "cli" / "demo").exists()
    sources = "\n".join(p.read_text() for p in (artifact.layer / "cvpn_guard").rglob("*.py"))
    for dev_only in ("FakeLambdaContext", "def apply_plan", "cvpn_emulator", "mock_aws"):
        assert dev_only not in sources, f"{dev_only} is in the layer"


def test_the_artifact_ships_the_bytecode_lambda_could_not_keep(artifact: Artifact) -> None:
    # Given the artifact as built (Lambda mounts it read-only: what it compiles is not kept)
    sources = [
        *(artifact.layer / "cvpn_guard").rglob("*.py"),
        *(artifact.root / "functions").rglob("*.py"),
    ]

    # Then every module of cvpn_guard and of the functions has its bytecode beside it,
    # checked against its source by hash (timestamps do not survive a zip reliably)
    assert sources
    for source in sources:
        compiled = sorted((source.parent / "__pycache__").glob(f"{source.stem}.*.pyc"))
        assert compiled, f"{source} ships without bytecode"
        flags = int.from_bytes(compiled[0].read_bytes()[4:8], "little")
        assert flags == 0b11, f"{compiled[0]} is not a checked-hash pyc"
