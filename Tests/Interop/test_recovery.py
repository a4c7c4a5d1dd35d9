# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""A worker killed with SIGKILL mid-workflow: another worker of the group finishes it."""

from __future__ import annotations

import asyncio
import time

import pytest

from harness import raw_request, read_lines, run_scenario, sdk_client, unique, wait_for_async, within

TTL_S = 5.0


@pytest.mark.timeout(90)
def test_killed_worker_recovers_on_another_without_rerunning_completed_steps(server, procs, workdir, note):
    wf = unique("crash")
    effects = str(workdir / "crash.effects")

    async def scenario() -> None:
        worker_a = await asyncio.to_thread(
            procs.worker,
            "worker-A", server.url, app="crash", group="workers", ttl=TTL_S, env={"WORKER_LABEL": "A", "BLOCK_STEP3": "1"},
        )
        async with sdk_client(server.url, group="crash-caller") as r:
            handle = r.options(target="workers").rpc(wf, "crash_workflow", effects)

            async def step3_started() -> bool:
                return "3-start:A" in read_lines(effects)

            await wait_for_async(
                step3_started,
                20,
                "worker A to start step 3",
                detail=lambda: f"effects so far: {read_lines(effects)}\n{worker_a.tail()}",
            )
            assert read_lines(effects) == ["1", "2", "3-start:A"]

            status, data = raw_request(server.url, "task.get", {"id": wf})
            assert status == 200, data
            assert data["task"]["state"] == "acquired" and data["task"].get("pid") == "worker-A", data

            worker_a.kill9()
            killed_at = time.monotonic()

            await asyncio.to_thread(
                procs.worker, "worker-B", server.url, app="crash", group="workers", ttl=TTL_S, env={"WORKER_LABEL": "B"}
            )
            b_ready = time.monotonic() - killed_at

            result = await within(handle.result(), 60, "the workflow to finish on worker B")
            recovered = time.monotonic() - killed_at
            assert result == [10, 20, 30]

        lines = read_lines(effects)
        assert lines.count("1") == 1, f"step 1 re-ran: {lines}"
        assert lines.count("2") == 1, f"step 2 re-ran: {lines}"
        assert lines == ["1", "2", "3-start:A", "3-start:B", "3-end:B"], lines

        status, data = raw_request(server.url, "task.get", {"id": wf})
        assert status == 200 and data["task"]["state"] == "fulfilled", data
        status, data = raw_request(server.url, "promise.get", {"id": f"{wf}:3"})
        assert status == 200 and data["promise"]["state"] == "resolved", data
        note(f"ttl {TTL_S}s: worker B ready {b_ready:.2f}s after kill -9, workflow done {recovered:.2f}s after it")

    run_scenario(scenario(), timeout=85)
