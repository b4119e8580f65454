#!/usr/bin/env bash
# Client (S/MIME) certificates in headless Chromium: access-code
# enrollment through the validation mail to the PKCS#12 download,
# secret-ID enrollment, invitation and User Registration, renewal (the
# old serial on the CRL as superseded) and revocation from the list;
# every page checked at 375 px and saved as PNG under
# tests/out/smime_browser/.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
browser_start smime_browser
instance_populate_persons "$INSTANCE"
browser_run smime_browser
check "screenshots saved" test "$(ls "$OUT"/*.png 2>/dev/null | wc -l)" -ge 30
finish
