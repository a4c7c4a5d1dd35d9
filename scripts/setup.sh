#!/usr/bin/env bash
# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
#
# Installs the system packages the project builds and tests against (Debian 12 "bookworm").
# Idempotent: installs only what is missing. Never adds package sources (Kafka's extras: scripts/setup-kafka.sh).
set -euo pipefail

packages=(libsqlite3-dev pkg-config)

missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done

if ((${#missing[@]})); then
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    echo "setup: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm "${missing[@]}"
fi
