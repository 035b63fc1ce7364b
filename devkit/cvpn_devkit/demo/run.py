"""``cvpn-guard demo``'s entry: the emulator, a scratch folder, then one story, single account
(``story.Demo``) or organization (``org_story.OrganizationDemo``).

Apart from both stories so that neither imports the other: the organization story builds on
the single-account one.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from cvpn_devkit.demo import lambdas
from cvpn_devkit.demo.environment import quiet_logs
from cvpn_devkit.demo.org_story import OrganizationDemo
from cvpn_devkit.demo.render import Console
from cvpn_devkit.demo.story import Demo
from cvpn_guard.cli.errors import CliError
from cvpn_guard.cli.exit_codes import ExitCode

INTRO = (
    "Everything below runs on this machine. A local AWS emulator (moto plus cvpn-guard's "
    "Client VPN extension) answers real boto3 calls over HTTP, so the Lambda handlers run "
    "exactly the code they run in AWS. No AWS account or credentials are used."
)


def run_demo(*, stdout: TextIO, stderr: TextIO, org: bool = False) -> int:
    """Run the demo (``org``: the organization deployment's); 0 when every step went as the
    story says."""
    started = time.monotonic()
    _tolerate_unencodable(stdout)
    console = Console(stdout)
    root = lambdas.repository_root()
    running_emulator = _emulator()
    console.title("cvpn-guard demo" + (" --org" if org else ""))
    console.para(INTRO, indent=0)
    ok = True
    with (
        tempfile.TemporaryDirectory(prefix="cvpn-guard-demo-") as scratch,
        quiet_logs(),
        running_emulator() as url,
    ):
        story = (OrganizationDemo if org else Demo)(console, root, url, Path(scratch))
        try:
            ok = story.run()
        finally:
            story.lambdas.close()
    console.line()
    console.line(
        f"Demo finished in {time.monotonic() - started:.1f} s. The emulator is stopped and "
        "nothing was left behind."
    )
    if not ok:
        print("cvpn-guard demo: a step did not go as expected (see above)", file=stderr)
    return int(ExitCode.OK if ok else ExitCode.FINDINGS)


def _tolerate_unencodable(stream: TextIO) -> None:
    # Arrows and check marks on a terminal that cannot show them become "?" rather than a
    # UnicodeEncodeError halfway through the demo.
    reconfigure = getattr(stream, "reconfigure", None)
    if callable(reconfigure):
        reconfigure(errors="replace")


def _emulator() -> Callable[[], Any]:
    try:
        from cvpn_emulator.server import running_emulator
    except ImportError as error:
        raise CliError(
            f"the demo needs the development extras ({error.name} is missing): "
            "run `make demo`, or pip install -e '.[dev]'"
        ) from error
    return running_emulator
