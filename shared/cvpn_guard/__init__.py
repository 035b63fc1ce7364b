"""cvpn-guard: keeps AWS Client VPN endpoints inside the org's security policy.

Dependency direction: ``functions/*`` -> ``cvpn_guard`` -> ``cvpn_guard.aws`` -> boto3.
Only ``cvpn_guard.aws`` may import boto3; the policy and rules modules are pure.
"""

__version__ = "0.1.0"
