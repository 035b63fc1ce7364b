"""The terms a policy is written in: its small vocabularies, its AWS-constrained value types, and
the error one bad key of an options model raises.

They sit below the rules and the policy document (CONTRIBUTING.md, "The dependency order"): a
rule's options are spelt in them, and the document is built from the rules, so neither may own
them. Importing them loads nothing else of cvpn_guard but the endpoint model.
"""
