"""Errors of cvpn-guard. Every error says what went wrong and what to do next."""

from __future__ import annotations


class CvpnGuardError(Exception):
    """Base class of every error cvpn-guard raises on purpose."""
