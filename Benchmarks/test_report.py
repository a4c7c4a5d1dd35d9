# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""Tests of report.py on hand-made figures: ratios, target verdicts, and the files it writes.

    python3 -m unittest discover -s Benchmarks -p 'test_*.py'
"""

from __future__ import annotations

import csv
import json
import tempfile
import unittest
from pathlib import Path

import report


def latency(p50: float, p99: float) -> dict:
    return {"count": 100, "p50": p50, "p99": p99, "max": p99 * 2}


def sdk(mode: str, step: float, per_second: float) -> dict:
    return {
        "mode": mode,
        "step": latency(step, step * 2),
        "workflow": latency(step * 4, step * 8),
        "throughput": {
            "workflows": 1000,
            "inFlight": 100,
            "seconds": 1000 / per_second,
            "workflowsPerSecond": per_second,
            "latency": latency(50, 90),
        },
        "memory": None,
    }


SQLITE = {
    "store": "sqlite",
    "quick": False,
    "physicalLimit": {"commitsPerSecond": 1000.0, "method": "test"},
    "pairs": [
        {"concurrency": 1, "pairsPerSecond": 400.0, "p50Milliseconds": 2, "p99Milliseconds": 3},
        {
            "concurrency": 64,
            "pairsPerSecond": 12000.0,
            "p50Milliseconds": 5,
            "p99Milliseconds": 9,
            "serverCPUMicrosecondsPerRequest": 70.0,
            "clientCPUMicrosecondsPerRequest": 50.0,
        },
    ],
    "remote": sdk("remote", 1.5, 600.0),
    "local": sdk("local", 2.0, 1500.0),
    "timers": {"count": 1000, "p50": 2, "p99": 150, "max": 300, "early": 0},
    "serverResidentKiB": 51200,
}

DBOS_SQLITE = {
    "peer": "dbos",
    "version": "3.4.0",
    "database": "sqlite",
    "durability": {"journal_mode": "delete", "synchronous": "FULL"},
    "step": latency(2.0, 4.0),
    "workflow": latency(10.0, 20.0),
    "throughput": {"workflows": 100, "threads": 16, "seconds": 1.0, "workflowsPerSecond": 100.0, "latency": latency(9, 20)},
}


class ReportTests(unittest.TestCase):
    def verdicts(self) -> dict[str, bool | None]:
        _, targets = report.collect({"sqlite": SQLITE, "dbos-sqlite": DBOS_SQLITE})
        return {target.name: target.met for target in targets}

    def test_targets_compare_with_the_references_of_the_same_run(self) -> None:
        verdicts = self.verdicts()
        # 24,000 durable requests/s against 1,000 commits/s: 24×.
        self.assertTrue(verdicts["Group commit (sqlite)"])
        self.assertTrue(verdicts["Remote ctx.run step p50 (loopback, SQLite)"])
        # One commit takes 1 ms here, so a local step must take under 1.5 ms.
        self.assertFalse(verdicts["Local ctx.run step p50"])
        self.assertFalse(verdicts["Durable sleep lateness p99 (sqlite, 1000 timers)"])
        # 600 against 100 workflows/s.
        self.assertTrue(verdicts["Workflows/s vs DBOS (sqlite)"])

    def test_cpu_per_request_is_reported_where_the_bench_measured_it(self) -> None:
        figures, _ = report.collect({"sqlite": SQLITE})
        by_name = {figure.name: figure for figure in figures}
        self.assertEqual(by_name["sqlite: server CPU per request at concurrency 64"].value, 70.0)
        self.assertEqual(by_name["sqlite: load generator CPU per request at concurrency 64"].value, 50.0)
        self.assertNotIn("sqlite: server CPU per request at concurrency 1", by_name)

    def test_postgres_cpu_per_request_is_judged_against_sqlites_of_the_same_run(self) -> None:
        def with_cpu(microseconds: float) -> dict:
            pairs = [dict(SQLITE["pairs"][1], serverCPUMicrosecondsPerRequest=microseconds)]
            return dict(SQLITE, store="postgres", local=None, timers=None, pairs=pairs)

        for postgres_cpu, met in ((140.0, True), (210.0, False)):
            figures, targets = report.collect({"sqlite": SQLITE, "postgres": with_cpu(postgres_cpu)})
            target = next(t for t in targets if t.name == "Server CPU per request, PostgreSQL vs SQLite")
            self.assertEqual(target.met, met)
            self.assertIn(f"{postgres_cpu / 70:.1f}×", target.measured)
        by_name = {figure.name: figure for figure in figures}
        self.assertAlmostEqual(
            by_name["sqlite: durable requests per second of server CPU at concurrency 64"].value, 1_000_000 / 70)
        _, alone = report.collect({"sqlite": SQLITE})
        self.assertFalse(any(t.name == "Server CPU per request, PostgreSQL vs SQLite" for t in alone))

    def test_sqlite_cpu_per_request_is_judged_against_a_third_of_220_microseconds(self) -> None:
        for microseconds, met in ((70.0, True), (75.0, True), (90.0, False)):
            run = dict(SQLITE, pairs=[dict(SQLITE["pairs"][1], serverCPUMicrosecondsPerRequest=microseconds)])
            _, targets = report.collect({"sqlite": run})
            target = next(t for t in targets if t.name == "Server CPU per request, SQLite")
            self.assertEqual(target.met, met)
            self.assertIn(f"{microseconds:,.0f} µs", target.measured)

    def test_a_missing_peer_is_reported_as_not_measured(self) -> None:
        _, targets = report.collect({"sqlite": SQLITE})
        peer = next(target for target in targets if target.name == "Workflows/s vs DBOS (sqlite)")
        self.assertIsNone(peer.met)

    def test_replicas_are_compared_with_one_server_of_the_same_run(self) -> None:
        postgres = dict(SQLITE, store="postgres", local=None, timers=None)
        postgres["replicas"] = {
            "count": 3,
            "pairs": [{"concurrency": 64, "pairsPerSecond": 18000.0, "p50Milliseconds": 4, "p99Milliseconds": 8}],
            "throughput": dict(sdk("remote", 1.0, 900.0)["throughput"]),
        }
        figures, _ = report.collect({"postgres": postgres})
        scale_out = {figure.name: figure for figure in figures if figure.section == "scale-out"}
        requests = scale_out["postgres: durable requests/s at concurrency 64, 3 replicas"]
        # 36,000 against one server's 24,000 durable requests/s.
        self.assertAlmostEqual(requests.ratio, 1.5)
        workflows = scale_out["postgres: workflows/s, 100 in flight, 3 replicas (one Swift SDK per replica)"]
        self.assertAlmostEqual(workflows.ratio, 1.5)

    def test_kafka_figures_are_compared_with_the_reference_worker_of_the_same_run(self) -> None:
        def run(worker: str, per_second: float, rss: float) -> dict:
            return {
                "worker": worker, "records": 1000, "seconds": 1000 / per_second, "recordsPerSecond": per_second,
                "latency": latency(900, 1500), "workerCPUPer1000": 5.0, "serverCPUPer1000": 8.0,
                "requestsPerRecord": 20.0, "workerPeakRSSMB": rss, "completions": 1000, "duplicates": 0,
                "batchesRunTwice": 0,
            }

        kafka = {
            "workload": {"rows": 30, "batches": 3, "batchSleep": 0.5, "failureRate": 0.0},
            "throughput": [run("swift", 300.0, 50.0), run("reference", 100.0, 60.0)],
            "crash": [{"worker": "swift", "records": 1000, "seconds": 20, "completed": 1000, "duplicates": 2,
                       "batchesRunTwice": 1}],
            "rounds": [{"worker": "swift", "rounds": 3, "recordsPerRound": 200, "residentMB": [50.0, 51.0, 52.0]}],
        }
        figures, targets = report.collect({"kafka": kafka})
        per_second = next(figure for figure in figures if figure.name.endswith("records/s"))
        self.assertAlmostEqual(per_second.ratio, 3.0)
        verdicts = {target.name: target.met for target in targets}
        self.assertTrue(verdicts["Kafka records/s vs the reference worker (1,000 records)"])
        self.assertTrue(verdicts["Kafka worker peak RSS vs the reference (1,000 records)"])
        self.assertTrue(verdicts["Kafka crash run: every record completes"])
        rounds = next(figure for figure in figures if "rounds" in figure.name)
        self.assertAlmostEqual(rounds.ratio, 52.0 / 50.0)

    def test_long_executions_soak_and_python_steps_are_judged_by_their_growth(self) -> None:
        def row(workload: str, n: int, overhead: float, server: float | None) -> dict:
            return {
                "workload": workload, "iterations": n, "seconds": n * overhead / 1000, "overheadMilliseconds": overhead,
                "clientCPUMilliseconds": 1.0, "serverCPUMilliseconds": server, "resumedInMemory": n, "replayed": 0,
            }

        long = {
            "remote": [
                row("step + 10 ms sleep", 25, 2.9, 3.2), row("step + 10 ms sleep", 400, 2.6, 3.0),
                row("step + 10 ms sleep", 3200, 2.7, 3.0),
                # Too short for /proc's 10 ms tick: judged from n = 100.
                row("sequential steps", 25, 1.4, 0.0), row("sequential steps", 100, 1.3, 1.2),
                row("sequential steps", 3200, 1.2, 0.7),
            ],
            # Twice as costly per iteration at the largest n: not flat.
            "local": [row("sequential steps", 25, 0.4, None), row("sequential steps", 3200, 0.8, None)],
        }
        soak = {"inFlight": 64, "rounds": [
            {"workflows": 10000, "seconds": 10, "workerKiB": 46080, "serverKiB": 47104},
            {"workflows": 100000, "seconds": 10, "workerKiB": 50176, "serverKiB": 71680},
        ]}
        python = {"sequentialSteps": [
            {"n": 50, "seconds": 0.1, "msPerStep": 2.2, "clientCpuMsPerStep": 1.0, "serverCpuMsPerFence": 0.5,
             "serverUserCpuMsPerFence": 0.2, "serverSystemCpuMsPerFence": 0.3},
            {"n": 1600, "seconds": 30, "msPerStep": 19.2, "clientCpuMsPerStep": 13.6, "serverCpuMsPerFence": 2.67,
             "serverUserCpuMsPerFence": 0.27, "serverSystemCpuMsPerFence": 2.4},
            # n = 50 again after the long one: the two are averaged (0.5 and 0.7 give 0.6).
            {"n": 50, "seconds": 0.1, "msPerStep": 2.2, "clientCpuMsPerStep": 1.0, "serverCpuMsPerFence": 0.7,
             "serverUserCpuMsPerFence": 0.2, "serverSystemCpuMsPerFence": 0.5},
        ]}
        figures, targets = report.collect({"long-executions": long, "soak": soak, "python-long": python})
        verdicts = {target.name: target.met for target in targets}
        self.assertTrue(verdicts["Long executions, remote, step + 10 ms sleep: cost per iteration"])
        self.assertTrue(verdicts["Long executions, remote, step + 10 ms sleep: total overhead of the 400-iteration loop"])
        self.assertTrue(verdicts["Long executions, remote, sequential steps: cost per iteration"])
        self.assertFalse(verdicts["Long executions, local, sequential steps: cost per iteration"])
        self.assertTrue(verdicts["Server CPU per step (two fences), Swift SDK"])
        fences = next(target for target in targets if target.name == "Server CPU per step (two fences), Swift SDK")
        self.assertIn("of n = 100", fences.goal)
        self.assertFalse(verdicts["Server CPU per fence, official Python SDK (full preload)"])
        # 49 against 45 MB for the worker; 70 against 46 MB for the server.
        self.assertTrue(verdicts["Soak: worker RSS after 100,000 workflows"])
        self.assertFalse(verdicts["Soak: server RSS after 100,000 workflows"])
        overhead = next(figure for figure in figures if figure.name.startswith("Long executions, local"))
        self.assertAlmostEqual(overhead.ratio, 2.0)
        # The Python SDK's server CPU per fence, split into user space and kernel, as figures beside the target.
        split = {figure.name: figure.ratio for figure in figures if figure.name.startswith("Python SDK: server CPU")}
        self.assertAlmostEqual(split["Python SDK: server CPU per fence in user space at n = 1,600"], 1.35)
        self.assertAlmostEqual(split["Python SDK: server CPU per fence in kernel at n = 1,600"], 6.0)
        flat = next(target for target in targets if target.name.startswith("Server CPU per fence, official Python"))
        self.assertEqual(flat.measured, "4.45× (2.67 vs 0.60 ms)")

    def test_recovery_is_judged_by_the_workflows_over_the_lease_plus_five_seconds(self) -> None:
        def case(name: str, over: int, worst: float) -> dict:
            return {
                "case": name, "workflows": 60, "baseline_s": 2.2, "bound_s": 15.0, "over_bound": over, "over_25s": over,
                "extra_wait_s": {"p50": 0.4, "p90": 0.6, "max": worst},
            }

        recovery = {"recovery": [case("replica kill", 0, 0.6), case("PostgreSQL restart", 3, 31.0)], "ttl_s": 10.0}
        figures, targets = report.collect({"sqlite": SQLITE, "recovery": recovery})
        verdicts = {target.name: target.met for target in targets if target.name.startswith("Recovery")}
        self.assertEqual(
            verdicts,
            {
                "Recovery, replica kill: no workflow waits more than the lease + 5 s": True,
                "Recovery, PostgreSQL restart: no workflow waits more than the lease + 5 s": False,
            },
        )
        worst = next(figure for figure in figures if figure.name == "PostgreSQL restart: extra wait max")
        self.assertEqual(worst.value, 31.0)
        _, unmeasured = report.collect({"sqlite": SQLITE})
        recovery_target = next(target for target in unmeasured if target.name.startswith("Recovery"))
        self.assertIsNone(recovery_target.met)

    def test_writes_the_report_the_csv_and_the_chart(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder)
            (path / "sqlite.json").write_text(json.dumps(SQLITE))
            (path / "dbos-sqlite.json").write_text(json.dumps(DBOS_SQLITE))
            report.main(path)
            text = (path / "report.md").read_text()
            self.assertIn("| Group commit (sqlite) |", text)
            self.assertIn("journal_mode=delete", text)
            rows = list(csv.DictReader((path / "figures.csv").open()))
            throughput = next(row for row in rows if row["figure"] == "sqlite: durable requests/s at concurrency 64")
            self.assertAlmostEqual(float(throughput["ratio"]), 24.0)
            self.assertTrue((path / "chart.svg").read_text().startswith("<svg"))


if __name__ == "__main__":
    unittest.main()
