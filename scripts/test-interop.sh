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

is_py312() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 12) else 1)' >/dev/null 2>&1; }

find_python312() {
    local candidate
    if [[ -n "${PYTHON312:-}" ]] && is_py312 "$PYTHON312"; then echo "$PYTHON312"; return; fi
    if command -v pyenv >/dev/null 2>&1; then
        local root; root="$(pyenv root)"
        for candidate in "$root"/versions/3.12*/bin/python3; do
            if [[ -x "$candidate" ]] && is_py312 "$candidate"; then echo "$candidate"; return; fi
        done
    fi
    for candidate in python3.12 python3.13 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && is_py312 "$(command -v "$candidate")"; then
            command -v "$candidate"; return
        fi
    done
    return 1
}

if [[ ! -x "$VENV/bin/python" ]] || ! is_py312 "$VENV/bin/python"; then
    PY="$(find_python312)" || { echo "test-interop: no Python >= 3.12 found (set PYTHON312=/path/to/python3.12)" >&2; exit 2; }
    echo "test-interop: creating $VENV with $PY" >&2
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
fi

# Install (or re-install) when requirements.txt changed since the last install.
STAMP="$VENV/.requirements.sha256"
WANT="$(sha256sum "$REQS" | cut -d' ' -f1)"
if [[ ! -f "$STAMP" ]] || [[ "$(cat "$STAMP")" != "$WANT" ]]; then
    echo "test-interop: installing $REQS" >&2
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$REQS"
    echo "$WANT" > "$STAMP"
fi

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
