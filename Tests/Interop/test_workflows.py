# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""ctx.run steps, ctx.sleep and a latent ctx.promise() against a real server."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

import pytest
from resonate.context import Context
from resonate.error import ServerError

from harness import raw_request, run_scenario, sdk_client, unique, wait_for_async, within

# ── Scenario 1: several ctx.run steps ──────────────────────────────────────


async def add(ctx: Context, a: int, b: int) -> int:
    return a + b


def mul(ctx: Context, a: int, b: int) -> int:  # a plain (sync) step
    return a * b


async def describe(ctx: Context, n: int) -> str:
    return f"n={n}"


async def pipeline(ctx: Context, x: int) -> dict:
    a = await ctx.run(add, x, 1)
    b = await ctx.run(mul, a, 10)
    c = await ctx.run(describe, b)
    return {"a": a, "b": b, "c": c}


@pytest.mark.timeout(40)
def test_run_steps_return_value_and_each_child_settled(server):
    wf = unique("steps")

    async def scenario() -> None:
        async with sdk_client(server.url, group="steps") as r:
            r.register(pipeline)
            result = await within(r.run(wf, pipeline, 4).result(), 20, "pipeline result")
            assert result == {"a": 5, "b": 50, "c": "n=50"}

            # The server's promise tree: one local child per step, each settled with
            # its step's value (promise.search is covered by test_promises.py).
            expected_children = {f"{wf}:1": 5, f"{wf}:2": 50, f"{wf}:3": "n=50"}
            for cid, value in expected_children.items():
                child = await r.promises.get(cid)
                assert child.state == "resolved", (cid, child.state)
                assert child.value.data == value, (cid, child.value)
                assert child.tags.get("resonate:parent") == wf
                assert child.tags.get("resonate:origin") == wf
                assert child.tags.get("resonate:scope") == "local"
                assert child.settled_at is not None and child.settled_at >= child.created_at

            # Exactly three steps: no fourth child was created.
            with pytest.raises(ServerError) as missing:
                await r.promises.get(f"{wf}:4")
            assert missing.value.code == 404

            root = await r.promises.get(wf)
            assert root.state == "resolved"
            assert root.value.data == {"a": 5, "b": 50, "c": "n=50"}
            assert root.param.data["func"] == "pipeline"
            assert root.param.data["args"] == [4]

        status, data = raw_request(server.url, "task.get", {"id": wf})
        assert status == 200 and data["task"]["state"] == "fulfilled", data

    run_scenario(scenario(), timeout=35)


# ── Scenario 3: ctx.sleep ───────────────────────────────────────────────────

SLEEP_S = 2.0


def wall_clock(ctx: Context) -> float:
    return time.time()


async def nap(ctx: Context, seconds: float) -> dict:
    before = await ctx.run(wall_clock)  # durable: a replay after the sleep sees the same value
    await ctx.sleep(timedelta(seconds=seconds))
    after = await ctx.run(wall_clock)
    return {"before": before, "after": after}


@pytest.mark.timeout(40)
def test_sleep_fires_no_earlier_than_its_deadline(server, note):
    wf = unique("nap")

    async def scenario() -> None:
        async with sdk_client(server.url, group="sleepers") as r:
            r.register(nap)
            started = time.time()
            result = await within(r.run(wf, nap, SLEEP_S).result(), 25, "nap result")
            finished = time.time()

            # Measured inside the workflow around the sleep, and around the whole run.
            inside = result["after"] - result["before"]
            assert inside >= SLEEP_S, f"workflow resumed {SLEEP_S - inside:.3f}s before its sleep deadline"
            assert finished - started >= SLEEP_S

            # The timer promise: created by ctx.sleep as the workflow's second child.
            timer = await r.promises.get(f"{wf}:2")
            assert timer.tags.get("resonate:timer") == "true", timer.tags
            assert timer.state == "resolved", timer.state
            assert timer.settled_at is not None
            assert timer.settled_at >= timer.timeout_at, (
                f"timer settled at {timer.settled_at}, before its deadline {timer.timeout_at}"
            )
            assert timer.timeout_at - timer.created_at <= SLEEP_S * 1000 + 50
            note(
                f"sleep {SLEEP_S}s: timer settled {timer.settled_at - timer.timeout_at} ms after its deadline; "
                f"workflow resumed {inside - SLEEP_S:.3f}s late; whole run {finished - started:.3f}s"
            )

    run_scenario(scenario(), timeout=35)


# ── Scenario 4: a latent promise resolved by another client ─────────────────


async def approval(ctx: Context, request: str) -> dict:
    decision = await ctx.promise()
    return {"request": request, "decision": decision}


@pytest.mark.timeout(45)
def test_latent_promise_resolved_by_another_client(server, procs):
    wf = unique("approval")
    latent = f"{wf}:1"  # the first child id of the workflow: deterministic
    decision = {"approved": True, "by": "another-client", "note": "ünïcode ok"}

    async def scenario() -> None:
        async with sdk_client(server.url, group="approvals") as r:
            r.register(approval)
            handle = r.run(wf, approval, "expense-42")

            async def latent_pending():
                try:
                    return await r.promises.get(latent)
                except ServerError as err:
                    if err.code == 404:
                        return None
                    raise

            record = await wait_for_async(latent_pending, 15, f"latent promise {latent} to be created")
            assert record.state == "pending"
            assert record.tags.get("resonate:external") == "true"
            assert "resonate:target" not in record.tags

            # The workflow parks on it durably: its task is suspended, holding no lease.
            async def suspended():
                status, data = raw_request(server.url, "task.get", {"id": wf})
                assert status == 200, data
                return data["task"]["state"] == "suspended"

            await wait_for_async(suspended, 10, f"task {wf} to suspend on {latent}")
            assert not handle.done()

            # A separate process with its own Resonate instance settles it.
            settler = procs.python(
                "settler", "settle_promise.py", "--url", server.url, "--id", latent, "--value", json.dumps(decision)
            )
            assert await asyncio.to_thread(settler.wait_exit, 20) == 0, settler.tail()
            line = settler.wait_line(r"^SETTLED ", 1).string
            assert line.startswith("SETTLED resolved "), line

            result = await within(handle.result(), 20, "approval result after the latent promise was resolved")
            assert result == {"request": "expense-42", "decision": decision}

            settled = await r.promises.get(latent)
            assert settled.state == "resolved" and settled.value.data == decision

    run_scenario(scenario(), timeout=40)
