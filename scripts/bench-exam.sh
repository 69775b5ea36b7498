#!/usr/bin/env bash
# The theory-test load bench: a release server with N seeded candidates, and the exam-client
# bench against it on the same machine. Prints the bench's JSON object.
#   scripts/bench-exam.sh [--postgres URL] [--redis URL] CANDIDATES SECONDS ANSWER_EVERY
# Example (the issue's targets): scripts/bench-exam.sh 10000 300 2
#                                 scripts/bench-exam.sh 19900 300 1.99
set -euo pipefail
cd "$(dirname "$0")/.."
db_url="" redis_url=""
while [[ "${1:-}" == --* ]]; do
    case "$1" in
        --postgres) db_url="$2"; shift 2 ;;
        --redis) redis_url="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
candidates="${1:?candidates}" seconds="${2:?seconds}" every="${3:?answer every (s)}"
# Each candidate holds one socket on both sides; a process here may hold 20,000 files.
ulimit -n "$(ulimit -Hn)"
cargo build --release -q -p exam-server -p exam-client
data="$(mktemp -d /tmp/exam-bench.XXXXXX)"
port=$((20000 + RANDOM % 10000))
admin_url="$db_url" name=""
if [[ -n "$db_url" ]]; then
    # A fresh database each run, dropped at the end.
    name="bench_$(date +%s)_$$"
    psql "$admin_url" -qc "CREATE DATABASE $name" >/dev/null
    db_url="${db_url%/*}/$name"
fi
EXAM_DATABASE_URL="$db_url" EXAM_REDIS_URL="$redis_url" RUST_LOG=warn \
    ./target/release/exam-server demo --data-dir "$data" --listen "127.0.0.1:$port" --candidates "$candidates" \
    >"$data/server.log" 2>&1 &
server=$!
cleanup() {
    kill $server 2>/dev/null || true
    wait $server 2>/dev/null || true
    rm -rf "$data"
    [[ -z "$name" ]] || psql "$admin_url" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 600); do
    [[ -s "$data/bench-roster.json" ]] && curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break
    kill -0 $server 2>/dev/null || { cat "$data/server.log" >&2; exit 1; }
    sleep 0.5
done
status=0
./target/release/exam-client bench exam --server "http://127.0.0.1:$port" --candidates "$candidates" \
    --seconds "$seconds" --answer-every "$every" --roster "$data/bench-roster.json" --server-pid "$server" || status=$?
# The server's last warnings and errors, if any, for whoever reads the figures.
grep -E "WARN|ERROR" "$data/server.log" | tail -n 20 >&2 || true
exit $status
