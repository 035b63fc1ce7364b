"""Logging and metric helpers shared by the Lambda entry points (EMF through Powertools)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from cvpn_guard.exceptions import ConfigurationError, PolicyError

if TYPE_CHECKING:
    from cvpn_guard.aws.policy_store import PolicyStore
    from cvpn_guard.policy import Policy

NAMESPACE = "CvpnGuard"


def count(
    metrics: Metrics, name: str, *, dimension: tuple[str, str] | None = None, value: float = 1
) -> None:
    """Add a Count metric; with ``dimension``, also emit it broken down by that dimension."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    if dimension is None:
        return
    # A per-rule / per-reason breakdown needs its own dimension set: one EMF blob each.
    with single_metric(
        name=name,
        unit=MetricUnit.Count,
        value=value,
        namespace=metrics.namespace or NAMESPACE,
        default_dimensions=metrics.default_dimensions,
    ) as metric:
        metric.add_dimension(name=dimension[0], value=dimension[1])


def load_policy_or_alarm(
    store: PolicyStore, *, logger: Logger, metrics: Metrics, consequence: str
) -> Policy:
    """The policy in force; an unusable one is counted (``PolicyInvalid``), logged and raised,
    so the invocation fails and nothing is enforced with a policy nobody meant."""
    try:
        return store.load()
    except (PolicyError, ConfigurationError) as error:
        count(metrics, "PolicyInvalid")
        logger.error(f"policy unusable: {consequence}", extra={"error": str(error)})
        raise
