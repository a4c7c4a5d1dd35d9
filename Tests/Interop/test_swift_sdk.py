# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""The Swift SDK and the official Python SDK calling each other through one server."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from resonate.error import ApplicationError

from harness import run_scenario, sdk_client, unique, within


def sdk_test_worker(resonate_bin: str) -> str:
    """The Swift test worker, built next to the server binary."""
    path = Path(resonate_bin).parent / "sdk-test-worker"
    if not os.access(path, os.X_OK):
        pytest.fail(f"sdk-test-worker not found at {path} (run `swift build`)")
    return str(path)


def start_swift_worker(procs, resonate_bin: str, url: str, group: str):
    proc = procs.spawn("swift-worker", [sdk_test_worker(resonate_bin), "serve", "--url", url, "--group", group])
    proc.wait_line(r"^READY ", timeout=30)
    return proc


@pytest.mark.timeout(60)
def test_python_rpc_calls_a_swift_function_and_gets_results_and_errors(server, procs, resonate_bin):
    start_swift_worker(procs, resonate_bin, server.url, "swift-workers")

    async def scenario() -> None:
        async with sdk_client(server.url, group="py-callers") as r:
            swift = r.options(target="swift-workers")
            total = await within(swift.rpc(unique("add"), "swift_add", 2, 40).result(), 30, "swift_add result")
            assert total == 42
            try:
                await within(swift.rpc(unique("fail"), "swift_fail", "bad input").result(), 30, "swift_fail result")
            except ApplicationError as error:
                assert str(error) == "bad input"
            else:
                pytest.fail("swift_fail did not raise")

    run_scenario(scenario(), timeout=55)


@pytest.mark.timeout(60)
def test_a_swift_client_calls_a_python_function_and_gets_results_and_errors(server, procs, resonate_bin):
    procs.worker("py-worker", server.url, app="swift-interop", group="py-workers")
    worker = sdk_test_worker(resonate_bin)

    ok = procs.spawn(
        "swift-call-mul",
        [worker, "call", "--url", server.url, "--id", unique("mul"), "--function", "py_mul",
         "--target", "py-workers", "--arguments", json.dumps([6, 7])],
    )
    assert ok.wait_exit(timeout=45) == 0, ok.tail()
    assert "RESULT 42" in ok.output(), ok.tail()

    failing = procs.spawn(
        "swift-call-fail",
        [worker, "call", "--url", server.url, "--id", unique("pyfail"), "--function", "py_fail",
         "--target", "py-workers", "--arguments", json.dumps(["no such thing"])],
    )
    assert failing.wait_exit(timeout=45) == 0, failing.tail()
    assert "ERROR" in failing.output() and "no such thing" in failing.output(), failing.tail()


@pytest.mark.timeout(60)
def test_python_calls_a_swift_workflow_that_calls_python(server, procs, resonate_bin):
    procs.worker("py-worker", server.url, app="swift-interop", group="py-workers")
    start_swift_worker(procs, resonate_bin, server.url, "swift-workers")

    async def scenario() -> None:
        async with sdk_client(server.url, group="py-callers") as r:
            swift = r.options(target="swift-workers")
            product = await within(swift.rpc(unique("chain"), "call_python", 6, 7).result(), 30, "call_python result")
            assert product == 42

    run_scenario(scenario(), timeout=55)
