#!/usr/bin/env bash
# Runs the load driver (server/src/test/java/jp/renkei/hub/bench/LoadDriver.java).
#   deploy/bench.sh                      fresh hub on 127.0.0.1:${RENKEI_BENCH_PORT:-18080} with an empty
#                                        embedded store in build/bench-data, the standard run, then stops it
#   deploy/bench.sh --base URL [args]    drive any FHIR R4 server (no hub is started), e.g. HAPI for comparison
# Any LoadDriver argument can be given (--clients --duration --warmup --patients --preload --ops --out --token).
# RENKEI_BENCH_JVM_OPTS adds JVM options for the hub, e.g. a flight recording:
#   RENKEI_BENCH_JVM_OPTS="-XX:StartFlightRecording=filename=build/run/bench.jfr" deploy/bench.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/server/target/renkei-server-0.1.0-SNAPSHOT.jar"
classes="$root/server/target/test-classes"
port="${RENKEI_BENCH_PORT:-18080}"

if [ ! -f "$jar" ] || [ ! -f "$classes/jp/renkei/hub/bench/LoadDriver.class" ] \
   || [ -n "$(find "$root/server/src" "$root/fhir-profiles/src" -newer "$jar" -type f -print -quit)" ]; then
  echo "Building the hub and the load driver..."
  (cd "$root" && mvn -q -B -Dstyle.color=never -DskipTests install && mvn -q -B -Dstyle.color=never -pl server test-compile)
fi

defaults=(--clients 8 --duration 60 --warmup 30 --patients 1000 --preload 100000 --out "$root/docs/benchmarks.md")
if [[ " $* " == *" --base "* ]]; then
  exec java -cp "$classes" jp.renkei.hub.bench.LoadDriver "$@"
fi

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "Port $port on 127.0.0.1 is already in use; set RENKEI_BENCH_PORT" >&2
  exit 1
fi
data="$root/build/bench-data"
rm -rf "$data"
mkdir -p "$root/build/run"
RENKEI_PORT="$port" RENKEI_DATA_DIR="$data" java -Xmx2g ${RENKEI_BENCH_JVM_OPTS:-} -jar "$jar" >"$root/build/run/bench-hub.log" 2>&1 &
hub=$!
trap 'kill $hub 2>/dev/null; wait $hub 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  kill -0 "$hub" 2>/dev/null || { echo "The hub failed to start; see build/run/bench-hub.log" >&2; exit 1; }
  curl -sf "http://127.0.0.1:$port/fhir/metadata" >/dev/null 2>&1 && break
  sleep 1
done
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1)"
java -cp "$classes" jp.renkei.hub.bench.LoadDriver --base "http://127.0.0.1:$port/fhir" "${defaults[@]}" "$@"
