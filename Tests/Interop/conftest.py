# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""Fixtures: a real ``resonate serve`` per test, child processes, per-test timeouts."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import HERE, PYTHON, Proc, Server, python_env  # noqa: E402

DEFAULT_TIMEOUT_S = 60.0
PROCS_KEY = pytest.StashKey[list[Proc]]()


# ── Per-test timeout (pytest has none built in) ─────────────────────────────
#
# Each scenario already bounds its own waits (asyncio.wait_for, subprocess
# timeouts, polling deadlines). This SIGALRM guard is the last line of defence:
# if a test's call phase outlives its budget, the alarm raises in the main
# thread and the test fails instead of hanging the suite.


class TestTimeout(BaseException):  # BaseException: not swallowed by `except Exception`
    pass


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "timeout(seconds): per-test time limit for the call phase (default 60)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    marker = item.get_closest_marker("timeout")
    limit = float(marker.args[0]) if marker else DEFAULT_TIMEOUT_S

    def on_alarm(signum: int, frame: object) -> None:
        raise TestTimeout(f"{item.nodeid} exceeded its {limit:.0f}s time limit")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        return (yield)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    report = yield
    if report.failed and call.when in ("setup", "call"):
        for proc in item.stash.get(PROCS_KEY, []):
            report.sections.append((f"output of {proc.name}", proc.tail(60)))
    return report


# ── Notes: measurements to report rather than assert (e.g. timer lateness) ──

_NOTES: list[str] = []


@pytest.fixture
def note(request: pytest.FixtureRequest):
    def add(text: str) -> None:
        _NOTES.append(f"{request.node.name}: {text}")

    return add


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if _NOTES:
        terminalreporter.section("interop measurements")
        for line in _NOTES:
            terminalreporter.write_line(line)


# ── Binary, work dir, server, processes ─────────────────────────────────────


@pytest.fixture(scope="session")
def resonate_bin() -> str:
    path = os.environ.get("RESONATE_BIN")
    if not path:
        out = subprocess.run(
            ["swift", "build", "--show-bin-path"],
            cwd=HERE.parent.parent,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        path = str(Path(out.stdout.strip()) / "resonate")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"resonate binary not found or not executable at {path} (run `swift build` or set RESONATE_BIN)")
    return path


@pytest.fixture
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="resonate-interop-"))
    try:
        yield path
    finally:
        if os.environ.get("INTEROP_KEEP"):
            print(f"kept {path}", file=sys.stderr)
        else:
            shutil.rmtree(path, ignore_errors=True)


class Processes:
    """Starts child processes for one test and stops every one of them at the end."""

    def __init__(self, item: pytest.Item, workdir: Path, resonate_bin: str):
        self.workdir = workdir
        self.resonate_bin = resonate_bin
        self.all: list[Proc] = []
        item.stash[PROCS_KEY] = self.all

    def server(self, *args: str, name: str = "server") -> Server:
        log = self.workdir / f"{name}.log"
        srv = Server(name, [self.resonate_bin, *args], log, env=python_env(), cwd=self.workdir)
        self.all.append(srv)
        srv.wait_listening()
        return srv

    def spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Proc:
        proc = Proc(name, argv, self.workdir / f"{name}.log", env=python_env(env), cwd=self.workdir)
        self.all.append(proc)
        return proc

    def python(self, name: str, script: str, *args: str, env: dict[str, str] | None = None) -> Proc:
        return self.spawn(name, [PYTHON, str(HERE / script), *args], env=env)

    def worker(self, name: str, url: str, app: str, group: str, *, ttl: float = 60.0, env: dict[str, str] | None = None) -> Proc:
        """Start programs/worker.py and wait until its SSE stream is open."""
        proc = self.python(name, "worker.py", "--url", url, "--app", app, "--group", group, "--pid", name, "--ttl", str(ttl), env=env)
        proc.wait_line(r"^READY ", timeout=20)
        return proc

    def stop_all(self) -> None:
        for proc in reversed(self.all):
            proc.stop()


@pytest.fixture
def procs(request: pytest.FixtureRequest, workdir: Path, resonate_bin: str) -> Iterator[Processes]:
    manager = Processes(request.node, workdir, resonate_bin)
    try:
        yield manager
    finally:
        manager.stop_all()


@pytest.fixture
def server(procs: Processes, workdir: Path) -> Iterator[Server]:
    """A real `resonate serve` on a free port with a fresh SQLite file."""
    # INTEROP_STORE=memory is a debugging aid only (e.g. to tell a storage bug from a protocol bug);
    # the suite's contract is a fresh SQLite file per test.
    store = "sqlite::memory:" if os.environ.get("INTEROP_STORE") == "memory" else f"sqlite:{workdir / 'resonate.db'}"
    srv = procs.server("serve", "--port", "0", "--metrics-port", "0", "--store", store)
    yield srv
    # A server that died during the test is a failure in its own right.
    if srv.popen.poll() is not None:
        pytest.fail(f"resonate serve exited early with code {srv.popen.returncode}\n{srv.tail()}")
