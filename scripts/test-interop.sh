#!/usr/bin/env bash
# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
#
# Interop tests: the official Python SDK (resonate-sdk 0.8.1) against our server.
# Run from the repository root after `swift build`:
#
#   bash scripts/test-interop.sh [extra pytest args]
#
# Creates .build/interop-venv (Python 3.12) on first use and installs
# Tests/Interop/requirements.txt into it. The server binary is $RESONATE_BIN,
# default "$(swift build --show-bin-path)/resonate" (this does not build).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.build/interop-venv"
REQS="$ROOT/Tests/Interop/requirements.txt"

# The dashboard's browser test drives Debian's Chromium.
bash "$ROOT/scripts/setup-browser.sh"

source "$ROOT/scripts/lib/python312.sh"
ensure_py312_venv "$VENV" "$REQS" || { echo "test-interop: cannot set up $VENV" >&2; exit 2; }

if [[ -z "${RESONATE_BIN:-}" ]]; then
    RESONATE_BIN="$(swift build --show-bin-path)/resonate"
fi
if [[ ! -x "$RESONATE_BIN" ]]; then
    echo "test-interop: server binary not found at $RESONATE_BIN (run 'swift build' first or set RESONATE_BIN)" >&2
    exit 2
fi
export RESONATE_BIN
export PYTHONDONTWRITEBYTECODE=1

exec "$VENV/bin/python" -m pytest -q -c "$ROOT/Tests/Interop/pytest.ini" --rootdir "$ROOT/Tests/Interop" "$ROOT/Tests/Interop" "$@"
