# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""The durable Kafka worker end to end, next to the reference Python worker, on the same server and broker.

    python Benchmarks/kafka_bench.py --resonate-bin .build/release/resonate \\
        --examples-bin .build/release --tansu .build/kafka-tools/tansu --records 1000 10000 --json kafka.json

For each worker (ours, `kafka-worker`; the reference, Benchmarks/peers/kafka_reference_worker.py on resonate-sdk
0.8.1) and each N, a fresh Tansu broker and a fresh `resonate serve` (SQLite) are started, the worker is started
and waits, then N deletion requests are produced (records of --rows rows: --rows / 10 batches with --batch-sleep
seconds of durable sleep between them), once one warm-up record has completed. Measured from the first produce to
the last completion (its broker timestamp): records/s; per record, the completion message's timestamp minus its
request's (p50/p99); worker, server and broker CPU seconds per 1,000 records (from /proc, over the same window);
server requests per record, in all and by kind (its Prometheus counter); the worker's peak RSS. A crash run kills the worker with SIGKILL at 40 % of the completions, starts a new one, and
counts completions and duplicates. A rounds run feeds one worker several rounds of records and samples its RSS
after each. Prints the figures and writes them as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent / "peers"))
from benchstats import summary  # noqa: E402

REQUESTS = "records_to_be_deleted"
COMPLETIONS = "records_that_were_deleted"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def memory_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


class Process:
    """A child process whose output goes to a log file."""

    def __init__(self, command: list[str], log: Path, cwd: Path) -> None:
        self.log_path = log
        self.log = open(log, "wb")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, cwd=cwd)

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.output())
            if match:
                return match
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.log_path.name} exited:\n{self.output()[-2000:]}")
            time.sleep(0.05)
        raise RuntimeError(f"{self.log_path.name}: no {pattern!r} within {timeout} s:\n{self.output()[-2000:]}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class Stack:
    """A Tansu broker and `resonate serve` on SQLite, in a temporary directory, with the topics created."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.directory = Path(tempfile.mkdtemp(prefix="kafka-bench-"))
        self.broker: Process | None = None
        self.server: Process | None = None
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        args = self.args
        self.brokers = f"127.0.0.1:{free_port()}"
        self.broker = Process(
            [args.tansu, "broker", "--listener-url", f"tcp://{self.brokers}", "--advertised-listener-url",
             f"tcp://{self.brokers}"],
            self.directory / "tansu.log", self.directory,
        )
        self.broker.wait_for("ready in")
        self.metrics_port = free_port()
        self.server = Process(
            [args.resonate_bin, "serve", "--port", "0", "--metrics-port", str(self.metrics_port), "--store",
             f"sqlite:{self.directory / 'resonate.db'}", "--log-level", "notice"],
            self.directory / "server.log", self.directory,
        )
        self.url = self.server.wait_for(r"listening on (http://127\.0\.0\.1:\d+)").group(1)
        self.database = self.directory / "records.db"
        self.ledger = self.directory / "ledger.txt"
        subprocess.run([self.example("kafka-setup-topics"), "--brokers", self.brokers], check=True,
                       capture_output=True, cwd=self.directory)

    def example(self, name: str) -> str:
        return str(Path(self.args.examples_bin) / name)

    def requests_served(self) -> dict[str, int]:
        """Requests answered so far, by kind (the server's `resonate_request_total` counter)."""
        text = urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10).read().decode()
        served: dict[str, int] = {}
        for line in text.splitlines():
            match = re.match(r'resonate_request_total\{.*kind="([^"]+)".*\} (\S+)', line)
            if match:
                served[match.group(1)] = served.get(match.group(1), 0) + int(float(match.group(2)))
        return served

    def start_worker(self, kind: str, name: str) -> Process:
        common = ["--brokers", self.brokers, "--resonate-url", self.url, "--database", str(self.database),
                  "--batch-sleep", str(self.args.batch_sleep), "--failure-rate", str(self.args.failure_rate),
                  "--retry-delay", "0.5", "--ledger", str(self.ledger)]
        if kind == "swift":
            command = [self.example("kafka-worker"), *common, "--progress-interval", "0", *self.args.swift_arg]
        else:
            command = [self.args.python, str(Path(__file__).resolve().parent / "peers" / "kafka_reference_worker.py"),
                       *common]
        worker = Process(command, self.directory / f"{name}.log", self.directory)
        worker.wait_for("processor running")
        return worker

    def produce(self, count: int) -> None:
        subprocess.run([self.example("kafka-producer"), "--brokers", self.brokers, "--database", str(self.database),
                        "-n", str(count), "--rows", str(self.args.rows)], check=True, capture_output=True,
                       cwd=self.directory)

    def ledger_lines(self) -> list[str]:
        return self.ledger.read_text().splitlines() if self.ledger.exists() else []

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        if self.broker is not None:
            self.broker.stop(signal.SIGKILL)
        shutil.rmtree(self.directory, ignore_errors=True)


class TopicReader(threading.Thread):
    """Reads every partition of a topic from its beginning (assigned, not through a group, so it reads at once);
    per key, the timestamps (ms since the epoch) of its messages."""

    def __init__(self, brokers: str, topic: str) -> None:
        super().__init__(daemon=True)
        from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

        self.consumer = Consumer({"bootstrap.servers": brokers, "group.id": f"bench-{uuid.uuid4().hex}",
                                  "enable.auto.commit": False})
        partitions = self.consumer.list_topics(topic, timeout=30).topics[topic].partitions
        self.consumer.assign([TopicPartition(topic, partition, OFFSET_BEGINNING) for partition in partitions])
        self.lock = threading.Lock()
        self.timestamps: dict[str, list[int]] = {}
        self.running = True
        self.start()

    def run(self) -> None:
        while self.running:
            message = self.consumer.poll(0.2)
            if message is None or message.error():
                continue
            key = (message.key() or b"").decode()
            with self.lock:
                self.timestamps.setdefault(key, []).append(message.timestamp()[1])
        self.consumer.close()

    def unique(self) -> int:
        with self.lock:
            return len(self.timestamps)

    def total(self) -> int:
        with self.lock:
            return sum(len(times) for times in self.timestamps.values())

    def last_timestamp(self) -> float:
        """The newest message's timestamp, in seconds since the epoch."""
        with self.lock:
            return max(max(times) for times in self.timestamps.values()) / 1000

    def wait_for(self, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.unique() < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {self.unique()} of {count} records completed within {timeout} s")
            time.sleep(0.05)

    def stop(self) -> None:
        self.running = False
        self.join(10)


def throughput_case(kind: str, count: int, args: argparse.Namespace) -> dict[str, Any]:
    stack = Stack(args)
    try:
        worker = stack.start_worker(kind, "worker")
        completions = TopicReader(stack.brokers, COMPLETIONS)
        # One record first: the worker has joined its group and warmed up before the clock starts.
        stack.produce(1)
        completions.wait_for(1, args.timeout)
        with completions.lock:
            warm_up = set(completions.timestamps)
        server_cpu, worker_cpu, served = cpu_seconds(stack.server.pid), cpu_seconds(worker.pid), stack.requests_served()
        broker_cpu = cpu_seconds(stack.broker.pid)
        start = time.time()
        stack.produce(count)
        completions.wait_for(count + 1, args.timeout)
        seconds = completions.last_timestamp() - start
        server_cpu = cpu_seconds(stack.server.pid) - server_cpu
        worker_cpu = cpu_seconds(worker.pid) - worker_cpu
        broker_cpu = cpu_seconds(stack.broker.pid) - broker_cpu
        after = stack.requests_served()
        served = {kind: after[kind] - served.get(kind, 0) for kind in after if after[kind] > served.get(kind, 0)}
        peak = memory_mb(worker.pid, "VmHWM")
        worker.stop()
        completions.stop()
        requests = TopicReader(stack.brokers, REQUESTS)
        requests.wait_for(count + 1, 60)
        requests.stop()
        latencies = [float(completions.timestamps[key][0] - requests.timestamps[key][0])
                     for key in completions.timestamps if key in requests.timestamps and key not in warm_up]
        return {
            "worker": kind, "records": count, "seconds": seconds, "recordsPerSecond": count / seconds,
            "latency": summary(latencies),
            "workerCPUPer1000": worker_cpu / count * 1000, "serverCPUPer1000": server_cpu / count * 1000,
            "brokerCPUPer1000": broker_cpu / count * 1000,
            "requestsPerRecord": sum(served.values()) / count,
            "requestsPerRecordByKind": {kind: served[kind] / count for kind in sorted(served)},
            "workerPeakRSSMB": peak,
            "completions": completions.total() - 1, "duplicates": completions.total() - completions.unique(),
            "batchesRunTwice": len(stack.ledger_lines()) - len(set(stack.ledger_lines())),
        }
    finally:
        stack.stop()


def crash_case(kind: str, count: int, args: argparse.Namespace) -> dict[str, Any]:
    stack = Stack(args)
    try:
        first = stack.start_worker(kind, "first")
        completions = TopicReader(stack.brokers, COMPLETIONS)
        start = time.time()
        stack.produce(count)
        completions.wait_for(int(count * 0.4), args.timeout)
        first.stop(signal.SIGKILL)
        second = stack.start_worker(kind, "second")
        completions.wait_for(count, args.timeout)
        seconds = completions.last_timestamp() - start
        # Late duplicates (a completion published twice) arrive soon after; give them a moment before counting.
        time.sleep(2)
        second.stop()
        completions.stop()
        lines = stack.ledger_lines()
        return {
            "worker": kind, "records": count, "seconds": seconds, "completed": completions.unique(),
            "duplicates": completions.total() - completions.unique(), "batchesRunTwice": len(lines) - len(set(lines)),
        }
    finally:
        stack.stop()


def rounds_case(kind: str, rounds: int, per_round: int, args: argparse.Namespace) -> dict[str, Any]:
    stack = Stack(args)
    try:
        worker = stack.start_worker(kind, "worker")
        completions = TopicReader(stack.brokers, COMPLETIONS)
        resident = []
        for index in range(rounds):
            stack.produce(per_round)
            completions.wait_for(per_round * (index + 1), args.timeout)
            resident.append(memory_mb(worker.pid, "VmRSS"))
        worker.stop()
        completions.stop()
        return {"worker": kind, "rounds": rounds, "recordsPerRound": per_round, "residentMB": resident}
    finally:
        stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resonate-bin", required=True)
    parser.add_argument("--examples-bin", required=True, help="the folder of kafka-worker, kafka-producer, …")
    parser.add_argument("--tansu", required=True)
    parser.add_argument("--python", default=sys.executable, help="runs the reference worker")
    parser.add_argument("--records", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--crash-records", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--round-records", type=int, default=200)
    parser.add_argument("--rows", type=int, default=30)
    parser.add_argument("--batch-sleep", type=float, default=0.5)
    parser.add_argument("--failure-rate", type=float, default=0.0)
    parser.add_argument("--workers", nargs="+", default=["swift", "reference"])
    parser.add_argument("--swift-arg", action="append", default=[], help="an extra kafka-worker argument (repeatable)")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--json", required=True)
    args = parser.parse_args()
    # The processes run in their own directories.
    for name in ("resonate_bin", "examples_bin", "tansu"):
        setattr(args, name, str(Path(getattr(args, name)).resolve()))

    result: dict[str, Any] = {
        "workload": {"rows": args.rows, "batches": -(-args.rows // 10), "batchSleep": args.batch_sleep,
                     "failureRate": args.failure_rate},
        "throughput": [], "crash": [], "rounds": [],
    }
    for count in args.records:
        for kind in args.workers:
            figures = throughput_case(kind, count, args)
            print(json.dumps(figures), file=sys.stderr, flush=True)
            result["throughput"].append(figures)
    for kind in args.workers:
        if args.crash_records:
            figures = crash_case(kind, args.crash_records, args)
            print(json.dumps(figures), file=sys.stderr, flush=True)
            result["crash"].append(figures)
        if args.rounds:
            figures = rounds_case(kind, args.rounds, args.round_records, args)
            print(json.dumps(figures), file=sys.stderr, flush=True)
            result["rounds"].append(figures)
    Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
