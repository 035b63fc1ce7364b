"""Metric helpers shared by the Lambda entry points (EMF through Powertools)."""

from __future__ import annotations

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

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
