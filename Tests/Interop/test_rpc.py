# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""ctx.rpc / top-level rpc across processes, errors crossing back, get(id) of a stored result."""

from __future__ import annotations

import asyncio

import pytest
from resonate.context import Context

from apps import RemoteFailure
from harness import raw_request, read_lines, run_scenario, sdk_client, unique, within

# These workflows run in the test process (group "callers"); the functions they
# call are registered only by worker.py --app rpc in a second process.


async def ask_remote(ctx: Context, text: str) -> dict:
    answer = await ctx.options(target="rpc-workers").rpc("remote_shout", text)
    return {"asked": text, "answer": answer}


async def ask_remote_to_fail(ctx: Context, why: str) -> str:
    await ctx.options(target="rpc-workers").rpc("remote_explode", why)
    return "unreachable"


@pytest.mark.timeout(50)
def test_ctx_rpc_to_function_registered_only_by_second_worker(server, procs):
    wf = unique("ask")

    async def scenario() -> None:
        await asyncio.to_thread(
            procs.worker, "rpc-worker", server.url, app="rpc", group="rpc-workers", env={"WORKER_LABEL": "second-worker"}
        )
        async with sdk_client(server.url, group="callers") as r:
            r.register(ask_remote)
            # The caller does not know remote_shout: only the rpc-workers process does.
            assert r._registry.get("remote_shout", 1) is None  # noqa: SLF001
            result = await within(r.run(wf, ask_remote, "hello").result(), 30, "ask_remote result")
            assert result == {"asked": "hello", "answer": {"shout": "HELLO!", "by": "second-worker"}}

            child = await r.promises.get(f"{wf}:1")
            assert child.state == "resolved"
            assert child.tags.get("resonate:target") == "poll://any@rpc-workers", child.tags
            assert child.param.data["func"] == "remote_shout"
            assert child.value.data == {"shout": "HELLO!", "by": "second-worker"}

        status, data = raw_request(server.url, "task.get", {"id": f"{wf}:1"})
        assert status == 200 and data["task"]["state"] == "fulfilled", data

    run_scenario(scenario(), timeout=45)


@pytest.mark.timeout(50)
def test_ctx_rpc_remote_error_reaches_the_caller(server, procs):
    wf = unique("ask-fail")
    why = "disk full on shelf 7"

    async def scenario() -> None:
        await asyncio.to_thread(
            procs.worker, "rpc-worker", server.url, app="rpc", group="rpc-workers", env={"WORKER_LABEL": "second-worker"}
        )
        async with sdk_client(server.url, group="callers") as r:
            r.register(ask_remote_to_fail)
            handle = r.run(wf, ask_remote_to_fail, why)
            with pytest.raises(Exception) as caught:
                await within(handle.result(), 30, "ask_remote_to_fail result")
            # The remote function's exception, message preserved, re-raised in the caller.
            assert f"remote exploded: {why}" in str(caught.value), repr(caught.value)
            assert isinstance(caught.value, RemoteFailure), repr(caught.value)

            child = await r.promises.get(f"{wf}:1")
            assert child.state == "rejected", child.state
            assert child.value.data["__type"] == "error"
            assert child.value.data["message"] == f"remote exploded: {why}"

            root = await r.promises.get(wf)
            assert root.state == "rejected", root.state
            assert root.value.data["message"] == f"remote exploded: {why}"

    run_scenario(scenario(), timeout=45)


@pytest.mark.timeout(50)
def test_rpc_by_name_then_get_returns_stored_result_without_rerun(server, procs, workdir):
    run_id = unique("compute")
    effects = workdir / "compute.effects"

    async def scenario() -> None:
        worker = await asyncio.to_thread(procs.worker, "compute-worker", server.url, app="compute", group="workers")
        async with sdk_client(server.url, group="caller") as r:
            # By name only: the caller has no registration for "compute".
            handle = r.options(target="workers").rpc(run_id, "compute", 21, str(effects))
            assert await within(handle.result(), 30, "rpc result") == {"n": 21, "double": 42}
        assert len(read_lines(effects)) == 1, read_lines(effects)

        # Take the only worker away: from now on nothing could execute "compute".
        await asyncio.to_thread(worker.stop)
        assert worker.popen.returncode is not None

        # A fresh client (new pid, new process identity) reads the stored result.
        async with sdk_client(server.url, group="caller") as r2:
            got = await within(r2.get(run_id), 10, "resonate.get")
            assert await within(got.result(), 10, "get(...).result()") == {"n": 21, "double": 42}
            # An rpc with the same id is deduplicated by the server: same stored result.
            again = r2.options(target="workers").rpc(run_id, "compute", 21, str(effects))
            assert await within(again.result(), 10, "second rpc result") == {"n": 21, "double": 42}

        assert len(read_lines(effects)) == 1, f"compute ran more than once: {read_lines(effects)}"
        status, data = raw_request(server.url, "task.get", {"id": run_id})
        assert status == 200 and data["task"]["state"] == "fulfilled", data

    run_scenario(scenario(), timeout=45)
