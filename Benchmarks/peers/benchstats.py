# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""Helpers shared by the peer benchmarks: latency summaries and a throw-away ``resonate serve``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any


def summary(milliseconds: list[float]) -> dict[str, Any]:
    """Nearest-rank p50/p99/max, the same rule as the Swift bench's ``LatencySummary``."""
    ordered = sorted(milliseconds)
    if not ordered:
        return {"count": 0, "p50": 0.0, "p99": 0.0, "max": 0.0}

    def rank(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]

    return {"count": len(ordered), "p50": rank(0.5), "p99": rank(0.99), "max": ordered[-1]}


class Server:
    """``resonate serve`` on a SQLite file in a temporary directory, on a free loopback port."""

    def __init__(
        self, binary: str, store: str | None = None, arguments: tuple[str, ...] = (), cpus: set[int] | None = None
    ) -> None:
        """``cpus``: the processors the server (every thread it starts) may run on; any when ``None``."""
        self.directory = tempfile.mkdtemp(prefix="resonate-peer-")
        log_path = Path(self.directory) / "server.log"
        self.log = open(log_path, "wb")
        env = dict(os.environ, RESONATE_STORE=store or f"sqlite:{Path(self.directory) / 'resonate.db'}")
        self.process = subprocess.Popen(
            [binary, "serve", "--port", "0", "--metrics-port", "0", "--log-level", "notice", *arguments],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
            preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", log_path.read_text(errors="replace"))
            if match:
                self.url = match.group(1)
                return
            if self.process.poll() is not None:
                text = log_path.read_text(errors="replace")
                self.stop()
                raise RuntimeError(f"resonate serve exited: {text}")
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("resonate serve did not start within 30 s")

    def cpu_times(self) -> tuple[float, float]:
        """The server process's CPU time so far in user space and in the kernel, from /proc."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        tick = os.sysconf("SC_CLK_TCK")
        return int(fields[11]) / tick, int(fields[12]) / tick

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)
