#!/usr/bin/env bash
# The deployment CA (docs/signatures.md): creates it, issues organisation and practitioner certificates
# (the practitioner's qualification carried HPKI-style as an hcRole), revokes them and publishes the CRL,
# and signs a document Bundle as its author would.
#   RENKEI_PKI_PASSWORD=... deploy/pki.sh init
#   RENKEI_PKI_PASSWORD=... deploy/pki.sh audit-seal        # the hub's key for audit chain checkpoints
#   RENKEI_PKI_PASSWORD=... deploy/pki.sh practitioner --id dr-sato --name "佐藤 一郎" \
#       --organization "盛岡在宅クリニック" --profession physician
#   deploy/pki.sh --help                      every command and option
# Env: RENKEI_PKI_DIR (the CA's directory, default build/pki; --dir overrides), RENKEI_PKI_PASSWORD (the
# CA's and the new keystores' password), RENKEI_SIGNER_PASSWORD (the signing keystore's, default the same).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/server/target/renkei-server-0.1.0-SNAPSHOT.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root/server/src/main" "$root/fhir-profiles/src" -newer "$jar" -type f -print -quit)" ]; then
  echo "Building the hub..." >&2
  (cd "$root" && mvn -q -B -Dstyle.color=never -DskipTests install) >&2
fi
command=("${@:1:1}")
rest=("${@:2}")
if [ "${#command[@]}" -gt 0 ] && [ "${command[0]}" != --help ] && [[ " ${rest[*]-} " != *" --dir "* ]]; then
  rest+=(--dir "${RENKEI_PKI_DIR:-$root/build/pki}")
fi
exec java -jar "$jar" pki "${command[@]}" "${rest[@]+"${rest[@]}"}"
