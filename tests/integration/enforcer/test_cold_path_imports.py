"""What a cold enforcer imports: only what the event in hand needs (issue 21).

Each case starts a fresh interpreter with the function and the layer's sources on ``sys.path``
(as Lambda lays them out), invokes the handler once and lists the modules it loaded. A skipped
event must not pay for the policy engine, nor any invocation for a module it never calls.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.events import EVENTS_DIR

REPO = Path(__file__).resolve().parents[3]
ACCOUNT = "123456789012"
# Loaded by an event that is enforced, never by one that is skipped: the rules, the policy and
# report models, the guard, the policy's YAML reader and our clients
# (botocore itself is imported by Powertools, whose package registers its user agent there).
POLICY_ENGINE = (
    "cvpn_guard.endpoint_guard",
    "cvpn_guard.evaluation",
    "cvpn_guard.rules",
    "cvpn_guard.policy.document",
    "cvpn_guard.report",
    "yaml",
    "cvpn_guard.aws.clients",
)
PROBE = """
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import app

class Context:
    invoked_function_arn = sys.argv[3]
    function_name = "cvpn-guard-enforcer"
    function_version = "$LATEST"
    memory_limit_in_mb = 256
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    def get_remaining_time_in_millis(self):
        return 60_000

with open(sys.argv[4]) as file:
    result = app.lambda_handler(json.load(file), Context())
print(json.dumps({"result": result, "modules": sorted(sys.modules)}))
"""


def _cold_invocation(event: str, tmp_path: Path, **extra: str) -> dict[str, object]:
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_LAMBDA_FUNCTION_NAME": "cvpn-guard-enforcer",
        "POWERTOOLS_SERVICE_NAME": "cvpn-guard-enforcer",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "CvpnGuard",
        "ENFORCEMENT_MODE": "document",
        "LOOP_GUARD_ROLE_ARNS": f"arn:aws:iam::{ACCOUNT}:role/cvpn-guard-EnforcerRole",
        **extra,
    }
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            PROBE,
            str(REPO / "functions" / "enforcer"),
            str(REPO / "shared"),
            f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:cvpn-guard-enforcer",
            str(EVENTS_DIR / event),
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    outcome: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return outcome


def _loaded(modules: object, prefix: str) -> bool:
    assert isinstance(modules, list)
    return any(name == prefix or name.startswith(prefix + ".") for name in modules)


def test_a_skipped_event_loads_no_policy_engine_and_no_aws_client(tmp_path: Path) -> None:
    # Given a cold enforcer, When its first event is its own ModifyClientVpnEndpoint
    outcome = _cold_invocation("modify_endpoint_by_enforcer.json", tmp_path)

    # Then it skipped the event without importing the rules, the models, YAML or botocore
    assert outcome["result"] == {
        "status": "skipped",
        "reason": "own_change",
        "detail": outcome["result"]["detail"],  # type: ignore[index]
    }
    loaded = [name for name in POLICY_ENGINE if _loaded(outcome["modules"], name)]
    assert loaded == [], "a skipped event paid for the policy engine"


def test_an_enforced_event_loads_the_policy_engine_when_it_needs_it(
    tmp_path: Path, emulator_url: str
) -> None:
    # Given a cold enforcer beside the emulator, which has no such endpoint
    # When a user's ModifyClientVpnEndpoint arrives
    outcome = _cold_invocation(
        "modify_endpoint_by_user.json", tmp_path, AWS_ENDPOINT_URL=emulator_url
    )

    # Then it described the endpoint (gone) through the policy engine, loaded on demand
    assert outcome["result"]["status"] == "endpoint_gone"  # type: ignore[index]
    missing = [name for name in POLICY_ENGINE if not _loaded(outcome["modules"], name)]
    assert missing == [], "the list above no longer names what enforcing loads"
    # and, with SECURITY_HUB off, not Security Hub's finding mapping
    assert not _loaded(outcome["modules"], "cvpn_guard.security_hub.export")


def test_the_aws_clients_load_no_policy_engine() -> None:
    # Given a fresh interpreter, When it imports the module every function's clients come from
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); import cvpn_guard.aws.clients; "
            "print(sorted(m for m in sys.modules if m.startswith(('cvpn_guard', 'pydantic'))))",
            str(REPO / "shared"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    # Then it loaded the adapter and the trimmed models' loader, and nothing of the engine
    loaded = done.stdout.strip()
    for module in ("cvpn_guard.endpoint", "cvpn_guard.rules", "cvpn_guard.extra_reads", "pydantic"):
        assert f"'{module}'" not in loaded, f"creating a client imports {module}"
