"""Pydantic models of the CloudTrail record that EventBridge delivers as ``detail``.

Powertools has an EventBridge envelope but no CloudTrail model, so this one is ours. It is
tolerant on purpose: CloudTrail adds fields over time (``inScopeOf`` came with eventVersion
1.11) and every field may be absent on some principal type, so everything is optional and
unknown keys are kept.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class SessionIssuer(_Tolerant):
    type: str | None = None
    arn: str | None = None
    accountId: str | None = None
    userName: str | None = None


class SessionContext(_Tolerant):
    sessionIssuer: SessionIssuer | None = None


class UserIdentity(_Tolerant):
    type: str | None = None
    arn: str | None = None
    accountId: str | None = None
    invokedBy: str | None = None
    sessionContext: SessionContext | None = None


class InScopeOf(_Tolerant):
    credentialsIssuedTo: str | None = None
    issuerType: str | None = None


class CloudTrailRecord(_Tolerant):
    """The ``detail`` of an "AWS API Call via CloudTrail" event, as CloudTrail writes it."""

    eventVersion: str | None = None
    eventID: str | None = None
    eventTime: str | None = None
    eventSource: str | None = None
    eventName: str | None = None
    awsRegion: str | None = None
    recipientAccountId: str | None = None
    userIdentity: UserIdentity | None = None
    inScopeOf: InScopeOf | None = None
    # Kept raw: EC2 wraps them in one request/response key whose name varies.
    requestParameters: dict[str, Any] | None = None
    responseElements: dict[str, Any] | None = None
    errorCode: str | None = None
    errorMessage: str | None = None


class CloudTrailApiCallEvent(EventBridgeModel):
    """EventBridge envelope whose ``detail`` is a CloudTrail record."""

    detail: CloudTrailRecord
