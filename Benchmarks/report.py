# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""Turns one benchmark run's JSON files into report.md, figures.csv and chart.svg (in the same folder).

    python3 Benchmarks/report.py bench-results/<timestamp>

Reads machine.json, sqlite.json and postgres.json (``resonate bench --json``; postgres.json also holds the
figures of several replicas on one database), dbos-sqlite.json, dbos-postgres.json and resonate-python.json
(the peers), long-executions.json and soak.json (``resonate bench --long-executions`` and ``--soak``) and
python-long.json (the Python SDK's sequential steps) and recovery.json (workflows' extra wait when a replica dies or
PostgreSQL restarts mid-run); any of them may be missing, and the report says so.
Standard library only.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The targets of the benchmark issue.
GROUP_COMMIT_RATIO = 20.0  # durable requests/s at concurrency 64 ÷ single-commit rate
REMOTE_STEP_P50_MS = 2.0
LOCAL_STEP_FSYNC_MULTIPLE = 1.5
TIMER_P99_MS = 100.0
PEER_RATIO = 3.0
POSTGRES_CPU_RATIO = 2.0  # PostgreSQL server CPU per request ÷ SQLite's, at concurrency 64
# SQLite server CPU per request at concurrency 64: a third of the 220 µs measured when the target was set, on this
# two-core machine, where requests/s cannot show it (the load generator's own CPU caps them).
SQLITE_CPU_MICROSECONDS = 75.0
LONG_FLAT_RATIO = 1.5  # a figure at the largest n ÷ the same at the smallest
LOOP_400_OVERHEAD_S = 5.0
SOAK_RATIO = 1.2  # RSS after the whole soak ÷ after its first tenth


@dataclass
class Figure:
    """One measured figure, with the reference it is compared to in the same run."""

    section: str
    name: str
    value: float
    unit: str
    reference: str = ""
    reference_value: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.reference_value in (None, 0):
            return None
        return self.value / self.reference_value


@dataclass
class Target:
    name: str
    goal: str
    measured: str
    met: bool | None  # None: not measured
    note: str = ""


def load(folder: Path, name: str) -> dict[str, Any] | None:
    path = folder / name
    if not path.exists() or path.stat().st_size == 0:
        return None
    return json.loads(path.read_text())


def fsync_ms(run: dict[str, Any]) -> float:
    """The time of one durable single-row commit, from the physical-limit rate."""
    return 1000.0 / run["physicalLimit"]["commitsPerSecond"]


def pair_at(run: dict[str, Any], concurrency: int) -> dict[str, Any] | None:
    return next((pair for pair in run["pairs"] if pair["concurrency"] == concurrency), None)


def collect(data: dict[str, Any]) -> tuple[list[Figure], list[Target]]:
    """All figures with their in-run references, and the verdict on each target."""
    figures: list[Figure] = []
    targets: list[Target] = []
    runs = {store: data.get(store) for store in ("sqlite", "postgres")}
    dbos = {"sqlite": data.get("dbos-sqlite"), "postgres": data.get("dbos-postgres")}
    python = data.get("resonate-python")

    for store, run in runs.items():
        if run is None:
            continue
        limit = run["physicalLimit"]["commitsPerSecond"]
        figures.append(Figure("physical limit", f"{store}: single-row commits/s", limit, "commits/s"))
        for pair in run["pairs"]:
            figures.append(
                Figure(
                    "server throughput",
                    f"{store}: durable requests/s at concurrency {pair['concurrency']}",
                    pair["pairsPerSecond"] * 2,
                    "requests/s",
                    f"{store} physical limit",
                    limit,
                )
            )
        for pair in run["pairs"]:
            for key, who in (("serverCPUMicrosecondsPerRequest", "server"), ("clientCPUMicrosecondsPerRequest", "load generator")):
                if pair.get(key) is not None:
                    figures.append(
                        Figure(
                            "server throughput",
                            f"{store}: {who} CPU per request at concurrency {pair['concurrency']}",
                            pair[key],
                            "µs",
                        )
                    )
        at64 = pair_at(run, 64)
        if at64 is not None:
            ratio = at64["pairsPerSecond"] * 2 / limit
            targets.append(
                Target(
                    f"Group commit ({store})",
                    f"≥ {GROUP_COMMIT_RATIO:.0f}× the single-commit rate at concurrency 64",
                    f"{ratio:.1f}× ({at64['pairsPerSecond'] * 2:,.0f} requests/s vs {limit:,.0f} commits/s)",
                    ratio >= GROUP_COMMIT_RATIO,
                    "" if ratio >= GROUP_COMMIT_RATIO else f"by {GROUP_COMMIT_RATIO / ratio:.1f}×",
                )
            )
        for mode in ("remote", "local"):
            sdk = run.get(mode)
            if sdk is None:
                continue
            label = f"{store}, Swift SDK {mode}"
            figures.append(
                Figure("step latency", f"{label}: ctx.run p50", sdk["step"]["p50"], "ms", "one fsync", fsync_ms(run))
            )
            figures.append(
                Figure("step latency", f"{label}: ctx.run p99", sdk["step"]["p99"], "ms", "one fsync", fsync_ms(run))
            )
            figures.append(
                Figure("end to end", f"{label}: 3-step workflow p50", sdk["workflow"]["p50"], "ms", "one fsync", fsync_ms(run))
            )
            figures.append(
                Figure("end to end", f"{label}: 3-step workflow p99", sdk["workflow"]["p99"], "ms", "one fsync", fsync_ms(run))
            )
            peer = dbos.get(store)
            figures.append(
                Figure(
                    "end to end",
                    f"{label}: workflows/s, {sdk['throughput']['inFlight']} in flight",
                    sdk["throughput"]["workflowsPerSecond"],
                    "workflows/s",
                    f"DBOS on {store}" if peer else "",
                    peer["throughput"]["workflowsPerSecond"] if peer else None,
                )
            )
            if sdk.get("memory"):
                figures.append(
                    Figure(
                        "scale",
                        f"{label}: SDK resident memory per 1,000 workflows in flight",
                        sdk["memory"]["kibPer1000"] / 1024,
                        "MiB",
                    )
                )
        remote = run.get("remote")
        if remote is not None and store == "sqlite":
            p50 = remote["step"]["p50"]
            targets.append(
                Target(
                    "Remote ctx.run step p50 (loopback, SQLite)",
                    f"< {REMOTE_STEP_P50_MS:.0f} ms",
                    f"{p50:.2f} ms (one fsync here: {fsync_ms(run):.2f} ms)",
                    p50 < REMOTE_STEP_P50_MS,
                    "" if p50 < REMOTE_STEP_P50_MS else f"by {p50 - REMOTE_STEP_P50_MS:.2f} ms",
                )
            )
        local = run.get("local")
        if local is not None:
            bound = LOCAL_STEP_FSYNC_MULTIPLE * fsync_ms(run)
            p50 = local["step"]["p50"]
            targets.append(
                Target(
                    "Local ctx.run step p50",
                    f"< {LOCAL_STEP_FSYNC_MULTIPLE}× one fsync ({bound:.2f} ms)",
                    f"{p50:.2f} ms ({p50 / fsync_ms(run):.2f}× one fsync)",
                    p50 < bound,
                    "" if p50 < bound else f"by {p50 / bound:.2f}×",
                )
            )
        timers = run.get("timers")
        if timers is not None:
            figures.append(Figure("timers", f"{store}: durable sleep lateness p50", timers["p50"], "ms"))
            figures.append(Figure("timers", f"{store}: durable sleep lateness p99", timers["p99"], "ms"))
            figures.append(Figure("timers", f"{store}: durable sleep lateness max", timers["max"], "ms"))
            targets.append(
                Target(
                    f"Durable sleep lateness p99 ({store}, {timers['count']} timers)",
                    f"< {TIMER_P99_MS:.0f} ms",
                    f"{timers['p99']} ms (max {timers['max']} ms, {timers['early']} early)",
                    timers["p99"] < TIMER_P99_MS,
                )
            )
        if run.get("serverResidentKiB"):
            figures.append(Figure("scale", f"{store}: server resident memory after the run", run["serverResidentKiB"] / 1024, "MiB"))
        scale = run.get("scale")
        if scale is not None:
            figures.append(
                Figure("scale", f"{store}: bulk load of {scale['load']['promises']:,} promises", scale["load"]["promisesPerSecond"], "promises/s", f"{store} physical limit", limit)
            )
            if scale.get("serverResidentKiB"):
                figures.append(
                    Figure("scale", f"{store}: server resident memory with {scale['load']['promises']:,} promises", scale["serverResidentKiB"] / 1024, "MiB")
                )
            figures.append(Figure("scale", f"{store}: promise.search by tag p50", scale["search"]["p50"], "ms"))
            figures.append(Figure("scale", f"{store}: promise.search by tag p99", scale["search"]["p99"], "ms"))

        replicas = run.get("replicas")
        if replicas is not None:
            count = replicas["count"]
            for pair in replicas["pairs"]:
                single = pair_at(run, pair["concurrency"])
                figures.append(
                    Figure(
                        "scale-out",
                        f"{store}: durable requests/s at concurrency {pair['concurrency']}, {count} replicas",
                        pair["pairsPerSecond"] * 2,
                        "requests/s",
                        f"{store}, one server" if single else "",
                        single["pairsPerSecond"] * 2 if single else None,
                    )
                )
            remote = run.get("remote")
            figures.append(
                Figure(
                    "scale-out",
                    f"{store}: workflows/s, {replicas['throughput']['inFlight']} in flight, {count} replicas "
                    "(one Swift SDK per replica)",
                    replicas["throughput"]["workflowsPerSecond"],
                    "workflows/s",
                    f"{store}, one server" if remote else "",
                    remote["throughput"]["workflowsPerSecond"] if remote else None,
                )
            )

        remote = run.get("remote")
        peer = dbos.get(store)
        if remote is not None:
            ours = remote["throughput"]["workflowsPerSecond"]
            if peer is not None:
                theirs = peer["throughput"]["workflowsPerSecond"]
                targets.append(
                    Target(
                        f"Workflows/s vs DBOS ({store})",
                        f"≥ {PEER_RATIO:.0f}× DBOS on the same 3-step workflow",
                        f"{ours / theirs:.1f}× ({ours:,.0f} vs {theirs:,.0f} workflows/s)",
                        ours / theirs >= PEER_RATIO,
                        "" if ours / theirs >= PEER_RATIO else f"by {PEER_RATIO / (ours / theirs):.1f}×",
                    )
                )
            else:
                targets.append(
                    Target(f"Workflows/s vs DBOS ({store})", f"≥ {PEER_RATIO:.0f}× DBOS", "DBOS not measured", None)
                )

    collect_cpu_per_request(runs, figures, targets)

    for store, peer in dbos.items():
        if peer is None:
            continue
        label = f"DBOS {peer['version']} on {store}"
        run = runs.get(store)
        reference = fsync_ms(run) if run else None
        figures.append(Figure("peers", f"{label}: step p50", peer["step"]["p50"], "ms", "one fsync" if run else "", reference))
        figures.append(Figure("peers", f"{label}: step p99", peer["step"]["p99"], "ms", "one fsync" if run else "", reference))
        figures.append(Figure("peers", f"{label}: 3-step workflow p50", peer["workflow"]["p50"], "ms"))
        figures.append(
            Figure("peers", f"{label}: workflows/s, {peer['throughput']['threads']} threads", peer["throughput"]["workflowsPerSecond"], "workflows/s")
        )
    if python is not None:
        swift = (runs.get("sqlite") or {}).get("remote")
        label = f"Resonate Python SDK {python['version']} vs our server (SQLite)"
        figures.append(
            Figure("peers", f"{label}: step p50", python["step"]["p50"], "ms", "Swift SDK remote" if swift else "", swift["step"]["p50"] if swift else None)
        )
        figures.append(
            Figure("peers", f"{label}: 3-step workflow p50", python["workflow"]["p50"], "ms", "Swift SDK remote" if swift else "", swift["workflow"]["p50"] if swift else None)
        )
        figures.append(
            Figure(
                "peers",
                f"{label}: workflows/s, {python['throughput']['inFlight']} in flight",
                python["throughput"]["workflowsPerSecond"],
                "workflows/s",
                "Swift SDK remote" if swift else "",
                swift["throughput"]["workflowsPerSecond"] if swift else None,
            )
        )
    collect_kafka(data.get("kafka"), figures, targets)
    collect_long(data, figures, targets)
    collect_recovery(data.get("recovery"), figures, targets)
    return figures, targets


def collect_recovery(recovery: dict[str, Any] | None, figures: list[Figure], targets: list[Target]) -> None:
    """Workflows' extra wait when a replica and its worker are killed, or PostgreSQL restarts, mid-run
    (recovery.json): none may wait more than the workers' lease plus 5 s."""
    if recovery is None:
        targets.append(Target("Recovery: no workflow waits more than the lease + 5 s", "0 over", "not measured", None))
        return
    for case in recovery["recovery"]:
        wait = case["extra_wait_s"]
        for key in ("p50", "p90", "max"):
            figures.append(Figure("recovery", f"{case['case']}: extra wait {key}", wait[key], "s"))
        figures.append(Figure("recovery", f"{case['case']}: undisturbed workflow", case["baseline_s"], "s"))
        targets.append(
            Target(
                f"Recovery, {case['case']}: no workflow waits more than the lease + 5 s",
                f"0 of {case['workflows']} over {case['bound_s']:g} s",
                f"{case['over_bound']} over (max {wait['max']:g} s)",
                case["over_bound"] == 0,
            )
        )


def flat_target(name: str, goal_ratio: float, small: dict[str, Any], large: dict[str, Any], key: str, unit: str) -> Target:
    """A figure at the largest n against the same figure at the smallest: flat within ``goal_ratio``."""
    ratio = large[key] / small[key] if small[key] else float("inf")
    return Target(
        name,
        f"n = {large['n']:,} within {goal_ratio}× of n = {small['n']:,}",
        f"{ratio:.2f}× ({number(large[key])} vs {number(small[key])} {unit})",
        ratio <= goal_ratio,
        "" if ratio <= goal_ratio else f"by {ratio / goal_ratio:.1f}×",
    )


def averaged_by_length(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per length n, in order of n: a length measured more than once (the shortest, before and after the
    long ones, so that a machine whose speed drifts during the run weighs the same on both sides) gets the mean of
    each figure."""
    by_length: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_length.setdefault(row["n"], []).append(row)
    averaged = []
    for n, same in sorted(by_length.items()):
        keys = [key for key in same[0] if key != "n" and all(isinstance(row.get(key), (int, float)) for row in same)]
        averaged.append({"n": n, **{key: sum(row[key] for row in same) / len(same) for key in keys}})
    return averaged


def collect_long(data: dict[str, Any], figures: list[Figure], targets: list[Target]) -> None:
    """Long executions (long-executions.json), the soak (soak.json) and the official Python SDK's sequential steps
    of growing length (python-long.json)."""
    long = data.get("long-executions")
    if long is not None:
        for mode in ("remote", "local"):
            by_workload: dict[str, list[dict[str, Any]]] = {}
            for row in long[mode]:
                by_workload.setdefault(row["workload"], []).append(
                    {
                        "n": row["iterations"],
                        "overhead": row["overheadMilliseconds"],
                        "server": row.get("serverCPUMilliseconds"),
                        "overheadSeconds": row["overheadMilliseconds"] * row["iterations"] / 1000,
                    }
                )
            for workload, rows in by_workload.items():
                rows.sort(key=lambda row: row["n"])
                small, large = rows[0], rows[-1]
                label = f"Long executions, {mode}, {workload}"
                figures.append(
                    Figure("long", f"{label}: overhead per iteration at n = {large['n']:,}", large["overhead"], "ms",
                           f"n = {small['n']:,}", small["overhead"])
                )
                targets.append(flat_target(f"{label}: cost per iteration", LONG_FLAT_RATIO, small, large, "overhead", "ms"))
                # The shortest runs can take less than the 10 ms tick of /proc's CPU times and read 0: the server's
                # growth is judged between the smallest and largest n whose CPU was measured.
                measured = [row for row in rows if row["server"]]
                if mode == "remote" and workload.startswith("sequential") and len(measured) >= 2:
                    targets.append(
                        flat_target(
                            "Server CPU per step (two fences), Swift SDK", LONG_FLAT_RATIO, measured[0], measured[-1],
                            "server", "ms",
                        )
                    )
                at400 = next((row for row in rows if row["n"] == 400), None)
                if mode == "remote" and at400 is not None and not workload.startswith("sequential"):
                    targets.append(
                        Target(
                            f"{label}: total overhead of the 400-iteration loop",
                            f"< {LOOP_400_OVERHEAD_S:.0f} s",
                            f"{at400['overheadSeconds']:.2f} s",
                            at400["overheadSeconds"] < LOOP_400_OVERHEAD_S,
                        )
                    )
    soak = data.get("soak")
    if soak is not None and soak["rounds"]:
        first, last = soak["rounds"][0], soak["rounds"][-1]
        for process, key in (("worker", "workerKiB"), ("server", "serverKiB")):
            if not first.get(key) or not last.get(key):
                continue
            ratio = last[key] / first[key]
            figures.append(
                Figure("long", f"Soak: {process} RSS after {last['workflows']:,} workflows", last[key] / 1024, "MB",
                       f"after {first['workflows']:,}", first[key] / 1024)
            )
            targets.append(
                Target(
                    f"Soak: {process} RSS after {last['workflows']:,} workflows",
                    f"within {SOAK_RATIO}× of after the first {first['workflows']:,}",
                    f"{ratio:.2f}× ({last[key] / 1024:.0f} vs {first[key] / 1024:.0f} MB)",
                    ratio <= SOAK_RATIO,
                )
            )
    python = data.get("python-long")
    if python is not None and python["sequentialSteps"]:
        rows = averaged_by_length(python["sequentialSteps"])
        small, large = rows[0], rows[-1]
        figures.append(
            Figure("long", f"Python SDK sequential steps: ms per step at n = {large['n']:,}", large["msPerStep"], "ms",
                   f"n = {small['n']:,}", small["msPerStep"])
        )
        targets.append(
            flat_target("Server CPU per fence, official Python SDK (full preload)", LONG_FLAT_RATIO, small, large,
                        "serverCpuMsPerFence", "ms")
        )
        for key, place in (("serverUserCpuMsPerFence", "user space"), ("serverSystemCpuMsPerFence", "kernel")):
            if key in small and key in large:
                figures.append(
                    Figure("long", f"Python SDK: server CPU per fence in {place} at n = {large['n']:,}", large[key],
                           "ms", f"n = {small['n']:,}", small[key])
                )


def collect_cpu_per_request(runs, figures, targets):
    """Server CPU per request at concurrency 64: requests per core-second per store, and PostgreSQL's against SQLite's."""
    cpu = {}
    for store, run in runs.items():
        at64 = pair_at(run, 64) if run else None
        if at64 is None or not at64.get("serverCPUMicrosecondsPerRequest"):
            continue
        cpu[store] = at64["serverCPUMicrosecondsPerRequest"]
        figures.append(
            Figure("server throughput", f"{store}: durable requests per second of server CPU at concurrency 64",
                   1_000_000 / cpu[store], "requests/core-s")
        )
    if "sqlite" in cpu:
        met = cpu["sqlite"] <= SQLITE_CPU_MICROSECONDS
        targets.append(
            Target(
                "Server CPU per request, SQLite",
                f"≤ {SQLITE_CPU_MICROSECONDS:.0f} µs at concurrency 64 (a third of 220 µs)",
                f"{cpu['sqlite']:,.0f} µs ({1_000_000 / cpu['sqlite']:,.0f} requests per core-second)",
                met,
                "" if met else f"by {cpu['sqlite'] / SQLITE_CPU_MICROSECONDS:.2f}×",
            )
        )
    if "sqlite" in cpu and "postgres" in cpu:
        ratio = cpu["postgres"] / cpu["sqlite"]
        met = ratio <= POSTGRES_CPU_RATIO
        targets.append(
            Target(
                "Server CPU per request, PostgreSQL vs SQLite",
                f"≤ {POSTGRES_CPU_RATIO:.0f}× SQLite's at concurrency 64",
                f"{ratio:.1f}× ({cpu['postgres']:,.0f} vs {cpu['sqlite']:,.0f} µs)",
                met,
                "" if met else f"by {ratio / POSTGRES_CPU_RATIO:.1f}×",
            )
        )


def collect_kafka(kafka: dict[str, Any] | None, figures: list[Figure], targets: list[Target]) -> None:
    """The durable Kafka worker next to the reference Python worker measured in the same run (kafka.json)."""
    if kafka is None:
        return
    workload = kafka["workload"]
    shape = f"{workload['batches']} batches, {workload['batchSleep']} s sleeps"
    by_count: dict[int, dict[str, dict[str, Any]]] = {}
    for run in kafka["throughput"]:
        by_count.setdefault(run["records"], {})[run["worker"]] = run
    for count, runs in sorted(by_count.items()):
        ours, theirs = runs.get("swift"), runs.get("reference")
        if ours is None:
            continue
        label = f"Kafka worker, {count:,} records ({shape})"
        reference = "reference Python worker" if theirs else ""

        def pair(name: str, key: str, unit: str, pick=lambda run, key: run[key]) -> None:
            figures.append(
                Figure("kafka", f"{label}: {name}", pick(ours, key), unit, reference, pick(theirs, key) if theirs else None)
            )

        pair("records/s", "recordsPerSecond", "records/s")
        pair("produce-to-completion p50", "p50", "ms", lambda run, key: run["latency"][key])
        pair("produce-to-completion p99", "p99", "ms", lambda run, key: run["latency"][key])
        pair("worker CPU per 1,000 records", "workerCPUPer1000", "s")
        pair("server CPU per 1,000 records", "serverCPUPer1000", "s")
        if "brokerCPUPer1000" in ours:
            pair("broker CPU per 1,000 records", "brokerCPUPer1000", "s")
        pair("server requests per record", "requestsPerRecord", "requests")
        pair("worker peak RSS", "workerPeakRSSMB", "MB")
    largest = max(by_count) if by_count else None
    if largest is not None:
        ours, theirs = by_count[largest].get("swift"), by_count[largest].get("reference")
        if ours and theirs:
            ratio = ours["recordsPerSecond"] / theirs["recordsPerSecond"]
            targets.append(
                Target(
                    f"Kafka records/s vs the reference worker ({largest:,} records)",
                    f"≥ {PEER_RATIO:.0f}× the reference Python worker",
                    f"{ratio:.2f}× ({ours['recordsPerSecond']:,.1f} vs {theirs['recordsPerSecond']:,.1f} records/s)",
                    ratio >= PEER_RATIO,
                    "" if ratio >= PEER_RATIO else f"by {PEER_RATIO / ratio:.1f}×",
                )
            )
            targets.append(
                Target(
                    f"Kafka worker peak RSS vs the reference ({largest:,} records)",
                    "≤ the reference worker's",
                    f"{ours['workerPeakRSSMB']:.0f} vs {theirs['workerPeakRSSMB']:.0f} MB",
                    ours["workerPeakRSSMB"] <= theirs["workerPeakRSSMB"],
                )
            )
        else:
            targets.append(Target("Kafka records/s vs the reference worker", f"≥ {PEER_RATIO:.0f}×", "reference not measured", None))
    for crash in kafka.get("crash", []):
        name = "ours" if crash["worker"] == "swift" else "reference"
        label = f"Kafka crash run ({name}, kill -9 at 40 %, {crash['records']:,} records)"
        figures.append(Figure("kafka", f"{label}: completed", crash["completed"], "records"))
        figures.append(Figure("kafka", f"{label}: duplicate completions", crash["duplicates"], "messages"))
        figures.append(Figure("kafka", f"{label}: batches run twice", crash["batchesRunTwice"], "batches"))
        if crash["worker"] == "swift":
            targets.append(
                Target(
                    "Kafka crash run: every record completes",
                    "all records completed after kill -9 and restart",
                    f"{crash['completed']:,} of {crash['records']:,}, {crash['duplicates']} duplicate completions",
                    crash["completed"] == crash["records"],
                )
            )
    for rounds in kafka.get("rounds", []):
        name = "ours" if rounds["worker"] == "swift" else "reference"
        resident = rounds["residentMB"]
        label = f"Kafka worker RSS over {rounds['rounds']} rounds of {rounds['recordsPerRound']} records ({name})"
        figures.append(Figure("kafka", f"{label}: after the last round", resident[-1], "MB", "after the first round", resident[0]))


def number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def markdown(data: dict[str, Any], figures: list[Figure], targets: list[Target]) -> str:
    machine = data.get("machine") or {}
    lines = ["# resonate-swift benchmark", ""]
    if machine:
        lines += [
            f"Machine: {machine.get('cores')} cores ({machine.get('cpu')}), {machine.get('memoryGiB')} GiB, "
            f"{machine.get('os')}, kernel {machine.get('kernel')}, scratch on {machine.get('filesystem')}; "
            f"{machine.get('swift')}; `{machine.get('binary')}` build; Python {machine.get('python')}.",
            "",
        ]
    quick = any((data.get(store) or {}).get("quick") for store in ("sqlite", "postgres"))
    if quick:
        lines += ["**Smoke run (--quick): tiny counts, the figures are not meaningful.**", ""]
    for store in ("sqlite", "postgres"):
        run = data.get(store)
        if run is not None:
            lines.append(
                f"Physical limit ({store}): {run['physicalLimit']['commitsPerSecond']:,.0f} single-row commits/s "
                f"({run['physicalLimit']['method']}), so one durable commit takes {fsync_ms(run):.2f} ms."
            )
        else:
            lines.append(f"{store}: not measured in this run.")
    lines += ["", "## Targets", "", "| target | goal | measured | verdict |", "|---|---|---|---|"]
    for target in targets:
        verdict = "not measured" if target.met is None else ("met" if target.met else f"missed, {target.note}" if target.note else "missed")
        lines.append(f"| {target.name} | {target.goal} | {target.measured} | {verdict} |")
    lines += ["", "## Figures", "", "| section | figure | value | reference (same run) | ratio |", "|---|---|---:|---|---:|"]
    for figure in figures:
        reference = f"{figure.reference} ({number(figure.reference_value)})" if figure.reference_value else figure.reference
        ratio = f"{figure.ratio:.2f}×" if figure.ratio is not None else ""
        lines.append(f"| {figure.section} | {figure.name} | {number(figure.value)} {figure.unit} | {reference} | {ratio} |")
    durability = []
    for store in ("sqlite", "postgres"):
        peer = data.get(f"dbos-{store}")
        if peer is not None:
            settings = ", ".join(f"{key}={value}" for key, value in peer["durability"].items())
            durability.append(f"- DBOS on {store}: {settings}.")
    if durability:
        lines += [
            "",
            "## Durability of the peers",
            "",
            "- resonate-swift on SQLite: WAL with synchronous=FULL, one fsync per group-committed batch; on "
            "PostgreSQL: synchronous_commit=on.",
            *durability,
        ]
    missing = [name for name in ("dbos-sqlite", "dbos-postgres", "resonate-python", "kafka") if data.get(name) is None]
    if missing:
        lines += ["", f"Not measured in this run: {', '.join(missing)}."]
    return "\n".join(lines) + "\n"


def bar_chart(title: str, unit: str, bars: list[tuple[str, float]], top: float, width: int = 760) -> tuple[str, float]:
    """One horizontal bar panel as SVG elements starting at y = `top`; returns them and the panel's height."""
    label_width, row, margin = 300, 26, 8
    scale = max((value for _, value in bars), default=1) or 1
    parts = [f'<text x="{margin}" y="{top + 18}" font-size="15" font-weight="bold">{escape(title)}</text>']
    for index, (label, value) in enumerate(bars):
        y = top + 30 + index * row
        length = (width - label_width - 90) * value / scale
        parts.append(f'<text x="{label_width - 6}" y="{y + 15}" font-size="12" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" fill="{color(label)}"/>')
        parts.append(f'<text x="{label_width + length + 5:.1f}" y="{y + 15}" font-size="12">{number(value)} {escape(unit)}</text>')
    return "\n".join(parts), 40 + len(bars) * row


def color(label: str) -> str:
    if label.startswith("DBOS"):
        return "#9a9a9a"
    if "Python" in label:
        return "#c9a227"
    return "#d9480f"


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chart(data: dict[str, Any]) -> str:
    throughput: list[tuple[str, float]] = []
    latency: list[tuple[str, float]] = []
    for store in ("sqlite", "postgres"):
        run = data.get(store)
        for mode in ("remote", "local"):
            sdk = (run or {}).get(mode)
            if sdk:
                throughput.append((f"Swift SDK {mode}, {store}", sdk["throughput"]["workflowsPerSecond"]))
                latency.append((f"Swift SDK {mode}, {store}", sdk["step"]["p50"]))
        replicas = (run or {}).get("replicas")
        if replicas:
            label = f"Swift SDK remote, {store}, {replicas['count']} replicas"
            throughput.append((label, replicas["throughput"]["workflowsPerSecond"]))
    python = data.get("resonate-python")
    if python:
        throughput.append(("Resonate Python SDK, our server (sqlite)", python["throughput"]["workflowsPerSecond"]))
        latency.append(("Resonate Python SDK, our server (sqlite)", python["step"]["p50"]))
    for store in ("sqlite", "postgres"):
        peer = data.get(f"dbos-{store}")
        if peer:
            throughput.append((f"DBOS, {store}", peer["throughput"]["workflowsPerSecond"]))
            latency.append((f"DBOS, {store}", peer["step"]["p50"]))
    first, first_height = bar_chart("Three-step workflows per second (higher is better)", "wf/s", throughput, 0)
    second, second_height = bar_chart("One durable step, p50 (lower is better)", "ms", latency, first_height + 20)
    height = first_height + second_height + 30
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="760" height="{height:.0f}" font-family="sans-serif">\n'
        f'<rect width="100%" height="100%" fill="white"/>\n{first}\n{second}\n</svg>\n'
    )


def write_csv(path: Path, figures: list[Figure]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["section", "figure", "value", "unit", "reference", "reference_value", "ratio"])
        for figure in figures:
            writer.writerow(
                [
                    figure.section,
                    figure.name,
                    f"{figure.value:.4f}",
                    figure.unit,
                    figure.reference,
                    "" if figure.reference_value is None else f"{figure.reference_value:.4f}",
                    "" if figure.ratio is None else f"{figure.ratio:.4f}",
                ]
            )


def main(folder: Path) -> None:
    names = [
        "machine", "sqlite", "postgres", "dbos-sqlite", "dbos-postgres", "resonate-python", "kafka",
        "long-executions", "soak", "python-long", "recovery",
    ]
    data = {name: load(folder, f"{name}.json") for name in names}
    if all(data[name] is None for name in names if name != "machine"):
        sys.exit(f"report: none of {', '.join(name + '.json' for name in names[1:])} in {folder}")
    figures, targets = collect(data)
    (folder / "report.md").write_text(markdown(data, figures, targets))
    write_csv(folder / "figures.csv", figures)
    (folder / "chart.svg").write_text(chart(data))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: report.py RESULTS_FOLDER")
    main(Path(sys.argv[1]))
