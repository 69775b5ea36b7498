#!/usr/bin/env bash
# The whole test suite: installs and starts what the tests need, checks formatting and clippy,
# builds, runs every test on SQLite and PostgreSQL, the browser tests in headless Chromium, and
# the CLI tests.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-deps.sh
# moto_server may have been installed for this user only.
export PATH="$HOME/.local/bin:$PATH"

export DATABASE_URL_ADMIN="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export EXAM_TEST_POSTGRES_URL="${EXAM_TEST_POSTGRES_URL:-$DATABASE_URL_ADMIN}"

# Databases left by earlier runs that were stopped midway (each test makes its own).
psql "$EXAM_TEST_POSTGRES_URL" -Atc "select datname from pg_database where datname like 'exam_t_%'" 2>/dev/null |
  while read -r db; do psql "$EXAM_TEST_POSTGRES_URL" -qc "drop database if exists \"$db\"" >/dev/null 2>&1 || true; done

# The tree as rustfmt writes it, and no clippy warning (the workspace lints, warnings denied).
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

# Binaries first: the CLI tests run them as an operator would.
cargo build --workspace --bins --locked
cargo test --workspace --locked --no-fail-fast -- --test-threads="${TEST_THREADS:-4}"

# Drop this run's databases.
psql "$EXAM_TEST_POSTGRES_URL" -Atc "select datname from pg_database where datname like 'exam_t_%'" 2>/dev/null |
  while read -r db; do psql "$EXAM_TEST_POSTGRES_URL" -qc "drop database if exists \"$db\"" >/dev/null 2>&1 || true; done
