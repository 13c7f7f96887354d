#!/usr/bin/env bash
# Builds the hub if needed, starts the development Keycloak (deploy/keycloak.sh) and then the hub on
# 127.0.0.1 with the embedded store, configured to accept that Keycloak's tokens.
# Env: RENKEI_PORT (default 8080), RENKEI_DATA_DIR (default ./renkei-data), MONGODB_URI (optional),
#      KEYCLOAK_PORT (default 8180), RENKEI_AUTH_ISSUER (set it to use an existing Keycloak realm;
#      then no Keycloak is started here, and RENKEI_AUTH_INTROSPECTION_CLIENT_SECRET must be that realm's secret
#      of client renkei-hub; default with the Keycloak started here: the realm file's DEV ONLY secret), RENKEI_PRINT_FONT (Japanese font for PDF forms; default IPAex
#      Gothic, installed here with apt-get when missing and run as root), RENKEI_PKI_DIR (the deployment CA
#      and the organisations' seals, default build/pki: created here for development when missing,
#      docs/signatures.md), RENKEI_PKI_PASSWORD / RENKEI_SEAL_PASSWORD (default renkei-dev-only: DEV ONLY),
#      RENKEI_AUDIT_ANCHOR_DIR (the audit chain's checkpoint copies outside the store, default ./renkei-audit-anchors:
#      DEVELOPMENT ONLY, it sits beside the data with the same owner; in production a directory shared by every node
#      that those who can write the database cannot write. It belongs to RENKEI_DATA_DIR: delete both or neither,
#      docs/security.md "Anchoring"). The hub's other settings pass through from the environment (the table of
#      docs/architecture.md §9).
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
if [ ! -f "$jar" ] || [ -n "$(find "$root/server/src/main" "$root/fhir-profiles/src/main" "$root/web/src" "$root/web/index.html" "$root/web/package-lock.json" -newer "$jar" -type f -print -quit)" ]; then
  echo "Building the hub (first run downloads dependencies from Maven Central)..."
  (cd "$root" && mvn -q -B -Dstyle.color=never -DskipTests install)
fi

if [ -z "${RENKEI_AUTH_ISSUER:-}" ]; then
  "$root/deploy/keycloak.sh" start
  export RENKEI_AUTH_ISSUER="http://127.0.0.1:${KEYCLOAK_PORT:-8180}/realms/renkei"
  # the hub asks Keycloak whether tokens are still active as client renkei-hub: the realm file's DEV ONLY secret
  export RENKEI_AUTH_INTROSPECTION_CLIENT_SECRET="${RENKEI_AUTH_INTROSPECTION_CLIENT_SECRET:-dev-only-change-me-renkei-hub}"
fi

# Signed documents (docs/signatures.md): the hub needs a trust anchor and the seals it keeps in custody. For
# development a deployment CA is created here with the hub's seal and the demo organisations' seals
# (deploy/load-demo.sh); a real deployment runs deploy/pki.sh itself, with its own passwords.
export RENKEI_PKI_DIR="${RENKEI_PKI_DIR:-$root/build/pki}"
export RENKEI_PKI_PASSWORD="${RENKEI_PKI_PASSWORD:-renkei-dev-only}"   # DEV ONLY
export RENKEI_SEAL_PASSWORD="${RENKEI_SEAL_PASSWORD:-$RENKEI_PKI_PASSWORD}"
if [ ! -f "$RENKEI_PKI_DIR/ca.p12" ]; then
  echo "Creating a development deployment CA in $RENKEI_PKI_DIR (DEV ONLY password)..."
  java -jar "$jar" pki init --dir "$RENKEI_PKI_DIR" --name "Renkei Development CA" >/dev/null
  java -jar "$jar" pki organization --dir "$RENKEI_PKI_DIR" --id renkei-hub --name "Renkei ハブ" >/dev/null
  java -jar "$jar" pki audit-seal --dir "$RENKEI_PKI_DIR" --name "Renkei hub audit seal (development)" >/dev/null
  for org in "org-hospital:みちのく中央病院" "org-homecare:いわて在宅ケアセンター" "org-pharmacy:ひまわり薬局"; do
    java -jar "$jar" pki organization --dir "$RENKEI_PKI_DIR" --id "${org%%:*}" --name "${org#*:}" >/dev/null
  done
else
  # the CRL is valid for 7 days: publish it again so a development CA left for weeks still works
  java -jar "$jar" pki crl --dir "$RENKEI_PKI_DIR" >/dev/null
fi
# The key that seals the audit chain's checkpoints (docs/security.md, "Anchoring"); a CA made before it existed lacks it.
if [ ! -f "$RENKEI_PKI_DIR/issued/audit-seal.p12" ]; then
  java -jar "$jar" pki audit-seal --dir "$RENKEI_PKI_DIR" --name "Renkei hub audit seal (development)" >/dev/null
fi

export RENKEI_PORT="$port"
export RENKEI_DATA_DIR="${RENKEI_DATA_DIR:-$root/renkei-data}"
# DEVELOPMENT ONLY: beside the data, so whoever can delete the data can delete these copies too
export RENKEI_AUDIT_ANCHOR_DIR="${RENKEI_AUDIT_ANCHOR_DIR:-$root/renkei-audit-anchors}"
nohup java -Xmx2g -jar "$jar" >"$run/hub.log" 2>&1 &
echo $! >"$run/hub.pid"

base="http://127.0.0.1:$port/fhir"
# The hub listens only once its validator is warm (docs/profiles.md, "Warm before ready"): the first request after
# "ready" pays no warm-up. On a busy machine that start takes minutes, hence the long wait.
for _ in $(seq 1 300); do
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
echo "The hub did not become ready within 300 s; see $run/hub.log" >&2
exit 1
