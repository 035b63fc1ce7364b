"""One SNS message: subject, readable text, JSON document and filterable attributes.

Pure data: ``cvpn_guard.report.publishing`` composes notices, the SNS adapter only sends them
(``cvpn_guard.ports.NotificationPort``), the enforcer's outbox keeps them as records. It sits
below the ports, which name it, and so outside ``cvpn_guard.report``, which re-exports it: the
ports may not import the report package (CONTRIBUTING.md, "The dependency order").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Notice:
    """One SNS message."""

    subject: str
    text: str
    document: str
    attributes: Mapping[str, str]

    def as_record(self) -> dict[str, Any]:
        """A JSON-safe form for the outbox."""
        return {
            "subject": self.subject,
            "text": self.text,
            "document": self.document,
            "attributes": dict(self.attributes),
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Notice:
        """Rebuild a notice saved with ``as_record``."""
        return cls(
            subject=str(record["subject"]),
            text=str(record["text"]),
            document=str(record["document"]),
            attributes={str(k): str(v) for k, v in dict(record["attributes"]).items()},
        )


def utf8_safe(text: str) -> str:
    """Escape what UTF-8 cannot encode (lone surrogates), so publishing never fails on it."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
