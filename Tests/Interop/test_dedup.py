# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""The same id run concurrently from two processes executes the body exactly once."""

from __future__ import annotations

import json

import pytest

from harness import raw_request, read_lines, unique


@pytest.mark.timeout(60)
def test_same_id_from_two_processes_runs_body_once(server, procs, workdir):
    run_id = unique("once")
    token = unique("tok")
    effects = workdir / "once.effects"
    go = workdir / "go"

    callers = [
        procs.python(
            f"caller-{name}",
            "dup_caller.py",
            "--url", server.url,
            "--group", "dup",
            "--pid", f"caller-{name}",
            "--id", run_id,
            "--path", str(effects),
            "--token", token,
            "--go", str(go),
        )
        for name in ("a", "b")
    ]
    for caller in callers:
        caller.wait_line(r"^READY ", timeout=20)

    go.touch()  # release both callers at once

    go_times = [float(caller.wait_line(r"^GO ", timeout=10).string.split()[1]) for caller in callers]
    assert abs(go_times[0] - go_times[1]) < 0.5, f"callers did not start together: {go_times}"

    results = []
    for caller in callers:
        assert caller.wait_exit(40) == 0, caller.tail()
        results.append(json.loads(caller.wait_line(r"^RESULT ", timeout=1).string[len("RESULT ") :]))

    assert results == [f"result-{token}", f"result-{token}"], results
    lines = read_lines(effects)
    assert len(lines) == 1, f"body ran {len(lines)} times: {lines}"

    status, data = raw_request(server.url, "promise.get", {"id": run_id})
    assert status == 200 and data["promise"]["state"] == "resolved", data
    status, data = raw_request(server.url, "task.get", {"id": run_id})
    assert status == 200 and data["task"]["state"] == "fulfilled", data
