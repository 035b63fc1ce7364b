"""Run every benchmark module (``bench_*.py`` in this package) and print its figures."""

from __future__ import annotations

import importlib
import pkgutil
import platform
import sys

import benchmarks


def main() -> int:
    """Run the benchmarks in name order; return a process exit code."""
    print(f"cvpn-guard benchmarks - Python {platform.python_version()} on {platform.machine()}")
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(benchmarks.__path__)
        if info.name.startswith("bench_")
    )
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"\n[{name}] {(module.__doc__ or '').strip().splitlines()[0]}")
        for figure in module.run():
            print(f"  {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
