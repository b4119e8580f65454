#!/usr/bin/env bash
# SSL self-enrollment over HTTP with curl: every error path of the step-2
# form (each leaves the database without a new request), Get CN from CSR,
# manual and automatic approval, collection in the seven formats, download
# from the menu, renewal, revocation with the CRL, passphrase throttling
# and the per-certificate lock.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
OUT="$ROOT/tests/out/ssl_forms"
rm -rf "$OUT" && mkdir -p "$OUT"

start_instance
JAR="$OUT/cookies"
K="$OUT/keys"
mkdir -p "$K"

# CSRs made now: EC P-256 for speed, one RSA 1024 for the weak-key check.
mkcsr() {	# name subject [SAN list]
	local name=$1 subj=$2 san=${3:-}
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$K/$name.key" -out "$K/$name.csr" -subj "$subj" \
	    ${san:+-addext "subjectAltName=$san"} 2>/dev/null
}
mkcsr www "/CN=www.example.com" "DNS:www.example.com,DNS:api.example.com"
mkcsr evil "/CN=www.evil.org"
mkcsr wild "/CN=*.example.com"
mkcsr host2 "/CN=host2.example.com"
openssl req -new -newkey rsa:1024 -nodes -keyout "$K/weak.key" -out "$K/weak.csr" \
    -subj "/CN=weak.example.com" 2>/dev/null
openssl req -in "$K/host2.csr" -outform DER -out "$K/host2.der"
echo "this is not a certificate request" > "$K/junk.csr"
head -c 40000 /dev/zero | tr '\0' 'A' > "$K/big.csr"

nreq() { db_count 'SELECT COUNT(*) FROM request'; }

# Step 1 with a code; sets TOK (CSRF) and FT (the form's signed token).
step1() {	# code email
	TOK=$(csrf_token "$JAR" "$BASE/ssl?action=enroll")
	curl -s -b "$JAR" -c "$JAR" --data-urlencode "csrf=$TOK" \
	    --data-urlencode "accessCode=$1" --data-urlencode "email=$2" \
	    "$BASE/ssl?action=enroll" > "$OUT/step1.html"
	FT=$(sed -n 's/.*name="token" value="\([^"]*\)".*/\1/p' "$OUT/step1.html")
}

# step2 OUTNAME [curl -F args...]: posts the step-2 form with defaults that
# later arguments override; prints the HTTP status.
step2() {
	local name=$1
	shift
	curl -s -b "$JAR" -o "$OUT/$name.html" -w '%{http_code}' \
	    -F "csrf=$TOK" -F "token=$FT" -F step=2 -F email=alice@example.com "$@" \
	    "$BASE/ssl?action=enroll"
}
GOOD=(-F "profile=SSL Multi-Domain" -F term=365 -F "csr=<$K/www.csr"
    -F commonName=www.example.com -F sans=api.example.com
    -F passphrase=correct-horse-1 -F passphrase2=correct-horse-1 -F eula=1)

step1 demo-ssl-2026 alice@example.com
check "step 1 gives a form token" test -n "$FT"

# expect_error NAME PATTERN [curl -F args...]: one failing submission.
expect_error() {
	local name=$1 pat=$2 before code
	shift 2
	before=$(nreq)
	code=$(step2 "$name" "$@")
	check_eq "$name: 200 with the form again" 200 "$code"
	check_grep "$name: says why" "$pat" "$OUT/$name.html"
	check_grep "$name: form shown again" 'name="commonName"' "$OUT/$name.html"
	check_nogrep "$name: passphrase never echoed" 'correct-horse|other-horse' "$OUT/$name.html"
	check_eq "$name: no request recorded" "$before" "$(nreq)"
	check "$name: valid HTML (tidy)" tidy -q -errors "$OUT/$name.html"
}

expect_error malformed "not a valid PEM or DER PKCS#10 request" \
    "${GOOD[@]}" -F "csr=<$K/junk.csr"
check_grep "malformed: the user's other input is kept" 'value="api.example.com"' "$OUT/malformed.html"
expect_error big-upload "larger than 32 KiB" "${GOOD[@]}" -F "csrFile=@$K/big.csr"
expect_error big-paste "larger than 32 KiB" "${GOOD[@]}" -F "csr=<$K/big.csr"
expect_error rsa1024 "at least 2048 bits" "${GOOD[@]}" -F "csr=<$K/weak.csr" \
    -F commonName=weak.example.com -F sans=
expect_error foreign-cn "not in a domain delegated" "${GOOD[@]}" -F "csr=<$K/evil.csr" \
    -F commonName=www.evil.org -F sans=
expect_error foreign-san 'Subject Alternative Name &quot;api.evil.org&quot; is not in a domain delegated' \
    "${GOOD[@]}" -F sans=api.evil.org
expect_error wildcard-refused "wildcard, which the selected certificate profile does not allow" \
    "${GOOD[@]}" -F "profile=SSL Standard" -F "csr=<$K/wild.csr" -F 'commonName=*.example.com' -F sans=
expect_error sans-single-domain "only allowed with a multi-domain" \
    "${GOOD[@]}" -F "profile=SSL Standard"
expect_error cn-mismatch "does not match the CSR" "${GOOD[@]}" -F commonName=mail.example.com
expect_error eula "agree to the terms of the EULA" "${GOOD[@]}" -F eula=
expect_error pass-differ "passphrase and its confirmation differ" \
    "${GOOD[@]}" -F passphrase2=other-horse-2
expect_error pass-short "must have 8 to 256 characters" \
    "${GOOD[@]}" -F passphrase=short -F passphrase2=short
expect_error term "term is not available" "${GOOD[@]}" -F term=730
expect_error ext-requester "External Requester &quot;bob@evil.org&quot;" \
    "${GOOD[@]}" -F "externalRequester=carol@example.com, bob@evil.org"
expect_error no-csr "Paste or upload the CSR" "${GOOD[@]}" -F csr=

# A forged form token sends the user back to step 1; nothing is recorded.
before=$(nreq)
code=$(curl -s -b "$JAR" -o "$OUT/forged.html" -w '%{http_code}' -F "csrf=$TOK" \
    -F "token=1.9999999999.00" -F step=2 -F email=alice@example.com "${GOOD[@]}" \
    "$BASE/ssl?action=enroll")
check_grep "forged token: back to step 1" 'has expired' "$OUT/forged.html"
check_nogrep "forged token: no step 2" 'name="commonName"' "$OUT/forged.html"
code=$(step2 wrong-email "${GOOD[@]}" -F email=mallory@example.com)
check_grep "token bound to the email: another email is refused" 'has expired' "$OUT/wrong-email.html"
code=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code}' -F "token=$FT" -F step=2 \
    -F email=alice@example.com "${GOOD[@]}" "$BASE/ssl?action=enroll")
check_eq "step 2 without CSRF token: 403" 403 "$code"
check_eq "forged token, other email, no CSRF: no request" "$before" "$(nreq)"

# Step 1 failures: wrong code and foreign email give one generic message.
for c in "wrong-code alice@example.com" "demo-ssl-2026 eve@evil.org"; do
	set -- $c
	step1 "$1" "$2"
	check_grep "step 1 ($1, $2): generic message" 'not valid for this form' "$OUT/step1.html"
	check_nogrep "step 1 ($1, $2): no form" 'name="token"' "$OUT/step1.html"
done
check_eq "step 1 failures: no request" "$before" "$(nreq)"

# Get CN from CSR: fills CN and the other SANs, records nothing.
step1 demo-ssl-2026 alice@example.com
code=$(step2 getcn -F "profile=SSL Multi-Domain" -F term=365 -F "csr=<$K/www.csr" -F getcn=1)
check_eq "get CN: 200" 200 "$code"
check_grep "get CN: Common Name filled" 'id="commonName" name="commonName" maxlength="64" value="www.example.com"' "$OUT/getcn.html"
check_grep "get CN: SANs filled without the CN" 'id="sans" name="sans" value="api.example.com"' "$OUT/getcn.html"
check_grep "get CN: CSR kept" 'BEGIN CERTIFICATE REQUEST' "$OUT/getcn.html"
check "get CN page is valid HTML" tidy -q -errors "$OUT/getcn.html"
check_eq "get CN: no request" "$before" "$(nreq)"

# Enroll on the manual account: Requested, admins told, person created.
code=$(step2 enrolled "${GOOD[@]}" -F "externalRequester=carol@example.com")
check_eq "enroll: 200" 200 "$code"
check "enroll page is valid HTML" tidy -q -errors "$OUT/enrolled.html"
ID1=$(sed -n 's/.*<code id="certId">\([0-9a-f]*\)<.*/\1/p' "$OUT/enrolled.html")
check "enroll: certificate ID shown" test -n "$ID1"
check_grep "enroll: the page says other CSR fields are not copied" \
    "other fields of the CSR, such as an email address or a serial number, are not copied" \
    "$OUT/enrolled.html"
check_eq "enroll: one request more" $((before + 1)) "$(nreq)"
check_eq "enroll: status Requested" Requested \
    "$(db_count "SELECT status FROM request WHERE cert_id='$ID1'")"
check_eq "enroll: names CN first" "www.example.com,api.example.com" \
    "$(db_count "SELECT sans FROM request WHERE cert_id='$ID1'")"
check_grep "enroll: says an administrator reviews it" 'administrator of your organization will review' "$OUT/enrolled.html"
check_eq "requester became person requesterSSL www.example.com" "requesterSSL|www.example.com" \
    "$(db_count "SELECT first_name, last_name FROM person WHERE email='alice@example.com'")"
check_nogrep "passphrase stored only as Argon2id" 'correct-horse' "$INSTANCE/state/certdesk.db"
check_grep "passphrase hash is Argon2id" '^\$argon2id\$' <(db_count "SELECT passphrase_hash FROM request WHERE cert_id='$ID1'")
m=$(grep -l "$ID1" "$INSTANCE"/mail/*.eml | xargs grep -l '^To: admin@example.com' | head -n 1)
check "awaiting-approval email to the organisation's admin" test -n "$m"
[ -n "$m" ] && check_grep "awaiting email tells how to approve" "certdesk request approve $ID1" "$m"

# Not issued yet: the collection page says so and offers nothing.
code=$(curl -s -o "$OUT/collect-pending.html" -w '%{http_code}' "$BASE/collect?id=$ID1")
check_eq "collect before approval: 200" 200 "$code"
check_grep "collect before approval: not issued yet" 'not been issued yet' "$OUT/collect-pending.html"
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/collect?id=$ID1&format=x509CO")
check_eq "download before approval: 404" 404 "$code"

# Approval by the CLI issues and mails the requester and the external requester.
check "certdesk request approve" cdadm request approve "$ID1"
check_eq "approved: Issued" Issued "$(db_count "SELECT status FROM request WHERE cert_id='$ID1'")"
m=$(grep -l "collect?id=$ID1" "$INSTANCE"/mail/*.eml | xargs grep -l '^To: alice@example.com' | head -n 1)
check "collection email to the requester" test -n "$m"
check "collection email to the external requester" \
    sh -c "grep -l 'collect?id=$ID1' '$INSTANCE'/mail/*.eml | xargs grep -q '^To: carol@example.com'"

# Collection: page, seven formats with types and names, collected once.
code=$(curl -s -o "$OUT/collect.html" -w '%{http_code}' "$BASE/collect?id=$ID1")
check_eq "collect page: 200" 200 "$code"
check "collect page is valid HTML" tidy -q -errors "$OUT/collect.html"
check_grep "collect page shows the serial" "$(db_count "SELECT serial FROM request WHERE cert_id='$ID1'")" "$OUT/collect.html"
check_eq "not collected before a download" "" "$(db_count "SELECT collected_at FROM request WHERE cert_id='$ID1'")"
openssl x509 -in "$INSTANCE/state/ca.pem" -out "$OUT/root.pem" 2>/dev/null ||
    sqlite3 "$INSTANCE/state/certdesk.db" "SELECT cert_pem FROM ca LIMIT 1" > "$OUT/root.pem"
openssl req -in "$K/www.csr" -pubkey -noout > "$OUT/csr.pub"
dl() {	# format expected-type expected-name
	curl -s -D "$OUT/dl-$1.h" -o "$OUT/dl-$1" "$BASE/collect?id=$ID1&format=$1"
	check_grep "$1: Content-Type $2" "^Content-Type: $2" "$OUT/dl-$1.h"
	check_grep "$1: file name $3" "filename=\"$3\"" "$OUT/dl-$1.h"
}
dl x509CO application/pem-certificate-chain www_example_com_cert.cer
dl pemia application/pem-certificate-chain www_example_com.pem
dl x509 application/x-pem-file www_example_com.cer
dl bin application/x-pkcs7-certificates www_example_com.p7b
dl base64 application/x-pem-file www_example_com.crt
dl x509IOR application/x-pem-file www_example_com_interm.cer
dl x509IO application/x-pem-file www_example_com_interm_reverse.cer
check_eq "certificate only: one certificate" 1 "$(grep -c 'BEGIN CERTIFICATE' "$OUT/dl-x509CO")"
check_eq "leaf carries the CSR's key" "$(cat "$OUT/csr.pub")" "$(openssl x509 -in "$OUT/dl-x509CO" -pubkey -noout)"
check "issuer-after bundle verifies against the root" \
    openssl verify -CAfile "$OUT/root.pem" -untrusted "$OUT/dl-pemia" "$OUT/dl-pemia"
openssl pkcs7 -inform DER -in "$OUT/dl-bin" -print_certs -out "$OUT/p7-der.pem" 2>/dev/null
openssl pkcs7 -in "$OUT/dl-base64" -print_certs -out "$OUT/p7-pem.pem" 2>/dev/null
check_eq "PKCS#7 DER holds leaf and root" 2 "$(grep -c 'BEGIN CERTIFICATE' "$OUT/p7-der.pem")"
check "PKCS#7 PEM holds the same certificates" cmp -s "$OUT/p7-der.pem" "$OUT/p7-pem.pem"
check_eq "chain-only is the root" "$(openssl x509 -in "$OUT/root.pem" -fingerprint -noout)" \
    "$(openssl x509 -in "$OUT/dl-x509IOR" -fingerprint -noout)"
check_eq "collected recorded" 1 "$(db_count "SELECT collected_at IS NOT NULL FROM request WHERE cert_id='$ID1'")"
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/collect?id=$ID1&format=nope")
check_eq "unknown format: 404" 404 "$code"
code=$(curl -s -o "$OUT/collect-wrong.html" -w '%{http_code}' "$BASE/collect?id=0123456789abcdef01234567")
check_eq "collect with a wrong ID: 404" 404 "$code"
check_grep "collect with a wrong ID: says so" 'no certificate with this ID' "$OUT/collect-wrong.html"
check "wrong-ID page is valid HTML" tidy -q -errors "$OUT/collect-wrong.html"

# Download from the menu: ID -> collection page; a wrong ID is refused.
before=$(nreq)
tok=$(csrf_token "$JAR" "$BASE/ssl?action=download")
curl -s -b "$JAR" -D "$OUT/download.h" -o /dev/null --data-urlencode "csrf=$tok" \
    --data-urlencode "certId=$ID1" "$BASE/ssl?action=download"
check_grep "download: 303 to the collection page" "^Location: /customer/demo/collect\?id=$ID1" "$OUT/download.h"
curl -s -b "$JAR" -o "$OUT/download-wrong.html" --data-urlencode "csrf=$tok" \
    --data-urlencode "certId=ffffffffffffffffffffffff" "$BASE/ssl?action=download"
check_grep "download with a wrong ID: message" 'no SSL certificate with this ID' "$OUT/download-wrong.html"
check "download page is valid HTML" tidy -q -errors "$OUT/download-wrong.html"
check_eq "wrong ID on download: no request" "$before" "$(nreq)"

# Automatic approval with a DER upload: issued at once.
step1 demo-ssl-auto-2026 bob@example.com
before=$(nreq)
code=$(curl -s -b "$JAR" -o "$OUT/auto.html" -w '%{http_code}' -F "csrf=$TOK" -F "token=$FT" \
    -F step=2 -F email=bob@example.com -F "profile=SSL Standard" -F term=730 \
    -F "csrFile=@$K/host2.der" -F commonName=host2.example.com \
    -F passphrase=auto-pass-123 -F passphrase2=auto-pass-123 -F eula=1 "$BASE/ssl?action=enroll")
ID2=$(sed -n 's/.*<code id="certId">\([0-9a-f]*\)<.*/\1/p' "$OUT/auto.html")
check_eq "auto-approve: issued at once" Issued "$(db_count "SELECT status FROM request WHERE cert_id='$ID2'")"
check_eq "auto-approve: 730-day term" 730 "$(db_count "SELECT term_days FROM request WHERE cert_id='$ID2'")"
check_grep "auto-approve: link to collect" "collect\?id=$ID2" "$OUT/auto.html"
check "auto-approve: collection email" sh -c "grep -q 'collect?id=$ID2' '$INSTANCE'/mail/*.eml"

# Renewal and revocation with a wrong ID or passphrase: generic refusal.
post_pass() {	# action outname certId passphrase [more --data-urlencode args]
	local action=$1 name=$2 id=$3 pw=$4 t
	shift 4
	t=$(csrf_token "$JAR" "$BASE/ssl?action=$action")
	curl -s -b "$JAR" -o "$OUT/$name.html" -w '%{http_code}' --data-urlencode "csrf=$t" \
	    --data-urlencode "certId=$id" --data-urlencode "passphrase=$pw" "$@" \
	    "$BASE/ssl?action=$action"
}
before=$(nreq)
code=$(post_pass renew renew-wrong-id ffffffffffffffffffffffff correct-horse-1)
check_grep "renew, wrong ID: generic message" 'certificate ID or the passphrase is not correct' "$OUT/renew-wrong-id.html"
code=$(post_pass renew renew-wrong-pass "$ID1" wrong-pass-1)
check_grep "renew, wrong passphrase: generic message" 'certificate ID or the passphrase is not correct' "$OUT/renew-wrong-pass.html"
check "renew form is valid HTML" tidy -q -errors "$OUT/renew-wrong-pass.html"
code=$(post_pass revoke revoke-wrong-pass "$ID1" wrong-pass-2 --data-urlencode reason=keyCompromise \
    --data-urlencode "comments=lost it")
check_grep "revoke, wrong passphrase: generic message" 'certificate ID or the passphrase is not correct' "$OUT/revoke-wrong-pass.html"
check_grep "revoke, wrong passphrase: comments kept" 'lost it' "$OUT/revoke-wrong-pass.html"
code=$(post_pass revoke revoke-wrong-id ffffffffffffffffffffffff correct-horse-1 \
    --data-urlencode reason=keyCompromise --data-urlencode "comments=lost it")
check_grep "revoke, wrong ID: generic message" 'certificate ID or the passphrase is not correct' "$OUT/revoke-wrong-id.html"
check "revoke form is valid HTML" tidy -q -errors "$OUT/revoke-wrong-pass.html"
check_eq "wrong passphrases: no request, still Issued" "$before|Issued" \
    "$(nreq)|$(db_count "SELECT status FROM request WHERE cert_id='$ID1'")"
check_eq "wrong passphrases counted on the certificate" 2 \
    "$(db_count "SELECT pass_failures FROM request WHERE cert_id='$ID1'")"
code=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code}' --data-urlencode "certId=$ID1" \
    --data-urlencode passphrase=correct-horse-1 "$BASE/ssl?action=renew")
check_eq "renew without CSRF token: 403" 403 "$code"

# Renewal: a new request with the same details, waiting for approval.
code=$(post_pass renew renewed "$ID1" correct-horse-1)
check_eq "renew: 200" 200 "$code"
check "renewal page is valid HTML" tidy -q -errors "$OUT/renewed.html"
ID3=$(sed -n 's/.*<code id="certId">\([0-9a-f]*\)<.*/\1/p' "$OUT/renewed.html")
check "renew: new certificate ID" test -n "$ID3" -a "$ID3" != "$ID1"
check_eq "renew: same details, renewal_of set, Requested" \
    "$(db_count "SELECT common_name, sans, hex(csr_der), profile_id, term_days FROM request WHERE cert_id='$ID1'")|Requested|$(db_count "SELECT id FROM request WHERE cert_id='$ID1'")" \
    "$(db_count "SELECT common_name, sans, hex(csr_der), profile_id, term_days, status, renewal_of FROM request WHERE cert_id='$ID3'")"
check_eq "success resets the certificate's failures" 0 \
    "$(db_count "SELECT pass_failures FROM request WHERE cert_id='$ID1'")"

# Revocation: Revoked, CRL over HTTP lists the serial, email sent.
code=$(post_pass revoke revoked "$ID1" correct-horse-1 --data-urlencode reason=keyCompromise \
    --data-urlencode "comments=key leaked")
check_eq "revoke: 200" 200 "$code"
check "revoked page is valid HTML" tidy -q -errors "$OUT/revoked.html"
check_eq "revoke: Revoked with reason keyCompromise" "Revoked|1" \
    "$(db_count "SELECT status, revoke_reason FROM request WHERE cert_id='$ID1'")"
serial=$(db_count "SELECT serial FROM request WHERE cert_id='$ID1'")
curl -s -o "$OUT/crl.der" "http://127.0.0.1:$PORT/customer/demo/crl/$(db_count 'SELECT name FROM ca LIMIT 1').crl"
openssl crl -inform DER -in "$OUT/crl.der" -text -noout > "$OUT/crl.txt" 2>&1
check_grep "CRL over HTTP lists the serial" "Serial Number: $serial" "$OUT/crl.txt"
check "revocation email" sh -c "grep -l '$ID1' '$INSTANCE'/mail/*.eml | xargs grep -q '^Subject: Your certificate was revoked'"
code=$(post_pass renew renew-revoked "$ID1" correct-horse-1)
check_grep "revoked certificate: renewal refused" 'has been revoked and cannot be renewed' "$OUT/renew-revoked.html"
code=$(curl -s -o "$OUT/collect-revoked.html" -w '%{http_code}' "$BASE/collect?id=$ID1")
check_grep "collection page says revoked" 'has been revoked' "$OUT/collect-revoked.html"

# Throttling: 4 wrong passphrases so far from this address; 6 more reach
# 10, the 11th attempt is refused with 429 even with the right passphrase.
for i in $(seq 5 10); do post_pass renew t$i "$ID2" "wrong-$i" > /dev/null; done
before=$(nreq)
code=$(post_pass renew eleventh "$ID2" auto-pass-123)
check_eq "11th passphrase attempt: 429" 429 "$code"
check_grep "429 page says to wait" 'wait 15 minutes' "$OUT/eleventh.html"
check "429 page is valid HTML" tidy -q -errors "$OUT/eleventh.html"
check_eq "throttled: no request" "$before" "$(nreq)"

# Per-certificate lock: 10 failures lock ID2 even from a fresh address.
check_eq "ID2 has 6 failures" 6 "$(db_count "SELECT pass_failures FROM request WHERE cert_id='$ID2'")"
sqlite3 "$INSTANCE/state/certdesk.db" "DELETE FROM throttle"
for i in 1 2 3 4; do post_pass revoke l$i "$ID2" "wrong-l$i" --data-urlencode reason=superseded \
    --data-urlencode comments=x > /dev/null; done
code=$(post_pass renew locked "$ID2" auto-pass-123)
check_eq "locked certificate: 429 with the right passphrase" 429 "$code"
check_grep "locked certificate: says ask the administrator" 'locked' "$OUT/locked.html"
check "locked page is valid HTML" tidy -q -errors "$OUT/locked.html"
check "certdesk cert unlock" cdadm cert unlock "$ID2"
code=$(post_pass renew unlocked "$ID2" auto-pass-123)
check_grep "after unlock: renewal accepted and issued (auto-approve account)" '<dd>Issued</dd>' "$OUT/unlocked.html"
check_eq "after unlock: one more request" $((before + 1)) "$(nreq)"

# Secrets never reach the log.
check_nogrep "no passphrase in the server log" 'correct-horse|auto-pass|wrong-pass' "$INSTANCE/lighttpd-error.log"
check_nogrep "no access code in the server log" 'demo-ssl' "$INSTANCE/lighttpd-error.log"
finish
