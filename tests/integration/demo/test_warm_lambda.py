"""The demo's warm enforcer: one process answers a burst of events, as Lambda reuses one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cvpn_devkit.demo.lambdas import DemoLambdas
from cvpn_devkit.lambda_process import InvocationFailed

HANDLER = """
import os

CALLS = []  # module state: kept between invocations of one warm environment


def lambda_handler(event, context):
    if event.get("fail"):
        raise ValueError("asked to fail")
    print('{"level": "INFO", "message": "a log line"}')  # the handler's logs: not ours
    CALLS.append(event["n"])
    return {"pid": os.getpid(), "calls": list(CALLS), "name": context.function_name}
"""


@pytest.fixture
def lambdas(tmp_path: Path) -> Iterator[DemoLambdas]:
    # Given a repository whose functions/probe/app.py remembers the events it handled
    (tmp_path / "functions" / "probe").mkdir(parents=True)
    (tmp_path / "functions" / "probe" / "app.py").write_text(HANDLER)
    (tmp_path / "shared").mkdir()
    environment = {"PATH": os.environ.get("PATH", "")}
    demo = DemoLambdas(tmp_path, tmp_path / "scratch", environment)
    yield demo
    demo.close()


def test_a_warm_function_answers_every_invocation_from_one_process(
    lambdas: DemoLambdas, capfd: pytest.CaptureFixture[str]
) -> None:
    # When three events arrive for the warm function
    results = [lambdas.invoke("probe", "probe-fn", {"n": n}, warm=True) for n in (1, 2, 3)]

    # Then one process handled them all, keeping its module state, and a cold
    # invocation gets a process of its own
    assert len({result["pid"] for result in results}) == 1
    assert results[-1]["calls"] == [1, 2, 3]
    assert results[-1]["name"] == "probe-fn"
    cold = lambdas.invoke("probe", "probe-fn", {"n": 4})
    assert cold["calls"] == [4]
    assert cold["pid"] != results[0]["pid"]
    # And the handler's logs stayed out of the demo's terminal
    assert "a log line" not in capfd.readouterr().out


def test_a_handler_that_raises_fails_the_invocation_and_the_process_goes_on(
    lambdas: DemoLambdas,
) -> None:
    # When the handler raises, Then the invocation fails with its error
    with pytest.raises(InvocationFailed, match="ValueError: asked to fail"):
        lambdas.invoke("probe", "probe-fn", {"fail": True}, warm=True)
    # And the same environment answers the next event
    assert lambdas.invoke("probe", "probe-fn", {"n": 1}, warm=True)["calls"] == [1]


def test_new_variables_start_a_new_warm_process(lambdas: DemoLambdas) -> None:
    # Given a warm process / When the function's variables change (the next step's policy)
    first = lambdas.invoke("probe", "probe-fn", {"n": 1}, warm=True)
    lambdas.variables = {"probe-fn": {"POLICY_FILE": "/elsewhere.yaml"}}
    second = lambdas.invoke("probe", "probe-fn", {"n": 2}, warm=True)

    # Then a new environment answers, as Lambda starts one after a configuration change
    assert second["pid"] != first["pid"]
    assert second["calls"] == [2]
