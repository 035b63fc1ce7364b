"""The sweeper's use case: report (and in enforce mode fix) every endpoint on a schedule."""
