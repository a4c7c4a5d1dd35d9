# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""A worker process: registers one app from apps.py and serves its group.

Prints ``READY <pid>`` once its SSE stream to the server is open, then runs
until SIGTERM/SIGINT (or is killed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from datetime import timedelta

from resonate.resonate import Resonate

from apps import register_app
from harness import sse_watcher, within


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--app", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--pid", required=True)
    parser.add_argument("--ttl", type=float, default=60.0)
    args = parser.parse_args()

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    poll_url = f"{args.url.rstrip('/')}/poll/{args.group}/{args.pid}"
    watcher = sse_watcher()
    watcher.callbacks.append(lambda url: url == poll_url and print(f"READY {args.pid}", flush=True))

    resonate = Resonate(url=args.url, group=args.group, pid=args.pid, ttl=timedelta(seconds=args.ttl))
    register_app(resonate, args.app)
    print(f"started app={args.app} group={args.group} pid={args.pid} ttl={args.ttl}s", flush=True)

    await stop.wait()
    with contextlib.suppress(Exception):
        await within(resonate.stop(), 5, "resonate.stop()")
    print("stopped", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
