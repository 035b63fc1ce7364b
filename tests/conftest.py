"""Settings every test shares: no real AWS, no X-Ray, quiet Powertools."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from tests.support.examples import CI_PROFILE, in_ci

# Set before any handler module creates its Tracer: tests never talk to X-Ray.
os.environ["POWERTOOLS_TRACE_DISABLED"] = "true"
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "CvpnGuard")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
# Never reach real AWS from a test, whatever the developer's shell has configured.
for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
    os.environ.pop(_name, None)
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"  # moto's fake credentials
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
# moto builds ~2,600 AMIs per EC2 backend (about 0.4 s, again after every reset), in process and
# in the emulator servers the tests start (they inherit this environment); no test needs one.
os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"

# Deterministic property tests: the same examples on every machine, no deadline on a noisy CI.
# Two profiles: "ci" (.ci/run sets HYPOTHESIS_PROFILE=ci) draws every example a test names,
# "local" (any other run) a quarter of them (tests/support/examples.py) and a quarter of
# Hypothesis's default where a test names none.
_DETERMINISTIC = {
    "derandomize": True,
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow],
    "print_blob": True,
}
settings.register_profile(CI_PROFILE, **_DETERMINISTIC)
settings.register_profile("local", max_examples=25, **_DETERMINISTIC)
settings.load_profile(CI_PROFILE if in_ci() else "local")


def pytest_report_header() -> str:
    """Say which interpreter the deploy-parity test runs the built artifact on."""
    from tests.support.artifact import runtime_interpreter

    return f"deploy parity runs the built artifact on {runtime_interpreter()[1]}"
