"""One AWS call's worst case fits inside the enforcer's timeout, which fits inside the lease.

The chain: a single call (every attempt stalling until its timeouts, every pause as long as
botocore's backoff allows) < the enforcer's Timeout < the endpoint lease; and a renewal of
the lease followed by the write it guards (two calls) < the lease, so a write never outlives
the lease it renewed.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.retries.standard import ExponentialBackoff, RetryContext

from cvpn_guard.aws import clients
from cvpn_guard.aws.clients import worst_case_call_seconds
from cvpn_guard.aws.state_table import LEASE_SECONDS
from cvpn_guard.settings import DEFAULT_MAX_ATTEMPTS
from tests.support.template import source_template


def _template_max_attempts() -> int:
    variables = source_template()["Globals"]["Function"]["Environment"]["Variables"]
    return int(variables["AWS_MAX_ATTEMPTS"])


def _timeout(function: str) -> int:
    timeout: int = source_template()["Resources"][function]["Properties"]["Timeout"]
    return timeout


class _AlwaysThrottling:
    def is_throttling_error_from_context(self, context: Any) -> bool:
        return True


def _botocores_longest_pause(attempt: int) -> float:
    """botocore's own delay before the attempt after ``attempt``, at its longest: the jitter
    at its top (rand() < 1), a throttling error, and a huge x-amz-retry-after header."""
    backoff = ExponentialBackoff(random=lambda: 1.0, throttling_detector=_AlwaysThrottling())
    response = AWSResponse(
        "https://ec2.eu-west-1.amazonaws.com/", 503, {"x-amz-retry-after": "3600000"}, None
    )
    context = RetryContext(
        attempt_number=attempt,
        parsed_response={"Error": {"Code": "RequestLimitExceeded"}},
        http_response=response,
    )
    delay: float = backoff.delay_amount(context)
    return delay


@pytest.mark.parametrize("max_attempts", [1, 2, 5, 8])
def test_the_worst_case_is_botocores_longest_backoff_plus_every_timeout(max_attempts: int) -> None:
    # Given botocore's standard-mode backoff, run at its longest after each failed attempt
    pauses = sum(_botocores_longest_pause(attempt) for attempt in range(1, max_attempts))

    # Then the budget is those pauses plus every attempt's connect and read timeouts
    stalls = max_attempts * (clients.CONNECT_TIMEOUT_SECONDS + clients.READ_TIMEOUT_SECONDS)
    assert worst_case_call_seconds(max_attempts) == pytest.approx(stalls + pauses)


def test_the_clients_use_the_timeouts_the_budget_counts() -> None:
    config = clients.client_config(DEFAULT_MAX_ATTEMPTS)
    assert config.connect_timeout == clients.CONNECT_TIMEOUT_SECONDS
    assert config.read_timeout == clients.READ_TIMEOUT_SECONDS
    # total_max_attempts counts the first try (max_attempts would count retries only)
    assert config.retries == {"mode": "standard", "total_max_attempts": DEFAULT_MAX_ATTEMPTS}


def test_one_call_fits_inside_the_enforcers_timeout_which_fits_inside_the_lease() -> None:
    # Given the deployed retry budget and the enforcer's timeout
    max_attempts = _template_max_attempts()
    call = worst_case_call_seconds(max_attempts)
    enforcer = _timeout("EnforcerFunction")

    # Then a call cannot outlast an enforcer invocation, and an invocation cannot outlast the
    # lease it took (the enforcer holds its leases for the whole change)
    assert max_attempts == DEFAULT_MAX_ATTEMPTS  # the CLI's clients use the same budget
    assert call < enforcer < LEASE_SECONDS, (call, enforcer, LEASE_SECONDS)


def test_a_renewal_and_the_write_it_guards_fit_inside_the_lease() -> None:
    # Given the sweeper and the sweep worker, which run longer than a lease
    call = worst_case_call_seconds(_template_max_attempts())
    assert _timeout("SweeperFunction") > LEASE_SECONDS
    assert _timeout("SweepWorkerFunction") > LEASE_SECONDS

    # Then the lease renewed right before a write (one call) outlives that write (another
    # call), with a second to spare for the whole seconds the lease item stores
    assert 2 * call + 1 < LEASE_SECONDS, (call, LEASE_SECONDS)
