# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""Runs the README quickstart against `resonate dev` on its default port 8001.

Starts `resonate dev --metrics-port 0`, waits for it to listen on 8001, runs the
quickstart script, stops the server, and prints one JSON report on stdout. The
test runs this directly, or inside a private network namespace when port 8001
is already taken on the host.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--script", required=True)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    # SIGTERM from the test's cleanup must still stop our server (finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    workdir = Path(args.workdir)
    log_path = workdir / "dev.log"
    report: dict = {}
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [args.bin, "dev", "--metrics-port", "0"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 15
            listening = None
            while listening is None:
                text = log_path.read_text(errors="replace")
                listening = re.search(r"resonate server listening on http://127\.0\.0\.1:(\d+)", text)
                if listening:
                    break
                if server.poll() is not None:
                    report["error"] = f"resonate dev exited with code {server.returncode} before listening"
                    break
                if time.monotonic() > deadline:
                    report["error"] = "resonate dev did not report listening within 15s"
                    break
                time.sleep(0.02)
            if listening:
                report["port"] = int(listening.group(1))
                started = time.monotonic()
                try:
                    run = subprocess.run(
                        [sys.executable, args.script],
                        cwd=workdir,
                        capture_output=True,
                        text=True,
                        timeout=args.timeout,
                        stdin=subprocess.DEVNULL,
                    )
                    report.update(rc=run.returncode, stdout=run.stdout, stderr=run.stderr)
                except subprocess.TimeoutExpired as exc:
                    report["error"] = f"quickstart did not finish within {args.timeout}s"
                    report["stdout"] = (exc.stdout or b"").decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
                report["seconds"] = round(time.monotonic() - started, 3)
        finally:
            if server.poll() is None:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
            report["server_exit"] = server.returncode
            report["server_log"] = log_path.read_text(errors="replace")[-4000:]
            print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
