#!/usr/bin/env bash
# The device certificate form in headless Chromium: a refused weak key,
# a CSR uploaded and submitted, approval with the CLI and the collection
# page; every page checked at 375 px and saved as PNG (375 px and
# desktop) under tests/out/device_browser/.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
OUT="$ROOT/tests/out/device_browser"
rm -rf "$OUT" && mkdir -p "$OUT"

if [ ! -x /usr/bin/chromium ] || [ ! -d "$ROOT/tests/e2e/node_modules/playwright-core" ]; then
	fail "chromium and playwright-core are needed (make deps)"
	finish
	exit 1
fi

start_instance
WORK="$OUT/work"
mkdir -p "$WORK"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/gw.key" -out "$WORK/gw.csr" -subj "/CN=gw.example.com" 2>/dev/null
openssl req -new -newkey rsa:1024 -nodes -keyout "$WORK/weak.key" \
    -out "$WORK/weak.csr" -subj "/CN=weak.example.com" 2>/dev/null
check "CSRs made by openssl" test -s "$WORK/gw.csr" -a -s "$WORK/weak.csr"

BASE="$BASE" INSTANCE="$INSTANCE" ROOT="$ROOT" OUT="$OUT" WORK="$WORK" \
    CERTDESK_CONF="$INSTANCE/certdesk.hdf" \
    timeout 180 node "$ROOT/tests/e2e/device_browser.mjs" > "$OUT/browser.log" 2>&1
rc=$?
cat "$OUT/browser.log"
line=$(grep -E '^device_browser.mjs: [0-9]+ passed, [0-9]+ failed$' "$OUT/browser.log")
p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
E2E_PASSED=$((E2E_PASSED + ${p:-0}))
E2E_FAILED=$((E2E_FAILED + ${f:-0}))
check_eq "browser run exits 0" 0 "$rc"
check "screenshots saved" test "$(ls "$OUT"/*.png 2>/dev/null | wc -l)" -ge 8
finish
