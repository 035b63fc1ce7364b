"""``python -m cvpn_emulator --host 127.0.0.1 --port 5000``: moto plus Client VPN."""

from __future__ import annotations

import argparse
import os
import sys

from .server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cvpn_emulator",
        description="Serve moto with the Client VPN extension and the /cvpn-emulator API.",
    )
    parser.add_argument("--host", "-H", default="127.0.0.1", help="address to bind")
    parser.add_argument(
        "--port",
        "-p",
        type=int,
        default=int(os.environ.get("MOTO_PORT", "5000")),
        help="port to listen on (default: $MOTO_PORT or 5000)",
    )
    args = parser.parse_args(argv)
    # moto builds some URLs it hands out (e.g. SQS queue URLs) from MOTO_PORT.
    os.environ.setdefault("MOTO_PORT", str(args.port))
    print(f"cvpn-emulator: serving moto + Client VPN on http://{args.host}:{args.port}")
    try:
        serve(args.host, args.port)
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
