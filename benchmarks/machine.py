"""What machine a run was made on, for results.json and benchmarks/README.md's table."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

CPU_FIELDS = ("model name", "Hardware", "cpu model")  # x86, some ARM kernels, others


def cpu_model(cpuinfo: str) -> str:
    """The CPU's model from the text of /proc/cpuinfo; for ARM kernels that name none, the
    implementer and part numbers; "unknown" when it holds neither."""
    fields: dict[str, str] = {}
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    for key in CPU_FIELDS:
        if fields.get(key):
            return fields[key]
    if fields.get("CPU implementer") and fields.get("CPU part"):
        return f"ARM implementer {fields['CPU implementer']} part {fields['CPU part']}"
    return "unknown"


def memory_gib(meminfo: str) -> float:
    """MemTotal from the text of /proc/meminfo, in GiB."""
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024**2, 1)  # kB
    raise ValueError("no MemTotal in /proc/meminfo")


def _read(path: str) -> str:
    file = Path(path)
    return file.read_text() if file.exists() else ""


def machine() -> dict[str, Any]:
    """Platform, CPU model and count, memory and Python of this machine (Linux: /proc)."""
    meminfo = _read("/proc/meminfo")
    return {
        "platform": platform.platform(),
        "architecture": platform.machine(),
        "cpu_model": cpu_model(_read("/proc/cpuinfo")),
        "cpus": os.cpu_count(),
        "memory_gib": memory_gib(meminfo) if meminfo else None,
        "python": platform.python_version(),
    }
