"""Whether a CloudTrail trail feeds the enforcer in a region, from what CloudTrail answers."""

from __future__ import annotations

from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.ports import TrailState
from cvpn_guard.sweep import region_trail

LOGGING = TrailState("arn:aws:cloudtrail:eu-west-1:123456789012:trail/org", True)
STOPPED = TrailState("arn:aws:cloudtrail:eu-west-1:123456789012:trail/old", False)
HIDDEN = TrailState("arn:aws:cloudtrail:us-east-1:999999999999:trail/org", None, "AccessDenied")


class Trails:
    def __init__(self, *found: TrailState, error: AwsCallError | None = None) -> None:
        self.found, self.error = list(found), error

    def trails(self) -> list[TrailState]:
        if self.error:
            raise self.error
        return self.found


def test_one_logging_trail_is_enough() -> None:
    trail = region_trail("eu-west-1", Trails(STOPPED, LOGGING, HIDDEN))
    assert trail.logging is True
    assert trail.trails == (LOGGING.arn,)


def test_no_trail_or_only_stopped_ones_means_no_real_time_enforcement() -> None:
    assert region_trail("eu-west-1", Trails()).logging is False
    assert region_trail("eu-west-1", Trails(STOPPED)).logging is False


def test_a_status_that_cannot_be_read_is_unknown_not_absent() -> None:
    # Given an organization trail whose status a member account may not read
    trail = region_trail("eu-west-1", Trails(STOPPED, HIDDEN))
    # Then the region is unknown, with the reason, rather than reported dark
    assert trail.logging is None
    assert "AccessDenied" in str(trail.problem)


def test_cloudtrail_refusing_to_answer_is_unknown_and_never_fails_the_sweep() -> None:
    refused = AwsCallError("DescribeTrails", "AccessDeniedException", "not allowed")
    trail = region_trail("eu-west-1", Trails(error=refused))
    assert trail.logging is None
    assert trail.problem == "AccessDeniedException: not allowed"
