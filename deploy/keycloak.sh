#!/usr/bin/env bash
# Development Keycloak for Renkei: deploy/keycloak.sh start|stop|status
#
# start   fetches org.keycloak:keycloak-quarkus-dist:<keycloak.version>:zip from Maven Central (version from
#         the root pom.xml), unpacks it once under build/keycloak/, imports keycloak/realm-renkei.json and
#         runs `kc.sh start-dev` on 127.0.0.1; waits until the renkei realm answers and prints the issuer.
# stop    stops it and waits until it has exited.
# status  says whether it runs, and the issuer.
#
# Env (all optional):
#   KEYCLOAK_PORT        HTTP port (default 8180)
#   KEYCLOAK_MGMT_PORT   management port for /health (default 9100), also on 127.0.0.1
#   KEYCLOAK_HEAP        JVM heap options (default "-Xms64m -Xmx768m")
#   KEYCLOAK_START_TIMEOUT  seconds to wait for Keycloak to be ready (default 300: a first start
#                        builds the distribution, about 45 s, and a busy 2-core machine takes minutes)
#   KEYCLOAK_RESET=1     throw away the dev database and import the realm file again
#   KEYCLOAK_DB          dev-file (default: H2 file in the distribution, kept across restarts) or dev-mem
#                        (in memory, fresh realm import each start; lets a test run its own instance
#                        next to a developer's)
#   RENKEI_RUN_DIR       where the pid and log files go (default build/run)
#   KC_BOOTSTRAP_ADMIN_USERNAME / KC_BOOTSTRAP_ADMIN_PASSWORD
#                        master-realm admin, DEV-ONLY defaults admin / dev-only-admin
#
# DEV ONLY: start-dev, plain HTTP, an H2 file database, a well-known admin password and the realm's
# dev-only passwords and client secret. See keycloak/README.md for what production must change.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
run="${RENKEI_RUN_DIR:-$root/build/run}"
kc_dir="$root/build/keycloak"
realm_file="$root/keycloak/realm-renkei.json"
port="${KEYCLOAK_PORT:-8180}"
mgmt_port="${KEYCLOAK_MGMT_PORT:-9100}"
db="${KEYCLOAK_DB:-dev-file}"
case "$db" in dev-file|dev-mem) ;; *) echo "KEYCLOAK_DB must be dev-file or dev-mem, not '$db'" >&2; exit 2 ;; esac
pidfile="$run/keycloak.pid"
log="$run/keycloak.log"
realm="renkei"
issuer="http://127.0.0.1:$port/realms/$realm"

usage() { echo "usage: $0 start|stop|status" >&2; exit 2; }

running_pid() {
  if [ -f "$pidfile" ]; then
    local pid
    pid="$(cat "$pidfile")"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      echo "$pid"
      return 0
    fi
  fi
  return 1
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

keycloak_version() {
  local v
  v="$(sed -n 's:.*<keycloak.version>\([^<]*\)</keycloak.version>.*:\1:p' "$root/pom.xml" | head -n 1)"
  if [ -z "$v" ]; then
    v="$(cd "$root" && mvn -q -N -B help:evaluate -Dexpression=keycloak.version -DforceStdout 2>/dev/null || true)"
  fi
  [ -n "$v" ] || { echo "Cannot read keycloak.version from $root/pom.xml" >&2; exit 1; }
  echo "$v"
}

# Unpacks keycloak-<v> under build/keycloak/ once; prints its home.
install_keycloak() {
  local v="$1" home="$kc_dir/keycloak-$1" zip="$kc_dir/keycloak-quarkus-dist-$1.zip"
  if [ -x "$home/bin/kc.sh" ]; then
    echo "$home"
    return 0
  fi
  command -v mvn >/dev/null || { echo "mvn is required to fetch Keycloak from Maven Central" >&2; exit 1; }
  mkdir -p "$kc_dir"
  if [ ! -s "$zip" ]; then
    echo "Fetching org.keycloak:keycloak-quarkus-dist:$v:zip from Maven Central..." >&2
    (cd "$root" && mvn -q -B -N -Dstyle.color=never dependency:copy \
        "-Dartifact=org.keycloak:keycloak-quarkus-dist:$v:zip" "-DoutputDirectory=$kc_dir") >&2
  fi
  [ -s "$zip" ] || { echo "Download failed: $zip is missing" >&2; exit 1; }
  local tmp="$kc_dir/.unpack-$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if command -v unzip >/dev/null; then
    unzip -q "$zip" -d "$tmp"
  else
    # the JDK's jar tool unpacks zips too, but drops the executable bits
    (cd "$tmp" && jar xf "$zip")
    chmod +x "$tmp/keycloak-$v/bin/"*.sh
  fi
  [ -x "$tmp/keycloak-$v/bin/kc.sh" ] || { echo "Unexpected layout in $zip" >&2; rm -rf "$tmp"; exit 1; }
  mv "$tmp/keycloak-$v" "$home"
  rm -rf "$tmp"
  echo "$home"
}

# The realm is imported only when the database does not have it yet (Keycloak skips an existing realm),
# so a changed realm file, or KEYCLOAK_RESET=1, starts from an empty dev database.
prepare_data() {
  local home="$1" sum stamp="$1/data/renkei-realm.sha256"
  sum="$(sha256sum "$realm_file" | cut -d' ' -f1)"
  # An in-memory database starts empty anyway; leave the file database (maybe in use) alone.
  if [ "$db" = "dev-file" ] && { [ "${KEYCLOAK_RESET:-0}" = "1" ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; }; then
    if [ -d "$home/data/h2" ]; then
      echo "Realm file changed (or KEYCLOAK_RESET=1): starting from an empty dev database"
    fi
    rm -rf "$home/data/h2"
  fi
  mkdir -p "$home/data/import"
  rm -f "$home/data/import/"*.json
  cp "$realm_file" "$home/data/import/realm-renkei.json"
  if [ "$db" = "dev-file" ]; then
    echo "$sum" >"$stamp"
  fi
}

start() {
  mkdir -p "$run"
  local pid
  if pid="$(running_pid)"; then
    echo "Keycloak is already running (pid $pid): $issuer"
    exit 0
  fi
  rm -f "$pidfile"
  [ -f "$realm_file" ] || { echo "Missing $realm_file" >&2; exit 1; }
  command -v java >/dev/null || { echo "java (17 or later) is required" >&2; exit 1; }
  command -v curl >/dev/null || { echo "curl is required" >&2; exit 1; }
  for p in "$port" "$mgmt_port"; do
    if port_in_use "$p"; then
      echo "Port $p on 127.0.0.1 is already in use; stop that program or set KEYCLOAK_PORT / KEYCLOAK_MGMT_PORT" >&2
      exit 1
    fi
  done

  local v home
  v="$(keycloak_version)"
  home="$(install_keycloak "$v")"
  prepare_data "$home"

  echo "Starting Keycloak $v (dev mode) on 127.0.0.1:$port ..."
  local t0 t1
  t0="$(date +%s)"
  # DEV-ONLY bootstrap admin of the master realm.
  # setsid: kc.sh starts java as a child; the whole process group is stopped together.
  KC_BOOTSTRAP_ADMIN_USERNAME="${KC_BOOTSTRAP_ADMIN_USERNAME:-admin}" \
  KC_BOOTSTRAP_ADMIN_PASSWORD="${KC_BOOTSTRAP_ADMIN_PASSWORD:-dev-only-admin}" \
  JAVA_OPTS_KC_HEAP="${KEYCLOAK_HEAP:--Xms64m -Xmx768m}" \
    setsid nohup "$home/bin/kc.sh" start-dev \
      --import-realm \
      --db="$db" \
      --http-host=127.0.0.1 \
      --http-port="$port" \
      --hostname="http://127.0.0.1:$port" \
      --health-enabled=true \
      --http-management-port="$mgmt_port" \
      >"$log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$pidfile"

  local timeout="${KEYCLOAK_START_TIMEOUT:-300}"
  local deadline=$((t0 + timeout))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "Keycloak failed to start; last lines of $log:" >&2
      tail -n 40 "$log" >&2
      rm -f "$pidfile"
      exit 1
    fi
    if curl -sf "$issuer/.well-known/openid-configuration" >/dev/null 2>&1; then
      t1="$(date +%s)"
      echo "Keycloak is ready after $((t1 - t0)) s (pid $pid): $issuer"
      echo "  admin console (DEV-ONLY admin / dev-only-admin unless KC_BOOTSTRAP_ADMIN_* were set): http://127.0.0.1:$port/admin/"
      echo "  health: http://127.0.0.1:$mgmt_port/health/ready   log: $log"
      exit 0
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "Keycloak did not become ready within $timeout s; last lines of $log:" >&2
      tail -n 40 "$log" >&2
      echo "(still running as pid $pid; 'deploy/keycloak.sh stop' stops it)" >&2
      exit 1
    fi
    sleep 1
  done
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$pidfile"
    echo "Keycloak is not running"
    exit 0
  fi
  # pid is the session/process-group leader made by setsid: signal the group (kc.sh and its java)
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "Keycloak did not stop within 60 s; killing it" >&2
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  # the group may still hold a java child for a moment after the leader exited
  for _ in $(seq 1 30); do
    pgrep -g "$pid" >/dev/null 2>&1 || break
    sleep 1
  done
  rm -f "$pidfile"
  echo "Keycloak stopped"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    if curl -sf "$issuer/.well-known/openid-configuration" >/dev/null 2>&1; then
      echo "Keycloak is running (pid $pid) and ready: $issuer"
    else
      echo "Keycloak is running (pid $pid) but the realm does not answer yet: $issuer"
    fi
    exit 0
  fi
  echo "Keycloak is not running"
  exit 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
