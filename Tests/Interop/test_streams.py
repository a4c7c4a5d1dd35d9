# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""The SDK's message stream outlives its HTTP client's time limit for a whole request.

resonate-sdk 0.8.1 reads its stream (GET /poll/…) with an aiohttp session on aiohttp's default time limit for a
whole request, 5 minutes. When that limit fires, aiohttp raises a TimeoutError the SDK's reconnect loop does not
handle: the loop ends, and the process receives no message again (no execute, no unblock). The server ends every
stream before that (``--poll-stream-lifetime``, 4 minutes by default), and the SDK reconnects after a clean end.
Here the client's limit is 4 s and the server's lifetime 2 s, so the test need not wait 5 minutes.
"""

from __future__ import annotations

import asyncio

import aiohttp.client
import pytest

from harness import run_scenario, sdk_client, unique, within


async def double(ctx, n: int) -> int:
    return 2 * n


def start_server(procs, workdir, lifetime: str):
    return procs.server(
        "serve", "--port", "0", "--metrics-port", "0", "--store", f"sqlite:{workdir / 'streams.db'}",
        "--poll-stream-lifetime", lifetime,
    )


async def calls_over_time(url: str, group: str, calls: int, pause: float) -> list[int]:
    """rpc calls to this very process, spread over time: each needs the stream twice (the execute, the unblock)."""
    results = []
    async with sdk_client(url, group=group) as r:
        r.register(double)
        for index in range(calls):
            handle = r.options(target=group).rpc(unique(f"double-{index}"), "double", index)
            results.append(await within(handle.result(), 8, f"call {index}'s result"))
            await asyncio.sleep(pause)
    return results


@pytest.mark.timeout(60)
def test_sdk_keeps_receiving_messages_past_its_clients_time_limit(procs, workdir, monkeypatch):
    # What 0.8.1's stream runs under, shortened from 5 minutes; the session is made when the SDK starts.
    monkeypatch.setattr(aiohttp.client, "DEFAULT_TIMEOUT", aiohttp.ClientTimeout(total=4, sock_connect=30))
    server = start_server(procs, workdir, "2s")
    # Five calls 3 s apart: the client's 4 s limit would have ended its first stream three times over.
    assert run_scenario(calls_over_time(server.url, unique("streams"), calls=5, pause=3), timeout=55) == [0, 2, 4, 6, 8]
