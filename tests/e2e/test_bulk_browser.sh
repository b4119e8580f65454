#!/usr/bin/env bash
# The Bulk Enrollment Form in headless Chromium: the access code, an error
# report, the sample CSV submitted, the status page, approval with the
# CLI and a download under the p12 passphrase; every page checked at
# 375 px and saved as PNG (375 px and desktop) under
# tests/out/bulk_browser/.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
browser_start bulk_browser
printf '%s\n' 'www.example.com, , SSL Standard, 1 year, OTHER' \
    ', , SSL Standard, 1 year, OTHER' \
    'x.example.com, , Elite, 1 year, OTHER' > "$WORK/bad.csv"

browser_run bulk_browser
check "the PKCS#12 opens with the passphrase" openssl pkcs12 -in "$WORK/dl.p12" \
    -passin pass:browser-bulk-2026 -nokeys -out /dev/null
check "screenshots saved" test "$(ls "$OUT"/*.png 2>/dev/null | wc -l)" -ge 14
finish
