#!/usr/bin/env bash
# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
#
# The whole benchmark, in one run on one machine: `resonate bench` on SQLite and on a throw-away PostgreSQL
# cluster, DBOS Transact (Python) on SQLite and on PostgreSQL, and the official Resonate Python SDK against our
# server; long executions, a 100,000-workflow soak and the Python SDK's sequential steps of growing length; the
# durable Kafka worker next to the reference Python worker (Benchmarks/kafka_bench.py, on a Tansu
# broker); then Benchmarks/report.py writes report.md, figures.csv and chart.svg.
#
#   bash scripts/bench.sh              # full run: release build, results in bench-results/<UTC timestamp>/
#   bash scripts/bench.sh --quick      # smoke run with tiny counts (debug build; figures not meaningful)
#   bash scripts/bench.sh --out DIR    # results into DIR
#
# Creates .build/bench-venv (Python 3.12) with Benchmarks/peers/requirements.txt on first use. PostgreSQL 15
# binaries are looked up in $RESONATE_POSTGRES_BIN, else /usr/lib/postgresql/15/bin; without them the
# PostgreSQL figures are skipped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

QUICK=0
OUT=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) QUICK=1 ;;
        --out) OUT="$2"; shift ;;
        *) echo "usage: bash scripts/bench.sh [--quick] [--out DIR]" >&2; exit 2 ;;
    esac
    shift
done
[[ -n "$OUT" ]] || OUT="bench-results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

step() { printf '\n==> %s\n' "$*" >&2; }

# --- the resonate binary -------------------------------------------------------------------------------------
if [[ -n "${RESONATE_BIN:-}" ]]; then
    BIN="$RESONATE_BIN"
elif [[ $QUICK == 1 ]]; then
    step "build (debug)"
    swift build --product resonate
    BIN="$(swift build --show-bin-path)/resonate"
else
    step "build (release)"
    swift build -c release --product resonate
    BIN="$(swift build -c release --show-bin-path)/resonate"
fi

# --- the Python peers' virtualenv ----------------------------------------------------------------------------
VENV="$ROOT/.build/bench-venv"
REQS="$ROOT/Benchmarks/peers/requirements.txt"
source "$ROOT/scripts/lib/python312.sh"
PEERS=1
if ! ensure_py312_venv "$VENV" "$REQS"; then
    echo "bench: the peers are skipped" >&2
    PEERS=0
fi
PYTHON="$VENV/bin/python"
[[ $PEERS == 1 ]] || PYTHON="$(command -v python3)"

# --- scratch space, the same disk for every store --------------------------------------------------------------
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/resonate-bench-XXXXXX")"
PGBIN="${RESONATE_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}"
PGDIR=""
PGPORT=""
cleanup() {
    if [[ -n "$PGDIR" ]]; then pg_tool pg_ctl -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$SCRATCH"
}
trap cleanup EXIT
# PostgreSQL refuses to run as root: as root the cluster belongs to the postgres user.
pg_tool() {
    local tool="$1"; shift
    if [[ $(id -u) == 0 ]]; then
        su postgres -c "$(printf '%q ' "$PGBIN/$tool" "$@")"
    else
        "$PGBIN/$tool" "$@"
    fi
}

# --- the machine -------------------------------------------------------------------------------------------------
step "machine"
"$PYTHON" - "$OUT/machine.json" "$SCRATCH" "$BIN" <<'PY'
import json, os, platform, subprocess, sys
out, scratch, binary = sys.argv[1:4]
cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "")
memory = next((line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")), "0")
def run(*command):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        return ""
filesystem = run("df", "-T", scratch).splitlines()[-1].split()
json.dump({
    "cores": os.cpu_count(),
    "cpu": cpu,
    "memoryGiB": round(int(memory) / 1048576, 1),
    "kernel": platform.release(),
    "os": run("sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"),
    "swift": run("swift", "--version").splitlines()[0] if run("swift", "--version") else "",
    "python": platform.python_version(),
    "filesystem": filesystem[1] if len(filesystem) > 1 else "",
    "binary": os.path.basename(os.path.dirname(binary)),
}, open(out, "w"), indent=2)
PY
cat "$OUT/machine.json" >&2

if [[ $QUICK == 1 ]]; then
    SWIFT_ARGS=(--quick)
    PEER_ARGS=(--steps 10 --sequential 3 --workflows 20)
else
    SWIFT_ARGS=()
    PEER_ARGS=()
fi

# --- resonate bench on SQLite ------------------------------------------------------------------------------------
step "resonate bench, SQLite"
mkdir -p "$SCRATCH/sqlite"
"$BIN" bench --directory "$SCRATCH/sqlite" --json "$OUT/sqlite.json" "${SWIFT_ARGS[@]}" | tee "$OUT/sqlite.txt"

# --- long executions and a soak (issue 15) -----------------------------------------------------------------------
if [[ $QUICK == 1 ]]; then
    LONG_LENGTHS="10,20"
    SOAK=200
    PYTHON_LONG="10,20,10"
else
    LONG_LENGTHS="25,100,400,1600,3200"
    SOAK=100000
    PYTHON_LONG="50,200,800,3200,50"
fi
step "resonate bench, long executions"
"$BIN" bench --directory "$SCRATCH/sqlite" --long-executions "$LONG_LENGTHS" --json "$OUT/long-executions.json" \
    | tee "$OUT/long-executions.txt"
step "resonate bench, soak"
"$BIN" bench --directory "$SCRATCH/sqlite" --soak "$SOAK" --in-flight 64 --json "$OUT/soak.json" | tee "$OUT/soak.txt"

# --- a throw-away PostgreSQL cluster -----------------------------------------------------------------------------
if [[ -x "$PGBIN/initdb" ]]; then
    step "PostgreSQL cluster"
    PGDIR="$SCRATCH/pg"
    mkdir -p "$PGDIR"
    [[ $(id -u) == 0 ]] && chown postgres "$PGDIR" "$SCRATCH"
    pg_tool initdb -D "$PGDIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
    PGPORT="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    # Durable defaults, stated explicitly: every commit waits for its WAL flush.
    pg_tool pg_ctl -D "$PGDIR/data" -l "$PGDIR/log" -w -t 60 \
        -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c synchronous_commit=on -c fsync=on -c max_connections=300" \
        start >/dev/null
    for database in resonate_bench dbos_bench; do
        pg_tool psql -h 127.0.0.1 -p "$PGPORT" -U postgres -q -c "CREATE DATABASE $database" postgres
    done
    step "resonate bench, PostgreSQL"
    "$BIN" bench --store "postgres://postgres@127.0.0.1:$PGPORT/resonate_bench" --json "$OUT/postgres.json" \
        "${SWIFT_ARGS[@]}" | tee "$OUT/postgres.txt"
else
    echo "bench: no PostgreSQL binaries in $PGBIN; the PostgreSQL figures are skipped" >&2
fi

# --- the peers ---------------------------------------------------------------------------------------------------
if [[ $PEERS == 1 ]]; then
    cd "$ROOT/Benchmarks/peers"
    step "DBOS Transact, SQLite"
    "$PYTHON" dbos_peer.py --database "sqlite:///$SCRATCH/dbos.sqlite" "${PEER_ARGS[@]}" \
        > "$OUT/dbos-sqlite.json" 2> "$SCRATCH/dbos-sqlite.log" \
        || { echo "bench: DBOS on SQLite failed:" >&2; tail -20 "$SCRATCH/dbos-sqlite.log" >&2; rm -f "$OUT/dbos-sqlite.json"; }
    if [[ -n "$PGPORT" ]]; then
        step "DBOS Transact, PostgreSQL"
        "$PYTHON" dbos_peer.py --database "postgresql://postgres@127.0.0.1:$PGPORT/dbos_bench" "${PEER_ARGS[@]}" \
            > "$OUT/dbos-postgres.json" 2> "$SCRATCH/dbos-postgres.log" \
            || { echo "bench: DBOS on PostgreSQL failed:" >&2; tail -20 "$SCRATCH/dbos-postgres.log" >&2; rm -f "$OUT/dbos-postgres.json"; }
    fi
    step "official Resonate Python SDK against resonate serve"
    "$PYTHON" resonate_python_peer.py --server-binary "$BIN" "${PEER_ARGS[@]}" \
        > "$OUT/resonate-python.json" 2> "$SCRATCH/resonate-python.log" \
        || { echo "bench: the Python SDK peer failed:" >&2; tail -20 "$SCRATCH/resonate-python.log" >&2; rm -f "$OUT/resonate-python.json"; }
    if [[ -n "$PGPORT" ]]; then
        step "recovery: a replica killed, PostgreSQL restarted, mid-run"
        for database in recovery_kill recovery_restart; do
            pg_tool psql -h 127.0.0.1 -p "$PGPORT" -U postgres -q -c "CREATE DATABASE $database" postgres
        done
        # An immediate restart (what a crash looks like to the replicas), with the options the cluster started with.
        {
            echo "PGBIN=$(printf '%q' "$PGBIN")"
            declare -f pg_tool
            printf 'pg_tool pg_ctl -D %q -l %q -m immediate -w -t 60 -o %q restart >/dev/null\n' "$PGDIR/data" "$PGDIR/log" \
                "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c synchronous_commit=on -c fsync=on -c max_connections=300"
        } > "$SCRATCH/pg-restart.sh"
        "$PYTHON" "$ROOT/Benchmarks/recovery_bench.py" --server-binary "$BIN" --python "$PYTHON" \
            --database "postgres://postgres@127.0.0.1:$PGPORT/recovery_kill" \
            --database "postgres://postgres@127.0.0.1:$PGPORT/recovery_restart" \
            --restart-command "bash $SCRATCH/pg-restart.sh" --json "$OUT/recovery.json" 2> "$SCRATCH/recovery.log" \
            | tee "$OUT/recovery.txt" \
            || { echo "bench: the recovery run failed:" >&2; tail -20 "$SCRATCH/recovery.log" >&2; rm -f "$OUT/recovery.json"; }
    fi
    step "official Resonate Python SDK, sequential steps of growing length"
    "$PYTHON" resonate_python_peer.py --server-binary "$BIN" --long-steps "$PYTHON_LONG" \
        > "$OUT/python-long.json" 2> "$SCRATCH/python-long.log" \
        || { echo "bench: the Python SDK's long run failed:" >&2; tail -20 "$SCRATCH/python-long.log" >&2; rm -f "$OUT/python-long.json"; }
    cd "$ROOT"
fi

# --- the durable Kafka worker next to the reference Python worker ---------------------------------------------------
if [[ $PEERS == 1 ]]; then
    step "Kafka: librdkafka, the Tansu broker, the example programs"
    bash scripts/setup-kafka.sh
    if [[ $QUICK == 1 ]]; then
        CONFIGURATION=(-c debug)
        KAFKA_ARGS=(--records 40 --crash-records 40 --rounds 2 --round-records 20 --batch-sleep 0.2)
    else
        CONFIGURATION=(-c release)
        KAFKA_ARGS=(--records 1000 10000 --crash-records 1000 --rounds 8 --round-records 200)
    fi
    for product in kafka-worker kafka-producer kafka-setup-topics; do
        swift build "${CONFIGURATION[@]}" --product "$product"
    done
    step "Kafka worker vs the reference Python worker (same server and broker)"
    "$PYTHON" Benchmarks/kafka_bench.py --resonate-bin "$BIN" \
        --examples-bin "$(swift build "${CONFIGURATION[@]}" --show-bin-path)" \
        --tansu "$ROOT/.build/kafka-tools/tansu" --python "$PYTHON" --json "$OUT/kafka.json" "${KAFKA_ARGS[@]}" \
        2> >(tee "$OUT/kafka.log" >&2) \
        || { echo "bench: the Kafka comparison failed (see $OUT/kafka.log)" >&2; rm -f "$OUT/kafka.json"; }
fi

# --- the report --------------------------------------------------------------------------------------------------
step "report"
"$PYTHON" Benchmarks/report.py "$OUT"
echo "bench: results in $OUT" >&2
