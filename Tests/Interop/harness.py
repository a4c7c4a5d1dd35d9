# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""Process and waiting helpers shared by the interop tests and their programs.

Everything here waits for a condition with a deadline and fails with a message
that says what was awaited; nothing sleeps and hopes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROTOCOL_VERSION = "2026-04-01"
LISTENING_RE = re.compile(r"resonate server listening on (http://127\.0\.0\.1:(\d+))")


class WaitTimeout(AssertionError):
    """A condition was not met before its deadline."""


def unique(prefix: str) -> str:
    """A fresh id for one test (no ':' and no '.', valid for runs and schedules)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


# ── Waiting ─────────────────────────────────────────────────────────────────


def wait_for(
    predicate: Callable[[], Any],
    timeout: float,
    what: str,
    interval: float = 0.02,
    detail: Callable[[], str] | None = None,
) -> Any:
    """Poll ``predicate`` until it returns a truthy value, or fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            extra = f"\n{detail()}" if detail else ""
            raise WaitTimeout(f"timed out after {timeout:.1f}s waiting for {what}{extra}")
        time.sleep(interval)


async def wait_for_async(
    predicate: Callable[[], Awaitable[Any]],
    timeout: float,
    what: str,
    interval: float = 0.05,
    detail: Callable[[], str] | None = None,
) -> Any:
    """Async twin of :func:`wait_for`; ``predicate`` is a coroutine function."""
    deadline = time.monotonic() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            extra = f"\n{detail()}" if detail else ""
            raise WaitTimeout(f"timed out after {timeout:.1f}s waiting for {what}{extra}")
        await asyncio.sleep(interval)


async def within(awaitable: Awaitable[Any], timeout: float, what: str) -> Any:
    """Await ``awaitable`` with a deadline and a readable failure."""
    try:
        return await asyncio.wait_for(awaitable, timeout)
    except TimeoutError:
        raise WaitTimeout(f"timed out after {timeout:.1f}s waiting for {what}") from None


def run_scenario(coro: Awaitable[Any], timeout: float) -> Any:
    """Run one async scenario on a fresh event loop with an overall deadline."""

    async def guarded() -> Any:
        return await within(coro, timeout, "the scenario to finish")

    return asyncio.run(guarded())


# ── Side-effect files ───────────────────────────────────────────────────────


def append_line(path: str | os.PathLike[str], line: str) -> None:
    """Append one line and fsync it, so it survives a kill -9 right after."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def read_lines(path: str | os.PathLike[str]) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except FileNotFoundError:
        return []


# ── SSE readiness ───────────────────────────────────────────────────────────
#
# The SDK opens its SSE stream in a background task. Work dispatched to a group
# with no live connection is only re-sent by the server's retry timer, so a
# process must not be used before its stream is up. SDK 0.8.1 logs
# "SSE connection established: <url>/poll/<group>/<pid>" at INFO on
# ``resonate.connections.sse``; we listen for exactly that record.


class _SseWatcher(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.established: set[str] = set()
        self.callbacks: list[Callable[[str], None]] = []

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        prefix = "SSE connection established: "
        if msg.startswith(prefix):
            url = msg[len(prefix) :]
            self.established.add(url)
            for cb in list(self.callbacks):
                cb(url)


_watcher: _SseWatcher | None = None


def sse_watcher() -> _SseWatcher:
    global _watcher
    if _watcher is None:
        _watcher = _SseWatcher()
        log = logging.getLogger("resonate.connections.sse")
        log.setLevel(logging.INFO)
        log.addHandler(_watcher)
    return _watcher


async def wait_sse_ready(url: str, group: str, pid: str, timeout: float = 10.0) -> None:
    """Wait until this process's SDK has an SSE stream open at /poll/group/pid."""
    watcher = sse_watcher()
    target = f"{url.rstrip('/')}/poll/{group}/{pid}"

    async def ok() -> bool:
        return target in watcher.established

    await wait_for_async(ok, timeout, f"SSE stream {target} to be established", interval=0.02)


# ── In-process SDK clients ───────────────────────────────────────────────────


@contextlib.asynccontextmanager
async def sdk_client(url: str, group: str, pid: str | None = None, **kwargs: Any) -> AsyncIterator[Any]:
    """A started ``Resonate`` whose SSE stream is open; stopped (with a deadline) on exit."""
    from resonate.resonate import Resonate

    sse_watcher()
    pid = pid or uuid.uuid4().hex
    resonate = Resonate(url=url, group=group, pid=pid, **kwargs)
    try:
        await wait_sse_ready(url, group, pid)
        yield resonate
    finally:
        await within(resonate.stop(), 10, "Resonate.stop()")


# ── Raw protocol client (for inspecting server state the SDK does not expose) ──


def raw_request(url: str, kind: str, data: dict[str, Any], timeout: float = 10.0) -> tuple[int, Any]:
    """POST one protocol envelope; returns (status, data)."""
    body = json.dumps(
        {"kind": kind, "head": {"corrId": uuid.uuid4().hex, "version": PROTOCOL_VERSION}, "data": data}
    ).encode()
    req = urllib.request.Request(
        url.rstrip("/") + "/", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            payload = json.loads(resp.read())
            status = resp.status
    except urllib.error.HTTPError as err:
        payload = json.loads(err.read())
        status = err.code
    assert payload.get("kind") == kind, f"response kind mismatch: {payload}"
    assert payload["head"]["status"] == status, f"head.status != HTTP status: {payload}"
    return status, payload.get("data")


# ── Processes ───────────────────────────────────────────────────────────────


class Proc:
    """A child process whose stdout+stderr go to a log file we can poll."""

    def __init__(self, name: str, argv: list[str], log: Path, env: dict[str, str] | None = None, cwd: Path | None = None):
        self.name = name
        self.argv = argv
        self.log = log
        self._fh = open(log, "wb")  # noqa: SIM115
        self.popen = subprocess.Popen(
            argv,
            stdout=self._fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        self.pid = self.popen.pid

    def output(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def lines(self) -> list[str]:
        return self.output().splitlines()

    def tail(self, n: int = 40) -> str:
        return f"--- last lines of {self.name} (pid {self.pid}, {self.log}) ---\n" + "\n".join(self.lines()[-n:])

    def wait_line(self, pattern: str, timeout: float) -> re.Match[str]:
        """Wait until a line of output matches ``pattern`` (regex); fail early if the process exits."""
        rx = re.compile(pattern)

        def found() -> re.Match[str] | None:
            for line in self.lines():
                m = rx.search(line)
                if m:
                    return m
            if self.popen.poll() is not None:
                # One last look: the line may have been written just before exit.
                for line in self.lines():
                    m = rx.search(line)
                    if m:
                        return m
                raise AssertionError(
                    f"{self.name} exited with code {self.popen.returncode} before printing /{pattern}/\n{self.tail()}"
                )
            return None

        return wait_for(found, timeout, f"{self.name} to print /{pattern}/", detail=self.tail)

    def wait_exit(self, timeout: float) -> int:
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise WaitTimeout(f"timed out after {timeout:.1f}s waiting for {self.name} to exit\n{self.tail()}") from None

    def kill9(self) -> None:
        if self.popen.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM, then SIGKILL after ``grace`` seconds. Only this pid is signalled."""
        if self.popen.poll() is None:
            try:
                os.kill(self.pid, signal.SIGTERM)
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
            except ProcessLookupError:
                pass
        self._fh.close()


class Server(Proc):
    """A ``resonate serve``/``resonate dev`` process and its base URL."""

    url: str
    port: int

    def wait_listening(self, timeout: float = 15.0) -> None:
        m = self.wait_line(LISTENING_RE.pattern, timeout)
        self.url = m.group(1)
        self.port = int(m.group(2))


def python_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONPATH"] = str(HERE) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    # Never let a stray RESONATE_* from the caller's shell redirect a program.
    for key in ("RESONATE_URL", "RESONATE_HOST", "RESONATE_PORT", "RESONATE_SCHEME", "RESONATE_TOKEN"):
        env.pop(key, None)
    if extra:
        env.update(extra)
    return env


PYTHON = sys.executable
