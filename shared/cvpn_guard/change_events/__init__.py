"""The enforcer's use case: one CloudTrail event about an endpoint -> enforced, notified."""
