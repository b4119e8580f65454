#!/usr/bin/env bash
# The collection page of a client certificate: both PKCS#12 files while
# they are kept (headers, names, the encoding this browser gets first and
# why), files that open with the password in OpenSSL 3 without -legacy and
# hold the key of the certificate, the expired message and 410 after the
# hour, the purge, and a user-CSR certificate with the certificate formats
# only.  The files go only to the browser holding the pick-up cookie set
# when it completed the issuance; without it, a page says why.  The certificates come from clientcert_issue through
# build/tests/smimeissue, as the validation page issues them.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
OUT="$ROOT/tests/out/smime_collect"
rm -rf "$OUT" && mkdir -p "$OUT"
make -s -C "$ROOT" build/tests/smimeissue >/dev/null || exit 1

start_instance
PW='correct horse 8'
WIN='Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36'
IPHONE='Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1'
issue() { CERTDESK_CONF="$INSTANCE/certdesk.hdf" "$ROOT/build/tests/smimeissue" "$@"; }

read -r ID PICKUP <<< "$(issue smime ann@example.com ec256 "$PW")"
check "a client certificate issued" test -n "$ID"
check "with a 256-bit pick-up secret" test "${#PICKUP}" = 64
# The browser that completed the issuance holds the secret as a cookie.
CK="cd_p12_$ID=$PICKUP"

# The page: both files, the modern one first for Windows.
code=$(curl -s -A "$WIN" -b "$CK" -D "$OUT/page.h" -o "$OUT/page.html" -w '%{http_code}' "$BASE/collect?id=$ID")
check_eq "collect page: 200" 200 "$code"
check "collect page is valid HTML" tidy -q -errors "$OUT/page.html"
check_grep "page: no-store" '^Cache-Control: no-store' "$OUT/page.h"
check_grep "page offers the modern file for Windows" \
    "p12=modern\" download=\"ann@example.com-modern.p12\">PKCS#12 for Windows, Firefox/Thunderbird, Java, OpenSSL 3<" "$OUT/page.html"
check_grep "page offers the compatible file for Apple and Android" \
    "p12=compatible\" download=\"ann@example.com-compatible.p12\">PKCS#12 for macOS, iOS/iPadOS, Android up to 13, Windows Server 2016<" "$OUT/page.html"
check_eq "Windows: modern recommended" "modern" \
    "$(grep -o 'p12=[a-z]*" download="[^"]*">[^<]*</a> <span class="hint">[^<]*(recommended' "$OUT/page.html" | sed -n 's/p12=\([a-z]*\).*/\1/p')"
check_grep "page says why" 'better protected one and comes first' "$OUT/page.html"
check_grep "page says what to do on wrong password" 'wrong password.*use the other file' "$OUT/page.html"
check_grep "certificate formats stay offered" 'format=x509CO' "$OUT/page.html"

curl -s -A "$IPHONE" -b "$CK" -o "$OUT/page-iphone.html" "$BASE/collect?id=$ID"
check_eq "iPhone: compatible recommended" "compatible" \
    "$(grep -o 'p12=[a-z]*" download="[^"]*">[^<]*</a> <span class="hint">[^<]*(recommended' "$OUT/page-iphone.html" | sed -n 's/p12=\([a-z]*\).*/\1/p')"
check_grep "iPhone: the page says why" 'runs macOS, iOS/iPadOS or Android' "$OUT/page-iphone.html"

# An account that chose compatible: Windows gets it first too, and the page says so.
sqlite3 "$INSTANCE/state/certdesk.db" "UPDATE account SET p12_legacy = 1 WHERE name = 'smime'"
curl -s -A "$WIN" -b "$CK" -o "$OUT/page-legacy.html" "$BASE/collect?id=$ID"
check_eq "account default compatible: recommended" "compatible" \
    "$(grep -o 'p12=[a-z]*" download="[^"]*">[^<]*</a> <span class="hint">[^<]*(recommended' "$OUT/page-legacy.html" | sed -n 's/p12=\([a-z]*\).*/\1/p')"
check_grep "account default: the page says why" 'organisation chose the compatible file' "$OUT/page-legacy.html"
sqlite3 "$INSTANCE/state/certdesk.db" "UPDATE account SET p12_legacy = 0 WHERE name = 'smime'"

check_eq "not collected before a download" "" "$(db_count "SELECT collected_at FROM request WHERE cert_id='$ID'")"
curl -s -o "$OUT/cert.pem" "$BASE/collect?id=$ID&format=x509CO"
openssl x509 -in "$OUT/cert.pem" -noout -pubkey > "$OUT/cert.pub" 2>/dev/null
check "certificate-only download is a certificate" test -s "$OUT/cert.pub"

# The ID alone (it is in logs, audit rows and lists) gets no file.
curl -s -o "$OUT/nocookie.html" "$BASE/collect?id=$ID"
check_nogrep "no cookie: no file offered" 'p12=' "$OUT/nocookie.html"
check_grep "no cookie: the page says where the files can be downloaded" \
    'only be downloaded from the browser that completed the enrollment, within one hour' "$OUT/nocookie.html"
check_grep "no cookie: and what to do" 'renew your certificate .*or ask your administrator' "$OUT/nocookie.html"
check_grep "no cookie: certificate formats stay" 'format=x509CO' "$OUT/nocookie.html"
# One digit off: the last one flipped, so it differs whatever it was.
case "${PICKUP: -1}" in 0) OFF=1 ;; *) OFF=0 ;; esac
check "the one-digit-off secret differs" test "${PICKUP%?}$OFF" != "$PICKUP"
for how in "" "-b cd_p12_$ID=${PICKUP%?}$OFF" "-b cd_p12_$ID=0000" "-b cd_p12_$ID=$PICKUP$PICKUP"; do
	code=$(curl -s $how -D "$OUT/denied.h" -o "$OUT/denied.html" -w '%{http_code}' "$BASE/collect?id=$ID&p12=modern")
	check_eq "download ${how:-without a cookie}: 403" 403 "$code"
	check_nogrep "download ${how:-without a cookie}: no file" 'application/x-pkcs12' "$OUT/denied.h"
done
check_grep "a refused download explains" 'only be downloaded from the browser that completed the enrollment' "$OUT/denied.html"

# Both files: headers, then they open with the password and hold the key.
for enc in modern compatible; do
	code=$(curl -s -b "$CK" -D "$OUT/$enc.h" -o "$OUT/$enc.p12" -w '%{http_code}' "$BASE/collect?id=$ID&p12=$enc")
	check_eq "$enc: 200" 200 "$code"
	check_grep "$enc: Content-Type" '^Content-Type: application/x-pkcs12' "$OUT/$enc.h"
	check_grep "$enc: attachment named by address and encoding" \
	    "^Content-Disposition: attachment; filename=\"ann@example.com-$enc.p12\"" "$OUT/$enc.h"
	check_grep "$enc: no-store" '^Cache-Control: no-store' "$OUT/$enc.h"
	check "$enc: opens with the password, no -legacy" \
	    openssl pkcs12 -in "$OUT/$enc.p12" -passin "pass:$PW" -nodes -out "$OUT/$enc.pem"
	check "$enc: a wrong password is refused" \
	    sh -c "! openssl pkcs12 -in '$OUT/$enc.p12' -passin pass:wrong-password -nodes -out /dev/null 2>/dev/null"
	openssl pkey -in "$OUT/$enc.pem" -pubout -out "$OUT/$enc.pub" 2>/dev/null
	check "$enc: the key is the certificate's" cmp -s "$OUT/$enc.pub" "$OUT/cert.pub"
	check_eq "$enc: key, certificate and CA chain" 2 "$(grep -c 'BEGIN CERTIFICATE' "$OUT/$enc.pem")"
	check_grep "$enc: friendly name" 'friendlyName: Test Person <ann@example.com>' "$OUT/$enc.pem"
done
check_grep "modern: AES-256 and SHA-256" 'PBES2, PBKDF2, AES-256-CBC, Iteration 10000, PRF hmacWithSHA256' \
    <(openssl pkcs12 -in "$OUT/modern.p12" -passin "pass:$PW" -info -noout 2>&1)
check_grep "compatible: 3DES" 'pbeWithSHA1And3-KeyTripleDES-CBC' \
    <(openssl pkcs12 -in "$OUT/compatible.p12" -passin "pass:$PW" -info -noout 2>&1)
check_eq "collected recorded" 1 "$(db_count "SELECT collected_at IS NOT NULL FROM request WHERE cert_id='$ID'")"

code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/collect?id=$ID&p12=rc2")
check_eq "unknown encoding: 404" 404 "$code"
code=$(curl -s -o "$OUT/hostile.html" -w '%{http_code}' "$BASE/collect?id=$ID&p12=%3Cscript%3Ealert(1)%3C/script%3E%22%0d%0aX:1")
check "hostile encoding: refused ($code)" test "$code" = 400 -o "$code" = 404
check_nogrep "hostile encoding: never echoed raw" '<script>alert' "$OUT/hostile.html"
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/collect?id=0123456789abcdef01234567&p12=modern")
check_eq "unknown certificate: 404" 404 "$code"

# An address too long for the filename keeps its domain and the suffix
# that says what opens the file; the local part is shortened.
LOCAL=$(printf 'l%.0s' $(seq 1 64))
LONG="$LOCAL@a-rather-long-department-subdomain-name.mail.example.com"
read -r LID LPK <<< "$(issue smime "$LONG" ec256 "$PW")"
check "a certificate for a ${#LONG}-character address" test -n "$LID" -a -n "$LPK"
for enc in modern compatible; do
	curl -s -b "cd_p12_$LID=$LPK" -D "$OUT/long-$enc.h" -o /dev/null "$BASE/collect?id=$LID&p12=$enc"
	name=$(sed -n 's/^Content-Disposition: attachment; filename="\(.*\)"\r*$/\1/p' "$OUT/long-$enc.h")
	check_grep "long address, $enc: the file keeps its suffix and domain" \
	    "^l+@a-rather-long-department-subdomain-name\.mail\.example\.com-$enc\.p12\$" <(echo "$name")
	check "long address, $enc: at most 127 characters (${#name})" test "${#name}" -le 127
done
curl -s -b "cd_p12_$LID=$LPK" -o "$OUT/long.html" "$BASE/collect?id=$LID"
check_grep "long address: the page names the same files" "download=\"l*@a-rather-long-department-subdomain-name.mail.example.com-compatible.p12\"" "$OUT/long.html"

# After the hour: the page says so, the files answer 410, the certificate stays.
sqlite3 "$INSTANCE/state/certdesk.db" "UPDATE p12_pickup SET expires = strftime('%s','now') - 1"
curl -s -b "$CK" -o "$OUT/expired.html" "$BASE/collect?id=$ID"
check_grep "expired: the page says so" 'could be downloaded for one hour only and has expired' "$OUT/expired.html"
check_grep "expired: and what to do" 'renew your certificate .*or ask your administrator' "$OUT/expired.html"
check_nogrep "expired: no file offered" 'p12=' "$OUT/expired.html"
check_grep "expired: certificate formats stay" 'format=x509CO' "$OUT/expired.html"
code=$(curl -s -b "$CK" -D "$OUT/expired-dl.h" -o "$OUT/expired-dl.html" -w '%{http_code}' "$BASE/collect?id=$ID&p12=modern")
check_eq "expired download: 410" 410 "$code"
check_grep "expired download: the page explains" 'has expired' "$OUT/expired-dl.html"
check_nogrep "expired download: no file" 'application/x-pkcs12' "$OUT/expired-dl.h"
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/collect?id=$ID&format=x509CO")
check_eq "expired: certificate download still 200" 200 "$code"
cdadm maintain >/dev/null 2>&1
check_eq "maintain purged both files" 0 "$(db_count "SELECT COUNT(*) FROM p12_pickup")"
curl -s -o "$OUT/purged.html" "$BASE/collect?id=$ID"
check_grep "purged: still says expired" 'has expired' "$OUT/purged.html"

# A user-CSR account: the person holds the key, so only the certificate formats.
cdadm account add smime-csr --endpoint smime --org "Demo Org" --dept IT --code demo-smime-csr-2026 \
    --profile "Client Authentication and Email" --user-csr >/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$OUT/bob.key" \
    -out "$OUT/bob.csr" -subj "/CN=Bob Example" 2>/dev/null
ID2=$(issue smime-csr bob@example.com none "" "$OUT/bob.csr")
check "a user-CSR certificate has no pick-up secret" test "${ID2#* }" = "$ID2"
check "a user-CSR certificate issued" test -n "$ID2"
curl -s -o "$OUT/csr.html" "$BASE/collect?id=$ID2"
check_nogrep "user CSR: no PKCS#12" 'p12=|PKCS#12|has expired' "$OUT/csr.html"
check_grep "user CSR: the certificate formats" 'format=x509CO' "$OUT/csr.html"
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/collect?id=$ID2&p12=modern")
check_eq "user CSR: a file link is 404" 404 "$code"

finish
