#!/usr/bin/env bash
# Smoke test of a built app: it starts, paints its first screen offscreen and exits 0,
# creates a vault, logs an incident, exports and verifies a bundle.
set -euo pipefail
app="${1:-dist/victim-log/victim-log}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export VICTIM_LOG_VAULT="$work/vault" VICTIM_LOG_STATE="$work/state" HOME="$work/home"
export VICTIM_LOG_PASSPHRASE="smoke test passphrase" QT_QPA_PLATFORM=offscreen
mkdir -p "$HOME"
"$app" gui --smoke
"$app" init >/dev/null
"$app" add --kind message --summary "smoke test" >/dev/null
"$app" export --out "$work/e.zip" >/dev/null
"$app" verify "$work/e.zip"
echo "smoke test passed"
