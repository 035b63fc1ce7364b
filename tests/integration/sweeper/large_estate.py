"""A large estate with a known mix, seeded straight into the emulator's backend.

Creating 1,500 endpoints through HTTP takes about 20 s (moto serializes every call); the
emulator server runs in the test process, so seeding through its Python backend takes under
a second and the scans under test still read everything back through HTTP and the real
DescribeClientVpnEndpoints paginator.

Every endpoint's kind follows from its index, so the expected report is known exactly.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.estate import seed_endpoint

ACCOUNT = "123456789012"  # moto's default account, what STS GetCallerIdentity answers
REGIONS = ("eu-west-1", "us-east-1")
SIZES: Mapping[str, int] = {"eu-west-1": 800, "us-east-1": 700}
# The smallest estate whose every region still takes more than one page (the sweep and the
# scan list 200 endpoints a DescribeClientVpnEndpoints call, cvpn_guard.aws.ec2): what fixes
# endpoints (four calls each) or loses a region proves its paging at this size, and SIZES is
# the one large estate each behaviour also runs on.
PAGED_SIZES: Mapping[str, int] = {"eu-west-1": 240, "us-east-1": 280}

BANNER = "Authorized use only. Activity on this VPN is monitored."
OLD_BANNER = "Welcome!"

# One cycle of 40 endpoints: 35 compliant, 4 drifted in different ways, 1 exempt. Drift is
# kept to 10%: each fix costs the emulator four calls, and this estate is swept often.
CYCLE = 40
DRIFT: Mapping[int, tuple[str, dict[str, Any], frozenset[str]]] = {
    35: ("timeout", {"SessionTimeoutHours": 24}, frozenset({"session-timeout"})),
    36: (
        "disconnect",
        {"DisconnectOnSessionTimeout": False},
        frozenset({"disconnect-on-session-timeout"}),
    ),
    37: (
        "banner-portal",
        {"ClientLoginBannerOptions": {"Enabled": False}, "SelfServicePortal": "enabled"},
        frozenset({"login-banner", "self-service-portal"}),
    ),
    38: (
        "three-rules",
        {
            "SessionTimeoutHours": 24,
            "DisconnectOnSessionTimeout": False,
            "ClientLoginBannerOptions": {"Enabled": True, "BannerText": OLD_BANNER},
        },
        frozenset({"session-timeout", "disconnect-on-session-timeout", "login-banner"}),
    ),
}
EXEMPT_SLOT = 39
EXEMPT_SETTINGS: Mapping[str, Any] = {
    "SessionTimeoutHours": 24,
    "ClientLoginBannerOptions": {"Enabled": False},
}
EXEMPT_RULES = ("session-timeout", "login-banner")


def compliant_settings() -> dict[str, Any]:
    """Settings that satisfy ``policy_text``."""
    return {
        "SessionTimeoutHours": 12,
        "DisconnectOnSessionTimeout": True,
        "ClientLoginBannerOptions": {"Enabled": True, "BannerText": BANNER},
        "SelfServicePortal": "disabled",
    }


@dataclass
class EstateTruth:
    """What was seeded: the counts a correct report must show."""

    regions: dict[str, int] = field(default_factory=dict)
    compliant: int = 0
    drifted: int = 0
    exempt: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    exempt_ids: list[str] = field(default_factory=list)
    drifted_ids: set[str] = field(default_factory=set)
    ids_by_kind: dict[str, list[str]] = field(default_factory=dict)
    per_region: dict[str, EstateTruth] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Every endpoint seeded."""
        return sum(self.regions.values())


def seed_large_estate(sizes: Mapping[str, int] = SIZES) -> EstateTruth:
    """Create the estate in the in-process emulator and return its truth."""
    truth = EstateTruth()
    for region, size in sizes.items():
        regional = EstateTruth(regions={region: size})
        truth.regions[region] = size
        truth.per_region[region] = regional
        for index in range(size):
            slot = index % CYCLE
            if slot in DRIFT:
                kind, changes, rules = DRIFT[slot]
                endpoint_id = seed_endpoint(
                    region, f"{region}-{index:04d}-{kind}", **(compliant_settings() | changes)
                )
                for target in (truth, regional):
                    target.drifted += 1
                    target.by_rule.update(rules)
                    target.drifted_ids.add(endpoint_id)
                    target.ids_by_kind.setdefault(kind, []).append(endpoint_id)
            elif slot == EXEMPT_SLOT:
                endpoint_id = seed_endpoint(
                    region,
                    f"{region}-{index:04d}-lab",
                    **(compliant_settings() | dict(EXEMPT_SETTINGS)),
                )
                for target in (truth, regional):
                    target.exempt += 1
                    target.exempt_ids.append(endpoint_id)
            else:
                seed_endpoint(region, f"{region}-{index:04d}-ok", **compliant_settings())
                for target in (truth, regional):
                    target.compliant += 1
    return truth


def policy_text(truth: EstateTruth, *, mode: str = "enforce") -> str:
    """A policy whose every rule can be fixed, with one exemption per exempt endpoint.

    JSON (a policy may be YAML or JSON) keeps 80 exemptions cheap to write.
    """
    document = {
        "version": 1,
        "mode": mode,
        "rules": {
            "disconnect-on-session-timeout": {"required": True},
            "session-timeout": {"max_hours": 12},
            "login-banner": {"required": True, "text": BANNER},
            "self-service-portal": {"allowed": False},
        },
        "exemptions": [
            {
                "endpoint_id": endpoint_id,
                "rules": list(EXEMPT_RULES),
                "reason": "LAB-7: load-test rig",
            }
            for endpoint_id in truth.exempt_ids
        ],
    }
    return json.dumps(document, indent=1)


def write_policy(directory: Path, truth: EstateTruth, *, mode: str = "enforce") -> Path:
    """Write ``policy_text`` to ``directory/policy.json``."""
    path = directory / "policy.json"
    path.write_text(policy_text(truth, mode=mode), encoding="utf-8")
    return path


def assert_report_matches(report: Mapping[str, Any], truth: EstateTruth, *, enforced: bool) -> None:
    """The report's summary equals the seeded truth (report or enforce mode)."""
    summary = report["summary"]
    assert summary["endpoints"] == truth.total
    assert summary["exempt"] == truth.exempt
    assert summary["compliant"] == truth.compliant
    assert summary["remediated"] == (truth.drifted if enforced else 0)
    assert summary["non_compliant"] == (0 if enforced else truth.drifted)
    assert summary["remediation_failed"] == 0
    assert summary["by_rule"] == dict(sorted(truth.by_rule.items()))
    assert Counter(e["region"] for e in report["endpoints"]) == Counter(truth.regions)
