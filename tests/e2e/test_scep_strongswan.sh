#!/usr/bin/env bash
# SCEP with strongSwan's pki (5.9.8): --scepca (GetCACert, RA + CA),
# --scep (GetCACaps, PKCSReq) with RSA 2048 and 4096 under AES and 3DES
# with SHA-1/256/512, the S/MIME endpoint's subject rules, wrong and
# one-time challenges, manual approval with CertPoll, and renewal signed by
# the old certificate without a challenge.  pki --scep takes RSA keys only
# (an EC key fails to parse in the client), so there is no EC case.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/instance.sh"
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/scep_lib.sh"

if ! command -v pki >/dev/null; then
	fail "pki installed (Debian package strongswan-pki)"
	finish
	exit 1
fi
scep_setup strongswan

# The TPM plugin complains on machines without one; that noise is not ours.
quiet() {
	grep -v -E 'TPM 2.0|plugin .tpm.' "$1" > "$1.tmp" && mv "$1.tmp" "$1"
}

# newkey FILE BITS: an RSA key in DER.
newkey() {
	pki --gen --type rsa --size "$2" > "$1" 2>/dev/null
}

# enroll NAME URL KEY DN [pki options...]: pki --scep into $OUT/NAME.der,
# output in $OUT/NAME.log; returns pki's status.
enroll() {
	local name=$1 url=$2 key=$3 dn=$4 rc
	shift 4
	timeout 60 pki --scep --url "$url" --in "$key" --dn "$dn" \
	    --cacert-enc "$OUT/ca/ra.der" --cacert-sig "$OUT/ca/ra.der" \
	    --cacert "$OUT/ca/ca.der" --debug 2 "$@" \
	    >"$OUT/$name.der" 2>"$OUT/$name.log"
	rc=$?
	quiet "$OUT/$name.log"
	return $rc
}

# GetCACert: the RA and the CA, the CA identical to the instance's.
mkdir -p "$OUT/ca"
timeout 30 pki --scepca --url "$DEV" --caout "$OUT/ca/ca.der" --raout "$OUT/ca/ra.der" \
    --force >"$OUT/scepca.log" 2>&1
check_eq "pki --scepca exits 0" 0 $?
quiet "$OUT/scepca.log"
check_grep "pki --scepca finds the root CA" 'Root CA cert' "$OUT/scepca.log"
check_grep "pki --scepca finds the RA" 'Signature CA cert|RA cert|Encryption CA cert' "$OUT/scepca.log"
check_eq "GetCACert CA is the instance's CA" \
    "$(openssl x509 -in "$OUT/ca.pem" -noout -fingerprint -sha256 2>/dev/null)" \
    "$(openssl x509 -inform der -in "$OUT/ca/ca.der" -noout -fingerprint -sha256 2>/dev/null)"
check_eq "GetCACert RA is the instance's RA" \
    "$(openssl x509 -in "$OUT/ra.pem" -noout -fingerprint -sha256 2>/dev/null)" \
    "$(openssl x509 -inform der -in "$OUT/ca/ra.der" -noout -fingerprint -sha256 2>/dev/null)"
scep_verify "RA certificate chains to the CA" "$OUT/ca/ra.der"
check_grep "RA key usage: digitalSignature and keyEncipherment" \
    'Digital Signature, Key Encipherment' \
    <(openssl x509 -inform der -in "$OUT/ca/ra.der" -noout -ext keyUsage 2>/dev/null)

# Enrollment, default AES + SHA-256 (pki picks AES only with SHA-384 listed).
# Two names need a multi-domain profile: the Device profile refuses them.
newkey "$OUT/k2048.der" 2048
enroll two-names "$DEV" "$OUT/k2048.der" "CN=sw-2048.example.com" \
    --san sw-2048.example.com --san www.sw-2048.example.com --password "$CODE"
check "two names on a single-name profile: pki fails" test $? -ne 0
check_grep "two names on a single-name profile: failInfo badRequest" \
    'failInfo: +badRequest' "$OUT/two-names.log"
enroll rsa2048 "$MULTI" "$OUT/k2048.der" "CN=sw-2048.example.com" \
    --san sw-2048.example.com --san www.sw-2048.example.com --password "$CODE"
check_eq "RSA 2048 (AES, SHA-256): pki exits 0" 0 $?
check_grep "GetCACaps read: SCEPStandard" 'SCEPStandard' "$OUT/rsa2048.log"
check_grep "GetCACaps read: Renewal" 'Renewal' "$OUT/rsa2048.log"
check_grep "RSA 2048: pkiStatus SUCCESS" 'pkiStatus: +SUCCESS' "$OUT/rsa2048.log"
scep_verify "RSA 2048: certificate chains to the CA" "$OUT/rsa2048.der"
check_grep "RSA 2048: CN kept" 'CN=sw-2048\.example\.com' <(scep_subject "$OUT/rsa2048.der")
check_grep "RSA 2048: both SANs" 'DNS:sw-2048\.example\.com, DNS:www\.sw-2048\.example\.com' \
    <(scep_sans "$OUT/rsa2048.der")
check_eq "RSA 2048: the client's key is certified" \
    "$(openssl pkey -inform der -in "$OUT/k2048.der" -pubout 2>/dev/null | sha256sum)" \
    "$(openssl x509 -inform der -in "$OUT/rsa2048.der" -noout -pubkey 2>/dev/null | sha256sum)"

newkey "$OUT/k4096.der" 4096
enroll rsa4096 "$DEV" "$OUT/k4096.der" "CN=sw-4096.example.com" --san sw-4096.example.com \
    --password "$CODE"
check_eq "RSA 4096: pki exits 0" 0 $?
scep_verify "RSA 4096: certificate chains to the CA" "$OUT/rsa4096.der"
check_grep "RSA 4096: 4096-bit key certified" 'Public-Key: \(4096 bit\)' \
    <(openssl x509 -inform der -in "$OUT/rsa4096.der" -noout -text 2>/dev/null)

# The other algorithms the client offers: 3DES + SHA-1, AES + SHA-512.
newkey "$OUT/kdes3.der" 2048
enroll des3-sha1 "$DEV" "$OUT/kdes3.der" "CN=sw-des3.example.com" --password "$CODE" \
    --cipher des3 --digest sha1
check_eq "3DES + SHA-1: pki exits 0" 0 $?
scep_verify "3DES + SHA-1: certificate chains to the CA" "$OUT/des3-sha1.der"
newkey "$OUT/ksha512.der" 2048
enroll aes-sha512 "$DEV" "$OUT/ksha512.der" "CN=sw-sha512.example.com" --password "$CODE" \
    --cipher aes --digest sha512
check_eq "AES + SHA-512: pki exits 0" 0 $?
scep_verify "AES + SHA-512: certificate chains to the CA" "$OUT/aes-sha512.der"

# S/MIME endpoint: CN and emailAddress in a delegated domain.
newkey "$OUT/ksmime.der" 2048
enroll smime "$SMIME" "$OUT/ksmime.der" "C=US, O=Demo Org, CN=Alice Smith, E=alice@example.com" \
    --password "$CODE"
check_eq "S/MIME endpoint: pki exits 0" 0 $?
scep_verify "S/MIME: certificate chains to the CA" "$OUT/smime.der"
check_grep "S/MIME: CN kept" 'CN=Alice Smith' <(scep_subject "$OUT/smime.der")
check_grep "S/MIME: email in the certificate" 'alice@example\.com' \
    <(openssl x509 -inform der -in "$OUT/smime.der" -noout -subject -ext subjectAltName 2>/dev/null)
newkey "$OUT/ksmime-bad.der" 2048
enroll smime-foreign "$SMIME" "$OUT/ksmime-bad.der" "CN=Eve, E=eve@evil.example.org" \
    --password "$CODE"
check "S/MIME with a foreign email domain: pki fails" test $? -ne 0
check_grep "S/MIME foreign domain: FAILURE badRequest" 'failInfo: +badRequest' "$OUT/smime-foreign.log"

# Wrong challenge: FAILURE badRequest; the next request succeeds.
newkey "$OUT/kwrong.der" 2048
enroll wrong "$DEV" "$OUT/kwrong.der" "CN=sw-wrong.example.com" --password not-the-code
check "wrong challenge: pki fails" test $? -ne 0
check_grep "wrong challenge: pkiStatus FAILURE" 'pkiStatus: +FAILURE' "$OUT/wrong.log"
check_grep "wrong challenge: failInfo badRequest" 'failInfo: +badRequest' "$OUT/wrong.log"
check "wrong challenge: no certificate" test ! -s "$OUT/wrong.der"
newkey "$OUT/kafter.der" 2048
enroll after-wrong "$DEV" "$OUT/kafter.der" "CN=sw-after.example.com" --password "$CODE"
check_eq "after a wrong challenge the next enrollment succeeds" 0 $?
scep_verify "after a wrong challenge: certificate chains to the CA" "$OUT/after-wrong.der"

# One-time challenge: once, not twice.
otp=$(cdadm scep challenge --account scep-device)
check "one-time challenge printed" test -n "$otp"
newkey "$OUT/kotp1.der" 2048
enroll otp1 "$DEV" "$OUT/kotp1.der" "CN=sw-otp1.example.com" --password "$otp"
check_eq "one-time challenge: first use succeeds" 0 $?
scep_verify "one-time challenge: certificate chains to the CA" "$OUT/otp1.der"
newkey "$OUT/kotp2.der" 2048
enroll otp2 "$DEV" "$OUT/kotp2.der" "CN=sw-otp2.example.com" --password "$otp"
check "one-time challenge: second use fails" test $? -ne 0
check_grep "one-time challenge: second use badRequest" 'failInfo: +badRequest' "$OUT/otp2.log"

# Renewal: a new key, signed by the old certificate and key, no challenge,
# on the endpoint that issued the old certificate.
newkey "$OUT/krenew.der" 2048
enroll renewal "$MULTI" "$OUT/krenew.der" "CN=sw-2048.example.com" --san sw-2048.example.com \
    --cert "$OUT/rsa2048.der" --key "$OUT/k2048.der"
check_eq "renewal without challenge: pki exits 0" 0 $?
check_grep "renewal: sent as RenewalReq (server advertises Renewal)" 'SCEP Renewal operation supported' "$OUT/renewal.log"
check_grep "renewal: pkiStatus SUCCESS" 'pkiStatus: +SUCCESS' "$OUT/renewal.log"
scep_verify "renewal: certificate chains to the CA" "$OUT/renewal.der"
old=$(scep_subject "$OUT/rsa2048.der")
check "renewal: subject kept" test -n "$old" -a "$old" = "$(scep_subject "$OUT/renewal.der")"
check "renewal: a new serial number" test -n "$(scep_serial "$OUT/renewal.der")" -a \
    "$(scep_serial "$OUT/renewal.der")" != "$(scep_serial "$OUT/rsa2048.der")"
check_eq "renewal: the new key is certified" \
    "$(openssl pkey -inform der -in "$OUT/krenew.der" -pubout 2>/dev/null | sha256sum)" \
    "$(openssl x509 -inform der -in "$OUT/renewal.der" -noout -pubkey 2>/dev/null | sha256sum)"
oldserial=$(scep_serial "$OUT/rsa2048.der" | tr 'A-F' 'a-f')
check_eq "renewal: the old certificate stays valid" Issued \
    "$(db_count "SELECT status FROM request WHERE lower(serial) = '$oldserial'")"

# Manual approval: PENDING, pki polls every second, approval, certificate.
newkey "$OUT/kpending.der" 2048
enroll pending "$APPR" "$OUT/kpending.der" "CN=sw-pending.example.com" --password "$CODE" \
    --interval 1 --maxpolltime 45 &
pid=$!
id=$(scep_approve_pending 30)
check "manual approval: request waits as Requested" test -n "$id"
wait "$pid"
check_eq "manual approval: pki polls and exits 0" 0 $?
check_grep "manual approval: client saw PENDING" 'pkiStatus: +PENDING' "$OUT/pending.log"
scep_verify "manual approval: polled certificate chains to the CA" "$OUT/pending.der"
check_grep "manual approval: CN kept" 'CN=sw-pending\.example\.com' <(scep_subject "$OUT/pending.der")

scep_caps_alive "server still serves at the end" "$DEV"
finish
