#!/usr/bin/env bash
# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
#
# Installs Chromium from Debian 12's packages for the dashboard's browser test (Tests/Interop/test_dashboard.py).
# Idempotent. Never adds package sources; nothing is downloaded at test time.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then exit 0; fi
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "setup-browser: installing chromium" >&2
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm chromium
