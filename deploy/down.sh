#!/usr/bin/env bash
# Stops what deploy/up.sh started: the hub, then the development Keycloak.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pidfile="$root/build/run/hub.pid"
if [ ! -f "$pidfile" ]; then
  echo "Renkei hub is not running"
else
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -9 "$pid"
    fi
  fi
  rm -f "$pidfile"
  echo "Renkei hub stopped"
fi
"$root/deploy/keycloak.sh" stop
