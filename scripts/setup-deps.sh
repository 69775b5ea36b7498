#!/usr/bin/env bash
# Installs what building and testing need on a fresh Debian 12 machine and brings up
# PostgreSQL and Redis on loopback when nothing answers there. Safe to run again.
set -euo pipefail

need_root() { if [ "$(id -u)" -ne 0 ]; then echo "sudo"; fi; }
SUDO=$(need_root)

# Build: ffmpeg headers for the media crate, clang for bindgen. Tests: Chromium + driver,
# ffprobe, CJK fonts for screenshots and PDFs, PostgreSQL and Redis servers and clients.
PKGS=(pkg-config clang libclang-dev
      libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev libavfilter-dev libavdevice-dev
      chromium chromium-driver ffmpeg fonts-noto-cjk poppler-utils python3-pip
      postgresql postgresql-client redis-server redis-tools curl ca-certificates)

missing=()
for p in "${PKGS[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo is missing; install the Rust toolchain with rustup (https://rustup.rs), then run this again" >&2
  exit 1
fi

# PostgreSQL: use DATABASE_URL's server or the one on 127.0.0.1:5432; start the local cluster otherwise.
if [ -z "${DATABASE_URL:-}" ]; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "setup: starting PostgreSQL"
    ver=$(ls /etc/postgresql | sort -V | tail -n1)
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start || $SUDO pg_ctlcluster "$ver" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  # Tests connect as the postgres role over TCP without a password; make loopback trust it.
  if ! psql -h 127.0.0.1 -U postgres -d postgres -c 'select 1' >/dev/null 2>&1; then
    hba=$(ls /etc/postgresql/*/main/pg_hba.conf | sort -V | tail -n1)
    echo "setup: allowing trust auth on loopback in $hba"
    $SUDO sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    ver=$(ls /etc/postgresql | sort -V | tail -n1)
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main reload || $SUDO pg_ctlcluster "$ver" main reload
    sleep 1
  fi
fi

# Redis: use REDIS_URL's server or the one on 127.0.0.1:6379; start one otherwise.
if [ -z "${REDIS_URL:-}" ]; then
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "setup: starting Redis"
    $SUDO mkdir -p /var/lib/redis /var/log/redis
    $SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/exam-tests.log
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
  fi
fi

# An S3 endpoint with Object Lock for the archive tests: Python's moto[server] on loopback.
export PATH="$HOME/.local/bin:$PATH"
if ! command -v moto_server >/dev/null 2>&1; then
  echo "setup: installing moto[server] (the S3 endpoint the archive tests run against)"
  python3 -m pip install --quiet 'moto[server]' 2>/dev/null ||
    python3 -m pip install --quiet --user --break-system-packages 'moto[server]'
fi
echo "setup: ready"
