# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""The SDK README's countdown quickstart, verbatim, against `resonate dev` on port 8001.

The code is extracted at test time from the installed resonate-sdk's METADATA
(its PyPI README, pinned to 0.8.1 by requirements.txt), so it is exactly what a
Python user copies.
"""

from __future__ import annotations

import errno
import importlib.metadata
import json
import os
import re
import shutil
import socket

import pytest

from harness import HERE, PYTHON

QUICKSTART_PORT = 8001


def quickstart_source() -> str:
    dist = importlib.metadata.distribution("resonate-sdk")
    assert dist.version == "0.8.1", f"requirements.txt pins resonate-sdk 0.8.1, found {dist.version}"
    readme = dist.read_text("METADATA")
    assert readme, "resonate-sdk METADATA is missing"
    quickstart = readme[readme.index("## Quickstart") :]
    blocks = re.findall(r"```python\n(.*?)```", quickstart, flags=re.S)
    assert blocks, "no python code block in the README quickstart"
    code = blocks[0]
    # Make sure this is the countdown program the README tells users to run.
    assert 'resonate.run("countdown.1", countdown, 5, 1)' in code, code
    assert 'Resonate(url="http://localhost:8001")' in code, code
    return code


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def private_netns_prefix() -> list[str] | None:
    """argv prefix running a command in a fresh network namespace with loopback up, if possible."""
    unshare, ip = shutil.which("unshare"), shutil.which("ip")
    if os.geteuid() != 0 or not unshare or not ip:
        return None
    return [unshare, "--net", "--", "sh", "-c", f'{ip} link set lo up && exec "$0" "$@"']


@pytest.mark.timeout(90)
def test_readme_countdown_quickstart_verbatim(procs, workdir, resonate_bin, note):
    script = workdir / "countdown.py"
    script.write_text(quickstart_source())

    driver = [PYTHON, str(HERE / "quickstart_driver.py"), "--bin", resonate_bin, "--workdir", str(workdir), "--script", str(script)]
    if port_is_free(QUICKSTART_PORT):
        mode = "host loopback"
        argv = driver
    else:
        # Something else (not ours) holds 8001. Run `resonate dev` and the quickstart
        # together in a private network namespace, where 8001 is free.
        prefix = private_netns_prefix()
        if prefix is None:
            pytest.fail(
                f"port {QUICKSTART_PORT} is already in use and no private network namespace is available "
                "(needs root, unshare and ip); stop whatever listens on 8001 and re-run"
            )
        mode = "private network namespace (host port 8001 was busy)"
        argv = prefix + driver

    proc = procs.spawn("quickstart", argv)
    assert proc.wait_exit(80) == 0, proc.tail()

    report = json.loads(proc.lines()[-1])
    assert "error" not in report, f"{report['error']}\n--- server log ---\n{report.get('server_log')}"
    assert report["port"] == QUICKSTART_PORT, report
    assert report["rc"] == 0, f"quickstart exited {report['rc']}\nstdout:\n{report['stdout']}\nstderr:\n{report['stderr']}"
    assert report["stdout"].splitlines() == [
        "Countdown: 5",
        "Countdown: 4",
        "Countdown: 3",
        "Countdown: 2",
        "Countdown: 1",
        "Done!",
    ], report["stdout"]
    assert "traceback" not in report["stderr"].lower(), report["stderr"]
    assert "error" not in report["stderr"].lower(), report["stderr"]
    assert report["server_exit"] == 0, report["server_log"]
    note(f"countdown ran in {report['seconds']}s ({mode})")
