# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""The reference peer of the Kafka worker benchmark: the official Resonate Python SDK deleting records.

A port of the official Resonate Kafka worker example (resonatehq, Python and TypeScript versions) to
resonate-sdk 0.8.1 and confluent-kafka, doing the Swift example's work (``Examples/Kafka/Worker``), so that the two
can be compared on the same Resonate server, Kafka broker and records database.

    python kafka_reference_worker.py --brokers 127.0.0.1:9092 --resonate-url http://127.0.0.1:8001 \\
        --database records.db [--batch-size 10] [--batch-sleep 0.5] [--failure-rate 0.0] [--retry-delay 2.0] \\
        [--ledger PATH] [--group workers]

It consumes ``records_to_be_deleted`` (consumer group ``record_consumer_group``, from the earliest offset, offsets
auto-committed as in the official Python example; the Kafka session and the Resonate lease last 10 s, as the Swift
worker's) and starts one durable workflow per request, its promise id the record id, without waiting for it to
finish. The workflow deletes the record's rows in batches of ``--batch-size`` (the leaf ``deleteBatch``, one SQLite
transaction each, failing at random with probability ``--failure-rate`` and then retried after ``--retry-delay``
seconds, doubling, at most 30 s apart), sleeps durably ``--batch-sleep`` seconds between two batches, and last
publishes ``[recordId, offset]`` to ``records_that_were_deleted`` (the leaf ``enqueueCompletion``). Stops on SIGTERM
or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from confluent_kafka import Consumer, KafkaException, Producer
from resonate.resonate import Resonate

REQUESTS_TOPIC = "records_to_be_deleted"
COMPLETIONS_TOPIC = "records_that_were_deleted"
CONSUMER_GROUP = "record_consumer_group"
# The longest wait between two attempts of a failed step.
MAX_RETRY_DELAY = 30.0
# As the Swift worker's defaults (its --ttl and --session-timeout), so that both move a crashed worker's work to
# another after the same time: the Resonate lease (resonate-sdk's default is a minute), and the Kafka session
# (librdkafka's default of 45 s also makes Tansu hold a new group member's first join for about 23 s).
RESONATE_TTL = timedelta(seconds=10)
SESSION_TIMEOUT_MS = 10_000
# Seconds one consumer poll waits for a message: also how long a shutdown signal can go unnoticed.
POLL_TIMEOUT = 0.25


def say(line: str) -> None:
    print(line, flush=True)


class SimulatedError(Exception):
    """The failure ``deleteBatch`` raises on purpose, to show retries."""


class DoublingRetry:
    """A retry policy (resonate-sdk's ``RetryPolicy`` protocol): wait ``first`` seconds before the first retry,
    doubling each time, at most ``cap`` seconds, never giving up.

    The SDK's own ``Exponential`` waits ``delay * factor ** attempt`` (attempt 1 is the first retry) with integer
    fields, so it cannot start at a fractional ``--retry-delay``; this one states the ladder directly.
    """

    def __init__(self, first: float, cap: float) -> None:
        self.first = first
        self.cap = cap

    def next(self, attempt: int) -> float | None:
        return min(self.first * 2.0 ** min(attempt - 1, 62), self.cap)


class RecordsDatabase:
    """The records database the producer fills: one connection, used only by one dedicated thread, so that
    transactions never interleave and the event loop never waits on SQLite (its busy timeout or its fsyncs)."""

    def __init__(self, path: str, ledger: str | None) -> None:
        self._ledger = ledger
        self._connection: sqlite3.Connection | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="records-db")
        self._thread.submit(self._open, path).result()

    def _open(self, path: str) -> None:
        # isolation_level=None: no implicit transactions, ours are explicit (BEGIN IMMEDIATE ... COMMIT).
        connection = sqlite3.connect(path, timeout=30.0, isolation_level=None)
        connection.execute("PRAGMA busy_timeout = 30000")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        self._connection = connection

    async def delete_batch(self, record_id: str, batch: int, below: int) -> bool:
        """Deletes the record's rows numbered below ``below`` (so a second run deletes nothing more); whether rows
        remain. Appends ``<record_id> <batch>`` to the ledger, if any, once the deletion is committed."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._delete_batch, record_id, batch, below)

    def _delete_batch(self, record_id: str, batch: int, below: int) -> bool:
        connection = self._connection
        assert connection is not None
        # BEGIN IMMEDIATE takes the write lock up front: two processes never deadlock upgrading a read lock.
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute("DELETE FROM record_rows WHERE record_id = ? AND row < ?", (record_id, below))
            (remaining,) = connection.execute(
                "SELECT count(*) FROM record_rows WHERE record_id = ?", (record_id,)
            ).fetchone()
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        if self._ledger is not None:
            append_synced(self._ledger, f"{record_id} {batch}\n")
        return remaining > 0

    def close(self) -> None:
        def close_connection() -> None:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

        self._thread.submit(close_connection).result()
        self._thread.shutdown(wait=True)


def append_synced(path: str, line: str) -> None:
    """Appends ``line`` to ``path`` and flushes it to disk before returning, so it survives a kill -9 after."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        data = line.encode()
        while data:
            data = data[os.write(descriptor, data):]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class CompletionPublisher:
    """A confluent-kafka producer whose delivery reports are served by a background thread and handed to the event
    loop, so a publish can be awaited without blocking it."""

    def __init__(self, brokers: str) -> None:
        # Idempotent, as the Swift worker's producer: the client's own retries never write a message twice.
        self._producer = Producer({"bootstrap.servers": brokers, "enable.idempotence": True})
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="completion-producer", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            self._producer.poll(0.1)

    async def publish(self, topic: str, key: str, value: str, headers: list[tuple[str, bytes]]) -> None:
        """Produces one message and returns once the broker has acknowledged it; raises if it was not delivered."""
        loop = asyncio.get_running_loop()
        delivered: asyncio.Future[None] = loop.create_future()

        def settle(error: Any) -> None:
            if delivered.done():
                return
            if error is not None:
                delivered.set_exception(KafkaException(error))
            else:
                delivered.set_result(None)

        def report(error: Any, _message: Any) -> None:
            # Called on the producer's thread.
            loop.call_soon_threadsafe(settle, error)

        while True:
            try:
                self._producer.produce(
                    topic, key=key.encode(), value=value.encode(), headers=headers, on_delivery=report
                )
                break
            except BufferError:
                # The client's queue is full: wait for deliveries to make room.
                await asyncio.sleep(0.05)
        await delivered

    def close(self, timeout: float) -> None:
        self._stopping.set()
        self._thread.join()
        self._producer.flush(timeout)


@dataclass(frozen=True)
class Worker:
    """What the durable functions need, handed to them as a resonate dependency."""

    database: RecordsDatabase
    completions: CompletionPublisher
    batch_size: int
    batch_sleep: timedelta
    failure_rate: float
    retry: DoublingRetry


# The durable functions. Named as the official example names them: resonate-sdk registers a function under its
# Python name unless told otherwise, and we tell it the same names explicitly below.


async def deleteBatch(ctx: Any, record_id: str, batch: int) -> bool:  # noqa: N802
    """Deletes batch number ``batch`` of the record's rows; ``True`` while rows remain."""
    worker = ctx.get_dependency(Worker)
    say(f"deleting a batch of rows related to record {record_id}")
    if random.random() < worker.failure_rate:
        say(f"simulated error while processing record {record_id}")
        raise SimulatedError(f"simulated error while processing record {record_id}")
    return await worker.database.delete_batch(record_id, batch, batch * worker.batch_size)


async def enqueueCompletion(ctx: Any, record_id: str, offset: int) -> None:  # noqa: N802
    """Publishes ``[record_id, offset]`` to ``records_that_were_deleted``, keyed by the record id.

    At least once: a crash after the broker's acknowledgement but before this step's checkpoint publishes a second,
    identical message (same key, value and ``idempotency-key`` header, the step's promise id)."""
    worker = ctx.get_dependency(Worker)
    await worker.completions.publish(
        COMPLETIONS_TOPIC,
        key=record_id,
        value=json.dumps([record_id, offset]),
        headers=[("idempotency-key", ctx.info.id.encode())],
    )


async def workflow(ctx: Any, record_id: str, offset: int) -> str:
    """Deletes the record's rows batch by batch, sleeping durably between batches, then publishes its completion.

    After each sleep the workflow replays from the top with the finished steps read from their checkpoints, so this
    function's lines print again while the steps do not run again."""
    worker = ctx.get_dependency(Worker)
    say(f"processing record {record_id} in position {offset}")
    # A ctx.run child takes its retry policy from the call's options (register's policy applies to root tasks).
    leaf = ctx.options(retry_policy=worker.retry)
    batch = 1
    while await leaf.run(deleteBatch, record_id, batch):
        say(f"record {record_id} still has rows to delete")
        await ctx.sleep(worker.batch_sleep)
        batch += 1
    say(f"all rows deleted for record {record_id} in position {offset}")
    await leaf.run(enqueueCompletion, record_id, offset)
    return f"workflow {record_id} completed"


def parse_request(raw: bytes | None) -> str | None:
    """The record id of a request: a JSON string, or a JSON array whose first element is a string."""
    try:
        value = json.loads(raw) if raw is not None else None
    except ValueError:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and isinstance(value[0], str):
        return value[0]
    return None


async def serve(args: argparse.Namespace) -> int:
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)

    retry = DoublingRetry(args.retry_delay, MAX_RETRY_DELAY)
    database = RecordsDatabase(args.database, args.ledger)
    completions = CompletionPublisher(args.brokers)
    resonate = Resonate(url=args.resonate_url, group=args.group, ttl=RESONATE_TTL)
    resonate.with_dependency(
        Worker(
            database=database,
            completions=completions,
            batch_size=args.batch_size,
            batch_sleep=timedelta(seconds=args.batch_sleep),
            failure_rate=args.failure_rate,
            retry=retry,
        )
    )
    resonate.register(deleteBatch, name="deleteBatch", retry_policy=retry)
    resonate.register(enqueueCompletion, name="enqueueCompletion", retry_policy=retry)
    resonate.register(workflow, name="workflow")

    consumer = Consumer(
        {
            "bootstrap.servers": args.brokers,
            "group.id": CONSUMER_GROUP,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": True,
            "session.timeout.ms": SESSION_TIMEOUT_MS,
            "heartbeat.interval.ms": SESSION_TIMEOUT_MS // 3,
        }
    )
    # The consumer is only ever touched by this thread, so polling never blocks the event loop.
    polling = ThreadPoolExecutor(max_workers=1, thread_name_prefix="request-consumer")
    await loop.run_in_executor(polling, consumer.subscribe, [REQUESTS_TOPIC])
    say("processor running")
    try:
        while not stopping.is_set():
            message = await loop.run_in_executor(polling, consumer.poll, POLL_TIMEOUT)
            if message is None:
                continue
            if message.error() is not None:
                say(f"Consumer error: {message.error()}")
                continue
            raw = message.value()
            record_id = parse_request(raw)
            if record_id is None:
                shown = raw.decode(errors="replace") if raw is not None else ""
                say(f"unexpected message shape on {REQUESTS_TOPIC}: {shown}")
                continue
            # run() returns at once and creates the durable promise (and runs the workflow) in the background;
            # awaiting the handle's id waits for the promise to exist, not for the workflow to finish.
            try:
                await resonate.run(record_id, workflow, record_id, message.offset()).id()
            except Exception as error:  # noqa: BLE001 - reported, and the next request is processed
                say(f"failed to begin workflow for {record_id}: {error}")
                continue
            where = f"partition={message.partition()}, offset={message.offset()}"
            say(f"kicked off workflow for record {record_id} ({where})")
    finally:
        say("shutting down consumer.")
        await loop.run_in_executor(polling, consumer.close)
        polling.shutdown(wait=True)
        try:
            await asyncio.wait_for(resonate.stop(), 10)
        except TimeoutError:
            pass
        await asyncio.to_thread(completions.close, 10.0)
        await asyncio.to_thread(database.close)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--brokers", required=True, help="Kafka bootstrap servers, HOST:PORT[,HOST:PORT...]")
    parser.add_argument("--resonate-url", required=True, help="the Resonate server, e.g. http://127.0.0.1:8001")
    parser.add_argument("--database", required=True, help="the records database, shared with the producer")
    parser.add_argument("--batch-size", type=int, default=10, help="rows deleted per batch (default: 10)")
    parser.add_argument(
        "--batch-sleep", type=float, default=0.5, help="seconds of durable sleep between two batches (default: 0.5)"
    )
    parser.add_argument(
        "--failure-rate", type=float, default=0.0, help="the probability that a batch fails (default: 0)"
    )
    parser.add_argument(
        "--retry-delay",
        type=float,
        default=2.0,
        help="seconds before a failed step is retried, doubling, up to 30 (default: 2)",
    )
    parser.add_argument("--ledger", help="append '<recordId> <batch>' (fsynced) per committed batch to this file")
    parser.add_argument("--group", default="workers", help="this worker's Resonate group (default: workers)")
    args = parser.parse_args()
    if args.batch_size <= 0:
        parser.error("--batch-size must be positive")
    if args.batch_sleep < 0:
        parser.error("--batch-sleep must not be negative")
    if not 0.0 <= args.failure_rate <= 1.0:
        parser.error("--failure-rate must be within 0 and 1")
    if args.retry_delay <= 0:
        parser.error("--retry-delay must be positive")
    return asyncio.run(serve(args))


if __name__ == "__main__":
    raise SystemExit(main())
