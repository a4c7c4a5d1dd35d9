# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""Cancellation across SDKs: the official Python SDK cancels a Swift workflow whose call tree spans a local step,
a Swift worker of another group, a Python worker and a sleep."""

from __future__ import annotations

import time

import pytest
from resonate.types import Value

from harness import raw_request, read_lines, run_scenario, sdk_client, unique, wait_for, wait_for_async, within
from test_swift_sdk import sdk_test_worker


def promise(url: str, id: str) -> dict | None:
    status, data = raw_request(url, "promise.get", {"id": id})
    return data["promise"] if status == 200 else None


def state(url: str, id: str) -> str | None:
    record = promise(url, id)
    return record["state"] if record else None


def start_trip_workers(procs, resonate_bin: str, url: str, workdir, trip_workers: int):
    """The Python worker (py_hold), the Swift worker of group swift-b (hold), and `trip_workers` Swift workers of
    group swift-workers (trip), each with its own ledger; returns the trip workers with their ledgers."""
    procs.worker("py-worker", url, app="cancel", group="py-workers", env={"PY_LEDGER": str(workdir / "py.ledger")})
    worker = sdk_test_worker(resonate_bin)
    hold = procs.spawn(
        "swift-b", [worker, "serve", "--url", url, "--group", "swift-b", "--ledger", str(workdir / "b.ledger")]
    )
    hold.wait_line(r"^READY ", timeout=30)
    trips = []
    for n in range(trip_workers):
        ledger = workdir / f"a{n}.ledger"
        proc = procs.spawn(
            f"swift-a{n}",
            [worker, "serve", "--url", url, "--group", "swift-workers", "--pid", f"a{n}", "--ledger", str(ledger)],
        )
        proc.wait_line(r"^READY ", timeout=30)
        trips.append((proc, ledger))
    return trips


def lines(*paths) -> list[str]:
    return [line for path in paths if path.exists() for line in read_lines(path)]


def run_canceled_trip(server, procs, resonate_bin, workdir, kill_holder: bool) -> None:
    trips = start_trip_workers(procs, resonate_bin, server.url, workdir, trip_workers=2 if kill_holder else 1)
    ledgers = [ledger for _, ledger in trips] + [workdir / "b.ledger", workdir / "py.ledger"]
    run = unique("trip")
    # Everything the trip waits on when it is canceled: the Swift hold's latent promise, the Python hold's sleep,
    # and the trip's own sleep.
    waiting = [f"{run}:2.2", f"{run}:3.1", f"{run}:4"]
    pending_at_cancel = [run, f"{run}:2", f"{run}:3", *waiting]

    async def scenario() -> None:
        async with sdk_client(server.url, group="py-callers") as r:
            handle = r.options(target="swift-workers").rpc(run, "trip", run)
            async def all_waiting() -> bool:
                return all(state(server.url, id) == "pending" for id in waiting)

            # Polled between awaits, so the SDK's own tasks (the rpc's creation) keep running.
            await wait_for_async(
                all_waiting,
                30,
                "the trip and its remote calls to be waiting",
                detail=lambda: str({id: state(server.url, id) for id in pending_at_cancel}),
            )
            if kill_holder:
                holder = next(proc for proc, ledger in trips if f"{run} reserve" in lines(ledger))
                holder.kill9()
            # Any official SDK cancels by settling the promise rejected_canceled.
            canceled = await within(r.promises.cancel(run, Value(data="stop")), 15, "promises.cancel")
            assert canceled.state == "rejected_canceled"
            started = time.monotonic()
            states = {id: state(server.url, id) for id in pending_at_cancel}
            assert states == {id: "rejected_canceled" for id in pending_at_cancel}, states
            assert time.monotonic() - started < 1.0
            assert state(server.url, f"{run}:1") == "resolved"
            assert state(server.url, f"{run}:2.1") == "resolved"
            with pytest.raises(Exception) as raised:
                await within(handle.result(), 15, "the trip's result")
            assert "cancel" in str(raised.value).lower(), raised.value

    run_scenario(scenario(), timeout=80)

    # The Swift trip replays to clean up (on the surviving worker if its holder was killed); so does the Swift hold.
    wait_for(lambda: state(server.url, f"{run}:cleanup") == "resolved", 30, "the trip's cleanup",
             detail=lambda: str(lines(*ledgers)))
    wait_for(lambda: state(server.url, f"{run}:2.cleanup") == "resolved", 30, "the Swift hold's cleanup")
    recorded = lines(*ledgers)
    assert recorded.count(f"{run} reserve") == 1, recorded
    assert recorded.count(f"{run} release") == 1, recorded
    assert recorded.count(f"{run} hold") == 1, recorded
    for never in ("ship", "hold-after", "py-after"):
        assert f"{run} {never}" not in recorded, recorded
    # The Python hold was canceled with its sleep; it has nothing to clean up and no cleanup execution.
    assert promise(server.url, f"{run}:3.cleanup") is None
    assert state(server.url, run) == "rejected_canceled"
    if kill_holder:
        survivor_ledger = next(ledger for _, ledger in trips if f"{run} reserve" not in lines(ledger))
        assert lines(survivor_ledger).count(f"{run} release") == 1


@pytest.mark.timeout(120)
def test_a_python_cancel_stops_a_swift_workflow_and_everything_it_started(server, procs, resonate_bin, workdir):
    run_canceled_trip(server, procs, resonate_bin, workdir, kill_holder=False)


@pytest.mark.timeout(120)
def test_a_cancel_after_the_holding_worker_was_killed_completes_on_another(server, procs, resonate_bin, workdir):
    run_canceled_trip(server, procs, resonate_bin, workdir, kill_holder=True)
