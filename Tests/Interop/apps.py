# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""Durable functions run by the worker programs (worker.py, dup_caller.py).

``register_app(resonate, name)`` registers one named set of functions, so each
worker process registers only what its scenario says it should.
"""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path

from resonate.context import Context
from resonate.resonate import Resonate
from resonate.retry import Never

from harness import append_line

# ── "rpc": functions that only a second worker process registers ───────────


async def remote_shout(ctx: Context, text: str) -> dict:
    return {"shout": text.upper() + "!", "by": os.environ.get("WORKER_LABEL", "?")}


class RemoteFailure(Exception):
    pass


async def remote_explode(ctx: Context, why: str) -> str:
    raise RemoteFailure(f"remote exploded: {why}")


# ── "crash": steps 1, 2, 3 with fsync'd side effects; step 3 may block ──────


def _step(ctx: Context, path: str, n: int) -> int:
    append_line(path, str(n))
    return n * 10


async def _step3(ctx: Context, path: str) -> int:
    label = os.environ.get("WORKER_LABEL", "?")
    append_line(path, f"3-start:{label}")
    if os.environ.get("BLOCK_STEP3") == "1":
        # Block "forever": wait for a file nobody creates. Only the process
        # started with BLOCK_STEP3=1 (worker A) ever gets here.
        never = Path(path + ".never")
        while not never.exists():
            await asyncio.sleep(0.1)
    append_line(path, f"3-end:{label}")
    return 30


async def crash_workflow(ctx: Context, path: str) -> list[int]:
    a = await ctx.run(_step, path, 1)
    b = await ctx.run(_step, path, 2)
    c = await ctx.run(_step3, path)
    return [a, b, c]


# ── "compute": a leaf with a countable side effect ─────────────────────────


async def compute(ctx: Context, n: int, path: str) -> dict:
    append_line(path, f"compute {n} pid={os.getpid()}")
    return {"n": n, "double": n * 2}


# ── "dup": a body slow enough that two concurrent callers overlap ──────────


async def once_only(ctx: Context, path: str, token: str) -> str:
    append_line(path, f"ran pid={os.getpid()}")
    # Keep the task acquired for a while so the other caller's create lands
    # while this one is still running (it must see a conflict, not a result).
    await asyncio.sleep(1.5)
    return f"result-{token}"


# ── "swift-interop": functions a Swift client and a Swift workflow call by name ─


async def py_mul(ctx: Context, a: int, b: int) -> int:
    return a * b


class PythonFailure(Exception):
    pass


async def py_fail(ctx: Context, message: str) -> int:
    raise PythonFailure(message)


# ── "cancel": a remote call the Swift "trip" makes, canceled with it ─────────


def _py_mark(ctx: Context, path: str, line: str) -> None:
    append_line(path, line)


async def py_hold(ctx: Context, run: str) -> str:
    await ctx.sleep(timedelta(hours=1))
    # Never reached when the trip is canceled: the sleep is canceled with it and the task fulfilled.
    await ctx.run(_py_mark, os.environ["PY_LEDGER"], f"{run} py-after")
    return f"{run} held"


# ── "approval": an order that waits for a person (a latent promise), settled from the dashboard ──


async def approve_order(ctx: Context, order: str) -> dict:
    decision = ctx.promise()
    await decision.id()
    approval = await decision
    return {"order": order, "approval": approval}


APPS = {
    "rpc": lambda r: (
        r.register(remote_shout),
        r.register(remote_explode, retry_policy=Never()),
    ),
    "crash": lambda r: r.register(crash_workflow),
    "compute": lambda r: r.register(compute, retry_policy=Never()),
    "dup": lambda r: r.register(once_only, retry_policy=Never()),
    "cancel": lambda r: r.register(py_hold),
    "approval": lambda r: r.register(approve_order),
    "swift-interop": lambda r: (
        r.register(py_mul),
        r.register(py_fail, retry_policy=Never()),
    ),
}


def register_app(resonate: Resonate, name: str) -> None:
    APPS[name](resonate)

