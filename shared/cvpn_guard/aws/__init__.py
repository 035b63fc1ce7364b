"""Adapters: the only modules of cvpn-guard that call boto3. Clients are always injected."""
