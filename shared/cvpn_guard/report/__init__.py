"""The compliance report: its models, renderings, SNS notices and split parts, in one place.

``model`` holds the schema (``python -m cvpn_guard.report`` prints it), ``render`` every
readable form, ``notice`` one SNS message, ``publishing`` the notices of a report, ``parts``
the split of a report too large for one message and ``merge_parts``. Import from here.
"""

from __future__ import annotations

from cvpn_guard.notice import Notice
from cvpn_guard.report.model import (
    SCHEMA_ID,
    ComplianceReport,
    EndpointReport,
    NotSwept,
    PolicyRef,
    RegionTrail,
    ReportChange,
    ReportError,
    ReportExemption,
    ReportPart,
    ReportSource,
    ReportSummary,
    build_report,
    json_schema,
    summarize,
)
from cvpn_guard.report.owner import EndpointOwner, endpoint_owner
from cvpn_guard.report.parts import (
    DEFAULT_MAX_PART_BYTES,
    ReportPartsError,
    merge_parts,
    split_report,
)
from cvpn_guard.report.publishing import (
    compose_endpoint_notice,
    needs_notice,
    publish_report,
    report_notices,
    subject_for,
)
from cvpn_guard.report.render import (
    CSV_COLUMNS,
    endpoint_details,
    endpoint_heading,
    finding_text,
    render_csv,
    render_summary,
    render_table,
    short_json,
)

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_MAX_PART_BYTES",
    "SCHEMA_ID",
    "ComplianceReport",
    "EndpointOwner",
    "EndpointReport",
    "NotSwept",
    "Notice",
    "PolicyRef",
    "RegionTrail",
    "ReportChange",
    "ReportError",
    "ReportExemption",
    "ReportPart",
    "ReportPartsError",
    "ReportSource",
    "ReportSummary",
    "build_report",
    "compose_endpoint_notice",
    "endpoint_details",
    "endpoint_heading",
    "endpoint_owner",
    "finding_text",
    "json_schema",
    "merge_parts",
    "needs_notice",
    "publish_report",
    "render_csv",
    "render_summary",
    "render_table",
    "report_notices",
    "short_json",
    "split_report",
    "subject_for",
    "summarize",
]
