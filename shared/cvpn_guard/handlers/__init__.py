"""Each Lambda function's body, one module per function (``functions/*/app.py`` only decorate
and call it): ``enforcer`` (a CloudTrail event about an endpoint), ``sweeper`` (the schedule:
every endpoint of every region, or the organization's fan-out), ``sweep_worker`` (one member
account in one region of an organization sweep). The use cases they run are in
``change_events/``, ``sweep``, ``sweeper/`` and ``org_sweep/``.
"""
