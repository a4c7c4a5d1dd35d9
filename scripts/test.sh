#!/usr/bin/env bash
# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
#
# The whole test suite, from a fresh clone: system packages, build, Swift tests (unit, HTTP, process-level),
# Kafka (client on librdkafka's mock cluster, the durable worker against a real broker), the official Python SDK
# against our server, a benchmark smoke run, and the formatting check.
#
#   bash scripts/test.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

step() { printf '\n==> %s\n' "$*" >&2; }

step "system packages"
bash scripts/setup.sh

step "Kafka: librdkafka and the Tansu broker"
bash scripts/setup-kafka.sh

step "build"
swift build --build-tests

# The load tests (a 5,000-record Kafka backlog, 10,000 random requests, the SQLite/PostgreSQL differential) keep
# both cores busy for minutes; run in the same process as the rest, they stretch tests with time limits tenfold and
# more. They run afterwards, one suite at a time.
LOAD_SUITES=(KafkaBacklogTests RandomRequestTests StoreDifferentialTests)

step "Swift tests"
swift test --skip-build --skip ScaleOutTests --skip ResonateCLITests "${LOAD_SUITES[@]/#/--skip=}"

step "Swift tests: load"
for suite in "${LOAD_SUITES[@]}"; do
    swift test --skip-build --filter "$suite"
done

# The CLI tests start a short-lived process per command and wait for each to exit; alone, they are not held up by
# the dozens of servers, brokers and databases the other suites start at the same time.
step "Swift tests: the resonate command line"
swift test --skip-build --filter ResonateCLITests

# Three server replicas, PostgreSQL and four SDK instances per test: run alone, so the other suites' load does not
# starve them (and their load does not starve the others).
step "Swift tests: scale-out over PostgreSQL"
swift test --skip-build --filter ScaleOutTests

step "interop: official Python SDK against resonate serve"
bash scripts/test-interop.sh

step "benchmark report generator"
python3 -m unittest discover -s Benchmarks -p 'test_*.py'

step "benchmark smoke run"
BENCH_SMOKE="$(mktemp -d)"
"$(swift build --show-bin-path)/resonate" bench --quick --json "$BENCH_SMOKE/sqlite.json"
"$(swift build --show-bin-path)/resonate" bench --long-executions 10 --json "$BENCH_SMOKE/long-executions.json"
"$(swift build --show-bin-path)/resonate" bench --soak 100 --in-flight 20 --json "$BENCH_SMOKE/soak.json"
python3 Benchmarks/report.py "$BENCH_SMOKE"
for file in report.md figures.csv chart.svg; do
    [[ -s "$BENCH_SMOKE/$file" ]] || { echo "benchmark smoke run: no $file" >&2; exit 1; }
done
rm -rf "$BENCH_SMOKE"

step "documentation: the SDK's DocC catalog (warnings are errors)"
swift package --allow-writing-to-directory .build/docs generate-documentation --target Resonate \
    --output-path .build/docs --warnings-as-errors

step "formatting"
swift format lint --strict -r Sources Tests Examples Package.swift

step "all tests passed"
