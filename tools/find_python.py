"""Print the path of a working CPython of a given version, or nothing (exit 1) if none is found.

``python3 tools/find_python.py 3.12`` -> ``/root/.pyenv/versions/3.12.1/bin/python3.12``

`sam build` and the deploy-parity test need the interpreter the template's runtime declares
(python3.12). It is often installed without being on PATH under its own name (pyenv keeps it
behind a shim that fails unless selected, uv and distributions keep it in their own folders),
so look where those tools put it and keep the first one that really runs. Standard library only:
the Makefile runs this before any environment exists.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys


def candidates(version: str) -> list[str]:
    """Places a ``python<version>`` executable may be, most specific first."""
    name = f"python{version}"
    found = [shutil.which(name) or ""]
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    found += sorted(glob.glob(os.path.join(pyenv_root, "versions", f"{version}.*", "bin", name)))
    uv_root = os.environ.get(
        "UV_PYTHON_INSTALL_DIR", os.path.expanduser("~/.local/share/uv/python")
    )
    found += sorted(glob.glob(os.path.join(uv_root, f"cpython-{version}.*", "bin", name)))
    found += [f"/usr/local/bin/{name}", f"/usr/bin/{name}"]
    return [path for path in found if path and os.access(path, os.X_OK)]


def working_python(version: str) -> str | None:
    """The real executable of the first candidate that runs and reports ``version``."""
    probe = "import sys; print(sys.executable); print('%d.%d' % sys.version_info[:2])"
    for path in candidates(version):
        try:
            done = subprocess.run(
                [path, "-I", "-c", probe], capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        lines = done.stdout.split()
        if done.returncode == 0 and len(lines) == 2 and lines[1] == version:
            return lines[0]
    return None


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: find_python.py MAJOR.MINOR", file=sys.stderr)
        return 2
    found = working_python(argv[1])
    if found is None:
        return 1
    print(found)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
