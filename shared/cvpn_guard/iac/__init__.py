"""The policy before deploy: Client VPN endpoints as files declare them (CloudFormation, SAM,
CDK output, Terraform plans and ``.tf`` files, a saved ``describe-client-vpn-endpoints``),
judged by the same rules and policy as the live ones (``cvpn-guard check``).

Each reader turns its format into :class:`~cvpn_guard.iac.declared.DeclaredEndpoint`: the
Describe item AWS would answer for the endpoint the file creates, with where each value was
written, which were left to a default and which the file cannot resolve.
"""
