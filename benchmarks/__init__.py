"""cvpn-guard's benchmarks: ``python -m benchmarks`` (``make bench``) prints one table.

Each section module exposes ``run(...) -> list[Row]``. Every pass/fail figure is a ratio or a
count from the same run (paired), never an absolute time: this is a shared two-core machine, and
timings belong in a record, not in a test that flakes on a busy CI machine.
"""
