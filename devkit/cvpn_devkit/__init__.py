"""Development-only tools: the demo, the Lambda harness, the Modify simulator.

Nothing here is deployed: the Lambda layer is built from ``shared/`` alone, and the deploy
parity test checks that the built layer contains none of this package.
"""
