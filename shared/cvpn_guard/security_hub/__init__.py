"""Verdicts as Security Hub findings (docs/security-hub.md).

``findings``: one endpoint's verdict as ASFF findings (the mapping, pure); ``lifecycle``: which
findings to import, resolve or archive after a run (pure); ``export``: the functions' step that
reads, imports and counts them (through ``cvpn_guard.aws.security_hub``).
"""
