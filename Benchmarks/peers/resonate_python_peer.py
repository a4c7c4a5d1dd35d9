# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""The official Resonate Python SDK (resonate-sdk 0.8.1) running the bench's three-step workflow against our
server; prints one JSON object.

    python resonate_python_peer.py --server-binary .build/release/resonate

Starts ``resonate serve`` on a SQLite file in a temporary directory (the same server and store the Swift SDK's
remote figures come from), then measures the latency of one ``ctx.run`` step (timed inside a workflow of
back-to-back steps), the three-step workflow run one at a time, and workflows/s with ``--in-flight`` at once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from importlib.metadata import version

from benchstats import Server, summary

# The length of the workflows inside which steps are timed.
STEPS_PER_WORKFLOW = 10


async def increment(ctx, value: int) -> int:
    return value + 1


async def three_steps(ctx, value: int) -> int:
    one = await ctx.run(increment, value)
    two = await ctx.run(increment, one)
    return await ctx.run(increment, two)


async def step_loop(ctx, count: int) -> list[float]:
    durations = []
    value = 0
    for _ in range(count):
        start = time.perf_counter()
        value = await ctx.run(increment, value)
        durations.append((time.perf_counter() - start) * 1000)
    return durations


async def measure(url: str, args: argparse.Namespace) -> dict:
    from resonate.resonate import Resonate

    resonate = Resonate(url=url, group="bench-python", max_concurrent_tasks=args.in_flight + 64)
    try:
        for function in (increment, three_steps, step_loop):
            resonate.register(function)
        run = uuid.uuid4().hex[:8]
        # A first workflow opens the connections.
        assert await resonate.run(f"py-{run}-warm", three_steps, 0).result() == 3

        # Timed inside workflows of STEPS_PER_WORKFLOW steps, like the Swift bench.
        steps = []
        for index in range(max(1, args.steps // STEPS_PER_WORKFLOW)):
            steps += await resonate.run(
                f"py-{run}-steps-{index}", step_loop, min(STEPS_PER_WORKFLOW, args.steps)
            ).result()
        step = summary(steps[1:] if len(steps) > 10 else steps)

        latencies = []
        for index in range(args.sequential):
            start = time.perf_counter()
            assert await resonate.run(f"py-{run}-seq-{index}", three_steps, index).result() == index + 3
            latencies.append((time.perf_counter() - start) * 1000)

        slots = asyncio.Semaphore(args.in_flight)
        each: list[float] = []

        async def one(index: int) -> None:
            async with slots:
                begun = time.perf_counter()
                assert await resonate.run(f"py-{run}-tp-{index}", three_steps, index).result() == index + 3
                each.append((time.perf_counter() - begun) * 1000)

        start = time.perf_counter()
        await asyncio.gather(*(one(index) for index in range(args.workflows)))
        seconds = time.perf_counter() - start
    finally:
        # As in the interop tests: stopping can wait on connections that never close; do not let it hang the run.
        try:
            await asyncio.wait_for(resonate.stop(), 10)
        except TimeoutError:
            pass
    return {
        "peer": "resonate-python",
        "version": version("resonate-sdk"),
        "step": step,
        "workflow": summary(latencies),
        "throughput": {
            "workflows": args.workflows,
            "inFlight": args.in_flight,
            "seconds": seconds,
            "workflowsPerSecond": args.workflows / seconds,
            "latency": summary(each),
        },
    }


async def measure_long(url: str, server: Server, lengths: list[int]) -> dict:
    """One workflow of n back-to-back steps for each n: the cost per step and the server's CPU per fence as n grows.

    Every answer to a fence carries the workflow's whole branch (PROTOCOL §3.7) to this SDK, so its client cost grows
    with n; what this server spends per fence is the figure that must stay flat.
    """
    from resonate.resonate import Resonate

    resonate = Resonate(url=url, group="bench-python-long")
    rows = []
    try:
        resonate.register(increment)
        resonate.register(step_loop)
        run = uuid.uuid4().hex[:8]
        await resonate.run(f"py-{run}-long-warm", step_loop, 5).result()
        for position, n in enumerate(lengths):
            # Short workflows run several times, so that every length spends enough server CPU for /proc's 10 ms
            # ticks to measure it to a few percent.
            runs = max(1, 1600 // n)
            server_user, server_system = server.cpu_times()
            client_cpu = time.process_time()
            start = time.perf_counter()
            for index in range(runs):
                # The position keeps a length named twice (before and after a long one, say) from attaching
                # to the finished workflows of its first measurement.
                await resonate.run(f"py-{run}-long-{position}-{n}-{index}", step_loop, n).result()
            seconds = time.perf_counter() - start
            steps = n * runs
            user, system = server.cpu_times()
            # A step is two fences: its promise's creation and its settlement.
            fences = 2 * steps
            rows.append(
                {
                    "n": n,
                    "runs": runs,
                    "seconds": seconds / runs,
                    "msPerStep": seconds * 1000 / steps,
                    "clientCpuMsPerStep": (time.process_time() - client_cpu) * 1000 / steps,
                    "serverCpuMsPerFence": (user - server_user + system - server_system) * 1000 / fences,
                    # The split: the server's own work, and the kernel's (mostly sending the answers, whose preload
                    # grows with n, over loopback TCP).
                    "serverUserCpuMsPerFence": (user - server_user) * 1000 / fences,
                    "serverSystemCpuMsPerFence": (system - server_system) * 1000 / fences,
                }
            )
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    finally:
        try:
            await asyncio.wait_for(resonate.stop(), 10)
        except TimeoutError:
            pass
    return {"peer": "resonate-python", "version": version("resonate-sdk"), "sequentialSteps": rows}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server-binary", required=True, help="the resonate executable")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--sequential", type=int, default=300)
    parser.add_argument("--workflows", type=int, default=3000)
    parser.add_argument("--in-flight", type=int, default=1000)
    parser.add_argument(
        "--long-steps",
        help="only this: one workflow of n sequential steps for each comma-separated n (e.g. 50,200,800,1600)",
    )
    args = parser.parse_args()
    server_cpus = None
    available = sorted(os.sched_getaffinity(0))
    if args.long_steps and len(available) >= 2:
        # The server on one processor and this SDK on another: the SDK's parsing, which grows with n, would
        # otherwise share the server's processor and inflate the server CPU time measured per fence as n grows.
        server_cpus = {available[0]}
        os.sched_setaffinity(0, set(available[1:]))
    server = Server(args.server_binary, cpus=server_cpus)
    try:
        if args.long_steps:
            lengths = [int(n) for n in args.long_steps.split(",")]
            result = asyncio.run(measure_long(server.url, server, lengths))
        else:
            result = asyncio.run(measure(server.url, args))
    finally:
        server.stop()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
