"""What the bench reads of the template (tracing), of the machine and of its load."""

from __future__ import annotations

import time
from typing import Any

import pytest
from cvpn_devkit.cfn import TemplateError

from benchmarks.deployed_tracing import deployed_tracing
from benchmarks.load import REST, LoadWatch, rested
from benchmarks.machine import cpu_model, memory_gib


def _template(
    *, globals_: dict[str, Any], own: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "Globals": {"Function": globals_},
        "Resources": {
            "EnforcerFunction": {"Type": "AWS::Serverless::Function", "Properties": own or {}}
        },
        **extra,
    }


def test_tracing_active_in_globals_gives_a_sampled_trace_header() -> None:
    tracing = deployed_tracing("EnforcerFunction", _template(globals_={"Tracing": "Active"}))

    assert tracing.mode == "Active"
    assert tracing.environment["_X_AMZN_TRACE_ID"].endswith("Sampled=1")
    assert tracing.label() == "Tracing Active"


def test_a_tracing_parameter_is_read_at_its_default() -> None:
    # Given Tracing taken from a parameter that defaults to PassThrough, and
    # POWERTOOLS_TRACE_DISABLED set by a condition on it
    template = _template(
        globals_={
            "Tracing": {"Ref": "Tracing"},
            "Environment": {
                "Variables": {
                    "POWERTOOLS_TRACE_DISABLED": {"Fn::If": ["TracingOff", "true", "false"]},
                    "POWERTOOLS_LOG_LEVEL": "INFO",
                }
            },
        },
        Parameters={"Tracing": {"Type": "String", "Default": "PassThrough"}},
        Conditions={"TracingOff": {"Fn::Equals": [{"Ref": "Tracing"}, "PassThrough"]}},
    )

    # When the enforcer's deployed tracing is read
    tracing = deployed_tracing("EnforcerFunction", template)

    # Then it is PassThrough, unsampled, with the template's tracing variable and no other
    assert tracing.mode == "PassThrough"
    assert tracing.environment == {
        "_X_AMZN_TRACE_ID": tracing.environment["_X_AMZN_TRACE_ID"],
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    assert tracing.environment["_X_AMZN_TRACE_ID"].endswith("Sampled=0")
    assert tracing.label() == "Tracing PassThrough, POWERTOOLS_TRACE_DISABLED=true"


def test_a_functions_own_tracing_wins_over_globals() -> None:
    template = _template(globals_={"Tracing": "Active"}, own={"Tracing": "PassThrough"})

    assert deployed_tracing("EnforcerFunction", template).mode == "PassThrough"


def test_no_tracing_anywhere_is_lambdas_default_pass_through() -> None:
    assert deployed_tracing("EnforcerFunction", _template(globals_={})).mode == "PassThrough"


def test_a_tracing_mode_lambda_lacks_is_refused() -> None:
    with pytest.raises(TemplateError, match="Lambda takes"):
        deployed_tracing("EnforcerFunction", _template(globals_={"Tracing": "On"}))


def test_an_unknown_function_is_refused() -> None:
    with pytest.raises(TemplateError, match="no resource SweeperFunction"):
        deployed_tracing("SweeperFunction", _template(globals_={}))


def test_the_real_template_names_a_mode_for_each_function() -> None:
    for function in ("EnforcerFunction", "SweeperFunction", "SweepWorkerFunction"):
        assert deployed_tracing(function).mode in ("Active", "PassThrough")


def test_the_cpu_model_comes_from_model_name_else_arms_part_numbers() -> None:
    assert cpu_model("processor\t: 0\nmodel name\t: AMD EPYC 7R13\n") == "AMD EPYC 7R13"
    arm = "processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: 0xd0c\n"
    assert cpu_model(arm) == "ARM implementer 0x41 part 0xd0c"
    assert cpu_model("") == "unknown"


def test_memory_is_memtotal_in_gib() -> None:
    assert memory_gib("MemTotal:        3997696 kB\nMemFree: 1 kB\n") == 3.8
    with pytest.raises(ValueError, match="MemTotal"):
        memory_gib("MemFree: 1 kB\n")


def test_the_load_watch_keeps_each_sections_largest_sample_and_the_paired_max() -> None:
    # Given load samples that rise in the sweep (the bench's own processes) but not before
    samples = iter([0.2, 0.3, 0.5, 0.4, 1.9])
    watch = LoadWatch(sample=lambda: next(samples), every=60)

    # When a paired section and the sweep are watched
    with watch.section("cold start"):
        pass
    with watch.section("sweep"):
        pass
    watch.sections["first invocation"] = 0.6

    # Then each section keeps its largest sample, and the paired max ignores the sweep's
    assert watch.sections == {"cold start": 0.5, "sweep": 1.9, "first invocation": 0.6}
    assert watch.paired_max == 0.6
    assert watch.record()["one_minute_at_start"] == 0.2


def test_a_rested_run_sleeps_as_long_again_as_it_ran() -> None:
    # Given a run that takes a measurable moment and a sleep that only records
    slept: list[float] = []

    def run() -> str:
        time.sleep(0.02)
        return "done"

    # When it is run rested
    result = rested(run, sleep=slept.append)

    # Then its result comes back and the rest was as long as the run (REST = 1)
    assert result == "done"
    assert len(slept) == 1
    assert 0.02 <= slept[0] < 1.0
    assert REST == 1.0
