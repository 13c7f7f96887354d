#!/usr/bin/env bash
# Loads the demo organisations, practitioners, patients, care teams and sharing Consents (keycloak/demo-fhir.json,
# a batch of PUTs to fixed ids) into the running hub, as the demo user hub-admin. Running it again changes nothing
# (a PUT of what a record already says writes nothing) and puts back a directory entry, patient or care team that was
# changed since; a Consent is only created (If-None-Match: *): once there it is the patient's, and the hub
# administrator may neither read nor replace it. DEV ONLY: uses the demo password and the password grant of renkei-web.
# Env: RENKEI_PORT (default 8080), KEYCLOAK_PORT (default 8180), RENKEI_AUTH_ISSUER (default the
#      development Keycloak's realm renkei), RENKEI_TOKEN (an access token of a hub-admin to load with
#      instead of signing in, e.g. one from your own identity provider; not shown, not logged).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
issuer="${RENKEI_AUTH_ISSUER:-http://127.0.0.1:${KEYCLOAK_PORT:-8180}/realms/renkei}"
base="http://127.0.0.1:${RENKEI_PORT:-8080}/fhir"
bundle="$root/keycloak/demo-fhir.json"

if ! curl -sf "$base/metadata" >/dev/null 2>&1; then
  echo "The hub does not answer at $base; start it with deploy/up.sh" >&2
  exit 1
fi
token="${RENKEI_TOKEN:-}"
if [ -z "$token" ]; then
  # DEV-ONLY demo credentials (keycloak/README.md)
  response="$(curl -s -w '\n%{http_code}' "$issuer/protocol/openid-connect/token" \
    -d grant_type=password -d client_id=renkei-web -d username=hub-admin -d password=renkei-dev-only)" || {
    echo "Keycloak does not answer at $issuer" >&2
    exit 1
  }
  status="${response##*$'\n'}"
  body="${response%$'\n'*}"
  token="$(printf '%s' "$body" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
  if [ "$status" != "200" ] || [ -z "$token" ]; then
    echo "Could not sign in as hub-admin at $issuer (HTTP $status): $body" >&2
    exit 1
  fi
fi

response="$(curl -s -w '\n%{http_code}' -X POST "$base" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/fhir+json' -H 'Accept: application/fhir+json' --data-binary "@$bundle")"
status="${response##*$'\n'}"
body="${response%$'\n'*}"
if [ "$status" != "200" ]; then
  echo "The hub refused the demo data (HTTP $status):" >&2
  printf '%s\n' "$body" >&2
  exit 1
fi
count() { printf '%s' "$body" | { grep -o "$1" || true; } | wc -l | tr -d ' '; }
entries="$(count '"response": *{')"
created="$(count '"status": *"201')"
written="$(count '"status": *"200')"
unchanged="$(count '(unchanged:')"
kept="$(count '"status": *"412')"
if [ "$((created + written + kept))" != "$entries" ]; then
  echo "The hub refused $((entries - created - written - kept)) of the $entries demo records:" >&2
  printf '%s\n' "$body" >&2
  exit 1
fi
echo "Demo data loaded into $base: $created created, $((written - unchanged)) updated, $unchanged unchanged, $kept kept as they were"
echo "  sign in as e.g. care-manager, care-worker, pharmacist, physician.home, family.yamada (password renkei-dev-only, DEV ONLY)"
