"""The enforcer function's Logger and Metrics, one of each per process.

Apart from the use case so that the invocation (which decorates the handler with them) and
the enforcing step (loaded only for an event that needs it) share them without importing
each other.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

from cvpn_guard.observability import NAMESPACE

SERVICE = "cvpn-guard-enforcer"
logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
