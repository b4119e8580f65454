#!/usr/bin/env bash
# The device certificate form in headless Chromium: a refused weak key,
# a CSR uploaded and submitted, approval with the CLI and the collection
# page; every page checked at 375 px and saved as PNG (375 px and
# desktop) under tests/out/device_browser/.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
browser_start device_browser
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/gw.key" -out "$WORK/gw.csr" -subj "/CN=gw.example.com" 2>/dev/null
openssl req -new -newkey rsa:1024 -nodes -keyout "$WORK/weak.key" \
    -out "$WORK/weak.csr" -subj "/CN=weak.example.com" 2>/dev/null
check "CSRs made by openssl" test -s "$WORK/gw.csr" -a -s "$WORK/weak.csr"

browser_run device_browser
check "screenshots saved" test "$(ls "$OUT"/*.png 2>/dev/null | wc -l)" -ge 8
finish
