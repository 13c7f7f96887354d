#!/usr/bin/env bash
# Runs the load driver (server/src/test/java/jp/renkei/hub/bench/LoadDriver.java).
#   deploy/bench.sh                      fresh hub on 127.0.0.1:${RENKEI_BENCH_PORT:-18080} with an empty
#                                        embedded store in build/bench-data, the standard run, then stops it
#   deploy/bench.sh --base URL [args]    drive any FHIR R4 server (no hub is started), e.g. HAPI for comparison
#   deploy/bench.sh --notify [args]      the notification benchmark (issue 6) on a fresh hub: write -> delivery
#                                        latency with 1,000 WebSocket subscribers (care managers, each in its own
#                                        patient's care team) while Compositions are created at 20/s, then the
#                                        hub's heap with 10,000 idle bound sessions (jcmd GC.run + GC.heap_info
#                                        on the hub's pid). Its defaults: --ops notify,notify-heap --subscribers 1000
#                                        --patients 1000 --preload 0 --rate 20 --duration 60 --warmup 150
#                                        --sessions 10000; smaller, e.g. --subscribers 100 --patients 100 --sessions 500.
#                                        The long warm-up is for the JIT: on 2 cores its compiler threads take most
#                                        of the CPU for the first minutes of writes (docs/benchmarks.md).
# Any LoadDriver argument can be given (--clients --duration --warmup --patients --preload --ops --out --token,
# and for the notification ops --subscribers --rate --sessions).
# The fresh hub runs as in production: authentication, access control and consent checks on. The load
# driver is its token issuer (in-memory RSA key, JWKS on 127.0.0.1:${RENKEI_BENCH_ISSUER_PORT:-18081});
# no Keycloak is needed. It registers every patient with a care team it is in and the patient's
# privacy Consent sharing with that team.
# RENKEI_BENCH_JVM_OPTS adds JVM options for the hub, e.g. a flight recording:
#   RENKEI_BENCH_JVM_OPTS="-XX:StartFlightRecording=filename=build/run/bench.jfr" deploy/bench.sh
#   deploy/bench.sh --ops first-write    the first request of each kind right after a fresh hub reports ready
#                                        (a registration transaction, a vital-sign Observation, each care-document
#                                        example of the profiles package, a read, a search), each timed once
# RENKEI_BENCH_JAR runs that hub jar instead of building this tree's (e.g. one built at another commit, to compare
# two versions in one sitting: docs/benchmarks.md, "Validation of every write").
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="${RENKEI_BENCH_JAR:-$root/server/target/renkei-server-0.1.0-SNAPSHOT.jar}"
classes="$root/server/target/test-classes"
driver_class="$classes/jp/renkei/hub/bench/LoadDriver.class"
port="${RENKEI_BENCH_PORT:-18080}"
issuer_port="${RENKEI_BENCH_ISSUER_PORT:-18081}"

if [ -n "${RENKEI_BENCH_JAR:-}" ]; then
  [ -f "$jar" ] || { echo "RENKEI_BENCH_JAR: no such file: $jar" >&2; exit 1; }
  if [ ! -f "$driver_class" ] || [ -n "$(find "$root/server/src/test/java/jp/renkei/hub/bench" -newer "$driver_class" -type f -print -quit)" ]; then
    (cd "$root" && mvn -q -B -Dstyle.color=never -pl server test-compile)
  fi
elif [ ! -f "$jar" ] || [ ! -f "$driver_class" ] \
   || [ -n "$(find "$root/server/src/main" "$root/fhir-profiles/src" -newer "$jar" -type f -print -quit)" ] \
   || [ -n "$(find "$root/server/src/test/java/jp/renkei/hub/bench" -newer "$driver_class" -type f -print -quit)" ]; then
  echo "Building the hub and the load driver..."
  (cd "$root" && mvn -q -B -Dstyle.color=never -DskipTests install && mvn -q -B -Dstyle.color=never -pl server test-compile)
fi

defaults=(--clients 8 --duration 60 --warmup 30 --patients 1000 --preload 100000 --out "$root/docs/benchmarks.md"
          --examples "$root/fhir-profiles/src/main/fhir")
args=()
for arg in "$@"; do
  if [ "$arg" = --notify ]; then
    defaults=(--ops notify,notify-heap --clients 8 --duration 60 --warmup 150 --patients 1000 --preload 0
              --subscribers 1000 --rate 20 --sessions 10000 --out "$root/docs/benchmarks.md"
              --examples "$root/fhir-profiles/src/main/fhir")
  else
    args+=("$arg")
  fi
done
set -- ${args[@]+"${args[@]}"}
if [[ " $* " == *" --base "* ]]; then
  exec java -cp "$classes" jp.renkei.hub.bench.LoadDriver "$@"
fi

if [ "$port" = "$issuer_port" ]; then
  echo "RENKEI_BENCH_PORT and RENKEI_BENCH_ISSUER_PORT must differ (both are $port)" >&2
  exit 1
fi
for p in "$port" "$issuer_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "Port $p on 127.0.0.1 is already in use; set RENKEI_BENCH_PORT or RENKEI_BENCH_ISSUER_PORT" >&2
    exit 1
  fi
done
data="$root/build/bench-data"
anchors="$root/build/bench-audit-anchors"   # the audit checkpoints' copies belong to this data: wiped with it
rm -rf "$data" "$anchors"
mkdir -p "$root/build/run"
# The notification ops measure the hub's heap with jcmd on this pid; it is written once the hub starts.
pid_file="$root/build/run/bench-hub.pid"
rm -f "$pid_file"
# Every notification socket is a file descriptor in the driver and in the hub (each process needs
# --sessions plus a few hundred); raise the soft limit as far as allowed.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1)"

# The driver starts first: it serves the issuer's JWKS from its first moment and waits for the hub,
# so the hub finds the keys whenever it first needs them. Its issuer arguments come last to win.
java -cp "$classes" jp.renkei.hub.bench.LoadDriver --base "http://127.0.0.1:$port/fhir" "${defaults[@]}" "$@" \
  --issuer-port "$issuer_port" --wait-for-hub 180 --hub-pid-file "$pid_file" &
driver=$!
hub=
trap 'kill $driver $hub 2>/dev/null; wait $driver $hub 2>/dev/null || true' EXIT
for i in $(seq 1 60); do
  if ! kill -0 "$driver" 2>/dev/null; then
    wait "$driver" || true
    driver=
    echo "The load driver stopped before its token issuer was up" >&2
    exit 1
  fi
  (exec 3<>"/dev/tcp/127.0.0.1/$issuer_port") 2>/dev/null && break
  if [ "$i" = 60 ]; then
    echo "The load driver's token issuer is not listening on 127.0.0.1:$issuer_port after 30 s" >&2
    exit 1
  fi
  sleep 0.5
done

# Signed documents are required as in production: a throwaway CA with the hub's seal and its audit seal, which
# anchors the audit chain as in production (BENCH ONLY password).
bench_pki="$root/build/bench-pki"
if [ ! -f "$bench_pki/ca.p12" ]; then
  RENKEI_PKI_PASSWORD=bench-only java -jar "$jar" pki init --dir "$bench_pki" --name "Renkei Bench CA" >/dev/null
  RENKEI_PKI_PASSWORD=bench-only java -jar "$jar" pki organization --dir "$bench_pki" --id renkei-hub --name "Renkei ハブ" >/dev/null
else
  RENKEI_PKI_PASSWORD=bench-only java -jar "$jar" pki crl --dir "$bench_pki" >/dev/null
fi
# The driver's organisation's custody seal: the care documents first-write sends unsigned are sealed with it.
if [ ! -f "$bench_pki/issued/organization-org-bench.p12" ]; then
  RENKEI_PKI_PASSWORD=bench-only java -jar "$jar" pki organization --dir "$bench_pki" --id org-bench --name "負荷試験組織" >/dev/null
fi
if [ ! -f "$bench_pki/issued/audit-seal.p12" ]; then
  RENKEI_PKI_PASSWORD=bench-only java -jar "$jar" pki audit-seal --dir "$bench_pki" --name "Renkei bench audit seal" >/dev/null
fi

# Authentication settings are pinned so that none left in the environment (auth off, another
# issuer's keys or audience, a MongoDB) changes what is measured.
RENKEI_SIGN_REQUIRED=true RENKEI_PKI_DIR="$bench_pki" RENKEI_SEAL_PASSWORD=bench-only \
RENKEI_SIGN_TRUST_ANCHORS="$bench_pki/ca.crt" RENKEI_SIGN_CRLS="$bench_pki/ca.crl" RENKEI_SIGN_SEALS="$bench_pki/issued" \
RENKEI_PORT="$port" RENKEI_BIND_ADDRESS=127.0.0.1 RENKEI_DATA_DIR="$data" RENKEI_AUDIT_ANCHOR_DIR="$anchors" MONGODB_URI='' \
  RENKEI_AUTH_ENABLED=true RENKEI_AUTH_ISSUER="http://127.0.0.1:$issuer_port/realms/bench" \
  RENKEI_AUTH_JWKS_URI='' RENKEI_AUTH_AUDIENCE=renkei-hub \
  RENKEI_AUTH_INTROSPECTION_ENABLED=true RENKEI_AUTH_INTROSPECTION_URI='' RENKEI_AUTH_INTROSPECTION_CLIENT_ID=renkei-hub \
  RENKEI_AUTH_INTROSPECTION_CLIENT_SECRET=bench-only \
  java -Xmx2g ${RENKEI_BENCH_JVM_OPTS:-} -jar "$jar" >"$root/build/run/bench-hub.log" 2>&1 &
hub=$!
echo "$hub" >"$pid_file"
# Until the driver is done: stop early if the hub dies, rather than letting the driver time out.
while kill -0 "$driver" 2>/dev/null; do
  kill -0 "$hub" 2>/dev/null || { echo "The hub stopped; see build/run/bench-hub.log" >&2; exit 1; }
  sleep 1
done
status=0
wait "$driver" || status=$?
driver=
exit "$status"
