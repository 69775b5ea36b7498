#!/usr/bin/env bash
# Runs the system on the embedded default (SQLite in ./data, recordings on local disk,
# in-process events) with demo data: one account per role. Serves until stopped (Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null 2>&1; then
  echo "demo: cargo is missing; install the Rust toolchain with rustup, then run this again" >&2
  exit 1
fi
# Build prerequisites only (no database servers are needed for the embedded default).
if ! command -v pkg-config >/dev/null 2>&1 || ! command -v cc >/dev/null 2>&1; then
  SUDO=$([ "$(id -u)" -ne 0 ] && echo sudo || true)
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends pkg-config build-essential
fi
# The same build as the test command, so one reuses the other's artefacts.
cargo build --locked --workspace --bins
exec ./target/debug/exam-server demo --data-dir "${DATA_DIR:-./data}" --listen "${LISTEN:-127.0.0.1:8080}" "$@"
