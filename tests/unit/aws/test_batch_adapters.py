"""Batch adapters: requests of at most the API's batch size; refused entries are failures."""

from __future__ import annotations

from typing import Any

import pytest

from cvpn_guard.aws.security_hub import SecurityHubFindings
from cvpn_guard.aws.sweep_queue import SweepQueue
from cvpn_guard.exceptions import AwsCallError


class FakeSqs:
    def __init__(self, refuse: bool = False) -> None:
        self.batches: list[list[dict[str, Any]]] = []
        self.refuse = refuse

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.batches.append(Entries)
        if self.refuse:
            return {"Failed": [{"Id": "0", "Code": "KMS.AccessDenied", "Message": "no key"}]}
        return {"Successful": [{"Id": e["Id"]} for e in Entries]}


class FakeHub:
    def __init__(self) -> None:
        self.imports: list[int] = []
        self.updates: list[tuple[str, int]] = []

    def batch_import_findings(self, Findings: list[dict[str, Any]]) -> dict[str, Any]:
        self.imports.append(len(Findings))
        return {"FailedCount": 0, "SuccessCount": len(Findings), "FailedFindings": []}

    def batch_update_findings(self, **request: Any) -> dict[str, Any]:
        self.updates.append((request["Workflow"]["Status"], len(request["FindingIdentifiers"])))
        return {"ProcessedFindings": request["FindingIdentifiers"], "UnprocessedFindings": []}


def test_work_items_go_ten_per_request() -> None:
    sqs = FakeSqs()
    SweepQueue(sqs, "https://queue").send([{"n": n} for n in range(23)])
    assert [len(batch) for batch in sqs.batches] == [10, 10, 3]


def test_a_refused_work_item_fails_the_fan_out() -> None:
    with pytest.raises(AwsCallError) as raised:
        SweepQueue(FakeSqs(refuse=True), "https://queue").send([{"n": 1}])
    assert (raised.value.operation, raised.value.code) == ("SendMessageBatch", "KMS.AccessDenied")


def test_findings_and_workflow_changes_go_a_hundred_per_request() -> None:
    hub = FakeHub()
    adapter = SecurityHubFindings(hub)
    imported = adapter.import_findings([{"Id": str(n), "ProductArn": "p"} for n in range(250)])
    resolved = adapter.set_workflow("RESOLVED", [(str(n), "p") for n in range(125)])
    assert hub.imports == [100, 100, 50]
    assert hub.updates == [("RESOLVED", 100), ("RESOLVED", 25)]
    assert (imported.taken, resolved.taken) == (250, 125)
