#!/usr/bin/env bash
# The web app's benchmark (docs/benchmarks.md, "The web app's patient page"): in Debian's Chromium, the patient page
# with 200 timeline entries, from navigation to interactive, and the first visit's JavaScript as the hub serves it.
# Runs against a hub of deploy/up.sh with the demo data (deploy/load-demo.sh); writes 200 records for 佐藤 一郎 as the
# demo visiting nurse on the first run and reuses them afterwards (conditional creates on an identifier).
# Env: RENKEI_APP_URL (default http://127.0.0.1:${RENKEI_PORT:-8080}/app/), RENKEI_BENCH_RUNS (default 10, after one
# warm-up). The result is printed and written to web/target/bench/patient-page.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
app="${RENKEI_APP_URL:-http://127.0.0.1:${RENKEI_PORT:-8080}/app/}"
base="${app%/}"; base="${base%/app}"

if ! curl -sf "$base/fhir/.well-known/smart-configuration" >/dev/null; then
  echo "No Renkei hub with sign-in at $base: start one with deploy/up.sh && deploy/load-demo.sh (or set RENKEI_APP_URL)" >&2
  exit 1
fi
[ -x /usr/bin/chromium ] || { echo "Debian's Chromium is needed at /usr/bin/chromium: apt-get install chromium" >&2; exit 1; }
cd "$root/web"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
[ -d node_modules/@playwright/test ] || node scripts/install.mjs
RENKEI_APP_URL="$app" FORCE_COLOR=0 node node_modules/@playwright/test/cli.js test --config bench/playwright.config.ts "$@"
