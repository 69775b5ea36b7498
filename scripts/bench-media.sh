#!/usr/bin/env bash
# The live-proctoring bench: a release server, N headless candidates publishing a 640x480 VP8
# camera at 300 kbit/s with 32 kbit/s Opus, one proctor view each, everything recorded; the
# recordings are checked with ffprobe. Prints the bench's JSON object.
#   scripts/bench-media.sh CANDIDATES SECONDS        e.g. scripts/bench-media.sh 200 60
set -euo pipefail
cd "$(dirname "$0")/.."
candidates="${1:?candidates}" seconds="${2:?seconds}"
ulimit -n "$(ulimit -Hn)"
cargo build --release -q -p exam-server -p exam-client
data="$(mktemp -d /tmp/media-bench.XXXXXX)"
port=$((20000 + RANDOM % 10000))
ffmpeg -v error -y -f lavfi -i testsrc=size=640x480:rate=15 -t 10 -c:v libvpx -b:v 300k -minrate 300k -maxrate 300k \
    -deadline realtime -cpu-used 8 -g 45 "$data/clip.ivf"
ffmpeg -v error -y -f lavfi -i sine=frequency=440:sample_rate=48000 -t 10 -ac 2 -c:a libopus -b:a 32k \
    -frame_duration 20 -page_duration 20000 "$data/clip.ogg"
RUST_LOG=warn ./target/release/exam-server demo --data-dir "$data/server" --listen "127.0.0.1:$port" --candidates "$candidates" \
    >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 600); do
    [[ -s "$data/server/bench-roster.json" ]] && curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break
    kill -0 $server 2>/dev/null || { cat "$data/server.log" >&2; exit 1; }
    sleep 0.5
done
./target/release/exam-client bench media --server "http://127.0.0.1:$port" --candidates "$candidates" --seconds "$seconds" \
    --roster "$data/server/bench-roster.json" --video "$data/clip.ivf" --audio "$data/clip.ogg" \
    --recordings "$data/server/recordings" --server-pid "$server"
