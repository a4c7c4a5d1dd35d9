# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""How long workflows wait when a replica dies or PostgreSQL restarts mid-run; prints a table and writes JSON.

    python Benchmarks/recovery_bench.py --server-binary .build/release/resonate \\
        --database postgres://postgres@127.0.0.1:5432/recovery_a --database postgres://…/recovery_b \\
        --restart-command "pg_ctl -D … -m immediate restart" --json recovery.json

Each case starts three `resonate serve` replicas on its own database, one official Python SDK worker (0.8.1) on
each replica, and a client on the first, which starts the workflows (three steps around two one-second durable
sleeps) at once. A second later it disrupts the run:

- **replica kill**: `kill -9` of the third replica and of its worker, together;
- **PostgreSQL restart**: the restart command (an immediate restart, as after a crash).

A workflow's *extra wait* is its time to complete minus the median time of undisturbed ones, measured first. The
bound the issue sets is the workers' lease plus 5 s; a message lost for good shows as the task retry timeout (30 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "peers"))

from benchstats import Server  # noqa: E402

PEERS = Path(__file__).resolve().parent / "peers"


class Worker:
    def __init__(self, python: str, url: str, pid: str, ttl: float, directory: Path) -> None:
        self.log_path = directory / f"{pid}.log"
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [python, str(PEERS / "recovery_worker.py"), "--url", url, "--pid", pid, "--ttl", str(ttl)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while "READY" not in self.log_path.read_text(errors="replace"):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"worker {pid} did not start: {self.log_path.read_text(errors='replace')}")
            time.sleep(0.05)

    def kill9(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill9()
        self.log.close()


async def run_workflows(url: str, count: int, label: str, disrupt=None) -> list[float]:
    """Starts `count` workflows from a client on `url`, disrupts the run a second later, and returns each
    workflow's seconds to complete."""
    from resonate.resonate import Resonate

    client = Resonate(url=url, group="clients", pid=f"client-{label}")
    run = uuid.uuid4().hex[:8]
    try:

        async def one(index: int) -> float:
            started = time.monotonic()
            handle = client.options(target="workers").rpc(f"recovery-{label}-{run}-{index}", "recovery_workflow", index)
            assert await handle.result() == index * 30 + 6
            return time.monotonic() - started

        tasks = [asyncio.create_task(one(index)) for index in range(count)]
        if disrupt:
            await asyncio.sleep(1.0)
            await asyncio.to_thread(disrupt)
        return await asyncio.wait_for(asyncio.gather(*tasks), timeout=180)
    finally:
        await client.stop()


def case(name: str, args: argparse.Namespace, database: str, disrupt_kind: str) -> dict:
    directory = Path(tempfile.mkdtemp(prefix="resonate-recovery-"))
    replicas = [Server(args.server_binary, store=database) for _ in range(3)]
    workers: list[Worker] = []
    try:
        workers = [Worker(args.python, replica.url, f"w{i + 1}", args.ttl, directory) for i, replica in enumerate(replicas)]
        baseline = statistics.median(asyncio.run(run_workflows(replicas[0].url, 12, f"{disrupt_kind}-warm")))

        def disrupt() -> None:
            if disrupt_kind == "kill":
                replicas[2].process.send_signal(signal.SIGKILL)
                workers[2].kill9()
            else:
                subprocess.run(args.restart_command, shell=True, check=True, capture_output=True, timeout=120)

        durations = asyncio.run(run_workflows(replicas[0].url, args.workflows, disrupt_kind, disrupt))
        extra = sorted(max(0.0, duration - baseline) for duration in durations)
        bound = args.ttl + 5
        return {
            "case": name,
            "workflows": len(durations),
            "baseline_s": round(baseline, 3),
            "extra_wait_s": {
                "p50": round(statistics.median(extra), 3),
                "p90": round(extra[int(0.9 * (len(extra) - 1))], 3),
                "max": round(extra[-1], 3),
            },
            "bound_s": bound,
            "over_bound": sum(1 for value in extra if value > bound),
            "over_25s": sum(1 for value in extra if value > 25),
        }
    finally:
        for worker in workers:
            worker.stop()
        for replica in replicas:
            if replica.process.poll() is None:
                replica.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server-binary", required=True)
    parser.add_argument("--database", action="append", required=True, help="two empty databases, one per case")
    parser.add_argument("--restart-command", required=True, help="restarts PostgreSQL (immediate mode)")
    parser.add_argument("--python", default=sys.executable, help="a Python with resonate-sdk 0.8.1")
    parser.add_argument("--workflows", type=int, default=60)
    parser.add_argument("--ttl", type=float, default=10.0, help="the workers' lease, seconds")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    if len(args.database) != 2:
        parser.error("give --database twice")

    results = [
        case("replica kill (kill -9 of a replica and its worker)", args, args.database[0], "kill"),
        case("PostgreSQL restart (immediate)", args, args.database[1], "restart"),
    ]
    print(f"Recovery: {args.workflows} workflows over three replicas, workers' lease {args.ttl:g} s")
    print("| case | undisturbed s | extra wait p50 s | p90 s | max s | over lease + 5 s | over 25 s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for result in results:
        wait = result["extra_wait_s"]
        print(
            f"| {result['case']} | {result['baseline_s']} | {wait['p50']} | {wait['p90']} | {wait['max']} "
            f"| {result['over_bound']} of {result['workflows']} | {result['over_25s']} |"
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"recovery": results, "ttl_s": args.ttl}, indent=2) + "\n")


if __name__ == "__main__":
    main()
