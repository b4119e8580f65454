#!/usr/bin/env bash
# SSL self-enrollment in headless Chromium: enroll with Get CN from CSR,
# approve with the CLI, collect from the email link in all seven formats,
# renew, revoke and find the serial in the CRL; every page checked at
# 375 px and saved as PNG under tests/out/ssl_browser/.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
browser_start ssl_browser
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/www.key" -out "$WORK/www.csr" -subj "/CN=www.example.com" \
    -addext "subjectAltName=DNS:www.example.com,DNS:api.example.com" 2>/dev/null
check "CSR made by openssl" test -s "$WORK/www.csr"

browser_run ssl_browser
check "screenshots saved" test "$(ls "$OUT"/*.png 2>/dev/null | wc -l)" -ge 20
finish
