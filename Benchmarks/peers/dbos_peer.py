# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""DBOS Transact (Python) running the bench's three-step workflow; prints one JSON object.

    python dbos_peer.py --database sqlite:///PATH/dbos.sqlite
    python dbos_peer.py --database postgresql://postgres@127.0.0.1:PORT/dbos_bench

Measures the latency of one step (timed inside a workflow of back-to-back steps), the latency of the
three-step workflow run one at a time, and workflows/s with ``--threads`` threads each running workflows back
to back. Also reports the durability settings DBOS runs with (SQLite journal mode and synchronous level, or
PostgreSQL's synchronous_commit and fsync).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from benchstats import summary

# The length of the workflows inside which steps are timed.
STEPS_PER_WORKFLOW = 10


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True, help="DBOS system database URL (sqlite:///… or postgresql://…)")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--sequential", type=int, default=300)
    parser.add_argument("--workflows", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()

    sqlite = args.database.startswith("sqlite")
    if sqlite:
        # DBOS's SQLite schema needs SQLite >= 3.42; the wheel bundles a newer one than Debian 12's 3.40.
        import pysqlite3

        sys.modules["sqlite3"] = pysqlite3

    from dbos import DBOS

    DBOS(config={"name": "resonate-bench", "system_database_url": args.database})

    @DBOS.step()
    def increment(value: int) -> int:
        return value + 1

    @DBOS.workflow()
    def three_steps(value: int) -> int:
        return increment(increment(increment(value)))

    @DBOS.workflow()
    def step_loop(count: int) -> list[float]:
        durations = []
        value = 0
        for _ in range(count):
            start = time.perf_counter()
            value = increment(value)
            durations.append((time.perf_counter() - start) * 1000)
        return durations

    DBOS.launch()
    try:
        durability = settings(args.database, sqlite)

        # Timed inside workflows of STEPS_PER_WORKFLOW steps, like the Swift bench.
        steps = []
        for _ in range(max(1, args.steps // STEPS_PER_WORKFLOW)):
            steps += step_loop(min(STEPS_PER_WORKFLOW, args.steps))
        step = summary(steps[1:] if len(steps) > 10 else steps)

        latencies = []
        for index in range(args.sequential):
            start = time.perf_counter()
            assert three_steps(index) == index + 3
            latencies.append((time.perf_counter() - start) * 1000)

        def one(index: int) -> float:
            start = time.perf_counter()
            assert three_steps(index) == index + 3
            return (time.perf_counter() - start) * 1000

        start = time.perf_counter()
        with ThreadPoolExecutor(args.threads) as pool:
            each = list(pool.map(one, range(args.workflows)))
        seconds = time.perf_counter() - start
    finally:
        DBOS.destroy()

    print(
        json.dumps(
            {
                "peer": "dbos",
                "version": version("dbos"),
                "database": "sqlite" if sqlite else "postgres",
                "durability": durability,
                "step": step,
                "workflow": summary(latencies),
                "throughput": {
                    "workflows": args.workflows,
                    "threads": args.threads,
                    "seconds": seconds,
                    "workflowsPerSecond": args.workflows / seconds,
                    "latency": summary(each),
                },
            }
        )
    )


def settings(database: str, sqlite: bool) -> dict[str, str]:
    """The durability settings a fresh connection to DBOS's database gets (DBOS sets no pragma about them)."""
    if sqlite:
        import pysqlite3

        connection = pysqlite3.connect(database.removeprefix("sqlite:///"))
        try:
            journal = connection.execute("PRAGMA journal_mode").fetchone()[0]
            level = connection.execute("PRAGMA synchronous").fetchone()[0]
        finally:
            connection.close()
        names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
        return {"journal_mode": str(journal), "synchronous": names.get(level, str(level))}
    import psycopg

    with psycopg.connect(database) as connection:
        return {
            name: connection.execute(f"SHOW {name}").fetchone()[0] for name in ("synchronous_commit", "fsync")
        }


def version(package: str) -> str:
    from importlib.metadata import version as installed

    return installed(package)


if __name__ == "__main__":
    main()
