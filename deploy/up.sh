#!/usr/bin/env bash
# Builds the hub if needed, starts the development Keycloak (deploy/keycloak.sh) and then the hub on
# 127.0.0.1 with the embedded store, configured to accept that Keycloak's tokens.
# Env: RENKEI_PORT (default 8080), RENKEI_DATA_DIR (default ./renkei-data), MONGODB_URI (optional),
#      KEYCLOAK_PORT (default 8180), RENKEI_AUTH_ISSUER (set it to use an existing Keycloak realm;
#      then no Keycloak is started here), RENKEI_PRINT_FONT (Japanese font for PDF forms; default IPAex
#      Gothic, installed here with apt-get when missing and run as root).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
run="$root/build/run"
jar="$root/server/target/renkei-server-0.1.0-SNAPSHOT.jar"
port="${RENKEI_PORT:-8080}"
mkdir -p "$run"

# The PDF forms ($pdf) need a Japanese font (docs/printing.md): install IPAex Gothic when it is missing.
font="${RENKEI_PRINT_FONT:-/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf}"
if [ ! -f "$font" ]; then
  if [ -z "${RENKEI_PRINT_FONT:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing the Japanese font for PDF forms (fonts-ipaexfont-gothic)..."
    { apt-get update -qq && apt-get install -y -qq fonts-ipaexfont-gothic; } \
      || echo "Could not install fonts-ipaexfont-gothic; PDF forms (\$pdf) will answer 503 until a font is installed" >&2
  else
    echo "Note: no Japanese font at $font; PDF forms (\$pdf) will answer 503 until one is installed:" >&2
    echo "  sudo apt-get install fonts-ipaexfont-gothic   (or set RENKEI_PRINT_FONT to a TrueType font file)" >&2
  fi
fi

if [ -f "$run/hub.pid" ] && kill -0 "$(cat "$run/hub.pid")" 2>/dev/null; then
  echo "Renkei hub is already running (pid $(cat "$run/hub.pid")): http://127.0.0.1:$port/fhir"
  exit 0
fi
command -v java >/dev/null || { echo "java (17) is required" >&2; exit 1; }
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "Port $port on 127.0.0.1 is already in use; stop that program or set RENKEI_PORT" >&2
  exit 1
fi
if [ ! -f "$jar" ] || [ -n "$(find "$root/server/src/main" "$root/fhir-profiles/src/main" -newer "$jar" -type f -print -quit)" ]; then
  echo "Building the hub (first run downloads dependencies from Maven Central)..."
  (cd "$root" && mvn -q -B -Dstyle.color=never -DskipTests install)
fi

if [ -z "${RENKEI_AUTH_ISSUER:-}" ]; then
  "$root/deploy/keycloak.sh" start
  export RENKEI_AUTH_ISSUER="http://127.0.0.1:${KEYCLOAK_PORT:-8180}/realms/renkei"
fi

export RENKEI_PORT="$port"
export RENKEI_DATA_DIR="${RENKEI_DATA_DIR:-$root/renkei-data}"
nohup java -Xmx2g -jar "$jar" >"$run/hub.log" 2>&1 &
echo $! >"$run/hub.pid"

base="http://127.0.0.1:$port/fhir"
for _ in $(seq 1 120); do
  if ! kill -0 "$(cat "$run/hub.pid")" 2>/dev/null; then
    echo "The hub failed to start; last lines of $run/hub.log:" >&2
    tail -n 30 "$run/hub.log" >&2
    rm -f "$run/hub.pid"
    exit 1
  fi
  if curl -sf "$base/metadata" >/dev/null 2>&1; then
    echo "Renkei hub is ready: $base"
    echo "  tokens from: $RENKEI_AUTH_ISSUER"
    echo "  deploy/load-demo.sh loads the demo organisations, staff and patients; deploy/down.sh stops everything"
    exit 0
  fi
  sleep 1
done
echo "The hub did not become ready within 120 s; see $run/hub.log" >&2
exit 1
