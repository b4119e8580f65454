#!/usr/bin/env bash
# The device certificate form over HTTP with curl: the form, every failure
# message (each leaves the database without a new request), a submission
# approved with the CLI and collected, unknown and unconfigured endpoints,
# and the per-address submission limit with its configured value.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
OUT="$ROOT/tests/out/device_form"
rm -rf "$OUT" && mkdir -p "$OUT"

start_instance
JAR="$OUT/cookies"
K="$OUT/keys"
mkdir -p "$K"
FORM="$BASE/device/lab"

# A profile that takes RSA keys only, on an endpoint of its own; and an
# endpoint that has no account at all.
cdadm profile add "Device RSA" --type device --terms 365,730 --keys rsa2048,rsa3072 >/dev/null
cdadm endpoint add --type device --ext lab-rsa --name "RSA devices" >/dev/null
cdadm account add rsa --endpoint device/lab-rsa --org "Demo Org" --code demo-device-rsa-2026 \
    --profile "Device RSA" >/dev/null
cdadm endpoint add --type device --ext empty --name "Unconfigured" >/dev/null

mkcsr() {	# name subject [SAN list]
	local name=$1 subj=$2 san=${3:-}
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$K/$name.key" -out "$K/$name.csr" -subj "$subj" \
	    ${san:+-addext "subjectAltName=$san"} 2>/dev/null
}
mkcsr gw "/CN=gw.example.com"
mkcsr evil "/CN=gw.evil.org"
mkcsr two "/CN=a.example.com" "DNS:a.example.com,DNS:b.example.com"
openssl req -new -newkey rsa:1024 -nodes -keyout "$K/weak.key" -out "$K/weak.csr" \
    -subj "/CN=weak.example.com" 2>/dev/null
openssl req -in "$K/gw.csr" -outform DER -out "$K/gw.der"
echo "this is not a certificate request" > "$K/junk.csr"
head -c 40000 /dev/zero | tr '\0' 'A' > "$K/big.csr"

nreq() { db_count 'SELECT COUNT(*) FROM request'; }

# The form on GET.
code=$(curl -s -c "$JAR" -b "$JAR" -o "$OUT/form.html" -w '%{http_code}' "$FORM")
check_eq "GET /device/lab: 200" 200 "$code"
check "form is valid HTML (tidy)" tidy -q -errors "$OUT/form.html"
check_grep "guide's heading" 'Device Certificate Enrollment' "$OUT/form.html"
check_grep "guide's lead" 'Fill in the fields below to enroll a certificate' "$OUT/form.html"
check_grep "one profile: shown as text" '<p class="value" id="profile">Device</p>' "$OUT/form.html"
check_grep "the profile's one term: shown as text" '<p class="value" id="term">1 year</p>' "$OUT/form.html"
check_nogrep "no access code asked" 'accessCode' "$OUT/form.html"
for f in email csr csrFile; do
	check_grep "field $f" "name=\"$f\"" "$OUT/form.html"
done
TOK=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$OUT/form.html" | head -n 1)
check "form has a CSRF token" test -n "$TOK"

code=$(curl -s -c "$OUT/j2" -b "$OUT/j2" -o "$OUT/form-rsa.html" -w '%{http_code}' "$BASE/device/lab-rsa")
check_grep "two terms: a choice" '<select id="term"' "$OUT/form-rsa.html"
check "two-term form is valid HTML (tidy)" tidy -q -errors "$OUT/form-rsa.html"

# submit NAME URL [curl -F args...]: posts the form; prints the HTTP status.
submit() {
	local name=$1 url=$2
	shift 2
	curl -s -b "$JAR" -o "$OUT/$name.html" -w '%{http_code}' \
	    -F "csrf=$TOK" "$@" "$url"
}
GOOD=(-F profile=Device -F term=365 -F email=ops@example.com -F "csr=<$K/gw.csr")

# expect_error NAME PATTERN URL [curl -F args...]: one failing submission.
expect_error() {
	local name=$1 pat=$2 url=$3 before code
	shift 3
	before=$(nreq)
	code=$(submit "$name" "$url" "$@")
	check_eq "$name: 200 with the form again" 200 "$code"
	check_grep "$name: says why" "$pat" "$OUT/$name.html"
	check_grep "$name: form shown again" 'name="csrFile"' "$OUT/$name.html"
	check_eq "$name: no request recorded" "$before" "$(nreq)"
	check "$name: valid HTML (tidy)" tidy -q -errors "$OUT/$name.html"
}

expect_error bad-csr "not a valid PEM or DER PKCS#10 request" "$FORM" \
    "${GOOD[@]}" -F "csr=<$K/junk.csr"
check_grep "bad-csr: the email is kept" 'value="ops@example.com"' "$OUT/bad-csr.html"
expect_error weak-key "RSA keys must be at least 2048 bits" "$FORM" \
    "${GOOD[@]}" -F "csr=<$K/weak.csr"
expect_error foreign-domain 'gw.evil.org.*not in a domain delegated' "$FORM" \
    "${GOOD[@]}" -F "csr=<$K/evil.csr"
expect_error two-names "need a multi-domain certificate profile" "$FORM" \
    "${GOOD[@]}" -F "csr=<$K/two.csr"
expect_error key-type 'key \(EC P-256\) is not allowed by the profile Device RSA' \
    "$BASE/device/lab-rsa" -F "profile=Device RSA" -F term=365 \
    -F email=ops@example.com -F "csr=<$K/gw.csr"
expect_error oversize-upload "larger than 32 KiB" "$FORM" \
    "${GOOD[@]}" -F "csrFile=@$K/big.csr"
expect_error oversize-paste "larger than 32 KiB" "$FORM" \
    -F profile=Device -F term=365 -F email=ops@example.com -F "csr=<$K/big.csr"
expect_error missing-email "Enter your email address" "$FORM" \
    -F profile=Device -F term=365 -F "csr=<$K/gw.csr"
expect_error missing-csr "Paste or upload the CSR" "$FORM" \
    -F profile=Device -F term=365 -F email=ops@example.com
expect_error bad-email 'is not an email address in a domain delegated' "$FORM" \
    "${GOOD[@]}" -F "email=not-an-address"
expect_error foreign-email 'is not an email address in a domain delegated' "$FORM" \
    "${GOOD[@]}" -F "email=ops@evil.org"
expect_error control-email 'email address is not valid' "$FORM" \
    "${GOOD[@]}" -F "email=ops@example.com	x"
expect_error bad-term "term is not available" "$FORM" \
    "${GOOD[@]}" -F "term=12x<b>term-probe"
# "-" never occurs in the base64 of the CSR the page shows back.
check_nogrep "bad-term: the raw value is never echoed" 'term-probe|<b>' "$OUT/bad-term.html"
expect_error other-term "term is not available" "$FORM" "${GOOD[@]}" -F term=730
expect_error other-profile "Choose one of the certificate profiles" "$FORM" \
    "${GOOD[@]}" -F "profile=Device RSA"
expect_error hostile-email 'is not an email address' "$FORM" \
    "${GOOD[@]}" --form-string 'email=<script>x</script>@example.com'
check_nogrep "hostile-email: escaped" '<script>' "$OUT/hostile-email.html"

# Without CSRF, nothing happens.
before=$(nreq)
code=$(curl -s -o /dev/null -w '%{http_code}' "${GOOD[@]}" "$FORM")
check_eq "no CSRF token: 403" 403 "$code"
check_eq "no CSRF token: no request" "$before" "$(nreq)"

# Unknown and unconfigured endpoints.
code=$(curl -s -o "$OUT/unknown.html" -w '%{http_code}' "$BASE/device/nope")
check_eq "unknown extension: 404" 404 "$code"
check_grep "unknown extension: says so" 'no device enrollment form at this address' "$OUT/unknown.html"
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/device")
check_eq "no extension (none configured): 404" 404 "$code"
code=$(curl -s -o "$OUT/empty.html" -w '%{http_code}' "$BASE/device/empty")
check_eq "endpoint without account: 503" 503 "$code"
check_grep "endpoint without account: not configured" 'not configured' "$OUT/empty.html"
check "not-configured page is valid HTML" tidy -q -errors "$OUT/empty.html"

# The happy path: DER upload, Requested, one mail to the admin.
before=$(nreq)
nmail=$(ls "$INSTANCE"/mail/*.eml 2>/dev/null | wc -l)
code=$(submit done "$FORM" -F profile=Device -F term=365 -F email=ops@example.com \
    -F "csrFile=@$K/gw.der")
check_eq "submit: 200" 200 "$code"
check_grep "submit: the guide's confirmation" 'submitted successfully' "$OUT/done.html"
check "confirmation is valid HTML" tidy -q -errors "$OUT/done.html"
ID=$(sed -n 's/.*id="certId">\([^<]*\)<.*/\1/p' "$OUT/done.html")
check "submit: a certificate ID" test -n "$ID"
check_eq "submit: one request more" "$((before + 1))" "$(nreq)"
check_eq "recorded as a device request, Requested, via web" "device|Requested|web|gw.example.com|ops@example.com" \
    "$(db_count "SELECT type, status, via, common_name, requester_email FROM request WHERE cert_id='$ID'")"
check_eq "one mail (to the admin)" "$((nmail + 1))" "$(ls "$INSTANCE"/mail/*.eml | wc -l)"
m=$(grep -l "$ID" "$INSTANCE"/mail/*.eml | xargs grep -l '^To: admin@example.com' | head -n 1)
check "awaiting-approval mail to the admin" test -n "$m"
code=$(curl -s -o "$OUT/collect-pending.html" -w '%{http_code}' "$BASE/collect?id=$ID")
check_grep "collect before approval: not issued yet" 'not been issued yet' "$OUT/collect-pending.html"

check "certdesk request approve" cdadm request approve "$ID"
check_eq "approved: Issued" Issued "$(db_count "SELECT status FROM request WHERE cert_id='$ID'")"
m=$(grep -l "collect?id=$ID" "$INSTANCE"/mail/*.eml | xargs grep -l '^To: ops@example.com' | head -n 1)
check "collection mail to the requester" test -n "$m"
code=$(curl -s -o "$OUT/collect.html" -w '%{http_code}' "$BASE/collect?id=$ID")
check_eq "collect page: 200" 200 "$code"
sqlite3 "$INSTANCE/state/certdesk.db" "SELECT cert_pem FROM ca LIMIT 1" > "$OUT/root.pem"
curl -s -o "$OUT/cert.pem" "$BASE/collect?id=$ID&format=pemia"
check "collected certificate verifies against the CA" \
    openssl verify -CAfile "$OUT/root.pem" -untrusted "$OUT/cert.pem" "$OUT/cert.pem"
openssl req -in "$K/gw.csr" -pubkey -noout > "$OUT/csr.pub"
check_eq "certificate carries the CSR's key" "$(cat "$OUT/csr.pub")" \
    "$(openssl x509 -in "$OUT/cert.pem" -pubkey -noout)"
check_grep "subject built by policy: CN and organisation" 'CN ?= ?gw.example.com' \
    <(openssl x509 -in "$OUT/cert.pem" -noout -subject)
check_grep "the CN is a DNS name" 'DNS:gw.example.com' \
    <(openssl x509 -in "$OUT/cert.pem" -noout -ext subjectAltName)

# Throttling: every submission counts, good or bad; the 21st is refused.
sqlite3 "$INSTANCE/state/certdesk.db" "DELETE FROM throttle"
ok=1
for i in $(seq 1 20); do
	code=$(submit "t$i" "$FORM" -F profile=Device -F term=365 -F email=ops@example.com)
	[ "$code" = 200 ] || ok=0
done
check "20 submissions in the window: all answered" test "$ok" = 1
before=$(nreq)
code=$(submit throttled "$FORM" "${GOOD[@]}")
check_eq "21st submission: 429" 429 "$code"
check_grep "429 says why" 'too many submissions' "$OUT/throttled.html"
check_eq "21st submission: nothing recorded" "$before" "$(nreq)"
code=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code}' "$FORM")
check_eq "the form itself still shows" 200 "$code"

# Device.SubmitLimit sets the limit.
sqlite3 "$INSTANCE/state/certdesk.db" "DELETE FROM throttle"
echo "Device.SubmitLimit = 2" >> "$INSTANCE/certdesk.hdf"
instance_stop "$INSTANCE"
instance_start "$INSTANCE" || instance_failed
c1=$(submit l1 "$FORM" "${GOOD[@]}")
c2=$(submit l2 "$FORM" -F profile=Device -F term=365)
c3=$(submit l3 "$FORM" "${GOOD[@]}")
check_eq "Device.SubmitLimit = 2: two answered, the third refused" "200 200 429" "$c1 $c2 $c3"

finish
