"""The organization sweep: one work item per account and region through SQS, one report.

No single invocation loops over the estate: the sweeper only plans and enqueues; each worker
invocation sweeps one account in one region; the last worker to finish merges the results.
"""
