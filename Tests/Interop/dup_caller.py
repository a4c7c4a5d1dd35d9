# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""A caller process for the "same id from two processes" scenario.

Registers ``once_only``, prints ``READY <pid>`` when its SSE stream is open,
waits for the go-file (a barrier shared with the other caller), then runs the
given id and prints ``RESULT <json>``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time

from resonate.resonate import Resonate

from apps import once_only, register_app
from harness import sse_watcher, wait_for_async, within


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--pid", required=True)
    parser.add_argument("--id", required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--go", required=True)
    args = parser.parse_args()

    poll_url = f"{args.url.rstrip('/')}/poll/{args.group}/{args.pid}"
    sse_watcher().callbacks.append(lambda url: url == poll_url and print(f"READY {args.pid}", flush=True))

    resonate = Resonate(url=args.url, group=args.group, pid=args.pid)
    register_app(resonate, "dup")
    try:

        async def go() -> bool:
            return os.path.exists(args.go)

        await wait_for_async(go, 30, "the go-file", interval=0.005)
        print(f"GO {time.time():.3f}", flush=True)
        handle = resonate.run(args.id, once_only, args.path, args.token)
        result = await within(handle.result(), 30, f"result of {args.id}")
        print("RESULT " + json.dumps(result), flush=True)
    finally:
        await within(resonate.stop(), 10, "resonate.stop()")


if __name__ == "__main__":
    asyncio.run(main())
