"""Whether a CloudTrail trail is logging in a region (implements ``TrailPort``).

EventBridge receives "AWS API Call via CloudTrail" events only where a trail is logging, so
without one the enforcer never runs in that region: the sweeper says so in its report.
"""

from __future__ import annotations

from typing import Any

from cvpn_guard.aws.errors import aws_call
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.ports import TrailState


class CloudTrailApi:
    """CloudTrail calls for one region; the client is injected (and carries the region)."""

    def __init__(self, cloudtrail: Any) -> None:
        self._cloudtrail = cloudtrail

    def trails(self) -> list[TrailState]:
        """Every trail that records this region's events, with whether it is logging.

        ``includeShadowTrails`` lists the multi-region and organization trails created in
        another region (or the management account) that also cover this one. A trail whose
        status cannot be read (an organization trail seen from a member account) is listed
        with ``logging`` None and the reason.
        """
        with aws_call("DescribeTrails"):
            listed = self._cloudtrail.describe_trails(includeShadowTrails=True)
        found = []
        for trail in listed.get("trailList", []):
            arn = str(trail.get("TrailARN") or trail.get("Name"))
            try:
                with aws_call("GetTrailStatus"):
                    status = self._cloudtrail.get_trail_status(Name=arn)
            except AwsCallError as error:
                found.append(TrailState(arn, None, f"{error.code}: {error.message}"))
                continue
            found.append(TrailState(arn, bool(status.get("IsLogging")), None))
        return found
