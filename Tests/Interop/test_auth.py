# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""The official Python SDK with a JWT against ``resonate serve --auth-publickey``."""

from __future__ import annotations

import time
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from resonate.context import Context
from resonate.error import ServerError

from harness import raw_request, run_scenario, sdk_client, unique, within


async def double(ctx: Context, n: int) -> int:
    return n * 2


async def workflow(ctx: Context, n: int) -> int:
    doubled = await ctx.run(double, n)
    await ctx.sleep(timedelta(milliseconds=100))
    return doubled + 1


@pytest.fixture
def auth_server(procs, workdir):
    """A server that verifies ES256 tokens, and a function that mints them."""
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (workdir / "auth.pem").write_bytes(pem)
    srv = procs.server(
        "serve", "--port", "0", "--metrics-port", "0", "--store", f"sqlite:{workdir / 'resonate.db'}",
        "--auth-publickey", str(workdir / "auth.pem"), "--auth-leeway", "0s",
    )

    def mint(**claims) -> str:
        return jwt.encode({"exp": int(time.time()) + 600, **claims}, key, algorithm="ES256")

    return srv, mint


@pytest.mark.timeout(40)
def test_sdk_with_a_prefix_token_runs_a_workflow(auth_server):
    srv, mint = auth_server
    wf = unique("orders")
    token = mint(role="worker", prefix="orders")

    async def scenario() -> None:
        async with sdk_client(srv.url, group="workers", token=token) as r:
            r.register(workflow)
            r.register(double)
            assert await within(r.run(wf, workflow, 20).result(), 20, "workflow result") == 41
            root = await r.promises.get(wf)
            assert root.state == "resolved"

    run_scenario(scenario(), 30)


@pytest.mark.timeout(40)
def test_requests_without_or_beyond_their_token_are_refused(auth_server):
    srv, mint = auth_server

    async def scenario() -> None:
        async with sdk_client(srv.url, group="clients", token=mint(prefix="orders")) as r:
            with pytest.raises(ServerError) as forbidden:
                await r.promises.get("invoices-1")
            assert forbidden.value.code == 403

    run_scenario(scenario(), 30)
    # No token at all: 401 on the RPC route.
    status, data = raw_request(srv.url, "promise.get", {"id": "orders-1"})
    assert (status, data) == (401, "Unauthorized")
