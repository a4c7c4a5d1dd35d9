# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""A worker of the recovery benchmark: the official Python SDK serving group ``workers`` on one replica.

    python recovery_worker.py --url http://127.0.0.1:PORT --pid w1 --ttl 10

Prints ``READY`` once started; runs until killed.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta

from resonate.resonate import Resonate


def step(ctx, index: int, n: int) -> int:
    return index * 10 + n


async def recovery_workflow(ctx, index: int) -> int:
    """Three steps around two one-second durable sleeps: long enough that a disruption finds many in flight."""
    total = await ctx.run(step, index, 1)
    await ctx.sleep(timedelta(seconds=1))
    total += await ctx.run(step, index, 2)
    await ctx.sleep(timedelta(seconds=1))
    total += await ctx.run(step, index, 3)
    return total


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--pid", required=True)
    parser.add_argument("--ttl", type=float, default=10.0)
    args = parser.parse_args()
    resonate = Resonate(url=args.url, group="workers", pid=args.pid, ttl=timedelta(seconds=args.ttl))
    resonate.register(recovery_workflow)
    resonate.register(step)
    print("READY", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
