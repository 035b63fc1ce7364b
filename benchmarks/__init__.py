"""Micro-benchmarks of cvpn-guard: ``python -m benchmarks`` runs them all and prints figures.

Each benchmark module exposes ``run() -> list[Figure]``; figures are printed, not asserted:
timings belong in a record, not in a test that flakes on a busy CI machine.
"""
