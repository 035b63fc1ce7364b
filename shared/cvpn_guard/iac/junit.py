"""``cvpn-guard check --format junit``: JUnit XML, for CI systems that show test reports.

One ``testsuite`` per file, one ``testcase`` per endpoint and rule the policy checks
(``classname`` the logical id or address, ``name`` the rule id): a ``failure`` for a
violation (``type`` its severity, the text ``file:line``), ``skipped`` for a rule that could
not be evaluated (the message says why). The element and attribute names are those JUnit's
Ant task writes and that CI systems read (``testsuites``/``testsuite``/``testcase``, with
``tests``, ``failures``, ``errors``, ``skipped``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from cvpn_guard.iac.checking import CheckResult, Verdict

SUITES = "cvpn-guard check"
# What XML 1.0 cannot hold even escaped (C0 controls but tab and newlines, surrogates, and
# U+FFFE/U+FFFF): a banner text may carry them, the document must still parse.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def render_junit(result: CheckResult) -> str:
    """The XML document, with its declaration."""
    root = ET.Element("testsuites", name=SUITES)
    by_file: dict[str, list[Verdict]] = {}
    for verdict in result.verdicts:
        by_file.setdefault(verdict.endpoint.file, []).append(verdict)
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for file, verdicts in by_file.items():
        suite = ET.SubElement(root, "testsuite", name=_xml_text(file))
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        for verdict in verdicts:
            for name, value in _cases(suite, verdict).items():
                counts[name] += value
        suite.attrib.update({name: str(value) for name, value in counts.items()})
        suite.set("errors", "0")
        for name, value in counts.items():
            totals[name] += value
    root.attrib.update({name: str(value) for name, value in totals.items()})
    root.set("errors", "0")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _cases(suite: ET.Element, verdict: Verdict) -> dict[str, int]:
    endpoint = verdict.endpoint
    failed = {finding.rule: finding for finding in verdict.findings}
    skipped = {item.rule: item for item in verdict.unevaluated}
    # Findings without a rule of their own (an expired exemption) are cases too.
    rules = list(dict.fromkeys([*verdict.rules_checked, *failed]))
    for rule_id in rules:
        case = ET.SubElement(suite, "testcase", classname=_xml_text(endpoint.name), name=rule_id)
        case.set("file", _xml_text(endpoint.file))
        if rule_id in failed:
            finding = failed[rule_id]
            line = finding.line if finding.line is not None else endpoint.line
            failure = ET.SubElement(
                case, "failure", message=_xml_text(finding.message), type=str(finding.severity)
            )
            where = f"{endpoint.file}:{line}" if line is not None else endpoint.file
            failure.text = _xml_text(where)
        elif rule_id in skipped:
            reason = skipped[rule_id].reason
            ET.SubElement(case, "skipped", message=_xml_text(f"not evaluated: {reason}"))
    return {
        "tests": len(rules),
        "failures": sum(1 for rule_id in rules if rule_id in failed),
        "skipped": sum(1 for rule_id in rules if rule_id not in failed and rule_id in skipped),
    }
