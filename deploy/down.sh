#!/usr/bin/env bash
# Stops what deploy/up.sh started.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pidfile="$root/build/run/hub.pid"
if [ ! -f "$pidfile" ]; then
  echo "Renkei hub is not running"
  exit 0
fi
pid="$(cat "$pidfile")"
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid"
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
fi
rm -f "$pidfile"
echo "Renkei hub stopped"
